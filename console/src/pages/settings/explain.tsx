// "What happens at...": deflection's GET /explain for a queue, channel, language and instant
// (a wall time in the center's zone).
import { useState } from "preact/hooks";
import { t } from "../../i18n";
import { call, type ApiErrorBody } from "./client";
import { summarize, type Decision } from "./preview";
import { both, utcToZoned, zonedToUtc } from "./time";
import { ErrorBox, Select } from "./widgets";

interface Explained {
  path: string;
  channel_served: boolean;
  hours: {
    hours_id: string;
    source: string;
    timezone: string;
    rule: { open: boolean; rule: string; name: string; interval: string | null; local_time: string };
    next_open: string | null;
    next_close: string | null;
  };
  decision: Decision & { reason?: string };
}

const CHANNELS = ["voice", "mobile", "web", "chat", "sms"];

export function ExplainPanel({
  queues,
  languages,
  zone,
}: {
  queues: { id: string; path: string }[];
  languages: string[];
  zone: string;
}) {
  const [queue, setQueue] = useState(queues[0]?.id ?? "");
  const [channel, setChannel] = useState("voice");
  const [language, setLanguage] = useState("");
  const [when, setWhen] = useState(utcToZoned(new Date(), zone));
  const [out, setOut] = useState<Explained | null>(null);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const q = queue || queues[0]?.id || "";
  const ask = async (e: Event) => {
    e.preventDefault();
    let at: string;
    try {
      at = zonedToUtc(when, zone).toISOString();
    } catch {
      return setError({ code: "invalid_field", message: t("settings.explain.badTime"), field: "at" });
    }
    const params = new URLSearchParams({ queue: q, channel, at });
    if (language) params.set("language", language);
    const r = await call<Explained>("deflection_http", `/explain?${params}`);
    setError(r.error);
    setOut(r.error ? null : r.body);
  };
  return (
    <section aria-labelledby="explain-title" data-testid="settings-explain">
      <h2 id="explain-title">{t("settings.explain.title")}</h2>
      <form class="settings-row" onSubmit={ask}>
        <Select
          label={t("settings.preview.queue")}
          value={q}
          options={queues.map((x) => ({ value: x.id, label: x.path }))}
          testid="explain-queue"
          onChange={setQueue}
        />
        <Select
          label={t("settings.preview.channel")}
          value={channel}
          options={CHANNELS.map((c) => ({ value: c, label: t(`settings.channel.${c}`) }))}
          testid="explain-channel"
          onChange={setChannel}
        />
        <Select
          label={t("settings.preview.language")}
          value={language}
          options={[{ value: "", label: t("settings.explain.defaultLanguage") }, ...languages.map((l) => ({ value: l, label: l }))]}
          testid="explain-language"
          onChange={setLanguage}
        />
        <div class="settings-field">
          <label for="explain-at">{t("settings.explain.at", { zone })}</label>
          <input
            id="explain-at"
            type="datetime-local"
            value={when}
            data-testid="explain-at"
            onInput={(e) => setWhen((e.target as HTMLInputElement).value)}
          />
        </div>
        <button type="submit" data-testid="explain-run">
          {t("settings.explain.run")}
        </button>
      </form>
      <ErrorBox error={error} testid="explain-error" />
      {out && (
        <dl class="settings-explain" data-testid="explain-result" aria-live="polite">
          <dt>{t("settings.explain.state")}</dt>
          <dd data-testid="explain-open" data-open={String(out.hours.rule.open)}>
            {out.hours.rule.open ? t("settings.explain.open") : t("settings.explain.closed")}
          </dd>
          <dt>{t("settings.explain.rule")}</dt>
          <dd data-testid="explain-rule" data-rule={out.hours.rule.rule}>
            {t(`settings.rule.${out.hours.rule.rule}`)}: {out.hours.rule.name}
            {out.hours.rule.interval ? ` (${out.hours.rule.interval})` : ""}
          </dd>
          <dt>{t("settings.explain.schedule")}</dt>
          <dd data-testid="explain-schedule">
            {out.hours.hours_id} ({out.hours.source}, {out.hours.timezone})
          </dd>
          <dt>{t("settings.explain.decision")}</dt>
          <dd data-testid="explain-decision">{summarize(out.decision)}</dd>
          {out.hours.next_open && (
            <>
              <dt>{t("settings.explain.nextOpen")}</dt>
              <dd>{both(out.hours.next_open, out.hours.timezone)}</dd>
            </>
          )}
          {out.hours.next_close && (
            <>
              <dt>{t("settings.explain.nextClose")}</dt>
              <dd>{both(out.hours.next_close, out.hours.timezone)}</dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}
