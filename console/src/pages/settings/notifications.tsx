// Agent messages and notifications (Settings > Call / Chat > agent notifications, and per
// queue): whisper, countdown, tones with preview, frequency, SMS; the custom tone library
// (upload an MP3, preview, delete). A queue's unset fields inherit (shown as "inherit").
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { call, rawFetch, type ApiErrorBody } from "./client";
import { clone, useResource, type Shape } from "./resource";
import { ConflictView, ErrorBox, Fieldset, Select, Status, TextField, Pending } from "./widgets";

const FN = "notifications_http";

interface Tone {
  builtin?: string;
  custom?: string;
}
interface Settings {
  whisper?: { enabled?: boolean | null; type?: string | null; text?: string | null; speed?: number | null } | null;
  countdown?: { enabled?: boolean | null; seconds?: number | null } | null;
  tones?: Record<string, Tone | null> | null;
  frequency?: { mode?: string | null; every_seconds?: number | null; until?: string | null } | null;
  sms_on_incoming_call?: boolean | null;
}
type Own = { calls?: Settings | null; chats?: Settings | null };

interface Clip {
  id: string;
  name: string;
  source: string;
  duration_seconds?: number;
}

const shape: Shape<Own> = {
  data: (b) => (b as { settings: Own }).settings,
  etag: (b, h) => (b as { version?: string }).version ?? h,
};

const SLOTS: Record<string, string[]> = { calls: ["incoming_call"], chats: ["new_chat", "new_message"] };

function tri(v: boolean | null | undefined): string {
  return v === true ? "on" : v === false ? "off" : "";
}
const fromTri = (v: string): boolean | null => (v === "on" ? true : v === "off" ? false : null);

/** Drop unset (null / empty) parts, so "inherit" is the absence of a value. */
function prune<T>(v: T): T {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = prune(x);
      if (p === null || p === undefined || p === "") continue;
      if (typeof p === "object" && !Array.isArray(p) && !Object.keys(p as object).length) continue;
      out[k] = p;
    }
    return out as T;
  }
  return v;
}

export function NotificationsPage({ queues, global }: { queues: { id: string; path: string }[]; global: boolean }) {
  const [scope, setScope] = useState(global ? "" : (queues[0]?.id ?? ""));
  const [clips, setClips] = useState<{ builtin: Clip[]; custom: Clip[] }>({ builtin: [], custom: [] });
  const loadClips = async () => {
    const r = await call<{ builtin: Clip[]; custom: Clip[] }>(FN, "/notifications/tones");
    if (!r.error) setClips(r.body);
  };
  useEffect(() => {
    void loadClips();
  }, []);
  return (
    <section aria-labelledby="notifications-title" data-testid="settings-notifications">
      <h2 id="notifications-title">{t("settings.notifications.title")}</h2>
      <Select
        label={t("settings.notifications.scope")}
        value={scope}
        options={[
          ...(global ? [{ value: "", label: t("settings.notifications.global") }] : []),
          ...queues.map((q) => ({ value: q.id, label: q.path })),
        ]}
        testid="notifications-scope"
        onChange={setScope}
      />
      <NotificationsForm key={scope} queue={scope || null} clips={clips} />
      <ToneLibrary clips={clips} reload={loadClips} />
    </section>
  );
}

