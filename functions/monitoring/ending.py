"""Ending a call or chat from the monitoring lists (and by the stuck-session sweeper).

A call is hung up at the carrier first (Twilio call update Status=completed, then its
conference, which releases the agent and any listeners); only then is the session moved
to `ended` with who ended it and why, and the audit record is committed in the same
transaction. If the carrier fails nothing is written, and a retry is safe: an ended
session answers with its record, a call already gone at the carrier counts as hung up.
"""

from __future__ import annotations

import time
from typing import Any

import flask

from core import logs
from core.config.store import get_view
from core.http import parse_body
from core.sessions import store
from monitoring import access, audit, bodies, carrier_ops, views

log = logs.get("monitoring.ending")


def _call_sid(doc: dict[str, Any]) -> str | None:
    sid = (doc.get("carrier") or {}).get("call_sid")
    if not sid and str(doc.get("id", "")).startswith("CA"):
        sid = doc["id"]  # voice sessions are keyed by the customer's CallSid
    return sid


def end_session(
    doc: dict[str, Any], actor: dict[str, Any], reason: str, *, via: str, now: float | None = None
) -> tuple[dict[str, Any], bool]:
    """End a live session once; returns (session, changed)."""
    if doc.get("status") == "ended":
        return doc, False
    ts = now or time.time()
    carrier_result: dict[str, Any] = {}
    if doc.get("kind") == "call":
        sid = _call_sid(doc)
        if sid:
            carrier_result["call_hung_up"] = carrier_ops.hang_up(sid)
        conference = access.conference_of(doc)
        if conference:
            carrier_ops.end_conference(conference)
            carrier_result["conference_ended"] = True
    ended_by = {
        "type": actor["type"],
        "id": actor["id"],
        "name": actor.get("name"),
        "reason": reason,
        "at": ts,
        "via": via,
    }
    released = [m.get("user_id") for m in doc.get("monitors") or []]
    record = audit.entry(
        "session.end",
        actor,
        doc,
        "end",
        reason=reason,
        at=ts,
        details={"status_before": doc.get("status"), "via": via, "released_monitors": released}
        | carrier_result,
    )
    # Listeners left with the conference and viewers stop with the chat.
    new, changed = store.transition(
        doc["id"],
        "ended",
        now=ts,
        also=audit.writer(record),
        extra={"ended_by": ended_by, "monitors": []},
    )
    if not changed:  # ended meanwhile (carrier callback, end user, another supervisor)
        return store.require(doc["id"]), False
    log.info("%s ended %s (%s)", actor["id"], doc["id"], via)
    assert new is not None
    return new, True


def end(request: flask.Request, session_id: str, kind: str) -> dict[str, Any]:
    who = access.caller(request, access.END)
    body = parse_body(request, bodies.EndSession)
    doc = access.session_for(who, session_id, kind)
    new, changed = end_session(doc, audit.actor_of(who), body.reason, via="monitoring")
    render = views.call_details if kind == "call" else views.chat_details
    return {"session": render(new, who, get_view()), "changed": changed}
