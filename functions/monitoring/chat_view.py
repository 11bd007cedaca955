"""Read-only live view of a chat transcript for supervisors.

Starting a view registers the supervisor in the session's `monitors` (audited) and hands
out a short-lived viewer token. The token is signed with a key derived for this purpose
only and carries its own issuer and audience, so it is never accepted as a portal user
token: it can read this one transcript and write nothing. Each read re-checks that the
view is still registered and the user still may monitor the chat's queue, so stopping
the view or losing the role takes effect at once. Nothing is published: the agent's
side is never told.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from typing import Any

import flask
import jwt
from pydantic import BaseModel, ConfigDict, Field

from core import clients
from core.auth import portal
from core.errors import ApiError, forbidden, not_found, unauthorized
from core.http import parse_query
from core.sessions import store
from core.settings import settings
from monitoring import access, audit, bodies, cursor, live
from monitoring.listen import monitors_of, remove_entries

ISSUER = "contact-center-chat-viewer"
AUDIENCE = "chat-transcript"
TOKEN_TTL_SECONDS = 600


def _key() -> bytes:
    return hmac.new(
        settings().portal_token_secret.get_secret_value().encode(),
        b"chat-viewer-token",
        hashlib.sha256,
    ).digest()


def issue_token(user_id: str, session_id: str, viewer_id: str) -> tuple[str, int]:
    now = int(time.time())
    exp = now + TOKEN_TTL_SECONDS
    token = jwt.encode(
        {
            "sub": user_id,
            "sid": session_id,
            "vid": viewer_id,
            "iat": now,
            "exp": exp,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "scope": "read",
        },
        _key(),
        algorithm="HS256",
    )
    return token, exp


def _viewer_response(session_id: str, entry: dict[str, Any], changed: bool) -> dict[str, Any]:
    token, exp = issue_token(entry["user_id"], session_id, entry["id"])
    return {
        "viewer": {
            "id": entry["id"],
            "user_id": entry["user_id"],
            "started_at": entry["started_at"],
        },
        "token": token,
        "expires_at": exp,
        "read_only": True,
        "transcript_path": f"/chats/{session_id}/transcript",
        "changed": changed,
    }


def start(request: flask.Request, session_id: str) -> Any:
    who = access.caller(request, access.MONITOR)
    body = bodies.optional_body(request, bodies.Reason)
    doc = access.session_for(who, session_id, "chat")
    existing = monitors_of(doc, who, "view")
    if existing:  # already viewing: a fresh token, no second audit entry
        return _viewer_response(session_id, existing[0], False)
    store.require_live(doc)
    now = time.time()
    entry: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "user_id": who.user_id,
        "name": who.name,
        "kind": "view",
        "started_at": now,
        "reason": body.reason,
    }
    record = audit.entry(
        "chat_view.start", audit.actor_of(who), doc, entry["id"], reason=body.reason, at=now
    )

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None:
            raise not_found("chat")
        store.require_live(cur)
        if monitors_of(cur, who, "view"):
            return None, []
        return cur | {"monitors": [*(cur.get("monitors") or []), entry]}, []

    new, _ = store.mutate(session_id, mut, also=audit.writer(record))
    live.refresh(session_id)  # no session event: the list row now
    current = monitors_of(new or {}, who, "view")
    if current and current[0]["id"] != entry["id"]:  # a concurrent start won
        return _viewer_response(session_id, current[0], False)
    return _viewer_response(session_id, entry, True), 201


def stop(request: flask.Request, session_id: str) -> dict[str, Any]:
    who = access.caller(request, access.MONITOR)
    body = bodies.optional_body(request, bodies.Reason)
    doc = access.session_for(who, session_id, "chat")
    if not monitors_of(doc, who, "view"):
        return {"viewing": False, "changed": False}
    _, changed = remove_entries(session_id, doc, who, "view", "chat_view.stop", body.reason)
    return {"viewing": False, "changed": changed}


class TranscriptQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    after: str | None = Field(None, max_length=512)  # cursor from the previous read
    limit: int = Field(100, ge=1, le=500)


def _verify(request: flask.Request) -> dict[str, Any]:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("send Authorization: Bearer <viewer token>", challenge="Bearer")
    try:
        return jwt.decode(
            token.strip(),
            _key(),
            algorithms=["HS256"],
            issuer=ISSUER,
            audience=AUDIENCE,
            leeway=settings().jwt_leeway_seconds,
            options={"require": ["sub", "sid", "vid", "exp", "iat"]},
        )
    except jwt.InvalidTokenError as exc:
        raise ApiError(
            401, "bad_token", f"invalid viewer token: {exc}", field="Authorization"
        ) from None


def transcript(request: flask.Request, session_id: str) -> dict[str, Any]:
    """GET the messages after a cursor; poll with the returned cursor to follow live."""
    claims = _verify(request)
    if claims["sid"] != session_id:
        raise forbidden("this viewer token is for another chat")
    q = parse_query(request, TranscriptQuery)
    # Only a caller who passed the full portal check (second factor included, where a role
    # requires one) got this short-lived token; roles and teams are re-read from the config.
    who = portal.principal_for(str(claims["sub"]), second_factor=True)
    who.require(access.MONITOR)
    doc = access.session_for(who, session_id, "chat")
    if not any(m.get("id") == claims["vid"] for m in doc.get("monitors") or []):
        raise forbidden("this view has been stopped; start a new one")
    ref = (
        clients.firestore().collection(store.COLLECTION).document(session_id).collection("messages")
    )
    query = ref.order_by("at").order_by("__name__")
    if q.after:
        at, mid = cursor.decode(q.after, "query.after")
        query = query.start_after({"at": at, "__name__": mid})
    msgs = [d.to_dict() | {"id": d.id} for d in query.limit(q.limit).stream()]
    nxt = cursor.encode(msgs[-1]["at"], msgs[-1]["id"]) if msgs else q.after
    return {
        "messages": [
            {"id": m["id"], "sender": m.get("sender"), "text": m.get("text"), "at": m.get("at")}
            for m in msgs
        ],
        "cursor": nxt,
        "status": doc.get("status"),
        "read_only": True,
    }
