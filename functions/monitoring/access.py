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


def actions_for(who: Principal, doc: dict[str, Any]) -> list[str]:
    """What this caller may do with this (live) session, as the UI shows it."""
    out = ["details"]
    live = doc.get("status") in ("queued", "connected")
    mine = [m for m in doc.get("monitors") or [] if m.get("user_id") == who.user_id]
    if who.has(MONITOR):
        if doc.get("kind") == "call":
            if mine:
                out.append("stop_monitoring")
            elif live and doc.get("status") == "connected" and conference_of(doc):
                out.append("monitor")
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
