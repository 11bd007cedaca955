// Agents of the caller's teams: presence, activity, current session; monitor from here.
import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { t } from "../i18n";
import { useMe } from "../me";
import { usePoll } from "../poll";
import { link } from "../router";
import { Select } from "./Live";

interface Agent {
  id: string;
  name: string;
  email: string | null;
  teams: string[];
  status: string;
  activity: string;
  current_call: { id: string; queue_path: string | null } | null;
  current_sessions: { id: string; kind: string; channel: string; queue_path: string | null }[];
  actions: string[];
}

export function AgentsPage() {
  const me = useMe();
  const [q, setQ] = useState("");
  const [query, setQuery] = useState("");
  const [status, setStatus] = useState("");
  const [activity, setActivity] = useState("");
  const [team, setTeam] = useState("");
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [result, setResult] = useState<Record<string, string>>({});
  useEffect(() => {
    const id = window.setTimeout(() => setQuery(q.trim()), 300);
    return () => window.clearTimeout(id);
  }, [q]);
  useEffect(() => setCursors([undefined]), [query, status, activity, team]);
  const params = new URLSearchParams({ limit: "50" });
  if (query) params.set("q", query);
  if (status) params.set("status", status);
  if (activity) params.set("activity", activity);
  if (team) params.set("team", team);
  const cursor = cursors[cursors.length - 1];
  if (cursor) params.set("cursor", cursor);
  const polled = usePoll<{ agents: Agent[]; next_cursor: string | null }>("monitoring_http", `/agents?${params}`);

  async function monitor(a: Agent) {
    try {
      await api("monitoring_http", `/agents/${encodeURIComponent(a.id)}/monitor`, { method: "POST", body: { mode: "listen" } });
      setResult((r) => ({ ...r, [a.id]: t("agents.monitoring") }));
      polled.refresh();
    } catch (e) {
      setResult((r) => ({ ...r, [a.id]: errorText(e) }));
    }
  }

  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">{t("nav.agents")}</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field grow">
          <label for="a-q">{t("common.search")}</label>
          <input id="a-q" type="search" data-testid="filter-q" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </div>
        <Select id="f-status" label={t("agents.status")} value={status} onChange={setStatus}
          options={[["", t("common.all")], ["online", t("presence.online")], ["offline", t("presence.offline")]]} />
        <Select id="f-activity" label={t("agents.activity")} value={activity} onChange={setActivity}
          options={[["", t("common.all")], ["on_call", t("activity.on_call")], ["on_chat", t("activity.on_chat")], ["idle", t("activity.idle")]]} />
        <Select id="f-team" label={t("live.team")} value={team} onChange={setTeam}
          options={[["", t("common.all")], ...me.teams.map((x) => [x.id, x.name] as [string, string])]} />
      </form>
      {polled.error && <p class="error" role="alert" data-testid="agents-error">{polled.error}</p>}
      <div class="table-wrap">
        <table data-testid="agents-table">
          <thead>
            <tr>
              <th scope="col">{t("details.name")}</th>
              <th scope="col">{t("live.team")}</th>
              <th scope="col">{t("agents.status")}</th>
              <th scope="col">{t("agents.activity")}</th>
              <th scope="col">{t("agents.current")}</th>
              <th scope="col">{t("live.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {(polled.data?.agents ?? []).map((a) => (
              <tr key={a.id} data-testid={`agent-${a.id}`}>
                <td>{a.name}</td>
                <td>{a.teams.map((id) => me.teams.find((x) => x.id === id)?.name ?? id).join(", ")}</td>
                <td data-testid="cell-presence"><span class={`pill ${a.status}`}>{t(`presence.${a.status}`)}</span></td>
                <td data-testid="cell-activity">{t(`activity.${a.activity}`)}</td>
                <td data-testid="cell-current">
                  {a.current_sessions.map((s) => (
                    <div key={s.id}>
                      <a {...link(`/${s.kind === "call" ? "calls" : "chats"}/${encodeURIComponent(s.id)}`)}>
                        {t(`channel.${s.channel}`)} · {s.queue_path ?? s.id}
                      </a>
                    </div>
                  ))}
                </td>
                <td>
                  {a.actions.includes("monitor") && (
                    <button type="button" data-testid={`action-monitor-agent-${a.id}`} onClick={() => void monitor(a)}>
                      {t("action.monitor")}
                    </button>
                  )}
                  {result[a.id] && <span role="status" data-testid={`agent-result-${a.id}`}> {result[a.id]}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="pager" role="group" aria-label={t("live.paging")}>
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>{t("live.prev")}</button>
        <span>{t("live.page", { n: cursors.length })}</span>
        <button type="button" disabled={!polled.data?.next_cursor}
          onClick={() => polled.data?.next_cursor && setCursors((c) => [...c, polled.data!.next_cursor!])}>{t("live.next")}</button>
      </div>
    </section>
  );
}