function NotificationsForm({ queue, clips }: { queue: string | null; clips: { builtin: Clip[]; custom: Clip[] } }) {
  const path = queue ? `/notifications/queues/${encodeURIComponent(queue)}/settings` : "/notifications/settings";
  const res = useResource<Own>(FN, path, shape);
  const [form, setForm] = useState<Own | null>(null);
  useEffect(() => setForm(res.data ? clone(res.data) : null), [res.data]);
  if (!form) return <Pending res={res} />;
  const toneOptions = [
    { value: "", label: t("settings.notifications.inherit") },
    ...clips.builtin.map((c) => ({ value: `builtin:${c.id}`, label: c.name })),
    ...clips.custom.map((c) => ({ value: `custom:${c.id}`, label: `${c.name} (${t("settings.notifications.custom")})` })),
  ];
  const triOptions = [
    { value: "", label: t("settings.notifications.inherit") },
    { value: "on", label: t("settings.on") },
    { value: "off", label: t("settings.off") },
  ];
  const kindForm = (kind: "calls" | "chats") => {
    const s: Settings = form[kind] ?? {};
    const set = (v: Settings) => setForm({ ...form, [kind]: v });
    const id = `notif-${kind}`;
    return (
      <Fieldset key={kind} legend={t(`settings.notifications.${kind}`)} testid={id}>
        <Select
          label={t("settings.notifications.whisper")}
          value={tri(s.whisper?.enabled)}
          options={triOptions}
          testid={`${id}-whisper`}
          onChange={(v) => set({ ...s, whisper: { ...(s.whisper ?? {}), enabled: fromTri(v) } })}
        />
        <Select
          label={t("settings.notifications.whisperType")}
          value={s.whisper?.type ?? ""}
          options={[
            { value: "", label: t("settings.notifications.inherit") },
            { value: "queue_name", label: t("settings.notifications.queueName") },
            { value: "tts", label: t("settings.notifications.tts") },
          ]}
          testid={`${id}-whisper-type`}
          onChange={(v) => set({ ...s, whisper: { ...(s.whisper ?? {}), type: v || null } })}
        />
        {s.whisper?.type === "tts" && (
          <TextField
            label={t("settings.notifications.whisperText")}
            value={s.whisper?.text ?? ""}
            testid={`${id}-whisper-text`}
            onInput={(v) => set({ ...s, whisper: { ...(s.whisper ?? {}), text: v || null } })}
          />
        )}
        <TextField
          label={t("settings.notifications.speed")}
          type="number"
          value={s.whisper?.speed != null ? String(s.whisper.speed) : ""}
          testid={`${id}-whisper-speed`}
          onInput={(v) => set({ ...s, whisper: { ...(s.whisper ?? {}), speed: v ? Number(v) : null } })}
        />
        {kind === "calls" && (
          <>
            <Select
              label={t("settings.notifications.countdown")}
              value={tri(s.countdown?.enabled)}
              options={triOptions}
              testid={`${id}-countdown`}
              onChange={(v) => set({ ...s, countdown: { ...(s.countdown ?? {}), enabled: fromTri(v) } })}
            />
            <Select
              label={t("settings.notifications.sms")}
              value={tri(s.sms_on_incoming_call)}
              options={triOptions}
              testid={`${id}-sms`}
              onChange={(v) => set({ ...s, sms_on_incoming_call: fromTri(v) })}
            />
          </>
        )}
        {SLOTS[kind].map((slot) => {
          const tone = s.tones?.[slot];
          const value = tone?.builtin ? `builtin:${tone.builtin}` : tone?.custom ? `custom:${tone.custom}` : "";
          return (
            <Select
              key={slot}
              label={t(`settings.notifications.tone.${slot}`)}
              value={value}
              options={toneOptions}
              testid={`${id}-tone-${slot}`}
              onChange={(v) => {
                const [src, tid] = v.split(":");
                set({ ...s, tones: { ...(s.tones ?? {}), [slot]: v ? { [src]: tid } : null } });
              }}
            />
          );
        })}
        <Select
          label={t("settings.notifications.frequency")}
          value={s.frequency?.mode ?? ""}
          options={[
            { value: "", label: t("settings.notifications.inherit") },
            { value: "once", label: t("settings.notifications.once") },
            { value: "repeat", label: t("settings.notifications.repeat") },
          ]}
          testid={`${id}-frequency`}
          onChange={(v) => set({ ...s, frequency: { ...(s.frequency ?? {}), mode: v || null } })}
        />
        {s.frequency?.mode === "repeat" && (
          <TextField
            label={t("settings.notifications.every")}
            type="number"
            value={s.frequency?.every_seconds != null ? String(s.frequency.every_seconds) : ""}
            testid={`${id}-every`}
            onInput={(v) => set({ ...s, frequency: { ...(s.frequency ?? {}), every_seconds: v ? Number(v) : null } })}
          />
        )}
      </Fieldset>
    );
  };
  return (
    <form
      data-testid="notifications-form"
      onSubmit={(e) => {
        e.preventDefault();
        void res.save(prune(form));
      }}
    >
      <ErrorBox error={res.error} testid="notifications-error" />
      {res.conflict && <ConflictView conflict={res.conflict} onKeepTheirs={res.keepTheirs} onOverwrite={res.overwrite} />}
      {kindForm("calls")}
      {kindForm("chats")}
      <div class="settings-actions">
        <button type="submit" data-testid="notifications-save">
          {t("settings.notifications.save")}
        </button>
      </div>
      <Status text={res.saved ? t("settings.saved") : null} testid="notifications-status" />
    </form>
  );
}

