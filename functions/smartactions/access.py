"""Who may act on a session: its assigned agent or a scoped requester; its end user."""

from __future__ import annotations

from typing import Any

import flask

from core.auth import portal, sdk_jwt, session_access
from core.errors import ApiError, not_found
from core.sessions import store

PERMISSION = "smartactions.request"  # the assigned agent's
SUPERVISE = "smartactions.supervise"  # anyone else's, on their teams' sessions
SDK_CHANNELS = ("mobile", "web", "chat")  # sessions with an SDK that can answer a request


def agent(request: flask.Request, session_id: str) -> tuple[portal.Principal, dict[str, Any]]:
    """The portal user and the session, if they may request / read SmartActions on it.

    Every agent route (requests, media and attachments with read URLs, redact) goes through
    here: the assigned agent with smartactions.request, or a smartactions.supervise holder
    whose teams cover the session's queue (core.auth.session_access).
    """
    who = portal.authenticate(request)
    doc = store.get(session_id)
    if doc is None:
        raise not_found("session")
    session_access.require_actor(who, doc, act=PERMISSION, supervise=SUPERVISE)
    return who, doc


def end_user(request: flask.Request, session_id: str) -> tuple[sdk_jwt.EndUser, dict[str, Any]]:
    """The SDK caller and the session, if the caller is that session's end user (else 404)."""
    user = sdk_jwt.verify_end_user(request)
    doc = store.get(session_id)
    if (
        doc is None
        or not doc.get("end_user", {}).get("id")
        or doc["end_user"]["id"] != user.identifier
    ):
        raise not_found("session")  # another user's session looks like no session
    return user, doc


def require_connected(doc: dict[str, Any]) -> None:
    if doc.get("status") != "connected":
        raise ApiError(
            409,
            "session_not_live",
            f"session is {doc.get('status')}; SmartActions need a live, connected session",
            field="status",
        )


def require_sdk_channel(doc: dict[str, Any]) -> None:
    if doc.get("channel") not in SDK_CHANNELS:
        raise ApiError(
            409,
            "channel_unsupported",
            f"SmartActions need a mobile or web SDK session, not {doc.get('channel')!r}",
            field="channel",
        )
