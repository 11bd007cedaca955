"""The server decides each alert: the agent client asks "ring now?" and rings only when
told. The plan ("once", or "every N seconds until answered or no calls", as the seed
words it) is enforced here, not by the client:

- ring:  nothing rang yet, or the repeat interval has passed since the last ring;
- wait:  a repeat plan whose interval has not passed (`poll_after_seconds` says when);
- stop:  the contact was answered, left the queue (hung up, deflected, voicemail, ended),
         went to another agent, or a "once" plan already rang.

Each ring is counted in one Firestore transaction that also reads the session, so two
polls at once ring once, and a ring never follows the answer or the hang-up it raced.
"""

from __future__ import annotations

import random
import time
from typing import Any

from core import clients, logs
from core.errors import ApiError
from core.sessions import store
from notifications import on_event

log = logs.get("notifications.alert")


def decide(session: dict[str, Any] | None, ann: dict[str, Any], now: float) -> dict[str, Any]:
    """Pure: what the alert does now, from the session and the announcement's plan."""
    state = ann.get("alert") or {}
    rings = int(state.get("rings") or 0)
    last = state.get("last_ring_at")
    repeat = ann.get("repeat") or {"mode": "once"}

    def stop(reason: str) -> dict[str, Any]:
        return {"action": "stop", "reason": reason, "rings": rings, "poll_after_seconds": None}

    if session is None:
        return stop("contact_left")
    if session.get("answered_at"):
        return stop("answered")
    if session.get("status") != "connected":
        return stop("contact_left")  # queued again, deflected, voicemail or ended
    if session.get("agent_id") != ann.get("agent_id"):
        return stop("reassigned")
    if repeat.get("mode") != "repeat":
        if rings:
            return stop("once")
        return {"action": "ring", "reason": "first", "rings": 1, "poll_after_seconds": None}
    every = float(repeat.get("every_seconds") or 0)
    if not rings or last is None or now - float(last) >= every:
        reason = "repeat" if rings else "first"
        return {"action": "ring", "reason": reason, "rings": rings + 1, "poll_after_seconds": every}
    left = round(every - (now - float(last)), 3)
    return {"action": "wait", "reason": "interval", "rings": rings, "poll_after_seconds": left}


def poll(session_id: str, *, chat: bool, now: float | None = None) -> dict[str, Any]:
    """Decide and record one poll atomically; the announcement must exist."""
    from google.api_core.exceptions import Aborted
    from google.cloud import firestore

    db = clients.firestore()
    ann_ref = db.collection(on_event.ANNOUNCEMENTS).document(session_id)
    s_ref = store.ref(session_id)
    answered_chat = _agent_wrote(session_id) if chat else None

    @firestore.transactional
    def txn(t: Any) -> dict[str, Any]:
        s_snap = s_ref.get(transaction=t)
        a_snap = ann_ref.get(transaction=t)
        session = s_snap.to_dict() if s_snap.exists else None
        ann = a_snap.to_dict() or {}
        if session is not None and answered_chat and not session.get("answered_at"):
            session = session | {"answered_at": answered_chat}
        ts = time.time() if now is None else now
        d = decide(session, ann, ts)
        state = dict(ann.get("alert") or {})
        if d["action"] == "ring":
            state.update(rings=d["rings"], last_ring_at=ts, stopped=None)
        elif d["action"] == "stop":
            state.update(rings=d["rings"], stopped=d["reason"])
        else:
            return d
        if state != (ann.get("alert") or {}):
            t.update(ann_ref, {"alert": state})
        return d

    # Simultaneous polls contend for the announcement; retry whole transactions with
    # jittered pauses (as core.sessions.store does) before answering 503.
    for attempt in range(4):
        try:
            return txn(db.transaction(max_attempts=10))
        except (ValueError, Aborted) as exc:
            if isinstance(exc, ValueError) and "attempts" not in str(exc):
                raise  # a real bug, not contention
            if attempt == 3:
                raise ApiError(
                    503, "contention", "alert is busy, retry", headers={"Retry-After": "1"}
                ) from exc
            time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
    raise AssertionError("unreachable")


def _agent_wrote(session_id: str) -> float | None:
    """A chat is answered by the assigned agent's first message."""
    q = (
        store.ref(session_id)
        .collection("messages")
        .where(filter=_field_filter("sender.role", "==", "agent"))
        .limit(1)
    )
    for snap in q.stream():
        return float((snap.to_dict() or {}).get("at") or time.time())
    return None


def _field_filter(path: str, op: str, value: Any) -> Any:
    from google.cloud.firestore_v1.base_query import FieldFilter

    return FieldFilter(path, op, value)


def mark_answered(session_id: str, agent_id: str, via: str) -> dict[str, Any]:
    """Record that the assigned agent answered; later polls stop. Once per session."""

    def changes(cur: dict[str, Any]) -> dict[str, Any]:
        if cur.get("answered_at"):
            return {}
        return {"answered_at": time.time(), "answered_by": agent_id}

    doc, changed = store.update(
        session_id,
        changes,
        "session.answered",
        {"agent_id": agent_id, "via": via},
        key=f"{session_id}:answered",
    )
    if changed:
        logs.event(log, "contact answered", session_id=session_id, agent_id=agent_id, via=via)
    return doc
