"""Profile changes -> the CRM record, off the request path (attributes_on_event).

Each change of a session's profile flags (attributes.flags) stages one
`session.profile_changed` event carrying the profile after it and the change's number on
that session (`seq`, 1, 2, ...). This consumer writes each change to the CRM once, in
order:

- `crm_sync.seq` on the session is the last change done; a delivery of an older or equal
  number is a duplicate and does nothing;
- a delivery whose predecessor is not done yet fails, so Pub/Sub redelivers it later (an
  earlier change never overwrites a later one in the CRM);
- a claim per change (core.idempotency) keeps two concurrent deliveries from both writing;
- a CRM failure (5xx, timeout) leaves `crm_sync` pending and fails the delivery, so the
  same change is retried by Pub/Sub, and the ones after it wait.

The write goes through attributes.crm_sync (whichever CRM the center uses) with the
change's own profile, not the session's current one.
"""

from __future__ import annotations

from typing import Any

from core import idempotency, logs
from core.sessions import store

EVENT_TYPE = "session.profile_changed"
log = logs.get("attributes.crm_events")


class Later(RuntimeError):
    """This delivery cannot be done yet (an earlier change, another delivery, the CRM);
    the push fails and Pub/Sub redelivers it."""


def done_seq(doc: dict[str, Any]) -> int:
    return int((doc.get("crm_sync") or {}).get("seq") or 0)


def _mark_done(session_id: str, seq: int) -> None:
    """Advance `crm_sync.seq` (never backwards), without an event."""

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None or done_seq(cur) >= seq:
            return None, []
        return cur | {"crm_sync": dict(cur.get("crm_sync") or {}) | {"seq": seq}}, []

    store.mutate(session_id, mut)


def apply(session_id: str, event_id: str, data: dict[str, Any]) -> str:
    """Write one profile change to the CRM once, in order; returns what happened."""
    from attributes import crm_sync, redirection

    seq = int(data.get("seq") or 0)
    doc = store.get(session_id)
    if doc is None:
        return "no session"
    if seq and seq <= done_seq(doc):
        return "duplicate"
    if seq and seq > done_seq(doc) + 1:
        raise Later(f"change {seq} of {session_id} waits for change {done_seq(doc) + 1}")
    key = f"attributes:crm:{session_id}:{seq or event_id}"
    if not idempotency.claim(key):
        if idempotency.is_done(key):
            return "duplicate"
        raise Later(f"change {seq} of {session_id} is being written by another delivery")
    try:
        wrote = "skipped"
        if redirection.in_crm_record(doc.get("queue_id")):
            as_changed = doc | {"profile": dict(data.get("profile") or doc.get("profile") or {})}
            if not crm_sync.write_profile(as_changed, str(data.get("source") or "")):
                raise Later(f"CRM write of change {seq} of {session_id} failed; retried")
            wrote = "written"
        if seq:
            _mark_done(session_id, seq)
    except Exception:
        idempotency.release(key)  # the redelivery runs at once
        raise
    idempotency.done(key, {"seq": seq, "outcome": wrote})
    return wrote


def handle(cloud_event: Any) -> None:
    from core.sessions import events

    logs.configure()
    payload, attrs, message_id = events.decode_message(cloud_event)
    if payload.get("type") != EVENT_TYPE:
        return
    event_id = attrs.get("event_id") or payload.get("event_id") or message_id
    session_id = payload.get("session_id") or attrs.get("session_id")
    if not isinstance(session_id, str) or not session_id:
        logs.event(log, "event without session id ignored", event_id=event_id)
        return
    outcome = apply(session_id, event_id, payload.get("data") or {})
    logs.event(log, "profile change to CRM", session_id=session_id, outcome=outcome)
