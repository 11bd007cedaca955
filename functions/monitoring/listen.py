"""Call monitoring: a supervisor joins the call's conference without a beep, in one of
three modes: listen (muted: silent monitoring), coach (heard by the agent only) or barge
(heard by the customer and the agent).

Many supervisors may monitor at once; each has its own participant (label
`monitor-<user>-<id>`, unique per conference) and its own entry in the session's
`monitors`; stopping removes only that supervisor. Switching mode updates that same
participant at the carrier (Muted / Coaching / CallSidToCoach): nobody is re-dialled.
Every start, switch and stop commits with its audit record in one commit. No session
event is published: the agent's side is never told of a listener.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import flask

from core import logs
from core.auth.portal import Principal
from core.errors import ApiError
from core.http import parse_body
from core.sessions import store
from monitoring import access, audit, bodies, carrier_ops, live

log = logs.get("monitoring.listen")


def monitors_of(doc: dict[str, Any], who: Principal, kind: str) -> list[dict[str, Any]]:
    """The monitor entries of `kind` that `who` holds on a session."""
    return [
        m
        for m in doc.get("monitors") or []
        if m.get("user_id") == who.user_id and m.get("kind") == kind
    ]


def _public(m: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "user_id", "name", "kind", "started_at", "participant_call_sid", "to")
    return {k: m.get(k) for k in keys} | {
        "mode": access.mode_of(m),
        "mode_changed_at": m.get("mode_changed_at"),
    }


def _require_connected(doc: dict[str, Any]) -> None:
    if doc.get("status") != "connected":
        raise ApiError(
            409,
            "not_connected",
            f"the call is {doc.get('status')}; only connected calls can be monitored",
            field="status",
        )


def _coached_leg(doc: dict[str, Any], mode: str) -> str | None:
    """The agent leg a coach talks to (None for listen / barge); 409 if there is none."""
    if mode != "coach":
        return None
    leg = access.agent_leg(doc)
    if not leg:
        raise ApiError(
            409,
            "no_agent_leg",
            "the call has no agent leg to coach",
            field="carrier.agent_call_sid",
        )
    return leg


def start(request: flask.Request, session_id: str) -> Any:
    who = access.caller(request, access.MONITOR)
    body = bodies.optional_body(request, bodies.StartMonitor)
    if body.mode:
        access.require_mode(who, body.mode)
    doc = access.session_for(who, session_id, "call")
    return begin(who, doc, body.to, body.mode, body.reason)


def switch(request: flask.Request, session_id: str) -> dict[str, Any]:
    """POST /calls/<id>/monitor/mode: move the caller's own leg to listen, coach or barge."""
    who = access.caller(request, access.MONITOR)
    body = parse_body(request, bodies.MonitorMode)
    access.require_mode(who, body.mode)
    doc = access.session_for(who, session_id, "call")
    mine = monitors_of(doc, who, "listen")
    if not mine:
        raise ApiError(
            409,
            "not_monitoring",
            "you are not monitoring this call; start monitoring first",
            field="mode",
        )
    return switch_mode(who, doc, mine[0], body.mode, body.reason)


def begin(
    who: Principal, doc: dict[str, Any], to_: str | None, mode: str | None, reason: str | None
) -> Any:
    """Start monitoring `doc` (or switch an existing leg of this caller to `mode`)."""
    session_id = doc["id"]
    to = access.listening_target(who, to_)
    existing = monitors_of(doc, who, "listen")
    if existing:  # a retry or a second click: the same listener, no second audit entry
        if mode and mode != access.mode_of(existing[0]):
            return switch_mode(who, doc, existing[0], mode, reason)
        return {"monitor": _public(existing[0]), "changed": False}
    mode = mode or "listen"
    _require_connected(doc)
    conference = access.conference_of(doc)
    if not conference:
        raise ApiError(
            409,
            "no_conference",
            "the call has no conference to join",
            field="carrier.conference_sid",
        )
    coached = _coached_leg(doc, mode)
    entry_id = uuid.uuid4().hex
    # Labels are unique per conference at Twilio; one per listen keeps a double click
    # from colliding (the loser of the change below removes its own leg).
    label = f"monitor-{who.user_id}-{entry_id[:8]}"
    try:
        participant = carrier_ops.add_monitor_leg(conference, to, label, mode, coached)
    except carrier_ops.CarrierGone:
        raise ApiError(
            409, "no_conference", "the call's conference has ended", field="carrier.conference_sid"
        ) from None

    now = time.time()
    entry: dict[str, Any] = {
        "id": entry_id,
        "user_id": who.user_id,
        "name": who.name,
        "kind": "listen",
        "mode": mode,
        "call_sid_to_coach": coached,
        "switches": 0,
        "started_at": now,
        "reason": reason,
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
        reason=reason,
        at=now,
        details={
            "participant_call_sid": participant,
            "mode": mode,
            **carrier_ops.mode_flags(mode, coached),
            "beep": False,
            "to": to,
        },
    )

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None or cur.get("status") != "connected":
            raise ApiError(409, "not_connected", "the call ended meanwhile", field="status")
        if monitors_of(cur, who, "listen"):
            return None, []
        return cur | {"monitors": [*(cur.get("monitors") or []), entry]}, []

    try:
        new, _ = store.mutate(session_id, mut, also=audit.writer(record))
        live.refresh(session_id)  # no session event: the list row now
    except Exception:
        # Never leave a silent listener on the call that the session does not show.
        carrier_ops.remove_participant(conference, participant)
        raise
    if not any(m.get("id") == entry["id"] for m in (new or {}).get("monitors") or []):
        carrier_ops.remove_participant(conference, participant)
        return {"monitor": _public(monitors_of(new or {}, who, "listen")[0]), "changed": False}
    log.info("%s monitors %s (%s)", who.user_id, session_id, mode)
    return {"monitor": _public(entry), "changed": True}, 201


