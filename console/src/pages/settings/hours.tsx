// Support center details and hours: center details, which schedule applies, the schedule
// library (weekly grid, exceptions, holiday calendar), the 14-day preview of a change before
// saving it, and "what happens at..." (deflection's /explain).
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { call, type ApiErrorBody } from "./client";
import { clone, settingsShape, useResource } from "./resource";
import { ConflictView, ErrorBox, Fieldset, Loading, Select, Status, TextField, Check, Pending } from "./widgets";
import { ExplainPanel } from "./explain";
import { PreviewTable, type PreviewBody } from "./preview";

const SETTINGS = "settings_http";
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
type Day = (typeof WEEKDAYS)[number];

export interface DatedException {
  date: string;
  name?: string;
  yearly?: boolean;
  closed?: boolean;
  hours?: string[] | null;
}

export interface HoursSpec {
  timezone?: string | null;
  always_open?: boolean;
  weekly?: Partial<Record<Day, string[]>>;
  exceptions?: DatedException[];
  holidays?: { country: string; subdiv?: string | null } | null;
}

interface CenterDetails {
  name: string;
  timezone: string;
  support_email: string;
  default_language?: string;
  stuck_session_hours?: Record<string, number>;
}

interface ListBody<T> {
  items: { id: string; etag: string; data: T }[];
}

export function CenterPage({ queues }: { queues: { id: string; path: string }[] }) {
  const center = useResource<CenterDetails>(SETTINGS, "/settings/center", settingsShape());
  const [form, setForm] = useState<CenterDetails | null>(null);
  const [languages, setLanguages] = useState<string[]>([]);
  useEffect(() => setForm(center.data ? clone(center.data) : null), [center.data]);
  useEffect(() => {
    void call<ListBody<unknown>>(SETTINGS, "/settings/languages").then((r) => {
      if (!r.error) setLanguages(r.body.items.map((i) => i.id));
    });
  }, []);
  const zone = center.data?.timezone ?? "UTC";
  return (
    <div>
      <section aria-labelledby="center-title" data-testid="settings-center">
        <h2 id="center-title">{t("settings.center.title")}</h2>
        <Loading loading={center.loading && !form} />
        <ErrorBox error={center.error} />
        {center.conflict && (
          <ConflictView conflict={center.conflict} onKeepTheirs={center.keepTheirs} onOverwrite={center.overwrite} />
        )}
        {form && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void center.save(form);
            }}
          >
            <TextField
              label={t("settings.center.name")}
              value={form.name}
              testid="center-name"
              onInput={(v) => setForm({ ...form, name: v })}
            />
            <TextField
              label={t("settings.center.timezone")}
              value={form.timezone}
              testid="center-timezone"
              help={t("settings.center.timezoneHelp")}
              onInput={(v) => setForm({ ...form, timezone: v })}
            />
            <TextField
              label={t("settings.center.email")}
              type="email"
              value={form.support_email}
              testid="center-email"
              help={t("settings.center.emailHelp")}
              onInput={(v) => setForm({ ...form, support_email: v })}
            />
            {languages.length > 0 && (
              <Select
                label={t("settings.center.language")}
                value={form.default_language ?? "en-US"}
                options={languages.map((l) => ({ value: l, label: l }))}
                testid="center-language"
                onChange={(v) => setForm({ ...form, default_language: v })}
              />
            )}
            <div class="settings-actions">
              <button type="submit" data-testid="center-save">
                {t("settings.save")}
              </button>
            </div>
            <Status text={center.saved ? t("settings.saved") : null} testid="center-status" />
          </form>
        )}
      </section>
      <CenterHoursSelection />
      <SchedulesEditor zone={zone} />
      <ExplainPanel queues={queues} languages={languages} zone={zone} />
    </div>
  );
}

interface Selection {
  default?: string | null;
  channels?: Record<string, string>;
  languages?: Record<string, string>;
  channel_languages?: Record<string, string>;
}

const CHANNELS = ["voice", "mobile", "web", "chat", "sms"];

