"""Who may act on a session: its assigned agent or a scoped requester; its end user."""

from __future__ import annotations

from typing import Any

import flask

from core.auth import portal, sdk_jwt
from core.errors import ApiError, forbidden, not_found
from core.sessions import store

PERMISSION = "smartactions.request"
SDK_CHANNELS = ("mobile", "web", "chat")  # sessions with an SDK that can answer a request


def agent(request: flask.Request, session_id: str) -> tuple[portal.Principal, dict[str, Any]]:
    """The portal user and the session, if they may request / read SmartActions on it.

    Out of the user's queue scope the session does not exist for them (404); in scope, the
    assigned agent may always act, anyone else needs the smartactions.request permission.
    """
    who = portal.authenticate(request)
    doc = store.get(session_id)
    if doc is None:
        raise not_found("session")
    assigned = doc.get("agent_id") == who.user_id and doc.get("agent_id") is not None
    if not assigned:
        who.require_queue(doc.get("queue_id"))
        if not who.has(PERMISSION):
            raise forbidden(f"only the assigned agent or a user with {PERMISSION!r} may act")
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
