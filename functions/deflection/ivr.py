"""Twilio voice webhooks: the after-hours decision as TwiML, and the voicemail flow.

The hot path (`voice`) verifies the signature, decides from the cached config view, records
the session mark (core.sessions.marks commits it behind the answer, batched, and drains it
on shutdown) and answers; TwiML for a given outcome is built once per config version.
"""

from __future__ import annotations

import re
from functools import lru_cache

import flask

from core.auth.twilio_signature import verify_twilio
from core.caches import on_reset
from core.config.store import get_view
from core.config.view import CenterView
from core.decisions import decide
from core.errors import bad_request
from core.http import xml_response
from core.sessions.marks import Mark, record
from deflection import clock, twiml, voicemail
from deflection.routing import check_query, queue_and_language

_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
# What carriers send as From when the caller withholds the number.
_WITHHELD = {
    "",
    "anonymous",
    "restricted",
    "unknown",
    "private",
    "unavailable",
    "+266696687",
    "+86282452253",
    "+8656696",
    "+2562533",
    "+7378742833",
}
VOICE_QUERY = frozenset({"queue", "language", "at"})


def _call_sid(params: dict[str, str]) -> str:
    sid = params.get("CallSid", "")
    if not _CALL_SID.match(sid):
        raise bad_request("CallSid", "must be a Twilio call sid (CA + 32 hex)")
    return sid


@lru_cache(maxsize=2048)
def _cached_twiml(
    view: CenterView,
    action: str,
    target: str | None,
    language: str,
    queue_id: str,
    at: str | None,
    withheld: bool,
    policy_queue: str,
) -> str:
    if action in ("enqueue", "queue"):
        assert target is not None
        return twiml.enqueue(target)
    if action == "phone":
        assert target is not None
        return twiml.dial(target)
    if action == "voicemail":
        assert target is not None
        if withheld:
            return twiml.ask_number(view, language, target, at, attempt=0)
        return twiml.voicemail_record(view, language, target, None, at)
    return twiml.message_then_hangup(view, language, policy_queue)


@on_reset
def _forget_twiml() -> None:
    _cached_twiml.cache_clear()


def voice(request: flask.Request) -> flask.Response:
    params = verify_twilio(request)
    check_query(request.args, VOICE_QUERY)
    sid = _call_sid(params)
    view = get_view()
    qid, language = queue_and_language(view, request.args, params)
    at_raw = request.args.get("at")
    at = clock.now(at_raw)
    d = decide.ivr(view, qid, language, at)
    caller = params.get("From", "")
    withheld = caller.strip().lower() in _WITHHELD
    create = {
        "channel": "voice",
        "queue_id": qid,
        "queue_path": view.queues[qid].path,
        "language": language,
        "end_user": {
            "id": caller or None,
            "name": None,
            "email": None,
            "phone": None if withheld else caller,
            "anonymous": True,
        },
        "carrier": {"call_sid": sid, "from": caller, "to": params.get("To")},
    }
    if d.deflected:
        record(
            Mark(
                sid,
                "deflected",
                create,
                {
                    "deflection": {
                        "reason": d.reason,
                        "option": d.action,
                        "target": d.target,
                        "chain": list(d.chain),
                        "policy_source": d.policy_source,
                        "hours_id": d.hours.hours_id,
                        "decided_at": at.isoformat(),
                    }
                },
                requeue_to=(d.target, view.queues[d.target].path)
                if d.action == "queue" and d.target in view.queues
                else None,
            )
        )
    else:
        record(Mark(sid, "queued", create | {"queue_id": d.target or qid}))
    # The queue whose IVR settings chose the outcome (the end of a "queue" chain).
    policy_queue = d.chain[-1] if d.chain else qid
    return xml_response(
        _cached_twiml(view, d.action, d.target, language, qid, at_raw, withheld, policy_queue)
    )


_DIGITS = re.compile(r"^\d{7,15}$")


def voicemail_number(request: flask.Request) -> flask.Response:
    """The caller typed a callback number (or nothing)."""
    params = verify_twilio(request)
    check_query(request.args, frozenset({"queue", "language", "attempt", "at"}))
    view = get_view()
    qid, language = queue_and_language(view, request.args, params)
    try:
        attempt = int(request.args.get("attempt", "0"))
    except ValueError:
        raise bad_request("query.attempt", "must be an integer") from None
    digits = (params.get("Digits") or "").strip().rstrip("#")
    at = request.args.get("at")
    if _DIGITS.match(digits):
        return xml_response(twiml.voicemail_record(view, language, qid, digits, at, entered=True))
    if attempt < 2:
        return xml_response(twiml.ask_number(view, language, qid, at, attempt + 1))
    return xml_response(twiml.voicemail_record(view, language, qid, None, at))


def voicemail_done(request: flask.Request) -> flask.Response:
    verify_twilio(request)
    return xml_response(twiml.hangup())


def recording_status(request: flask.Request) -> flask.Response:
    params = verify_twilio(request)
    check_query(request.args, frozenset({"queue", "language", "callback", "at"}))
    sid = _call_sid(params)
    if params.get("RecordingStatus") != "completed":
        return flask.Response("", status=204)  # only a finished recording is a voicemail
    view = get_view()
    qid, language = queue_and_language(view, request.args, params)
    voicemail.store_recording(
        view,
        sid,
        qid,
        language,
        params,
        request.args.get("callback"),
        clock.now(request.args.get("at")),
    )
    return flask.Response("", status=204)