function ToneLibrary({ clips, reload }: { clips: { builtin: Clip[]; custom: Clip[] }; reload: () => Promise<void> }) {
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [playing, setPlaying] = useState<{ id: string; url: string } | null>(null);
  const preview = async (id: string) => {
    const r = await call<{ url: string }>(FN, `/notifications/tones/${encodeURIComponent(id)}/preview`);
    setError(r.error);
    if (!r.error) setPlaying({ id, url: r.body.url });
  };
  const upload = async (file: File) => {
    setStatus(t("settings.languages.uploading"));
    const q = new URLSearchParams({ name: name.trim() || file.name.replace(/\.[^.]*$/, "") });
    const r = await rawFetch(FN, `/notifications/tones?${q}`, { method: "POST", body: file, contentType: "audio/mpeg" });
    setError(r.error);
    setStatus(r.error ? null : t("settings.languages.uploaded", { name: file.name }));
    if (!r.error) {
      setName("");
      await reload();
    }
  };
  const remove = async (id: string) => {
    const r = await call(FN, `/notifications/tones/${encodeURIComponent(id)}`, { method: "DELETE" });
    setError(r.error);
    if (!r.error) await reload();
  };
  const row = (c: Clip) => (
    <tr key={c.id} data-testid="tone-row" data-tone-id={c.id}>
      <td>{c.name}</td>
      <td>{c.source === "builtin" ? t("settings.notifications.builtin") : t("settings.notifications.custom")}</td>
      <td>{c.duration_seconds != null ? `${c.duration_seconds.toFixed(1)} s` : ""}</td>
      <td>
        <button type="button" data-testid={`tone-${c.id}-preview`} onClick={() => void preview(c.id)} aria-label={t("settings.notifications.previewTone", { name: c.name })}>
          {t("settings.languages.listen")}
        </button>
        {c.source !== "builtin" && (
          <button type="button" data-testid={`tone-${c.id}-delete`} onClick={() => void remove(c.id)} aria-label={t("settings.notifications.deleteTone", { name: c.name })}>
            {t("settings.delete")}
          </button>
        )}
      </td>
    </tr>
  );
  return (
    <section aria-labelledby="tones-title" data-testid="settings-tones">
      <h3 id="tones-title">{t("settings.notifications.tones")}</h3>
      <ErrorBox error={error} testid="tone-error" />
      <Status text={status} testid="tone-status" />
      <table>
        <thead>
          <tr>
            <th scope="col">{t("settings.notifications.toneName")}</th>
            <th scope="col">{t("settings.notifications.source")}</th>
            <th scope="col">{t("settings.notifications.duration")}</th>
            <th scope="col">{t("settings.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {clips.builtin.map(row)}
          {clips.custom.map(row)}
        </tbody>
      </table>
      {playing && <audio controls autoPlay src={playing.url} data-testid="tone-preview-audio" aria-label={t("settings.notifications.previewTone", { name: playing.id })} />}
      <TextField label={t("settings.notifications.newToneName")} value={name} testid="tone-upload-name" onInput={setName} />
      <div class="settings-field">
        <label for="tone-upload">{t("settings.notifications.upload")}</label>
        <input
          id="tone-upload"
          type="file"
          accept=".mp3,audio/mpeg"
          data-testid="tone-upload"
          onChange={(e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f) void upload(f);
          }}
        />
      </div>
    </section>
  );
}
