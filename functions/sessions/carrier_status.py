"""Twilio voice status callbacks -> session status (signature-checked, idempotent)."""

from __future__ import annotations

import time
from typing import Any

import flask

from core import logs
from core.auth.twilio_signature import verify_twilio
from core.errors import bad_request
from core.sessions import store

log = logs.get("sessions.carrier")

# Twilio CallStatus -> our status. Ringing / in-progress only create a missing session;
# the contact-center status (queued / connected) comes from routing and assignment.
ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}
ACTIVE = {"queued", "initiated", "ringing", "in-progress"}


def handle_call_status(request: flask.Request) -> flask.Response:
    params = verify_twilio(request)
    call_sid = params.get("CallSid", "")
    status = params.get("CallStatus", "")
    if not call_sid.startswith("CA") or len(call_sid) != 34:
        raise bad_request("CallSid", "must be a Twilio call sid (CA + 32 hex)")
    if status not in ENDED | ACTIVE:
        raise bad_request("CallStatus", f"unknown call status {status!r}")
    carrier = {
        "call_sid": call_sid,
        "call_status": status,
        "from": params.get("From"),
        "to": params.get("To"),
        "direction": params.get("Direction"),
    }
    create: dict[str, Any] = {
        "channel": "voice",
        "carrier": carrier,
        "end_user": {
            "id": params.get("From"),
            "name": None,
            "email": None,
            "phone": params.get("From"),
            "anonymous": True,
        },
    }
    now = time.time()
    target, known = call_sid, {}
    if store.get(call_sid) is None:
        # A mobile SDK call's session is keyed by its own id; the tie recorded the CallSid.
        tied = store.find_by_call_sid(call_sid)
        if tied is not None:
            target, known = tied["id"], dict(tied.get("carrier") or {})
    if status in ENDED:
        extra = {"carrier": known | carrier | {"duration": params.get("CallDuration")}}
        doc, changed = store.transition(target, "ended", create=create, extra=extra, now=now)
    else:
        # Only creates a session the voice webhook has not (a callback can arrive first).
        doc, changed = store.ensure(target, "queued", create, now=now)
    log.info("call status %s for %s (changed=%s)", status, target, changed)
    return flask.Response("", status=204)