def switch_mode(
    who: Principal, doc: dict[str, Any], entry: dict[str, Any], mode: str, reason: str | None
) -> dict[str, Any]:
    """Update the caller's existing participant to `mode` and audit the switch."""
    session_id = doc["id"]
    current = access.mode_of(entry)
    if current == mode:
        return {"monitor": _public(entry), "changed": False}
    _require_connected(doc)
    coached = _coached_leg(doc, mode)
    conference, leg = entry["conference_sid"], entry["participant_call_sid"]
    try:
        carrier_ops.set_mode(conference, leg, mode, coached)
    except carrier_ops.CarrierGone:
        raise ApiError(
            409,
            "monitor_gone",
            "your monitoring leg has left the call; stop and start monitoring again",
            field="mode",
        ) from None
    now = time.time()
    switched: dict[str, Any] = {}

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        switched.clear()
        if cur is None or cur.get("status") != "connected":
            raise ApiError(409, "not_connected", "the call ended meanwhile", field="status")
        monitors = []
        for m in cur.get("monitors") or []:
            if m.get("id") == entry["id"] and access.mode_of(m) != mode:
                switched["from"] = access.mode_of(m)
                m = m | {
                    "mode": mode,
                    "call_sid_to_coach": coached,
                    "mode_changed_at": now,
                    "switches": int(m.get("switches") or 0) + 1,
                }
                switched["entry"] = m
            monitors.append(m)
        if not switched:  # stopped, or the same switch won a race: nothing to record
            return None, []
        return cur | {"monitors": monitors}, []

    def write_audit(txn: Any, new_doc: dict[str, Any]) -> None:
        e = switched["entry"]
        record = audit.entry(
            "monitor.mode",
            audit.actor_of(who),
            new_doc,
            f"{e['id']}:mode:{e['switches']}",
            reason=reason,
            at=now,
            details={
                "from": switched["from"],
                "to": mode,
                "participant_call_sid": leg,
                **carrier_ops.mode_flags(mode, coached),
            },
        )
        audit.writer(record)(txn, new_doc)

    try:
        new, _ = store.mutate(session_id, mut, also=write_audit)
        live.refresh(session_id)  # no session event: the list row now
    except Exception:
        # The record still says `current`: put the carrier leg back so both agree (a
        # barging supervisor the record shows as a silent listener would be worse).
        try:
            carrier_ops.set_mode(conference, leg, current, access.agent_leg(doc))
        except Exception:  # noqa: BLE001 - the original error is the one to report
            log.warning("could not restore monitoring leg mode for %s", session_id)
        raise
    now_mine = [m for m in (new or {}).get("monitors") or [] if m.get("id") == entry["id"]]
    if not now_mine:
        raise ApiError(409, "not_monitoring", "monitoring stopped meanwhile", field="mode")
    log.info("%s switched to %s on %s", who.user_id, mode, session_id)
    return {"monitor": _public(now_mine[0]), "changed": bool(switched), "from": current}


def remove_entries(
    session_id: str, doc: dict[str, Any], who: Principal, kind: str, action: str, reason: str | None
) -> tuple[list[dict[str, Any]], bool]:
    """Drop this user's monitor entries of `kind` and audit each removal, atomically."""
    mine_ids = {m["id"] for m in monitors_of(doc, who, kind)}
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
        keep: list[dict[str, Any]] = []
        for m in cur.get("monitors") or []:
            (removed if m.get("id") in mine_ids else keep).append(m)
        if not removed:
            return None, []
        return cur | {"monitors": keep}, []

    def write_audit(txn: Any, new_doc: dict[str, Any]) -> None:
        for m in removed:  # only what this change really removed
            audit.writer(records[m["id"]])(txn, new_doc)

    store.mutate(session_id, mut, also=write_audit)
    live.refresh(session_id)  # no session event: the list row now
    return removed, bool(removed)


def stop(request: flask.Request, session_id: str) -> dict[str, Any]:
    who = access.caller(request, access.MONITOR)
    body = bodies.optional_body(request, bodies.Reason)
    doc = access.session_for(who, session_id, "call")
    mine = monitors_of(doc, who, "listen")
    if not mine:
        return {"monitoring": False, "changed": False}
    # Leave the conference first: if the carrier fails, the record still (truly) shows
    # the supervisor listening and a retry finishes the job.
    for m in mine:
        carrier_ops.remove_participant(m["conference_sid"], m["participant_call_sid"])
    removed, changed = remove_entries(session_id, doc, who, "listen", "monitor.stop", body.reason)
    return {"monitoring": False, "changed": changed, "stopped": [_public(m) for m in removed]}
