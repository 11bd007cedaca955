// The 14-day preview of a change (POST /settings/preview): every decision that would differ.
import { t } from "../../i18n";
import { both } from "./time";

export interface Decision {
  open?: boolean;
  action?: string;
  target?: string | null;
  reason?: string;
  deflected?: boolean;
  options?: string[];
  deflect_to_queue?: string;
  text?: string;
  queue?: string;
  channel?: string;
}

export interface Difference {
  queue_id: string;
  channel: string;
  language: string;
  at: string;
  until: string;
  before: Decision;
  after: Decision;
}

export interface PreviewBody {
  from: string;
  until: string;
  differences: Difference[];
  truncated: boolean;
}

export function summarize(d: Decision): string {
  if (d.queue === "absent") return t("settings.preview.noQueue");
  if (d.channel === "not served") return t("settings.preview.notServed");
  const parts = [d.open ? t("settings.explain.open") : t("settings.explain.closed")];
  if (d.action) parts.push(d.action + (d.target ? ` → ${d.target}` : ""));
  if (d.deflect_to_queue) parts.push(`→ ${d.deflect_to_queue}`);
  if (d.options && d.options.length) parts.push(d.options.join(", "));
  if (!d.open && d.deflected === false) parts.push(t("settings.preview.notDeflected"));
  return parts.join(" · ");
}

export function PreviewTable({ body, zone, stale }: { body: PreviewBody; zone: string; stale: boolean }) {
  return (
    <section class="settings-preview" data-testid="settings-preview" aria-labelledby="preview-title">
      <h3 id="preview-title">{t("settings.preview.title")}</h3>
      <p data-testid="settings-preview-summary">
        {body.differences.length
          ? t("settings.preview.count", { n: body.differences.length })
          : t("settings.preview.none")}{" "}
        {stale && <strong>{t("settings.preview.stale")}</strong>}
      </p>
      {body.differences.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("settings.preview.queue")}</th>
              <th scope="col">{t("settings.preview.channel")}</th>
              <th scope="col">{t("settings.preview.language")}</th>
              <th scope="col">{t("settings.preview.when")}</th>
              <th scope="col">{t("settings.preview.before")}</th>
              <th scope="col">{t("settings.preview.after")}</th>
            </tr>
          </thead>
          <tbody>
            {body.differences.slice(0, 200).map((d, i) => (
              <tr key={i} data-testid="settings-preview-row" data-queue={d.queue_id} data-channel={d.channel} data-at={d.at}>
                <td>{d.queue_id}</td>
                <td>{t(`settings.channel.${d.channel}`)}</td>
                <td>{d.language}</td>
                <td>
                  {both(d.at, zone)} – {both(d.until, zone)}
                </td>
                <td>{summarize(d.before)}</td>
                <td>{summarize(d.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(body.truncated || body.differences.length > 200) && <p>{t("settings.preview.truncated")}</p>}
    </section>
  );
}
