"""Who may do what to which session: permission first (403), then scope (404)."""

from __future__ import annotations

import re
from typing import Any

import flask

from core.auth import portal
from core.auth.portal import Principal
from core.errors import ApiError, not_found
from core.sessions import store

MONITOR = "monitor"
COACH = "monitor.coach"
BARGE = "monitor.barge"
# What each monitoring mode needs on top of `monitor` (listening needs nothing more).
MODE_PERMISSION = {"listen": MONITOR, "coach": COACH, "barge": BARGE}
END = "Monitor-Chats-Edit"
AUDIT_READ = "audit.read"

# Session ids are carrier / generated ids; anything else cannot exist (and would make
# Firestore reject the path), so it is answered like a missing session.
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def caller(request: flask.Request, permission: str) -> Principal:
    """Authenticate the portal user and require one permission."""
    who = portal.authenticate(request)
    who.require(permission)
    return who


def session_for(who: Principal, session_id: str, kind: str) -> dict[str, Any]:
    """The session if it exists, is of this kind and is in the caller's queues; else 404.

    A manager asking for another team's session gets the same 404 as for a missing one.
    """
    what = "call" if kind == "call" else "chat"
    if not _SESSION_ID.match(session_id):
        raise not_found(what)
    doc = store.get(session_id)
    if doc is None or doc.get("kind") != kind or not who.can_see_queue(doc.get("queue_id")):
        raise not_found(what)
    return doc


def listening_target(who: Principal, to: str | None) -> str:
    """Where the caller's listening leg goes: their own softphone (the default) or the
    phone number of their own profile; any other number, identity or SIP URI is refused,
    so nobody can bridge a customer's live audio out of the contact center."""
    allowed = who.listening_targets
    if to is None:
        return allowed[0]
    if to not in allowed:
        raise ApiError(
            403,
            "target_not_allowed",
            f"to: you listen only on your own softphone ({allowed[0]}) "
            "or the phone number of your profile",
            field="to",
        )
    return to


def require_mode(who: Principal, mode: str) -> None:
    """403 unless the caller's roles allow this monitoring mode (field `mode`)."""
    needed = MODE_PERMISSION[mode]
    if not who.has(needed):
        raise ApiError(
            403, "forbidden", f"mode: {mode} needs the {needed} permission", field="mode"
        )


def agent_leg(doc: dict[str, Any]) -> str | None:
    """The carrier call sid of the assigned agent's leg (whom a coach talks to)."""
    carrier = doc.get("carrier") or {}
    if carrier.get("agent_call_sid"):
        return str(carrier["agent_call_sid"])
    legs = [
        p.get("call_sid")
        for p in doc.get("participants") or []
        if p.get("role") == "agent"
        and p.get("call_sid")
        and not p.get("left_at")
        and (not doc.get("agent_id") or p.get("id") == doc.get("agent_id"))
    ]
    return legs[-1] if legs else None


def mode_of(m: dict[str, Any]) -> str:
    return str(m.get("mode") or "listen")


def _modes(who: Principal, doc: dict[str, Any], current: str | None) -> list[str]:
    """The monitoring modes this caller may enter now (other than the current one)."""
    out = []
    for mode in ("coach", "barge"):
        if mode == current or not who.has(MODE_PERMISSION[mode]):
            continue
        if mode == "coach" and not agent_leg(doc):
            continue
        out.append(mode)
    return out


def actions_for(who: Principal, doc: dict[str, Any]) -> list[str]:
    """What this caller may do with this (live) session, as the UI shows it."""
    out = ["details"]
    live = doc.get("status") in ("queued", "connected")
    mine = [m for m in doc.get("monitors") or [] if m.get("user_id") == who.user_id]
    if who.has(MONITOR):
        if doc.get("kind") == "call":
            if mine:
                current = mode_of(mine[0])
                if current != "listen":
                    out.append("listen")
                out.extend(_modes(who, doc, current))
                out.append("stop_monitoring")
            elif live and doc.get("status") == "connected" and conference_of(doc):
                out.append("monitor")
                out.extend(_modes(who, doc, None))
        else:
            if mine:
                out.append("stop_viewing")
            elif live:
                out.append("view")
    if who.has(END) and live:
        out.append("end")
    return out


def conference_of(doc: dict[str, Any]) -> str | None:
    return (doc.get("carrier") or {}).get("conference_sid")
