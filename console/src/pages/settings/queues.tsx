// Settings > Queues: the queues the editor may see (a team-scoped editor: their teams'),
// each with its own settings and per-queue after-hours overrides (IVR, mobile, SMS).
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { clone, settingsShape, useResource } from "./resource";
import { IvrEditor, SDK_OPTIONS, type IvrDeflection } from "./deflection";
import { SaveBar } from "./savebar";
import { Check, CheckSet, Fieldset, Select, TextField, Pending } from "./widgets";

export interface QueueRow {
  id: string;
  path: string;
  parent: string | null;
  children: string[];
  data: QueueSettings;
}

interface MobileOverride {
  enabled?: boolean;
  deflect_to_queue?: string | null;
  options?: string[] | null;
  phone?: string | null;
}

interface QueueSettings {
  name: string;
  channels?: string[];
  active?: boolean;
  hours?: { default?: string | null } & Record<string, unknown> | null;
  deflection?: { voice?: IvrDeflection | null; mobile?: MobileOverride | null; sms?: { enabled?: boolean; text?: string | null } | null } | null;
  scheduled_calls?: { enabled?: boolean; capacity?: number } | null;
  [k: string]: unknown;
}

const CHANNELS = ["voice", "mobile", "web", "chat", "sms"];

export function QueuesPage({ queues, zone, reload }: { queues: QueueRow[]; zone: string; reload: () => void }) {
  const [current, setCurrent] = useState(queues[0]?.id ?? "");
  return (
    <section aria-labelledby="queues-title" data-testid="settings-queues">
      <h2 id="queues-title">{t("settings.queues.title")}</h2>
      <div class="settings-split">
        <ul class="settings-list" aria-label={t("settings.queues.title")} data-testid="queue-list">
          {queues.map((q) => (
            <li key={q.id}>
              <button
                type="button"
                aria-current={q.id === current ? "true" : undefined}
                data-testid="queue-row"
                data-queue-id={q.id}
                onClick={() => setCurrent(q.id)}
              >
                {q.path}
              </button>
            </li>
          ))}
        </ul>
        {current && <QueueForm key={current} id={current} queues={queues} zone={zone} onSaved={reload} />}
      </div>
    </section>
  );
}

