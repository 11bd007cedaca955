"""SDK chat sessions: start, end-user messages and end; agent messages and assignment.

Transcripts live under sessions/{id}/messages so a supervisor's read-only view can follow
them; the agent is never told about viewers.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from core import clients, throttle
from core.auth import portal, sdk_jwt
from core.config.store import get_view
from core.errors import ApiError, bad_request, forbidden, not_found
from core.http import parse_body
from core.sessions import store
from sessions import carrier_refs

ASSIGN = "sessions.assign"


class StartChat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Literal["chat", "web", "mobile", "sms"] = "chat"
    queue_id: str | None = None
    queue_path: str | None = None
    language: str | None = None
    custom_data: str | None = Field(
        None,
        description="signed JWT with reserved attributes (docs/sdk-tokens.md): names the "
        "signed-in end user (identifier), lives at most CUSTOM_DATA_MAX_LIFETIME_SECONDS",
    )


class PostMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10_000)
    client_id: str | None = Field(None, max_length=128)  # for idempotent retries


class Assign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_id: str
    # Stored only when the carrier confirms them: a live conference with this session's
    # call in it, and an agent leg in that conference (else 409 naming the field).
    conference_sid: str | None = Field(
        None,
        pattern=r"^CF[0-9a-fA-F]{32}$",
        description="the carrier conference of this session's call",
    )
    agent_call_sid: str | None = Field(
        None,
        pattern=r"^CA[0-9a-fA-F]{32}$",
        description="the agent's leg, a participant of that conference",
    )


def resolve_queue(queue_id: str | None, queue_path: str | None) -> tuple[str, str]:
    view = get_view()
    if queue_id:
        node = view.queue(queue_id)
        if node is None:
            raise bad_request("queue_id", "unknown queue")
    elif queue_path:
        node = view.find_by_path(queue_path)
        if node is None:
            raise bad_request("queue_path", "unknown queue menu path")
    else:
        raise bad_request("queue_id", "give queue_id or queue_path")
    if not node.is_leaf:
        raise bad_request("queue_id", "contacts go to leaf queues; pick a sub-queue")
    return node.id, node.path


def start(request: flask.Request) -> tuple[dict[str, Any], int]:
    user = sdk_jwt.verify_end_user(request)
    body = parse_body(request, StartChat)
    qid, path = resolve_queue(body.queue_id, body.queue_path)
    # Validate signed custom data before anything is written (no half-made session).
    custom = _parse_custom_data(body.custom_data, user) if body.custom_data else None
    if user.anonymous:  # anyone can get a visitor token: 429 before anything is written
        throttle.anonymous_session(request, user.identifier)
    view = get_view()
    teams = [t for t, team in view.cfg.teams.items() if qid in view.team_queues(frozenset([t]))]
    session_id = "CH" + secrets.token_hex(16)
    create = {
        "channel": body.channel,
        "queue_id": qid,
        "queue_path": path,
        "language": body.language or view.center.default_language,
        "team_ids": teams,
        "end_user": {
            "id": user.identifier,
            "name": user.name,
            "email": user.email,
            "phone": user.phone,
            "anonymous": user.anonymous,
        },
    }
    doc, _ = store.transition(session_id, "queued", create=create)
    if user.anonymous:
        doc = _link_visitor(session_id, user) or doc
    if custom is not None:
        doc = _ingest_custom_data(session_id, custom)
    return {"session": public_view(doc)}, 201


def _parse_custom_data(token: str, user: sdk_jwt.EndUser) -> Any:
    """Reserved attributes in signed custom data (the attributes capability owns parsing)."""
    from attributes.custom_data import parse

    return parse(token, for_identifier=user.identifier, signed_in=not user.anonymous)


def _link_visitor(session_id: str, user: sdk_jwt.EndUser) -> dict[str, Any] | None:
    """Temporary id and contact name of an anonymous visitor (attributes owns it)."""
    from attributes.visitors import on_session_start

    return on_session_start(session_id, user)


def _visitor_crm_record(doc: dict[str, Any], *, ending: bool = False) -> None:
    """An anonymous visitor's CRM contact and ticket, made when the chat first needs them
    (attributes owns the rule; CRM trouble never fails this request)."""
    from attributes.crm_sync import ensure_crm_record
    from attributes.visitors import started_anonymous

    if started_anonymous(doc):
        ensure_crm_record(doc["id"], ending=ending)


def _ingest_custom_data(session_id: str, custom: Any) -> dict[str, Any]:
    from attributes.custom_data import ingest_custom_data

    return ingest_custom_data(session_id, custom)


def _own_session(request: flask.Request, session_id: str) -> tuple[sdk_jwt.EndUser, dict]:
    user = sdk_jwt.verify_end_user(request)
    doc = store.get(session_id)
    if doc is None or (doc.get("end_user") or {}).get("id") != user.identifier:
        raise not_found("session")  # another user's session looks like no session
    return user, doc


def _add_message(session_id: str, sender: dict[str, Any], body: PostMessage) -> dict[str, Any]:
    db = clients.firestore()
    # A digest, not the raw ids: an identifier or client id with "/" (or any character
    # Firestore refuses in a document id) must not reach the path.
    mid = (
        body.client_id
        and hashlib.sha256(
            f"{sender['role']}\0{sender['id']}\0{body.client_id}".encode()
        ).hexdigest()[:40]
    )
    ref = db.collection(store.COLLECTION).document(session_id).collection("messages")
    doc_ref = ref.document(mid) if mid else ref.document()
    msg = {"id": doc_ref.id, "sender": sender, "text": body.text, "at": time.time()}
    doc_ref.set(msg)
    return msg


def end_user_message(request: flask.Request, session_id: str) -> tuple[dict[str, Any], int]:
    user, doc = _own_session(request, session_id)
    store.require_live(doc)
    body = parse_body(request, PostMessage)
    return {
        "message": _add_message(session_id, {"role": "end_user", "id": user.identifier}, body)
    }, 201


def end_user_end(request: flask.Request, session_id: str) -> dict[str, Any]:
    user, _ = _own_session(request, session_id)
    doc, _ = store.transition(
        session_id, "ended", extra={"ended_by": {"type": "end_user", "id": user.identifier}}
    )
    if doc is not None:  # a repeated end retries a record the CRM budget deferred
        _visitor_crm_record(doc, ending=True)
    return {"session": public_view(doc)}


def agent_message(request: flask.Request, session_id: str) -> tuple[dict[str, Any], int]:
    who = portal.authenticate(request)
    doc = store.require(session_id)
    who.require_queue(doc.get("queue_id"))
    if doc.get("agent_id") != who.user_id:
        raise forbidden("only the assigned agent writes in this chat")
    store.require_live(doc)
    body = parse_body(request, PostMessage)
    return {"message": _add_message(session_id, {"role": "agent", "id": who.user_id}, body)}, 201


def assign(request: flask.Request, session_id: str) -> dict[str, Any]:
    """Routing connects a session to an agent (the ACD's service user calls this).

    Only a caller with `sessions.assign` assigns, to themselves as to anyone else: an
    agent picking a queued contact for themselves would jump routing. Carrier references
    are stored only once the carrier confirms they belong to this session's call.
    """
    who = portal.authenticate(request)
    who.require(ASSIGN)
    body = parse_body(request, Assign)
    doc = store.require(session_id)
    who.require_queue(doc.get("queue_id"))
    view = get_view()
    if body.agent_id not in view.cfg.users:
        raise bad_request("agent_id", "unknown user")
    if doc["status"] != "queued":
        raise ApiError(409, "not_queued", f"session is {doc['status']}", field="status")
    carrier_refs.verify(doc, body.conference_sid, body.agent_call_sid)
    carrier = dict(doc.get("carrier") or {})
    if body.conference_sid:
        carrier["conference_sid"] = body.conference_sid
    if body.agent_call_sid:
        carrier["agent_call_sid"] = body.agent_call_sid
    participants = [
        *doc.get("participants", []),
        {
            "role": "agent",
            "id": body.agent_id,
            "call_sid": body.agent_call_sid,
            "joined_at": time.time(),
        },
    ]
    new, changed = store.transition(
        session_id,
        "connected",
        extra={"agent_id": body.agent_id, "carrier": carrier, "participants": participants},
    )
    if not changed or new is None:
        raise ApiError(409, "not_queued", "session was assigned concurrently", field="status")
    _visitor_crm_record(new)
    return {"session": public_view(new)}


def public_view(doc: dict[str, Any] | None) -> dict[str, Any]:
    if doc is None:
        raise not_found("session")
    keys = (
        "id",
        "channel",
        "status",
        "queue_id",
        "queue_path",
        "language",
        "created_at",
        "agent_id",
        "profile",
    )
    return {k: doc.get(k) for k in keys}
