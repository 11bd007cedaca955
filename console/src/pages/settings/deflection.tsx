// After-hours deflection: the center-wide settings (Settings > Call / Chat: IVR, mobile and
// web SDK, chat, SMS, transfer to after-hours queues) and the editors queues reuse.
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { clone, settingsShape, useResource } from "./resource";
import { SaveBar } from "./savebar";
import { Check, CheckSet, Fieldset, Select, TextField, Pending } from "./widgets";

export interface IvrDeflection {
  enabled?: boolean;
  option?: "queue" | "phone" | "voicemail" | "message";
  queue?: string | null;
  phone?: string | null;
  message?: { text?: string; audio?: string } | null;
  voicemail_greeting?: { text?: string; audio?: string } | null;
}

interface SdkDeflection {
  enabled?: boolean;
  options?: string[];
  phone?: string | null;
  slot_minutes?: number;
  slot_days?: number;
}

interface CenterDeflection {
  voice?: IvrDeflection;
  mobile?: SdkDeflection;
  web?: SdkDeflection;
  chat?: { enabled?: boolean; options?: string[] };
  sms?: { enabled?: boolean; text?: string | null };
  allow_transfer_to_after_hours?: Record<string, boolean>;
  numbers?: Record<string, unknown>;
}

const IVR_OPTIONS = ["message", "voicemail", "queue", "phone"];
export const SDK_OPTIONS = ["scheduled_call", "email", "phone", "voicemail"];
const WEB_OPTIONS = ["scheduled_call", "email"];

export function IvrEditor({
  value,
  onChange,
  queues,
  testid,
}: {
  value: IvrDeflection;
  onChange: (v: IvrDeflection) => void;
  queues: { id: string; path: string }[];
  testid: string;
}) {
  const option = value.option ?? "message";
  return (
    <Fieldset legend={t("settings.deflection.voice")} testid={testid}>
      <Check
        label={t("settings.deflection.enabled")}
        checked={!!value.enabled}
        testid={`${testid}-enabled`}
        onChange={(v) => onChange({ ...value, enabled: v })}
      />
      <Select
        label={t("settings.deflection.option")}
        value={option}
        options={IVR_OPTIONS.map((o) => ({ value: o, label: t(`settings.ivr.${o}`) }))}
        testid={`${testid}-option`}
        onChange={(v) => onChange({ ...value, option: v as IvrDeflection["option"] })}
      />
      {option === "queue" && (
        <Select
          label={t("settings.deflection.targetQueue")}
          value={value.queue ?? ""}
          options={[{ value: "", label: "—" }, ...queues.map((q) => ({ value: q.id, label: q.path }))]}
          testid={`${testid}-queue`}
          onChange={(v) => onChange({ ...value, queue: v || null })}
        />
      )}
      {option === "phone" && (
        <TextField
          label={t("settings.deflection.phone")}
          type="tel"
          value={value.phone ?? ""}
          placeholder="+14155550100"
          testid={`${testid}-phone`}
          onInput={(v) => onChange({ ...value, phone: v.trim() || null })}
        />
      )}
    </Fieldset>
  );
}

function SdkEditor({
  value,
  onChange,
  allowed,
  legend,
  testid,
}: {
  value: SdkDeflection;
  onChange: (v: SdkDeflection) => void;
  allowed: string[];
  legend: string;
  testid: string;
}) {
  return (
    <Fieldset legend={legend} testid={testid}>
      <Check
        label={t("settings.deflection.enabled")}
        checked={!!value.enabled}
        testid={`${testid}-enabled`}
        onChange={(v) => onChange({ ...value, enabled: v })}
      />
      <CheckSet
        legend={t("settings.deflection.options")}
        values={allowed}
        chosen={value.options ?? []}
        testid={`${testid}-options`}
        labelOf={(o) => t(`settings.sdk.${o}`)}
        onChange={(v) => onChange({ ...value, options: v })}
      />
      {allowed.includes("phone") && (
        <TextField
          label={t("settings.deflection.phone")}
          type="tel"
          value={value.phone ?? ""}
          placeholder="+14155550100"
          testid={`${testid}-phone`}
          onInput={(v) => onChange({ ...value, phone: v.trim() || null })}
        />
      )}
      <TextField
        label={t("settings.deflection.slotMinutes")}
        type="number"
        value={String(value.slot_minutes ?? 30)}
        testid={`${testid}-slot-minutes`}
        onInput={(v) => onChange({ ...value, slot_minutes: Number(v) })}
      />
      <TextField
        label={t("settings.deflection.slotDays")}
        type="number"
        value={String(value.slot_days ?? 7)}
        testid={`${testid}-slot-days`}
        onInput={(v) => onChange({ ...value, slot_days: Number(v) })}
      />
    </Fieldset>
  );
}

