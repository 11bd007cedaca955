// The audit log: who did what to which session, when and why; filter by actor, action,
// session and time (the API's filters), newest first, cursor paging.
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n";
import { queueZone, useMe } from "../me";
import { usePoll } from "../poll";
import { link } from "../router";
import { formatTime, viewerZone } from "../time";
import { Select } from "./Live";

export interface AuditEntry {
  id: string;
  at: number;
  action: string;
  actor: { type: string; id: string; name?: string };
  session_id: string;
  session_kind: string;
  channel: string | null;
  queue_id: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

const ACTIONS = ["monitor.start", "monitor.mode", "monitor.stop", "chat_view.start", "chat_view.stop", "session.end"];

function epoch(local: string): string {
  // <input type="datetime-local"> is in the viewer's zone.
  return local ? String(new Date(local).getTime() / 1000) : "";
}

export function AuditPage() {
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [session, setSession] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [applied, setApplied] = useState<Record<string, string>>({});
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  useEffect(() => {
    const id = window.setTimeout(
      () =>
        setApplied({ actor: actor.trim(), action, session_id: session.trim(), since: epoch(since), until: epoch(until) }),
      300,
    );
    return () => window.clearTimeout(id);
  }, [actor, action, session, since, until]);
  useEffect(() => setCursors([undefined]), [applied]);
  const params = new URLSearchParams({ limit: "50" });
  for (const [k, v] of Object.entries(applied)) if (v) params.set(k, v);
  const cursor = cursors[cursors.length - 1];
  if (cursor) params.set("cursor", cursor);
  const polled = usePoll<{ entries: AuditEntry[]; next_cursor: string | null }>("monitoring_http", `/audit?${params}`, 2000);

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t("nav.audit")}</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="au-actor">{t("audit.actor")}</label>
          <input id="au-actor" data-testid="filter-actor" value={actor} onInput={(e) => setActor((e.target as HTMLInputElement).value)} />
        </div>
        <Select id="f-action" label={t("audit.action")} value={action} onChange={setAction}
          options={[["", t("common.all")], ...ACTIONS.map((a) => [a, t(`audit.${a}`)] as [string, string])]} />
        <div class="field">
          <label for="au-session">{t("audit.session")}</label>
          <input id="au-session" data-testid="filter-session" value={session} onInput={(e) => setSession((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="au-since">{t("audit.since")}</label>
          <input id="au-since" type="datetime-local" data-testid="filter-since" value={since} onInput={(e) => setSince((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="au-until">{t("audit.until")}</label>
          <input id="au-until" type="datetime-local" data-testid="filter-until" value={until} onInput={(e) => setUntil((e.target as HTMLInputElement).value)} />
        </div>
      </form>
      {polled.error && <p class="error" role="alert" data-testid="audit-error">{polled.error}</p>}
      <AuditTable entries={polled.data?.entries ?? []} />
      <div class="pager" role="group" aria-label={t("live.paging")}>
        <button type="button" data-testid="page-prev" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>{t("live.prev")}</button>
        <span>{t("live.page", { n: cursors.length })}</span>
        <button type="button" data-testid="page-next" disabled={!polled.data?.next_cursor}
          onClick={() => polled.data?.next_cursor && setCursors((c) => [...c, polled.data!.next_cursor!])}>{t("live.next")}</button>
      </div>
    </section>
  );
}

export function AuditTable(props: { entries: AuditEntry[] }) {
  const me = useMe();
  return (
    <div class="table-wrap">
      <table data-testid="audit-table">
        <caption class="muted">{t("live.zone_note", { zone: viewerZone() })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("audit.at")}</th>
            <th scope="col">{t("audit.actor")}</th>
            <th scope="col">{t("audit.action")}</th>
            <th scope="col">{t("audit.session")}</th>
            <th scope="col">{t("end.reason")}</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => {
            const zone = queueZone(me, e.queue_id);
            return (
              <tr key={e.id} data-testid={`audit-${e.session_id}-${e.action}`} class="audit-row">
                <td>
                  <div>{formatTime(e.at)}</div>
                  {zone !== viewerZone() && <div class="muted">{formatTime(e.at, zone)}</div>}
                </td>
                <td>{e.actor.name ?? e.actor.id}</td>
                <td>{t(`audit.${e.action}`)}</td>
                <td>
                  <a {...link(`/${e.session_kind === "call" ? "calls" : "chats"}/${encodeURIComponent(e.session_id)}`)}>
                    <code>{e.session_id}</code>
                  </a>
                </td>
                <td>{e.reason ?? ""}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
