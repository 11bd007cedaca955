"""Session events -> the agent-side announcement, once per assignment.

Pub/Sub delivers at least once, and a redelivery may arrive while the first delivery is
still working. Each side effect is therefore keyed on the event id: the announcement
document has the session's id and is rewritten identically; the SMS is sent under its
own idempotency claim; the wait-time metrics change through `store.update` keyed on the
event, which applies once.
"""

from __future__ import annotations

from typing import Any

from core import clients, idempotency, logs
from core.config.store import get_view
from core.sessions import events, store
from notifications import announcement, sms

ANNOUNCEMENTS = "announcements"
log = logs.get("notifications.on_event")


class Busy(RuntimeError):
    """Another delivery of this event is being processed; fail so Pub/Sub redelivers."""


def handle(cloud_event: Any) -> None:
    logs.configure()
    payload, attrs, message_id = events.decode_message(cloud_event)
    if payload.get("type") != "session.status_changed":
        return
    data = payload.get("data") or {}
    agent_id = data.get("agent_id")
    if data.get("to") != "connected" or not agent_id:
        return
    event_id = attrs.get("event_id") or payload.get("event_id") or message_id
    session_id = payload.get("session_id") or attrs.get("session_id")
    if not session_id:
        logs.event(log, "event without session id ignored", event_id=event_id)
        return
    key = f"notifications:announce:{event_id}"
    if not idempotency.claim(key):
        if idempotency.is_done(key):
            logs.event(log, "duplicate delivery ignored", event_id=event_id, message_id=message_id)
            return
        raise Busy(f"event {event_id} is being processed by another delivery")
    try:
        result = announce(session_id, agent_id, event_id)
    except Exception:
        idempotency.release(key)  # let the redelivery run at once
        raise
    idempotency.done(key, result)


def announce(session_id: str, agent_id: str, event_id: str) -> dict[str, Any]:
    session = store.get(session_id)
    if session is None:
        logs.event(log, "session vanished before its announcement", session_id=session_id)
        return {"skipped": "no session"}
    ann = announcement.compute(get_view(), session, agent_id, event_id)
    ref = clients.firestore().collection(ANNOUNCEMENTS).document(session_id)
    ref.set(ann)
    if ann["sms"]["enabled"]:
        ann["sms"] = sms.notify_once(ann)
        ref.update({"sms": ann["sms"]})
    _add_to_wait(session_id, ann, event_id)
    logs.event(
        log,
        "agent announcement ready",
        session_id=session_id,
        agent_id=agent_id,
        **ann["metrics"],
        sms=ann["sms"]["status"],
    )
    return {"session_id": session_id, **ann["metrics"]}


def _add_to_wait(session_id: str, ann: dict[str, Any], event_id: str) -> None:
    """Whisper and countdown keep the contact waiting; count them once per assignment."""
    w = ann["metrics"]["whisper_seconds"]
    c = ann["metrics"]["countdown_seconds"]

    def changes(cur: dict[str, Any]) -> dict[str, Any]:
        m = dict(cur.get("metrics") or {})
        # Whatever an earlier count added is replaced, not stacked.
        base = (
            float(m.get("wait_seconds") or 0)
            - float(m.get("whisper_seconds") or 0)
            - float(m.get("countdown_seconds") or 0)
        )
        m.update(whisper_seconds=w, countdown_seconds=c, wait_seconds=round(base + w + c, 3))
        return {"metrics": m}

    store.update(
        session_id,
        changes,
        "session.agent_notified",
        {"agent_id": ann["agent_id"], "whisper_seconds": w, "countdown_seconds": c},
        key=f"{session_id}:agent_notified:{event_id}",
    )


def stored(session_id: str) -> dict[str, Any] | None:
    snap = clients.firestore().collection(ANNOUNCEMENTS).document(session_id).get()
    return snap.to_dict() if snap.exists else None
