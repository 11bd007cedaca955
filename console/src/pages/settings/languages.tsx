// Settings > Languages & messages: per-language prompts as text (heard through the IVR's
// text-to-speech before saving) or uploaded MP3 audio (checked by content on the server).
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { call, rawFetch, type ApiErrorBody } from "./client";
import { clone, settingsShape, useResource } from "./resource";
import { SaveBar } from "./savebar";
import { ErrorBox, Fieldset, Select, Status, TextField, Pending } from "./widgets";

interface Message {
  text?: string | null;
  audio?: string | null;
}

interface LanguageConfig {
  name?: string;
  tts_voice?: string | null;
  whisper_text?: string | null;
  sms_after_hours_text?: string | null;
  chat_after_hours_text?: string | null;
  extra?: Record<string, Message>;
  [k: string]: unknown;
}

const MESSAGES = [
  "after_hours_message",
  "voicemail_greeting",
  "voicemail_phone_blocked",
  "voicemail_phone_requested",
  "voicemail_phone_entered",
] as const;
const TEXTS = ["whisper_text", "sms_after_hours_text", "chat_after_hours_text"] as const;

export function LanguagesPage({ zone }: { zone: string }) {
  const [codes, setCodes] = useState<string[]>([]);
  const [code, setCode] = useState("");
  const [error, setError] = useState<ApiErrorBody | null>(null);
  useEffect(() => {
    void call<{ items: { id: string }[] }>("settings_http", "/settings/languages").then((r) => {
      setError(r.error);
      if (!r.error) {
        setCodes(r.body.items.map((i) => i.id));
        setCode((c) => c || r.body.items[0]?.id || "");
      }
    });
  }, []);
  return (
    <section aria-labelledby="languages-title" data-testid="settings-languages">
      <h2 id="languages-title">{t("settings.languages.title")}</h2>
      <ErrorBox error={error} />
      <Select
        label={t("settings.languages.language")}
        value={code}
        options={codes.map((c) => ({ value: c, label: c }))}
        testid="language-select"
        onChange={setCode}
      />
      {code && <LanguageForm key={code} code={code} zone={zone} />}
    </section>
  );
}

function LanguageForm({ code, zone }: { code: string; zone: string }) {
  const path = `/settings/languages/${encodeURIComponent(code)}`;
  const res = useResource<LanguageConfig>("settings_http", path, settingsShape());
  const [form, setForm] = useState<LanguageConfig | null>(null);
  const [audioUrl, setAudioUrl] = useState<string | null>(null);
  const [playing, setPlaying] = useState<string | null>(null);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => setForm(res.data ? clone(res.data) : null), [res.data]);
  useEffect(() => () => void (audioUrl && URL.revokeObjectURL(audioUrl)), [audioUrl]);
  if (!form) return <Pending res={res} />;

  const msg = (k: string) => (form[k] as Message | null | undefined) ?? null;
  const setMsg = (k: string, m: Message | null) =>
    setForm({ ...form, [k]: m && (m.text || m.audio) ? m : null });

  const listen = async (k: string) => {
    const m = msg(k);
    const body = m?.text ? { text: m.text } : { message: k };
    setStatus(t("settings.languages.rendering"));
    const r = await rawFetch("settings_http", `${path}/preview`, { method: "POST", json: body });
    setError(r.error);
    setStatus(null);
    if (r.blob) {
      setAudioUrl(URL.createObjectURL(r.blob));
      setPlaying(k);
    }
  };

  const upload = async (k: string, file: File) => {
    setStatus(t("settings.languages.uploading"));
    const r = await rawFetch("settings_http", "/settings/audio", {
      method: "POST",
      body: file,
      contentType: "audio/mpeg",
    });
    setStatus(null);
    setError(r.error);
    if (!r.error) {
      const audio = (r.json as { audio: string }).audio;
      setMsg(k, { ...(msg(k) ?? {}), audio });
      setStatus(t("settings.languages.uploaded", { name: file.name }));
    }
  };

  return (
    <div data-testid="language-form" data-language={code}>
      <TextField label={t("settings.languages.name")} value={form.name ?? ""} testid="language-name" onInput={(v) => setForm({ ...form, name: v })} />
      <TextField
        label={t("settings.languages.voice")}
        value={form.tts_voice ?? ""}
        testid="language-voice"
        onInput={(v) => setForm({ ...form, tts_voice: v.trim() || null })}
      />
      <ErrorBox error={error} testid="language-audio-error" />
      <Status text={status} testid="language-audio-status" />
      {MESSAGES.map((k) => {
        const m = msg(k);
        return (
          <Fieldset key={k} legend={t(`settings.message.${k}`)} testid={`message-${k}`}>
            <TextField
              label={t("settings.languages.text")}
              value={m?.text ?? ""}
              multiline
              testid={`message-${k}-text`}
              onInput={(v) => setMsg(k, { ...(m ?? {}), text: v || null })}
            />
            <p>
              {t("settings.languages.audio")}: <code data-testid={`message-${k}-audio`}>{m?.audio ?? t("settings.languages.noAudio")}</code>{" "}
              {m?.audio && (
                <button type="button" data-testid={`message-${k}-audio-clear`} onClick={() => setMsg(k, { ...m, audio: null })}>
                  {t("settings.languages.clearAudio")}
                </button>
              )}
            </p>
            <div class="settings-field">
              <label for={`upload-${k}`}>{t("settings.languages.upload")}</label>
              <input
                id={`upload-${k}`}
                type="file"
                accept=".mp3,audio/mpeg"
                data-testid={`message-${k}-upload`}
                onChange={(e) => {
                  const f = (e.target as HTMLInputElement).files?.[0];
                  if (f) void upload(k, f);
                }}
              />
            </div>
            <button type="button" disabled={!m} data-testid={`message-${k}-listen`} onClick={() => void listen(k)}>
              {t("settings.languages.listen")}
            </button>
            {playing === k && audioUrl && (
              <audio controls autoPlay src={audioUrl} data-testid="language-preview-audio" aria-label={t("settings.languages.previewOf", { name: t(`settings.message.${k}`) })} />
            )}
          </Fieldset>
        );
      })}
      {TEXTS.map((k) => (
        <TextField
          key={k}
          label={t(`settings.message.${k}`)}
          value={(form[k] as string | null | undefined) ?? ""}
          multiline
          testid={`message-${k}`}
          onInput={(v) => setForm({ ...form, [k]: v || null })}
        />
      ))}
      <SaveBar res={res} path={path} form={form} zone={zone} testid="language" />
    </div>
  );
}
