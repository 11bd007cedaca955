"""Silent monitoring of calls: a supervisor joins the call's conference muted, no beep.

Many supervisors may listen at once; each has its own participant (label
`monitor-<user>-<id>`, unique per conference) and its own entry in the session's
`monitors`; stopping removes only that supervisor. The session change and its audit
record commit in one transaction. No session event is published: the agent's side is
never told.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import flask

from core import logs
from core.auth.portal import Principal
from core.errors import ApiError
from core.sessions import store
from monitoring import access, audit, bodies, carrier_ops

log = logs.get("monitoring.listen")


def _mine(doc: dict[str, Any], who: Principal, kind: str) -> list[dict[str, Any]]:
    return [
        m
        for m in doc.get("monitors") or []
        if m.get("user_id") == who.user_id and m.get("kind") == kind
    ]


def _public(m: dict[str, Any]) -> dict[str, Any]:
    return {
        k: m.get(k)
        for k in ("id", "user_id", "name", "kind", "started_at", "participant_call_sid", "to")
    }


def start(request: flask.Request, session_id: str) -> Any:
    who = access.caller(request, access.MONITOR)
    body = bodies.optional_body(request, bodies.StartMonitor)
    doc = access.session_for(who, session_id, "call")
    to = access.listening_target(who, body.to)
    existing = _mine(doc, who, "listen")
    if existing:  # a retry or a second click: the same listener, no second audit entry
        return {"monitor": _public(existing[0]), "changed": False}
    if doc.get("status") != "connected":
        raise ApiError(
            409,
            "not_connected",
            f"the call is {doc.get('status')}; only connected calls can be monitored",
            field="status",
        )
    conference = access.conference_of(doc)
    if not conference:
        raise ApiError(
            409,
            "no_conference",
            "the call has no conference to join",
            field="carrier.conference_sid",
        )
    entry_id = uuid.uuid4().hex
    # Labels are unique per conference at Twilio; one per listen keeps a double click
    # from colliding (the loser of the transaction below removes its own leg).
    label = f"monitor-{who.user_id}-{entry_id[:8]}"
    try:
        participant = carrier_ops.add_silent_listener(conference, to, label)
    except carrier_ops.CarrierGone:
        raise ApiError(
            409, "no_conference", "the call's conference has ended", field="carrier.conference_sid"
        ) from None

    now = time.time()
    entry = {
        "id": entry_id,
        "user_id": who.user_id,
        "name": who.name,
        "kind": "listen",
        "started_at": now,
        "reason": body.reason,
        "participant_call_sid": participant,
        "conference_sid": conference,
        "label": label,
        "to": to,
    }
    record = audit.entry(
        "monitor.start",
        audit.actor_of(who),
        doc,
        entry["id"],
        reason=body.reason,
        at=now,
        details={"participant_call_sid": participant, "muted": True, "beep": False, "to": to},
    )

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None or cur.get("status") != "connected":
            raise ApiError(409, "not_connected", "the call ended meanwhile", field="status")
        if _mine(cur, who, "listen"):
            return None, []
        return cur | {"monitors": [*(cur.get("monitors") or []), entry]}, []

    try:
        new, _ = store.mutate(session_id, mut, also=audit.writer(record))
    except Exception:
        # Never leave a silent listener on the call that the session does not show.
        carrier_ops.remove_participant(conference, participant)
        raise
    if not any(m.get("id") == entry["id"] for m in (new or {}).get("monitors") or []):
        carrier_ops.remove_participant(conference, participant)
        return {"monitor": _public(_mine(new or {}, who, "listen")[0]), "changed": False}
    log.info("%s monitors %s", who.user_id, session_id)
    return {"monitor": _public(entry), "changed": True}, 201


def remove_entries(
    session_id: str, doc: dict[str, Any], who: Principal, kind: str, action: str, reason: str | None
) -> tuple[list[dict[str, Any]], bool]:
    """Drop this user's monitor entries of `kind` and audit each removal, atomically."""
    mine_ids = {m["id"] for m in _mine(doc, who, kind)}
    now = time.time()
    records = {
        mid: audit.entry(action, audit.actor_of(who), doc, f"{mid}:stop", reason=reason, at=now)
        for mid in mine_ids
    }
    removed: list[dict[str, Any]] = []

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        removed.clear()
        if cur is None:
            return None, []
        keep = []
        for m in cur.get("monitors") or []:
            (removed if m.get("id") in mine_ids else keep).append(m)
        if not removed:
            return None, []
        return cur | {"monitors": keep}, []

    def write_audit(txn: Any, new_doc: dict[str, Any]) -> None:
        for m in removed:  # only what this transaction really removed
            audit.writer(records[m["id"]])(txn, new_doc)

    store.mutate(session_id, mut, also=write_audit)
    return removed, bool(removed)


def stop(request: flask.Request, session_id: str) -> dict[str, Any]:
    who = access.caller(request, access.MONITOR)
    body = bodies.optional_body(request, bodies.Reason)
    doc = access.session_for(who, session_id, "call")
    mine = _mine(doc, who, "listen")
    if not mine:
        return {"monitoring": False, "changed": False}
    # Leave the conference first: if the carrier fails, the record still (truly) shows
    # the supervisor listening and a retry finishes the job.
    for m in mine:
        carrier_ops.remove_participant(m["conference_sid"], m["participant_call_sid"])
    removed, changed = remove_entries(session_id, doc, who, "listen", "monitor.stop", body.reason)
    return {"monitoring": False, "changed": changed, "stopped": [_public(m) for m in removed]}
