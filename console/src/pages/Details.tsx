// Call and chat details: metrics, transfers, participants, profile flags, monitors, CRM
// link, the session's audit trail, the actions the role allows, and (chats) the live
// read-only transcript once the supervisor starts viewing.
import { useEffect, useState } from "preact/hooks";
import { ActionButtons, type Kind } from "../actions";
import { api, errorText } from "../api";
import { t } from "../i18n";
import { can, queueZone, useMe } from "../me";
import { usePoll, useTicker } from "../poll";
import { link } from "../router";
import { formatDuration, formatTime } from "../time";
import { AuditTable, type AuditEntry } from "./Audit";
import { flagsOf, type Row } from "./Live";

interface Place {
  queue_id?: string;
  queue_path?: string;
  agent_id?: string;
  agent_name?: string | null;
}

interface Session extends Row {
  metrics: Record<string, number>;
  transfers: { kind: string; from: Place; to: Place; at: number; by?: { type: string; id: string }; reason?: string }[];
  participants?: { role: string; id?: string; name?: string; joined_at?: number; left_at?: number; active: boolean }[];
  monitors_detail?: unknown;
  viewers?: { id: string; user_id: string; name?: string; started_at: number }[];
  crm: { system: string; ticket_id: string | null; url: string | null } | null;
  queued_at: number | null;
  connected_at: number | null;
  ended_at: number | null;
  language?: string | null;
}

