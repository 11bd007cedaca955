"""Calls the mobile SDK places: the start (end-user JWT) and the tie of the carrier leg.

The start applies the after-hours decision for the mobile channel *before* anything is
placed: open (or closed without deflection) queues the call in the asked queue; a queue
deflected to another queue queues it there; deflection options answer 409 `after_hours`
with the decision, and nothing is written. A placed call is a voice session
(`source: mobile_sdk`) queued with no carrier leg yet; the answer gives the parameters the
Twilio Voice SDK sends with `connect` (session_id, call_token). The TwiML App's Voice URL
(`POST /twilio/sdk-calls/voice`, Twilio-signed) then ties the leg: the single-use token
must match, the session must still be waiting for its leg, and the answer enqueues the call
in the session's queue. docs/sdk-calls.md.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import re
import secrets
import time
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from core import throttle
from core.auth.sdk_jwt import EndUser, verify_end_user
from core.auth.twilio_signature import verify_twilio
from core.config.store import get_view
from core.config.view import CenterView
from core.decisions import decide, messages
from core.decisions.policy import queue_or_400
from core.errors import ApiError, bad_request, not_found
from core.http import parse_body, xml_response
from core.sessions import store
from core.sessions.model import MOBILE_SDK
from deflection import clock, twiml
from deflection.routing import check_query

PLATFORM = "mobile"  # the hours, deflection policy and queue channel of an SDK call
_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
_SESSION_ID = re.compile(r"^SC[0-9a-f]{32}$")


class StartCall(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    queue_id: str = Field(min_length=1, max_length=63)
    language: str | None = Field(None, max_length=35)
    app_version: str | None = Field(None, max_length=64)
    device_type: str | None = Field(None, max_length=64)
    custom_data: str | None = Field(
        None,
        description="signed JWT with reserved attributes (docs/sdk-tokens.md), bound to "
        "the end user",
    )


class AfterHours(ApiError):
    """The queue is closed and deflection offers options: the call is not placed."""

    def __init__(self, decision: dict[str, Any]) -> None:
        super().__init__(
            409,
            "after_hours",
            "queue_id: the queue is closed for mobile calls; offer the deflection options",
            field="queue_id",
        )
        self.decision = decision

    def body(self) -> dict[str, Any]:
        out = super().body()
        out["error"]["deflection"] = self.decision
        return out


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _teams(view: CenterView, qid: str) -> list[str]:
    return [t for t in view.cfg.teams if qid in view.team_queues(frozenset([t]))]


def start(request: flask.Request) -> tuple[dict[str, Any], int]:
    user = verify_end_user(request)
    check_query(request.args, frozenset({"at"}))
    body = parse_body(request, StartCall)
    view = get_view()
    node = queue_or_400(view, body.queue_id, "queue_id")
    if not node.is_leaf:
        raise bad_request("queue_id", "contacts go to leaf queues; pick a sub-queue")
    if PLATFORM not in view.channels(node.id):
        raise bad_request("queue_id", f"queue {node.id!r} does not take mobile SDK contacts")
    # Signed custom data is checked before anything is written (no half-made session).
    custom = _parse_custom_data(body.custom_data, user) if body.custom_data else None
    if user.anonymous:  # anyone can get a visitor token: 429 before anything is written
        throttle.anonymous_session(request, user.identifier)
    language = messages.language_code(view, body.language)
    at = clock.now(request.args.get("at"))
    d = decide.sdk(view, node.id, PLATFORM, language, at, body.app_version, body.device_type)
    deflection = None
    qid = node.id
    if d.deflected and d.deflect_to_queue:
        qid = d.deflect_to_queue["queue_id"]
        deflection = {
            "reason": d.reason,
            "option": "queue",
            "options": [],
            "target": qid,
            "policy_source": d.policy_source,
            "hours_id": d.hours.hours_id,
            "decided_at": at.isoformat(),
            "app_version": body.app_version,
            "device_type": body.device_type,
        }
    elif d.deflected:
        raise AfterHours(d.as_dict() | {"language": language})
    token = secrets.token_urlsafe(24)
    sid = "SC" + secrets.token_hex(16)
    create = {
        "channel": "voice",
        "source": MOBILE_SDK,
        "queue_id": qid,
        "queue_path": view.queues[qid].path,
        "language": language,
        "team_ids": _teams(view, qid),
        "end_user": _end_user(user),
        "carrier": {"call_sid": None, "tie_token_sha256": _digest(token)},
        "deflection": deflection,
        "device": {"app_version": body.app_version, "device_type": body.device_type},
    }
    doc, _ = store.transition(sid, "queued", create=create)
    if user.anonymous:
        doc = _link_visitor(sid, user) or doc
    if custom is not None:
        doc = _ingest_custom_data(sid, custom)
    assert doc is not None
    return {
        "session": _public(doc),
        "decision": d.as_dict(),
        # What the app passes to the Twilio Voice SDK's connect(params=...).
        "call": {"params": {"session_id": sid, "call_token": token}},
    }, 201


def _end_user(user: EndUser) -> dict[str, Any]:
    return {
        "id": user.identifier,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
        "anonymous": user.anonymous,
    }


def _parse_custom_data(token: str, user: EndUser) -> Any:
    """Reserved attributes in signed custom data (the attributes capability owns parsing,
    as for SDK chats)."""
    from attributes.custom_data import parse

    return parse(token, for_identifier=user.identifier, signed_in=not user.anonymous)


def _link_visitor(session_id: str, user: EndUser) -> dict[str, Any] | None:
    """Temporary id and contact name of an anonymous caller (attributes owns it; the CRM
    contact is made when the session first needs a CRM record)."""
    from attributes.visitors import on_session_start

    return on_session_start(session_id, user)


def _ingest_custom_data(session_id: str, custom: Any) -> dict[str, Any]:
    from attributes.custom_data import ingest_custom_data

    return ingest_custom_data(session_id, custom)


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "channel", "source", "kind", "status", "queue_id", "queue_path", "language")
    return {k: doc.get(k) for k in keys} | {"profile": doc.get("profile")}


def voice(request: flask.Request) -> flask.Response:
    """The TwiML App's Voice URL: tie the SDK's carrier leg to its session, enqueue it."""
    params = verify_twilio(request)
    call_sid = params.get("CallSid", "")
    if not _CALL_SID.match(call_sid):
        raise bad_request("CallSid", "must be a Twilio call sid (CA + 32 hex)")
    sid = params.get("session_id", "")
    if not _SESSION_ID.match(sid):
        raise bad_request("session_id", "the session_id POST /sdk/calls answered")
    token = params.get("call_token", "")
    if not token:
        raise bad_request("call_token", "the call_token POST /sdk/calls answered")
    caller = params.get("From", "")
    now = time.time()
    # One carrier leg belongs to one session: not a dialled call's, not another SDK call's.
    other = store.get(call_sid) or store.find_by_call_sid(call_sid)
    if other is not None and other.get("id") != sid:
        raise ApiError(
            409, "call_in_use", "this CallSid belongs to another session", field="CallSid"
        )

    def tie(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None or cur.get("source") != MOBILE_SDK:
            raise not_found("session")
        carrier = dict(cur.get("carrier") or {})
        if not hmac.compare_digest(carrier.get("tie_token_sha256") or "", _digest(token)):
            raise ApiError(403, "bad_call_token", "call_token does not match", field="call_token")
        if carrier.get("call_sid") == call_sid:
            return None, []  # the carrier retried the webhook
        if carrier.get("call_sid"):
            raise ApiError(
                409, "already_tied", "this session already has its call", field="session_id"
            )
        if cur.get("status") != "queued":
            raise ApiError(
                409, "session_not_live", f"session is {cur.get('status')}", field="session_id"
            )
        new = copy.deepcopy(cur)
        new["carrier"] = carrier | {
            "call_sid": call_sid,
            "from": caller,
            "to": params.get("To"),
            "tied_at": now,
        }
        new["updated_at"] = now
        return new, [("session.call_tied", {"call_sid": call_sid}, f"{sid}:call_tied")]

    doc, _ = store.mutate(sid, tie)
    assert doc is not None
    return xml_response(twiml.enqueue(doc["queue_id"]))
