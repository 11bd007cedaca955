// Live calls / chats (queued and connected): the columns a supervisor scans, search, the
// API's filters and cursor paging. Only one page of rows (at most 100) is ever fetched or
// rendered, so 10,000 live sessions in scope cost no more than 25.
import { useEffect, useState } from "preact/hooks";
import { ActionButtons, type Kind } from "../actions";
import { t } from "../i18n";
import { queueZone, useMe } from "../me";
import { usePoll, useTicker } from "../poll";
import { link, navigate } from "../router";
import { formatDuration, formatTime, viewerZone } from "../time";

export interface Row {
  id: string;
  kind: Kind;
  channel: string;
  status: "queued" | "connected" | "ended";
  queue_id: string | null;
  queue_path: string | null;
  agent: { id: string; name: string } | null;
  end_user: { id: string | null; name: string | null; display: string | null; anonymous: boolean };
  created_at: number;
  queue_wait_seconds: number;
  talk_seconds: number;
  profile: { verified_customer: boolean; bad_actor: boolean; repeat_customer: boolean };
  monitors: { user_id: string; name: string | null; mode: string }[];
  monitor_count: number;
  monitored_by_me: boolean;
  actions: string[];
}

interface Page {
  items: Row[];
  next_cursor: string | null;
}

interface Filters {
  status: string;
  q: string;
  queue: string;
  team: string;
  channel: string;
  older_than_minutes: string;
  limit: string;
}

const EMPTY: Filters = { status: "", q: "", queue: "", team: "", channel: "", older_than_minutes: "", limit: "25" };
const CHANNELS: Record<Kind, string[]> = { call: ["voice"], chat: ["chat", "web", "mobile", "sms"] };

export function flagsOf(p: Row["profile"] | undefined): string[] {
  if (!p) return [];
  return (["bad_actor", "verified_customer", "repeat_customer"] as const).filter((f) => p[f]);
}

export function LivePage(props: { kind: Kind }) {
  const me = useMe();
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [search, setSearch] = useState("");
  // Cursor stack: cursors[i] fetched page i (undefined: the first page).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const now = useTicker();

  useEffect(() => {
    setFilters(EMPTY);
    setSearch("");
    setCursors([undefined]);
  }, [props.kind]);
  // Search as you type, after a short pause.
  useEffect(() => {
    const id = window.setTimeout(() => update({ q: search.trim() }), 300);
    return () => window.clearTimeout(id);
  }, [search]);

  function update(patch: Partial<Filters>) {
    setFilters((f) => {
      const next = { ...f, ...patch };
      if (JSON.stringify(next) !== JSON.stringify(f)) setCursors([undefined]);
      return next;
    });
  }

  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const cursor = cursors[cursors.length - 1];
  if (cursor) params.set("cursor", cursor);
  const path = `/${props.kind === "call" ? "calls" : "chats"}?${params}`;
  const polled = usePoll<Page>("monitoring_http", path);
  const rows = polled.data?.items ?? [];
  const elapsed = Math.max(0, (now - polled.fetchedAt) / 1000);
  const title = t(props.kind === "call" ? "nav.calls" : "nav.chats");

  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">{title}</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()} data-testid="live-filters">
        <div class="field grow">
          <label for="f-q">{t("common.search")}</label>
          <input
            id="f-q"
            type="search"
            data-testid="filter-q"
            placeholder={t("live.search_hint")}
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
        </div>
        <Select id="f-status" label={t("live.status")} value={filters.status} onChange={(v) => update({ status: v })}
          options={[["", t("common.all")], ["queued", t("status.queued")], ["connected", t("status.connected")]]} />
        <Select id="f-queue" label={t("live.queue")} value={filters.queue} onChange={(v) => update({ queue: v })}
          options={[["", t("common.all")], ...me.queues.map((q) => [q.id, q.path] as [string, string])]} />
        <Select id="f-team" label={t("live.team")} value={filters.team} onChange={(v) => update({ team: v })}
          options={[["", t("common.all")], ...me.teams.map((x) => [x.id, x.name] as [string, string])]} />
        <Select id="f-channel" label={t("live.channel")} value={filters.channel} onChange={(v) => update({ channel: v })}
          options={[["", t("common.all")], ...CHANNELS[props.kind].map((c) => [c, t(`channel.${c}`)] as [string, string])]} />
        <Select id="f-older" label={t("live.older_than")} value={filters.older_than_minutes}
          onChange={(v) => update({ older_than_minutes: v })}
          options={[["", t("common.all")], ["1", "1 min"], ["5", "5 min"], ["15", "15 min"], ["60", "60 min"]]} />
        <Select id="f-limit" label={t("live.page_size")} value={filters.limit} onChange={(v) => update({ limit: v })}
          options={[["25", "25"], ["50", "50"], ["100", "100"]]} />
      </form>
      {polled.error && (
        <p class="error" role="alert" data-testid="live-error">
          {polled.error}
        </p>
      )}
      <div class="table-wrap">
        <table class="live" data-testid="live-table" aria-describedby="live-zone">
          <caption id="live-zone" class="muted">
            {t("live.zone_note", { zone: viewerZone() })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t("live.clock")}</th>
              <th scope="col">{t("live.status")}</th>
              <th scope="col">{t("live.queue")}</th>
              <th scope="col">{t("live.agent")}</th>
              <th scope="col">{t("live.end_user")}</th>
              <th scope="col">{t("live.channel")}</th>
              <th scope="col">{t("live.flags")}</th>
              <th scope="col">{t("live.monitors")}</th>
              <th scope="col">{t("live.started")}</th>
              <th scope="col">{t("live.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <LiveRow key={r.id} row={r} elapsed={elapsed} onChanged={polled.refresh} />
            ))}
          </tbody>
        </table>
      </div>
      {polled.data && rows.length === 0 && (
        <p class="empty" data-testid="live-empty">
          {t("live.empty")}
        </p>
      )}
      <div class="pager" aria-label={t("live.paging")} role="group">
        <button type="button" data-testid="page-prev" disabled={cursors.length < 2}
          onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t("live.prev")}
        </button>
        <span data-testid="page-number">{t("live.page", { n: cursors.length })}</span>
        <button type="button" data-testid="page-next" disabled={!polled.data?.next_cursor}
          onClick={() => polled.data?.next_cursor && setCursors((c) => [...c, polled.data!.next_cursor!])}>
          {t("live.next")}
        </button>
      </div>
    </section>
  );
}

