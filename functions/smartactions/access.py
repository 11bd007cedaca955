"""Who may act on a session: its assigned agent or a scoped requester; its end user."""

from __future__ import annotations

from typing import Any

import flask

from core.auth import portal, sdk_jwt, session_access
from core.errors import ApiError, not_found
from core.sessions import store
from core.sessions.model import MOBILE_SDK

PERMISSION = "smartactions.request"  # the assigned agent's
SUPERVISE = "smartactions.supervise"  # anyone else's, on their teams' sessions

# What each kind of session offers (the source document's lists): a request flow, the
# agent's redact, and end-user attachments. IVR calls have no SDK: redact only.
MOBILE_SDK_CALL = "mobile SDK call"
MOBILE_SDK_CHAT = "mobile SDK chat"
WEB_SDK_CHAT = "web SDK chat"
IVR_CALL = "IVR call"
REQUESTS: dict[str, frozenset[str]] = {
    MOBILE_SDK_CALL: frozenset({"verification", "photo", "screenshot", "video", "text"}),
    MOBILE_SDK_CHAT: frozenset({"verification", "photo", "screenshot", "video"}),
    WEB_SDK_CHAT: frozenset(),  # no request flow: the end user attaches files instead
}
REDACT = frozenset({MOBILE_SDK_CALL, IVR_CALL})
ATTACHMENTS = frozenset({MOBILE_SDK_CHAT, WEB_SDK_CHAT})


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


def channel_of(doc: dict[str, Any]) -> str:
    """The session as the SmartActions lists name it (or its raw channel, e.g. sms)."""
    channel = doc.get("channel")
    if channel == "voice":
        return MOBILE_SDK_CALL if doc.get("source") == MOBILE_SDK else IVR_CALL
    if channel == "mobile":
        return MOBILE_SDK_CHAT
    if channel in ("web", "chat"):
        return WEB_SDK_CHAT
    return f"{channel} session"


def _unsupported(channel: str, what: str, offered: str) -> ApiError:
    return ApiError(
        409,
        "channel_unsupported",
        f"a {channel} does not offer {what}; it offers {offered}",
        field="channel",
    )


def _offered(channel: str) -> str:
    parts = sorted(REQUESTS.get(channel, ()))
    if channel in REDACT:
        parts.append("redact")
    if channel in ATTACHMENTS:
        parts.append("attachments")
    return ", ".join(parts) or "no SmartActions"


def require_request_kind(doc: dict[str, Any], kind: str) -> None:
    """409 naming the channel when its SmartActions do not include this request."""
    channel = channel_of(doc)
    if kind not in REQUESTS.get(channel, frozenset()):
        raise _unsupported(channel, f"{kind} requests", _offered(channel))


def require_redact(doc: dict[str, Any]) -> None:
    channel = channel_of(doc)
    if channel not in REDACT:
        raise _unsupported(channel, "redact", _offered(channel))


def require_attachments(doc: dict[str, Any]) -> None:
    channel = channel_of(doc)
    if channel not in ATTACHMENTS:
        raise _unsupported(channel, "attachments", _offered(channel))
