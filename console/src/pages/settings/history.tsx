// Settings > Changes: who changed which setting when (GET /settings/audit, with the diff),
// and the whole config as a file: export, then import with a dry run reviewed first and
// applied only onto the version that was reviewed (If-Match).
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { call, rawFetch, type ApiErrorBody } from "./client";
import { both } from "./time";
import { ErrorBox, Status, TextField } from "./widgets";

interface Entry {
  id: string;
  at: number;
  actor: { id?: string; name?: string; type?: string };
  resource: string;
  action: string;
  changes: { path: string; before: unknown; after: unknown }[];
}

interface Report {
  created: string[];
  updated: string[];
  deleted: string[];
  changed: boolean;
  dry_run: boolean;
}

/** A value as JSON, cut short: a whole-config change would otherwise fill the page. */
function short(v: unknown): string {
  const s = JSON.stringify(v) ?? "null";
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

export function HistoryPage({ zone, centerWide }: { zone: string; centerWide: boolean }) {
  return (
    <section aria-labelledby="history-title" data-testid="settings-history">
      <h2 id="history-title">{t("settings.history.title")}</h2>
      <AuditList zone={zone} />
      {centerWide && <ConfigFile />}
    </section>
  );
}

function AuditList({ zone }: { zone: string }) {
  const [resource, setResource] = useState("");
  const [entries, setEntries] = useState<Entry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const load = async (before?: number) => {
    const q = new URLSearchParams({ limit: "25" });
    if (resource.trim()) q.set("resource", resource.trim());
    if (before !== undefined) q.set("before", String(before));
    const r = await call<{ entries: Entry[]; next_before: number | null }>("settings_http", `/settings/audit?${q}`);
    setError(r.error);
    if (r.error) return;
    setEntries((old) => (before !== undefined ? [...old, ...r.body.entries] : r.body.entries));
    setNext(r.body.next_before);
  };
  useEffect(() => {
    void load();
  }, []);
  return (
    <div>
      <h3>{t("settings.history.audit")}</h3>
      <form
        class="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <TextField
          label={t("settings.history.resource")}
          value={resource}
          placeholder="hours/business"
          testid="history-resource"
          onInput={setResource}
        />
        <button type="submit" data-testid="history-filter">
          {t("settings.history.filter")}
        </button>
      </form>
      <ErrorBox error={error} testid="history-error" />
      <table data-testid="history-table">
        <thead>
          <tr>
            <th scope="col">{t("settings.history.when")}</th>
            <th scope="col">{t("settings.history.who")}</th>
            <th scope="col">{t("settings.history.what")}</th>
            <th scope="col">{t("settings.history.changes")}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-testid="history-row" data-resource={e.resource}>
              <td>{both(new Date(e.at * 1000).toISOString(), zone)}</td>
              <td>{e.actor.name ?? e.actor.id ?? e.actor.type}</td>
              <td>
                {e.action} <code>{e.resource}</code>
              </td>
              <td>
                <ul>
                  {e.changes.slice(0, 5).map((c) => (
                    <li key={c.path}>
                      <code>{c.path || "(all)"}</code>: {short(c.before)} → {short(c.after)}
                    </li>
                  ))}
                  {e.changes.length > 5 && <li>{t("settings.history.more", { n: e.changes.length - 5 })}</li>}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length === 0 && !error && <p>{t("settings.history.none")}</p>}
      {next !== null && (
        <button type="button" data-testid="history-older" onClick={() => void load(next)}>
          {t("settings.history.older")}
        </button>
      )}
    </div>
  );
}

function ConfigFile() {
  const [download, setDownload] = useState<string | null>(null);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [review, setReview] = useState<{ report: Report; version: string } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => () => void (download && URL.revokeObjectURL(download)), [download]);

  const exportFile = async () => {
    const r = await rawFetch("settings_http", "/settings/export");
    setError(r.error);
    if (r.blob) setDownload(URL.createObjectURL(r.blob));
  };
  const dryRun = async (f: File) => {
    setFile(f);
    setReview(null);
    setStatus(null);
    // The version the dry run compares with: applying is refused if it moves on.
    const cur = await rawFetch("settings_http", "/settings/export");
    if (cur.error || !cur.etag) return setError(cur.error);
    const r = await rawFetch("settings_http", "/settings/import?dry_run=1", {
      method: "POST",
      body: f,
      contentType: "application/yaml",
    });
    setError(r.error);
    if (!r.error) setReview({ report: r.json as Report, version: cur.etag });
  };
  const apply = async () => {
    if (!file || !review) return;
    const r = await rawFetch("settings_http", "/settings/import", {
      method: "POST",
      body: file,
      contentType: "application/yaml",
      ifMatch: review.version,
    });
    if (r.status === 412) {
      setReview(null);
      return setError({ code: "version_mismatch", message: t("settings.history.moved") });
    }
    setError(r.error);
    if (!r.error) {
      setReview(null);
      setStatus(t("settings.history.applied"));
    }
  };
  const list = (xs: string[]) => (xs.length ? xs.join(", ") : "—");
  return (
    <div data-testid="history-file">
      <h3>{t("settings.history.file")}</h3>
      <p class="settings-help">{t("settings.history.fileHelp")}</p>
      <div class="settings-actions">
        <button type="button" data-testid="history-export" onClick={() => void exportFile()}>
          {t("settings.history.export")}
        </button>
        {download && (
          <a href={download} download="contact-center.yaml" data-testid="history-download">
            {t("settings.history.download")}
          </a>
        )}
      </div>
      <div class="settings-field">
        <label for="history-import">{t("settings.history.import")}</label>
        <input
          id="history-import"
          type="file"
          accept=".yaml,.yml,application/yaml"
          data-testid="history-import"
          onChange={(e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f) void dryRun(f);
          }}
        />
      </div>
      <ErrorBox error={error} testid="history-file-error" />
      {review && (
        <div data-testid="history-review">
          <p>{review.report.changed ? t("settings.history.wouldChange") : t("settings.history.noChange")}</p>
          <dl class="settings-explain">
            <dt>{t("settings.history.created")}</dt>
            <dd>{list(review.report.created)}</dd>
            <dt>{t("settings.history.updated")}</dt>
            <dd>{list(review.report.updated)}</dd>
            <dt>{t("settings.history.deleted")}</dt>
            <dd>{list(review.report.deleted)}</dd>
          </dl>
          <button type="button" disabled={!review.report.changed} data-testid="history-apply" onClick={() => void apply()}>
            {t("settings.history.apply")}
          </button>
        </div>
      )}
      <Status text={status} testid="history-status" />
    </div>
  );
}