function CenterHoursSelection() {
  const sel = useResource<Selection>(SETTINGS, "/settings/center/hours", settingsShape());
  const [form, setForm] = useState<Selection | null>(null);
  const [ids, setIds] = useState<string[]>([]);
  useEffect(() => setForm(sel.data ? clone(sel.data) : null), [sel.data]);
  useEffect(() => {
    void call<ListBody<HoursSpec>>(SETTINGS, "/settings/hours").then((r) => {
      if (!r.error) setIds(r.body.items.map((i) => i.id));
    });
  }, [sel.saved]);
  const opts = (blank: boolean) => [
    ...(blank ? [{ value: "", label: t("settings.hours.inherit") }] : []),
    ...ids.map((i) => ({ value: i, label: i })),
  ];
  return (
    <section aria-labelledby="center-hours-title" data-testid="settings-center-hours">
      <h2 id="center-hours-title">{t("settings.hours.selectionTitle")}</h2>
      <ErrorBox error={sel.error} />
      {sel.conflict && <ConflictView conflict={sel.conflict} onKeepTheirs={sel.keepTheirs} onOverwrite={sel.overwrite} />}
      {form && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void sel.save(form);
          }}
        >
          <Select
            label={t("settings.hours.default")}
            value={form.default ?? ""}
            options={opts(false)}
            testid="center-hours-default"
            onChange={(v) => setForm({ ...form, default: v })}
          />
          {CHANNELS.map((c) => (
            <Select
              key={c}
              label={t("settings.hours.forChannel", { channel: t(`settings.channel.${c}`) })}
              value={form.channels?.[c] ?? ""}
              options={opts(true)}
              testid={`center-hours-channel-${c}`}
              onChange={(v) => {
                const channels = { ...(form.channels ?? {}) };
                if (v) channels[c] = v;
                else delete channels[c];
                setForm({ ...form, channels });
              }}
            />
          ))}
          <div class="settings-actions">
            <button type="submit" data-testid="center-hours-save">
              {t("settings.save")}
            </button>
          </div>
          <Status text={sel.saved ? t("settings.saved") : null} testid="center-hours-status" />
        </form>
      )}
    </section>
  );
}

const splitIntervals = (s: string): string[] =>
  s
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Minutes of the day an interval covers, for the visual strip (crossing midnight wraps). */
function pieces(iv: string): [number, number][] {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(iv);
  if (!m) return [];
  const a = +m[1] * 60 + +m[2];
  const b = +m[3] * 60 + +m[4];
  return b > a ? [[a, b]] : [
    [a, 1440],
    [0, b],
  ];
}

function DayStrip({ intervals }: { intervals: string[] }) {
  return (
    <div class="hours-strip" aria-hidden="true">
      {intervals.flatMap(pieces).map(([a, b], i) => (
        <span key={i} class="hours-strip-open" style={{ left: `${(a / 1440) * 100}%`, width: `${((b - a) / 1440) * 100}%` }} />
      ))}
    </div>
  );
}

export function SchedulesEditor({ zone }: { zone: string }) {
  const [ids, setIds] = useState<string[]>([]);
  const [current, setCurrent] = useState<string>("");
  const [newId, setNewId] = useState("");
  const [listError, setListError] = useState<ApiErrorBody | null>(null);
  const loadIds = async (select?: string) => {
    const r = await call<ListBody<HoursSpec>>(SETTINGS, "/settings/hours");
    if (r.error) return setListError(r.error);
    const list = r.body.items.map((i) => i.id);
    // First shown: the center's default schedule (the one most contacts get).
    const sel = await call<{ data: Selection }>(SETTINGS, "/settings/center/hours");
    const first = (!sel.error && sel.body.data.default) || list[0] || "";
    setIds(list);
    setCurrent((c) => select ?? (c && list.includes(c) ? c : first));
  };
  useEffect(() => {
    void loadIds();
  }, []);
  return (
    <section aria-labelledby="schedules-title" data-testid="settings-schedules">
      <h2 id="schedules-title">{t("settings.hours.schedulesTitle")}</h2>
      <ErrorBox error={listError} />
      <div class="settings-row">
        <Select
          label={t("settings.hours.schedule")}
          value={current}
          options={ids.map((i) => ({ value: i, label: i }))}
          testid="hours-schedule"
          onChange={setCurrent}
        />
        <form
          class="settings-inline"
          onSubmit={async (e) => {
            e.preventDefault();
            const id = newId.trim();
            if (!id) return;
            const r = await call(SETTINGS, `/settings/hours/${encodeURIComponent(id)}`, {
              method: "PUT",
              body: { weekly: {} },
            });
            if (r.error) return setListError(r.error);
            setListError(null);
            setNewId("");
            await loadIds(id);
          }}
        >
          <TextField label={t("settings.hours.newId")} value={newId} testid="hours-new-id" onInput={setNewId} />
          <button type="submit" data-testid="hours-create">
            {t("settings.hours.create")}
          </button>
        </form>
      </div>
      {current && <ScheduleForm key={current} id={current} zone={zone} />}
    </section>
  );
}