export function DeflectionPage({ queues, zone }: { queues: { id: string; path: string }[]; zone: string }) {
  const res = useResource<CenterDeflection>("settings_http", "/settings/deflection", settingsShape());
  const [form, setForm] = useState<CenterDeflection | null>(null);
  useEffect(() => setForm(res.data ? clone(res.data) : null), [res.data]);
  if (!form) return <Pending res={res} />;
  const allow = form.allow_transfer_to_after_hours ?? {};
  return (
    <section aria-labelledby="deflection-title" data-testid="settings-deflection">
      <h2 id="deflection-title">{t("settings.deflection.title")}</h2>
      <p>{t("settings.deflection.intro")}</p>
      <IvrEditor value={form.voice ?? {}} queues={queues} testid="deflection-voice" onChange={(v) => setForm({ ...form, voice: v })} />
      <SdkEditor
        value={form.mobile ?? {}}
        allowed={SDK_OPTIONS}
        legend={t("settings.deflection.mobile")}
        testid="deflection-mobile"
        onChange={(v) => setForm({ ...form, mobile: v })}
      />
      <SdkEditor
        value={form.web ?? {}}
        allowed={WEB_OPTIONS}
        legend={t("settings.deflection.web")}
        testid="deflection-web"
        onChange={(v) => setForm({ ...form, web: v })}
      />
      <Fieldset legend={t("settings.deflection.chat")} testid="deflection-chat">
        <Check
          label={t("settings.deflection.enabled")}
          checked={!!form.chat?.enabled}
          testid="deflection-chat-enabled"
          onChange={(v) => setForm({ ...form, chat: { ...(form.chat ?? {}), enabled: v } })}
        />
        <Check
          label={t("settings.sdk.email")}
          checked={(form.chat?.options ?? []).includes("email")}
          testid="deflection-chat-email"
          onChange={(v) => setForm({ ...form, chat: { ...(form.chat ?? {}), options: v ? ["email"] : [] } })}
        />
      </Fieldset>
      <Fieldset legend={t("settings.deflection.sms")} testid="deflection-sms">
        <Check
          label={t("settings.deflection.enabled")}
          checked={!!form.sms?.enabled}
          testid="deflection-sms-enabled"
          onChange={(v) => setForm({ ...form, sms: { ...(form.sms ?? {}), enabled: v } })}
        />
        <TextField
          label={t("settings.deflection.smsText")}
          value={form.sms?.text ?? ""}
          multiline
          help={t("settings.deflection.smsTextHelp")}
          testid="deflection-sms-text"
          onInput={(v) => setForm({ ...form, sms: { ...(form.sms ?? {}), text: v || null } })}
        />
      </Fieldset>
      <Fieldset legend={t("settings.deflection.transfer")} testid="deflection-transfer">
        <p class="settings-help">{t("settings.deflection.transferHelp")}</p>
        {["voice", "chat"].map((c) => (
          <Check
            key={c}
            label={t(`settings.channel.${c}`)}
            checked={!!allow[c]}
            testid={`deflection-transfer-${c}`}
            onChange={(v) => setForm({ ...form, allow_transfer_to_after_hours: { ...allow, [c]: v } })}
          />
        ))}
      </Fieldset>
      <SaveBar res={res} path="/settings/deflection" form={form} zone={zone} testid="deflection" label={t("settings.deflection.set")} />
    </section>
  );
}