function LiveRow(props: { row: Row; elapsed: number; onChanged: () => void }) {
  const me = useMe();
  const r = props.row;
  const connected = r.status === "connected";
  const clock = (connected ? r.talk_seconds : r.queue_wait_seconds) + props.elapsed;
  const base = r.kind === "call" ? "/calls/" : "/chats/";
  const zone = queueZone(me, r.queue_id);
  return (
    <tr data-testid={`row-${r.id}`} data-status={r.status} onDblClick={() => navigate(base + encodeURIComponent(r.id))}>
      <td data-testid="cell-clock" class="num">
        <span class="sr-only">{t(connected ? "live.talk" : "live.wait")} </span>
        {formatDuration(clock)}
      </td>
      <td data-testid="cell-status">
        <span class={`pill ${r.status}`}>{t(`status.${r.status}`)}</span>
      </td>
      <td data-testid="cell-queue">{r.queue_path ?? t("common.none")}</td>
      <td data-testid="cell-agent">{r.agent?.name ?? t("common.none")}</td>
      <td data-testid="cell-end-user">
        <a {...link(base + encodeURIComponent(r.id))} data-testid={`open-${r.id}`}>
          {r.end_user.display ?? r.id}
        </a>
      </td>
      <td data-testid="cell-channel">{t(`channel.${r.channel}`)}</td>
      <td data-testid="cell-flags">
        {flagsOf(r.profile).map((f) => (
          <span key={f} class={`flag ${f}`}>{t(`flag.${f}`)}</span>
        ))}
      </td>
      <td data-testid="cell-monitors">
        {r.monitors.map((m) => `${m.name ?? m.user_id} (${t(`mode.${m.mode}`)})`).join(", ")}
      </td>
      <td data-testid="cell-started">
        <div>{formatTime(r.created_at)}</div>
        {zone !== viewerZone() && <div class="muted">{formatTime(r.created_at, zone)}</div>}
      </td>
      <td>
        <ActionButtons target={r} compact onDone={() => props.onChanged()} />
      </td>
    </tr>
  );
}

export function Select(props: {
  id: string;
  label: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        data-testid={`filter-${props.id.replace(/^f-/, "")}`}
        value={props.value}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        {props.options.map(([v, l]) => (
          <option value={v} key={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}