function ScheduleForm({ id, zone }: { id: string; zone: string }) {
  const path = `/settings/hours/${encodeURIComponent(id)}`;
  const res = useResource<HoursSpec>(SETTINGS, path, settingsShape());
  const [form, setForm] = useState<HoursSpec | null>(null);
  const [preview, setPreview] = useState<PreviewBody | null>(null);
  const [previewOf, setPreviewOf] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<ApiErrorBody | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setForm(res.data ? clone(res.data) : null), [res.data]);
  if (!form) return <Pending res={res} />;

  const edit = (f: HoursSpec) => {
    setForm(f);
  };
  const weekly = form.weekly ?? {};
  const exceptions = form.exceptions ?? [];
  const setDay = (d: Day, v: string[]) => edit({ ...form, weekly: { ...weekly, [d]: v } });
  const setExc = (i: number, e: DatedException) => edit({ ...form, exceptions: exceptions.map((x, j) => (j === i ? e : x)) });
  const snapshot = JSON.stringify(form);
  const previewCurrent = preview !== null && previewOf === snapshot;

  const runPreview = async () => {
    setBusy(true);
    const r = await call<PreviewBody>(SETTINGS, "/settings/preview", {
      method: "POST",
      body: { changes: [{ method: "PUT", path, body: form }], days: 14 },
    });
    setBusy(false);
    if (r.error) {
      setPreview(null);
      return setPreviewError(r.error);
    }
    setPreviewError(null);
    setPreview(r.body);
    setPreviewOf(snapshot);
  };

  return (
    <form
      data-testid="hours-form"
      aria-label={t("settings.hours.editing", { id })}
      onSubmit={async (e) => {
        e.preventDefault();
        if (await res.save(form)) setPreview(null);
      }}
    >
      <h3>{t("settings.hours.editing", { id })}</h3>
      <ErrorBox error={res.error} />
      {res.conflict && <ConflictView conflict={res.conflict} onKeepTheirs={res.keepTheirs} onOverwrite={res.overwrite} />}
      <TextField
        label={t("settings.hours.timezone")}
        value={form.timezone ?? ""}
        testid="hours-timezone"
        placeholder={zone}
        help={t("settings.hours.timezoneHelp", { zone })}
        onInput={(v) => edit({ ...form, timezone: v.trim() || null })}
      />
      <Check
        label={t("settings.hours.alwaysOpen")}
        checked={!!form.always_open}
        testid="hours-always-open"
        onChange={(v) => edit({ ...form, always_open: v })}
      />
      <table class="hours-grid" data-testid="hours-weekly">
        <caption>{t("settings.hours.weekly")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("settings.hours.day")}</th>
            <th scope="col">{t("settings.hours.intervals")}</th>
            <th scope="col">{t("settings.hours.dayView")}</th>
          </tr>
        </thead>
        <tbody>
          {WEEKDAYS.map((d) => {
            const ivs = weekly[d] ?? [];
            return (
              <tr key={d} data-testid={`hours-day-${d}`}>
                <th scope="row">{t(`settings.day.${d}`)}</th>
                <td>
                  {ivs.map((iv, i) => (
                    <span key={i} class="hours-interval">
                      <input
                        aria-label={t("settings.hours.intervalLabel", { day: t(`settings.day.${d}`), n: i + 1 })}
                        value={iv}
                        size={11}
                        pattern="\d{2}:\d{2}-\d{2}:\d{2}"
                        data-testid={`hours-${d}-${i}`}
                        onInput={(e) => setDay(d, ivs.map((x, j) => (j === i ? (e.target as HTMLInputElement).value : x)))}
                      />
                      <button
                        type="button"
                        aria-label={t("settings.hours.removeInterval", { day: t(`settings.day.${d}`), n: i + 1 })}
                        data-testid={`hours-${d}-${i}-remove`}
                        onClick={() => setDay(d, ivs.filter((_, j) => j !== i))}
                      >
                        ×
                      </button>
                    </span>
                  ))}
                  <button
                    type="button"
                    data-testid={`hours-${d}-add`}
                    aria-label={t("settings.hours.addInterval", { day: t(`settings.day.${d}`) })}
                    onClick={() => setDay(d, [...ivs, ivs.length ? "13:00-17:00" : "09:00-17:00"])}
                  >
                    +
                  </button>
                </td>
                <td>
                  <DayStrip intervals={ivs} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <Fieldset legend={t("settings.hours.exceptions")} testid="hours-exceptions">
        <table class="hours-exceptions">
          <thead>
            <tr>
              <th scope="col">{t("settings.hours.date")}</th>
              <th scope="col">{t("settings.hours.excName")}</th>
              <th scope="col">{t("settings.hours.yearly")}</th>
              <th scope="col">{t("settings.hours.closed")}</th>
              <th scope="col">{t("settings.hours.excHours")}</th>
              <th scope="col">
                <span class="visually-hidden">{t("settings.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {exceptions.map((x, i) => (
              <tr key={i} data-testid={`hours-exception-${i}`}>
                <td>
                  <input
                    type="date"
                    value={x.date}
                    aria-label={t("settings.hours.excDateLabel", { n: i + 1 })}
                    data-testid={`hours-exception-${i}-date`}
                    onInput={(e) => setExc(i, { ...x, date: (e.target as HTMLInputElement).value })}
                  />
                </td>
                <td>
                  <input
                    value={x.name ?? ""}
                    aria-label={t("settings.hours.excNameLabel", { n: i + 1 })}
                    data-testid={`hours-exception-${i}-name`}
                    onInput={(e) => setExc(i, { ...x, name: (e.target as HTMLInputElement).value })}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={!!x.yearly}
                    aria-label={t("settings.hours.excYearlyLabel", { n: i + 1 })}
                    data-testid={`hours-exception-${i}-yearly`}
                    onChange={(e) => setExc(i, { ...x, yearly: (e.target as HTMLInputElement).checked })}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={!!x.closed}
                    aria-label={t("settings.hours.excClosedLabel", { n: i + 1 })}
                    data-testid={`hours-exception-${i}-closed`}
                    onChange={(e) => {
                      const closed = (e.target as HTMLInputElement).checked;
                      setExc(i, closed ? { ...x, closed: true, hours: null } : { ...x, closed: false, hours: ["09:00-17:00"] });
                    }}
                  />
                </td>
                <td>
                  <input
                    value={(x.hours ?? []).join(", ")}
                    disabled={!!x.closed}
                    aria-label={t("settings.hours.excHoursLabel", { n: i + 1 })}
                    data-testid={`hours-exception-${i}-hours`}
                    onInput={(e) => setExc(i, { ...x, hours: splitIntervals((e.target as HTMLInputElement).value) })}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    data-testid={`hours-exception-${i}-remove`}
                    aria-label={t("settings.hours.excRemove", { n: i + 1 })}
                    onClick={() => edit({ ...form, exceptions: exceptions.filter((_, j) => j !== i) })}
                  >
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button
          type="button"
          data-testid="hours-exception-add"
          onClick={() =>
            edit({
              ...form,
              exceptions: [...exceptions, { date: new Date().toISOString().slice(0, 10), name: "", closed: true, hours: null }],
            })
          }
        >
          {t("settings.hours.excAdd")}
        </button>
      </Fieldset>

      <Fieldset legend={t("settings.hours.holidays")} testid="hours-holidays">
        <TextField
          label={t("settings.hours.country")}
          value={form.holidays?.country ?? ""}
          testid="hours-holidays-country"
          help={t("settings.hours.countryHelp")}
          onInput={(v) =>
            edit({ ...form, holidays: v.trim() ? { country: v.trim().toUpperCase(), subdiv: form.holidays?.subdiv ?? null } : null })
          }
        />
        <TextField
          label={t("settings.hours.subdiv")}
          value={form.holidays?.subdiv ?? ""}
          testid="hours-holidays-subdiv"
          onInput={(v) =>
            form.holidays && edit({ ...form, holidays: { ...form.holidays, subdiv: v.trim() || null } })
          }
        />
      </Fieldset>

      <div class="settings-actions">
        <button type="button" onClick={runPreview} disabled={busy} data-testid="hours-preview">
          {t("settings.preview.run")}
        </button>
        <button
          type="submit"
          disabled={!previewCurrent}
          aria-describedby="hours-save-help"
          data-testid="hours-save"
        >
          {t("settings.save")}
        </button>
        <small id="hours-save-help">{t("settings.preview.saveHelp")}</small>
      </div>
      <Status text={res.saved ? t("settings.saved") : null} testid="hours-status" />
      <ErrorBox error={previewError} testid="hours-preview-error" />
      {preview && <PreviewTable body={preview} zone={zone} stale={!previewCurrent} />}
    </form>
  );
}
