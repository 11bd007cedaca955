// Session actions (monitor / coach / barge / stop, view transcript, end with a reason),
// offered only when the API's `actions` for the row or the details include them; a refused
// action shows the API's message.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorText } from "./api";
import { t } from "./i18n";

export type Kind = "call" | "chat";

export interface ActionTarget {
  id: string;
  kind: Kind;
  actions: string[];
}

const CALL_ACTIONS = ["monitor", "listen", "coach", "barge", "stop_monitoring", "end"] as const;
const CHAT_ACTIONS = ["view", "stop_viewing", "end"] as const;

function request(kind: Kind, id: string, action: string, monitored: boolean): [string, unknown] {
  const base = `/${kind === "call" ? "calls" : "chats"}/${encodeURIComponent(id)}`;
  switch (action) {
    case "monitor":
      return [`${base}/monitor`, { mode: "listen" }];
    case "listen":
    case "coach":
    case "barge":
      return monitored ? [`${base}/monitor/mode`, { mode: action }] : [`${base}/monitor`, { mode: action }];
    case "stop_monitoring":
      return [`${base}/monitor/stop`, {}];
    case "view":
      return [`${base}/view`, {}];
    case "stop_viewing":
      return [`${base}/view/stop`, {}];
    default:
      throw new Error(action);
  }
}

export function ActionButtons(props: {
  target: ActionTarget;
  onDone: (action: string, body: unknown) => void;
  compact?: boolean;
}) {
  const { target } = props;
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ending, setEnding] = useState(false);
  const monitored = target.actions.includes("stop_monitoring");
  const offered = (target.kind === "call" ? CALL_ACTIONS : CHAT_ACTIONS).filter((a) =>
    target.actions.includes(a),
  );

  async function run(action: string) {
    setBusy(action);
    setError(null);
    try {
      const [path, body] = request(target.kind, target.id, action, monitored);
      const r = await api<unknown>("monitoring_http", path, { method: "POST", body });
      props.onDone(action, r.body);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div class={props.compact ? "actions compact" : "actions"} data-testid={`actions-${target.id}`}>
      {offered.map((a) =>
        a === "end" ? (
          <button
            type="button"
            key={a}
            class="danger"
            data-testid={`action-end-${target.id}`}
            onClick={(e) => { e.stopPropagation(); setEnding(true); }}
          >
            {t("action.end")}
          </button>
        ) : (
          <button
            type="button"
            key={a}
            data-testid={`action-${a}-${target.id}`}
            disabled={busy !== null}
            onClick={(e) => { e.stopPropagation(); void run(a); }}
          >
            {t(`action.${a}`)}
          </button>
        ),
      )}
      {error && (
        <span class="error" role="alert" data-testid={`action-error-${target.id}`}>
          {error}
        </span>
      )}
      {ending && (
        <EndDialog
          target={target}
          onClose={() => setEnding(false)}
          onEnded={(body) => { setEnding(false); props.onDone("end", body); }}
        />
      )}
    </div>
  );
}

function EndDialog(props: { target: ActionTarget; onClose: () => void; onEnded: (body: unknown) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const path = `/${props.target.kind === "call" ? "calls" : "chats"}/${encodeURIComponent(props.target.id)}/end`;
      const r = await api<unknown>("monitoring_http", path, { method: "POST", body: { reason } });
      props.onEnded(r.body);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }
  return (
    <dialog
      ref={ref}
      aria-labelledby="end-title"
      data-testid="end-dialog"
      onClose={props.onClose}
      onClick={(e) => e.stopPropagation()}
    >
      <form onSubmit={submit} method="dialog">
        <h2 id="end-title">{t(props.target.kind === "call" ? "end.title_call" : "end.title_chat")}</h2>
        <p>{t("end.explain")}</p>
        <label for="end-reason">{t("end.reason")}</label>
        <textarea
          id="end-reason"
          data-testid="end-reason"
          required
          maxLength={500}
          value={reason}
          onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
        />
        {error && (
          <p class="error" role="alert" data-testid="end-error">
            {error}
          </p>
        )}
        <div class="row-buttons">
          <button type="button" data-testid="end-cancel" onClick={() => ref.current?.close()}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="danger" data-testid="end-confirm" disabled={busy || !reason.trim()}>
            {t("end.confirm")}
          </button>
        </div>
      </form>
    </dialog>
  );
}
