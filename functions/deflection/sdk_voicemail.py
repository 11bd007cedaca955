"""Mobile "Leave a callback message", bound to the queue the customer selected.

POST /sdk/voicemail (end-user JWT): if the queue offers the voicemail option on mobile
right now, the carrier calls the customer from the option's number; the call's (signed)
webhook URL names the queue, so the greeting, the recording and the voicemail record all
carry it, and delivery goes to that queue's agents. POST /twilio/voicemail/start is that
webhook. An Idempotency-Key makes a retried request return the first call, not ring twice.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from core import clients, logs, throttle, ttl
from core.auth.sdk_jwt import verify_end_user
from core.auth.twilio_signature import verify_twilio
from core.config.schema.common import E164
from core.config.store import get_view
from core.decisions import decide, messages
from core.decisions.policy import queue_or_400
from core.errors import ApiError, bad_request
from core.http import parse_body, xml_response
from deflection import clock, dialout, twiml
from deflection.routing import check_query

log = logs.get("deflection.sdk_voicemail")
COLLECTION = "sdk_voicemail_calls"


class VoicemailRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    queue_id: str = Field(min_length=1, max_length=63)
    language: str | None = Field(None, max_length=35)
    phone: E164 | None = None  # the number to ring; default: the token's `phone`


def start(request: flask.Request) -> dict[str, Any]:
    user = verify_end_user(request)
    check_query(request.args, frozenset({"at"}))
    body = parse_body(request, VoicemailRequest)
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 200:
        raise bad_request("Idempotency-Key", "at most 200 characters")
    view = get_view()
    node = queue_or_400(view, body.queue_id, "queue_id")
    if "mobile" not in view.channels(node.id):
        raise bad_request("queue_id", f"queue {node.id!r} does not take mobile contacts")
    language = messages.language_code(view, body.language)
    at_raw = request.args.get("at")
    at = clock.now(at_raw)
    phone = body.phone or user.phone
    if not phone:
        raise bad_request("phone", "required (the token carries no phone number)")
    d = decide.sdk(view, node.id, "mobile", language, at)
    option = next((o for o in d.options if o["type"] == "voicemail"), None)
    if option is None:
        raise ApiError(
            409,
            "not_offered",
            f"queue {node.id!r} does not offer a callback message now",
            field="queue_id",
        )
    ref = None
    if key:
        doc_id = hashlib.sha256(f"{user.identifier}\n{key}".encode()).hexdigest()
        ref = clients.firestore().collection(COLLECTION).document(doc_id)
        snap = ref.get()
        if snap.exists:
            prior = snap.to_dict() or {}
            if prior.get("queue_id") != node.id or prior.get("phone") != phone:
                raise bad_request("Idempotency-Key", "reused with a different request")
            return {k: prior[k] for k in ("call_sid", "queue_id", "number")} | {"replayed": True}
    if user.anonymous:  # anyone can get a visitor token: 429 before a call is placed
        throttle.anonymous_session(request, user.identifier)
    webhook = twiml.url(
        "/twilio/voicemail/start", queue=node.id, language=language, callback=phone, at=at_raw
    )
    sid = dialout.call(phone, option["number"], webhook)
    out = {"call_sid": sid, "queue_id": node.id, "number": option["number"]}
    if ref is not None:
        # A retry comes within minutes; a day covers any client back-off.
        ref.set(
            out | {"phone": phone, "created_at": time.time(), ttl.FIELD: ttl.expire_at(ttl.DAY)}
        )
    logs.event(log, "callback-message call placed", queue_id=node.id, call_sid=sid)
    return out | {"replayed": False}


def answered(request: flask.Request) -> flask.Response:
    """The customer picked up: greet (the queue's own greeting if it has one) and record;
    the recording callback names the same queue."""
    params = verify_twilio(request)
    check_query(request.args, frozenset({"queue", "language", "callback", "at"}))
    view = get_view()
    node = queue_or_400(view, request.args.get("queue"), "queue")
    language = messages.language_code(view, request.args.get("language"))
    if not params.get("CallSid"):
        raise bad_request("CallSid", "required")
    callback = request.args.get("callback")
    return xml_response(
        twiml.voicemail_record(view, language, node.id, callback, request.args.get("at"))
    )
