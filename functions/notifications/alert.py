"""The server decides each alert: the agent client asks "ring now?" and rings only when
told. The plan ("once", or "every N seconds until answered or no calls", as the seed
words it) is enforced here, not by the client:

- ring:  nothing rang yet, or the repeat interval has passed since the last ring;
- wait:  a repeat plan whose interval has not passed (`poll_after_seconds` says when);
- stop:  the contact was answered, left the queue (hung up, deflected, voicemail, ended),
         went to another agent, or a "once" plan already rang.

Each ring is counted by an update conditioned on the announcement's version, so two polls
at once ring once (the loser reads again and waits). A ring is answered only after the
session, read again once the ring is counted, still allows it: a ring never follows the
answer or the hang-up it raced. No transaction: polls racing on one announcement would
otherwise hold read locks the others' commits wait on.
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

    ended = stopped(session, ann)
    if ended:
        return stop(ended)
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


def stopped(session: dict[str, Any] | None, ann: dict[str, Any]) -> str | None:
    """Why the contact no longer rings for this agent, or None while it may."""
    if session is None:
        return "contact_left"
    if session.get("answered_at"):
        return "answered"
    if session.get("status") != "connected":
        return "contact_left"  # queued again, deflected, voicemail or ended
    if session.get("agent_id") != ann.get("agent_id"):
        return "reassigned"
    return None


# Reads of the announcement before a 503 when other polls keep counting first.
CONTENTION_TRIES = 8


def poll(session_id: str, *, chat: bool, now: float | None = None) -> dict[str, Any]:
    """Decide and record one poll; the announcement must exist."""
    from google.api_core.exceptions import FailedPrecondition, NotFound

    db = clients.firestore()
    ann_ref = db.collection(on_event.ANNOUNCEMENTS).document(session_id)
    s_ref = store.ref(session_id)

    def session_now(snap: Any) -> dict[str, Any] | None:
        session = snap.to_dict() if snap.exists else None
        if session is not None and chat and not session.get("answered_at"):
            answered = _agent_wrote(session_id)
            if answered:
                session = session | {"answered_at": answered}
        return session

    for attempt in range(CONTENTION_TRIES):
        snaps = {s.reference.path: s for s in db.get_all([s_ref, ann_ref])}
        a_snap = snaps[ann_ref.path]
        ann = a_snap.to_dict() or {}
        ts = time.time() if now is None else now
        d = decide(session_now(snaps[s_ref.path]), ann, ts)
        state = dict(ann.get("alert") or {})
        if d["action"] == "ring":
            state.update(rings=d["rings"], last_ring_at=ts, stopped=None)
        elif d["action"] == "stop":
            state.update(rings=d["rings"], stopped=d["reason"])
        if d["action"] == "wait" or state == (ann.get("alert") or {}):
            return d
        when = db.write_option(last_update_time=a_snap.update_time)
        try:
            written = ann_ref.update({"alert": state}, option=when)
        except (FailedPrecondition, NotFound):
            # Another poll counted first: read again (it may have rung already).
            if attempt:
                time.sleep(random.uniform(0, 0.02) * attempt)
            continue
        if d["action"] == "ring":
            late = stopped(session_now(s_ref.get()), ann)
            if late:  # answered, left or moved while this ring was being counted
                state.update(stopped=late)
                try:
                    ann_ref.update(
                        {"alert": state},
                        option=db.write_option(last_update_time=written.update_time),
                    )
                except (FailedPrecondition, NotFound):
                    pass  # a later poll decides from the session again
                return {**d, "action": "stop", "reason": late, "poll_after_seconds": None}
        return d
    raise ApiError(503, "contention", "alert is busy, retry", headers={"Retry-After": "1"})


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
