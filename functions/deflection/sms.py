"""Twilio messaging webhook: after hours, the queue's after-hours text as TwiML <Message>."""

from __future__ import annotations

import re

import flask

from core.auth.twilio_signature import verify_twilio
from core.config.store import get_view
from core.decisions import decide
from core.errors import bad_request
from core.http import xml_response
from core.sessions.marks import Mark, record
from deflection import clock, twiml
from deflection.routing import check_query, queue_and_language

_MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")


def incoming(request: flask.Request) -> flask.Response:
    params = verify_twilio(request)
    check_query(request.args, frozenset({"queue", "language", "at"}))
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    if not _MESSAGE_SID.match(sid):
        raise bad_request("MessageSid", "must be a Twilio message sid (SM + 32 hex)")
    view = get_view()
    qid, language = queue_and_language(view, request.args, params)
    at = clock.now(request.args.get("at"))
    d = decide.sms(view, qid, language, at)
    if not d["deflected"]:
        return xml_response(twiml.sms(None))  # open: the conversation is routed elsewhere
    sender = params.get("From", "")
    record(
        Mark(
            sid,
            "deflected",
            {
                "channel": "sms",
                "queue_id": qid,
                "queue_path": view.queues[qid].path,
                "language": language,
                "end_user": {
                    "id": sender or None,
                    "name": None,
                    "email": None,
                    "phone": sender or None,
                    "anonymous": True,
                },
                "carrier": {"message_sid": sid, "from": sender, "to": params.get("To")},
            },
            {
                "deflection": {
                    "reason": "after_hours",
                    "option": "text",
                    "policy_source": d["policy_source"],
                    "hours_id": d["hours_id"],
                    "decided_at": at.isoformat(),
                }
            },
        )
    )
    return xml_response(twiml.sms(d["text"]))