export function DetailsPage(props: { kind: Kind; id: string }) {
  const me = useMe();
  const now = useTicker();
  const base = props.kind === "call" ? "/calls" : "/chats";
  const polled = usePoll<{ session: Session }>("monitoring_http", `${base}/${encodeURIComponent(props.id)}`);
  const audit = usePoll<{ entries: AuditEntry[] }>(
    "monitoring_http",
    can(me, "audit.read") ? `/audit?session_id=${encodeURIComponent(props.id)}&limit=50` : null,
    2000,
  );
  const [viewer, setViewer] = useState<{ token: string } | null>(null);
  const s = polled.data?.session;
  const elapsed = Math.max(0, (now - polled.fetchedAt) / 1000);
  const zone = queueZone(me, s?.queue_id);
  const running = (key: string, live: boolean) => (s ? (s.metrics[key] ?? 0) + (live ? elapsed : 0) : 0);

  return (
    <section aria-labelledby="details-title">
      <p>
        <a {...link(base)} data-testid="details-back">← {t(props.kind === "call" ? "nav.calls" : "nav.chats")}</a>
      </p>
      <h1 id="details-title">
        {t(props.kind === "call" ? "details.call" : "details.chat")} <code data-testid="details-id">{props.id}</code>
      </h1>
      {polled.error && (
        <p class="error" role="alert" data-testid="details-error">
          {polled.error}
        </p>
      )}
      {s && (
        <>
          <ActionButtons
            target={s}
            onDone={(action, body) => {
              if (action === "view") setViewer(body as { token: string });
              if (action === "stop_viewing") setViewer(null);
              polled.refresh();
            }}
          />
          <div class="grid">
            <div class="card">
              <h2>{t("details.summary")}</h2>
              <dl class="facts">
                <dt>{t("live.status")}</dt>
                <dd data-testid="field-status">{t(`status.${s.status}`)}</dd>
                <dt>{t("live.queue")}</dt>
                <dd data-testid="field-queue">{s.queue_path ?? t("common.none")}</dd>
                <dt>{t("live.agent")}</dt>
                <dd data-testid="field-agent">{s.agent?.name ?? t("common.none")}</dd>
                <dt>{t("live.end_user")}</dt>
                <dd data-testid="field-end-user">{s.end_user.display ?? t("common.none")}</dd>
                <dt>{t("live.channel")}</dt>
                <dd data-testid="field-channel">{t(`channel.${s.channel}`)}</dd>
                <dt>{t("live.flags")}</dt>
                <dd data-testid="field-flags">
                  {flagsOf(s.profile).map((f) => t(`flag.${f}`)).join(", ") || t("common.none")}
                </dd>
                <dt>{t("details.crm")}</dt>
                <dd data-testid="field-crm">
                  {s.crm?.url ? (
                    <a href={s.crm.url} target="_blank" rel="noreferrer noopener">
                      {s.crm.system} #{s.crm.ticket_id ?? ""}
                    </a>
                  ) : (
                    t("common.none")
                  )}
                </dd>
                <dt>{t("live.started")}</dt>
                <dd data-testid="field-started">
                  <div>{formatTime(s.created_at)}</div>
                  <div class="muted">{t("details.queue_time", { time: formatTime(s.created_at, zone) })}</div>
                </dd>
              </dl>
            </div>
            <div class="card">
              <h2>{t("details.metrics")}</h2>
              <dl class="facts">
                <dt>{t("metric.queue_wait")}</dt>
                <dd data-testid="field-wait">{formatDuration(running("queue_wait_seconds", s.status === "queued"))}</dd>
                <dt>{t("metric.talk")}</dt>
                <dd data-testid="field-talk">{formatDuration(running("talk_seconds", s.status === "connected"))}</dd>
                <dt>{t("metric.hold")}</dt>
                <dd>{formatDuration(s.metrics.hold_seconds)}</dd>
                <dt>{t("metric.whisper")}</dt>
                <dd>{formatDuration(s.metrics.whisper_seconds)}</dd>
                <dt>{t("metric.countdown")}</dt>
                <dd>{formatDuration(s.metrics.countdown_seconds)}</dd>
              </dl>
            </div>
          </div>
          <h2>{t("details.transfers")}</h2>
          {s.transfers.length === 0 ? (
            <p class="muted">{t("common.none")}</p>
          ) : (
            <table data-testid="transfers">
              <thead>
                <tr>
                  <th scope="col">{t("audit.at")}</th>
                  <th scope="col">{t("details.from")}</th>
                  <th scope="col">{t("details.to")}</th>
                  <th scope="col">{t("details.by")}</th>
                  <th scope="col">{t("end.reason")}</th>
                </tr>
              </thead>
              <tbody>
                {s.transfers.map((x, i) => (
                  <tr key={i} data-testid="transfer-row">
                    <td>{formatTime(x.at)}</td>
                    <td>{x.from.agent_name ?? x.from.queue_path ?? ""}</td>
                    <td>{x.to.agent_name ?? x.to.queue_path ?? ""}</td>
                    <td>{x.by?.id ?? ""}</td>
                    <td>{x.reason ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {s.participants && (
            <>
              <h2>{t("details.participants")}</h2>
              <table data-testid="participants">
                <thead>
                  <tr>
                    <th scope="col">{t("details.role")}</th>
                    <th scope="col">{t("details.name")}</th>
                    <th scope="col">{t("details.joined")}</th>
                    <th scope="col">{t("details.left")}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.participants.map((p, i) => (
                    <tr key={i} data-testid="participant-row">
                      <td>{t(`role.${p.role}`)}</td>
                      <td>{p.name ?? p.id ?? ""}</td>
                      <td>{formatTime(p.joined_at)}</td>
                      <td>{p.active ? t("details.active") : formatTime(p.left_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          <h2>{t(props.kind === "call" ? "live.monitors" : "details.viewers")}</h2>
          <p data-testid="field-monitors">
            {s.monitors.map((m) => `${m.name ?? m.user_id} (${t(`mode.${m.mode}`)})`).join(", ") || t("common.none")}
          </p>
          {props.kind === "chat" && viewer && <Transcript id={props.id} token={viewer.token} />}
          {can(me, "audit.read") && (
            <>
              <h2>{t("details.audit")}</h2>
              <AuditTable entries={audit.data?.entries ?? []} />
            </>
          )}
        </>
      )}
    </section>
  );
}

interface Message {
  id: string;
  sender?: { type?: string; id?: string; name?: string } | string;
  text: string;
  at: number;
}

function Transcript(props: { id: string; token: string }) {
  const [messages, setMessages] = useState<Message[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    let after: string | null = null;
    let timer: number | undefined;
    async function once() {
      try {
        const q = after ? `?after=${encodeURIComponent(after)}` : "";
        const r = await api<{ messages: Message[]; cursor: string | null }>(
          "monitoring_http",
          `/chats/${encodeURIComponent(props.id)}/transcript${q}`,
          { token: props.token },
        );
        if (stopped) return;
        after = r.body.cursor;
        if (r.body.messages.length) setMessages((m) => [...m, ...r.body.messages]);
        setError(null);
      } catch (e) {
        if (!stopped) setError(errorText(e));
      }
      if (!stopped) timer = window.setTimeout(once, 1000);
    }
    void once();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [props.id, props.token]);
  const who = (m: Message) =>
    typeof m.sender === "string" ? m.sender : m.sender?.name ?? m.sender?.type ?? m.sender?.id ?? "";
  return (
    <section aria-labelledby="transcript-title" class="card">
      <h2 id="transcript-title">{t("details.transcript")}</h2>
      <p class="muted">{t("details.read_only")}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <ol class="transcript" data-testid="transcript" aria-live="polite">
        {messages.map((m) => (
          <li key={m.id} data-testid="transcript-message">
            <span class="muted">{formatTime(m.at)}</span> <strong>{who(m)}</strong>: {m.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