function QueueForm({ id, queues, zone, onSaved }: { id: string; queues: QueueRow[]; zone: string; onSaved: () => void }) {
  const path = `/settings/queues/${encodeURIComponent(id)}`;
  const res = useResource<QueueSettings>("settings_http", path, settingsShape());
  const [form, setForm] = useState<QueueSettings | null>(null);
  useEffect(() => setForm(res.data ? clone(res.data) : null), [res.data]);
  useEffect(() => {
    if (res.saved) onSaved();
  }, [res.saved]);
  if (!form) return <Pending res={res} />;
  const defl = form.deflection ?? {};
  const setDefl = (k: "voice" | "mobile" | "sms", v: unknown) => setForm({ ...form, deflection: { ...defl, [k]: v } });
  const mobile = defl.mobile;
  const targets = queues.filter((q) => q.id !== id);
  return (
    <div class="settings-detail" data-testid="queue-form" data-queue-id={id}>
      <h3>{queues.find((q) => q.id === id)?.path ?? id}</h3>
      <TextField label={t("settings.queues.name")} value={form.name} testid="queue-name" onInput={(v) => setForm({ ...form, name: v })} />
      <Check label={t("settings.queues.active")} checked={form.active !== false} testid="queue-active" onChange={(v) => setForm({ ...form, active: v })} />
      <CheckSet
        legend={t("settings.queues.channels")}
        values={CHANNELS}
        chosen={form.channels ?? []}
        testid="queue-channels"
        labelOf={(c) => t(`settings.channel.${c}`)}
        onChange={(v) => setForm({ ...form, channels: v })}
      />
      <TextField
        label={t("settings.queues.hours")}
        value={form.hours?.default ?? ""}
        help={t("settings.queues.hoursHelp")}
        testid="queue-hours-default"
        onInput={(v) => setForm({ ...form, hours: v.trim() ? { ...(form.hours ?? {}), default: v.trim() } : null })}
      />
      <Check
        label={t("settings.queues.scheduledCalls")}
        checked={!!form.scheduled_calls?.enabled}
        testid="queue-scheduled-calls"
        onChange={(v) => setForm({ ...form, scheduled_calls: { ...(form.scheduled_calls ?? {}), enabled: v } })}
      />
      <h4>{t("settings.queues.afterHours")}</h4>
      <Check
        label={t("settings.queues.overrideVoice")}
        checked={!!defl.voice}
        testid="queue-voice-override"
        onChange={(v) => setDefl("voice", v ? { enabled: true, option: "message" } : null)}
      />
      {defl.voice && <IvrEditor value={defl.voice} queues={targets} testid="queue-voice" onChange={(v) => setDefl("voice", v)} />}
      <Check
        label={t("settings.queues.overrideMobile")}
        checked={!!mobile}
        testid="queue-mobile-override"
        onChange={(v) => setDefl("mobile", v ? { enabled: true, options: ["email"] } : null)}
      />
      {mobile && (
        <Fieldset legend={t("settings.deflection.mobile")} testid="queue-mobile">
          <Check
            label={t("settings.deflection.enabled")}
            checked={!!mobile.enabled}
            testid="queue-mobile-enabled"
            onChange={(v) => setDefl("mobile", { ...mobile, enabled: v })}
          />
          <Select
            label={t("settings.queues.mobileMode")}
            value={mobile.deflect_to_queue ? "queue" : "options"}
            options={[
              { value: "options", label: t("settings.queues.mobileOptions") },
              { value: "queue", label: t("settings.queues.mobileQueue") },
            ]}
            testid="queue-mobile-mode"
            onChange={(v) =>
              setDefl(
                "mobile",
                v === "queue"
                  ? { ...mobile, options: null, deflect_to_queue: targets[0]?.id ?? null }
                  : { ...mobile, deflect_to_queue: null, options: ["email"] },
              )
            }
          />
          {mobile.deflect_to_queue ? (
            <Select
              label={t("settings.deflection.targetQueue")}
              value={mobile.deflect_to_queue}
              options={targets.map((q) => ({ value: q.id, label: q.path }))}
              testid="queue-mobile-queue"
              onChange={(v) => setDefl("mobile", { ...mobile, deflect_to_queue: v })}
            />
          ) : (
            <CheckSet
              legend={t("settings.deflection.options")}
              values={SDK_OPTIONS}
              chosen={mobile.options ?? []}
              testid="queue-mobile-options"
              labelOf={(o) => t(`settings.sdk.${o}`)}
              onChange={(v) => setDefl("mobile", { ...mobile, options: v })}
            />
          )}
        </Fieldset>
      )}
      <Check
        label={t("settings.queues.overrideSms")}
        checked={!!defl.sms}
        testid="queue-sms-override"
        onChange={(v) => setDefl("sms", v ? { enabled: true } : null)}
      />
      {defl.sms && (
        <Fieldset legend={t("settings.deflection.sms")} testid="queue-sms">
          <Check
            label={t("settings.deflection.enabled")}
            checked={!!defl.sms.enabled}
            testid="queue-sms-enabled"
            onChange={(v) => setDefl("sms", { ...defl.sms, enabled: v })}
          />
          <TextField
            label={t("settings.deflection.smsText")}
            value={defl.sms.text ?? ""}
            multiline
            testid="queue-sms-text"
            onInput={(v) => setDefl("sms", { ...defl.sms, text: v || null })}
          />
        </Fieldset>
      )}
      <SaveBar res={res} path={path} form={form} zone={zone} testid="queue" label={t("settings.queues.set")} />
    </div>
  );
}
