"""Twilio recording-status callback: signature-checked, validated, idempotent.

The callback only records the recording and creates its first delivery task; the bytes
move in the worker. Twilio gives a status callback 15 s, too little to stream a 1 GB
recording, and a task can be retried where a webhook cannot.
"""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime
from typing import Any

import flask

from core import logs
from core.auth.twilio_signature import verify_twilio
from core.crm.choice import crm_for
from core.errors import ApiError, bad_request
from core.settings import settings
from recordings import state, tasks

log = logs.get("recordings.callback")
RE_SID = re.compile(r"^RE[0-9a-fA-F]{32}$")
CA_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")


def _started_at(raw: str | None) -> float | None:
    if not raw:
        return None
    try:
        return parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError):
        return None


def _redactions(session: dict[str, Any] | None, sid: str) -> list[dict[str, Any]]:
    """Paused spans the SmartActions redact recorded for this recording (kept for audit:
    the carrier already left them out of the media)."""
    spans = (session or {}).get("redactions") or []
    return [s for s in spans if not s.get("recording_sid") or s.get("recording_sid") == sid]


def handle(request: flask.Request) -> flask.Response:
    params = verify_twilio(request)
    sid = params.get("RecordingSid", "")
    call_sid = params.get("CallSid", "")
    status = params.get("RecordingStatus", "")
    if not RE_SID.match(sid):
        raise bad_request("RecordingSid", "must be a Twilio recording sid (RE + 32 hex)")
    if not CA_SID.match(call_sid):
        raise bad_request("CallSid", "must be a Twilio call sid (CA + 32 hex)")
    if params.get("AccountSid") and params["AccountSid"] != settings().twilio_account_sid:
        raise bad_request("AccountSid", "is not this deployment's account")
    if status not in ("completed", "in-progress", "paused", "stopped", "absent", "failed"):
        raise bad_request("RecordingStatus", f"unknown recording status {status!r}")
    url = params.get("RecordingUrl", "")
    if url and not url.startswith(settings().twilio_api_base.rstrip("/") + "/"):
        raise bad_request("RecordingUrl", "is not on the configured carrier API")
    duration = params.get("RecordingDuration")
    if duration is not None and not (duration.isdigit() and int(duration) < 10**7):
        raise bad_request("RecordingDuration", "must be a whole number of seconds")
    if status != "completed":
        log.info("recording %s is %s: nothing to fetch", sid, status)
        return flask.Response("", status=204)

    from core.sessions import store as sessions

    session = sessions.get(call_sid)
    now = time.time()
    started = _started_at(params.get("RecordingStartTime"))
    doc = {
        "sid": sid,
        "call_sid": call_sid,
        "session_id": call_sid,
        "status": "pending",
        "crm": crm_for("recordings"),
        "duration": int(duration) if duration else None,
        "created_at": now,
        "started_at": started,
        # Retention counts from the older of: the call's recording start, our first sight.
        "retention_from": min(now, started) if started else now,
        "gen": 0,
        "attempts": 0,
        "lease": {"id": None, "until": 0, "no": 0},
        "parts": [],
        "commit": {"state": "none"},
        "deleted": {},
        "redactions": _redactions(session, sid),
        "next_at": now,
    }
    current, created = state.create(sid, doc)
    if created or (current.get("status") == "pending" and int(current.get("gen", 0)) == 0):
        try:
            tasks.enqueue(sid, 0)
        except Exception:
            log.exception("could not enqueue delivery of %s", sid)
            # The carrier may retry; the sweeper also re-enqueues stuck recordings.
            raise ApiError(
                503, "unavailable", "could not queue the recording", headers={"Retry-After": "30"}
            ) from None
    logs.event(
        log,
        f"recording {sid} of call {call_sid} accepted (new={created})",
        recording_sid=sid,
        call_sid=call_sid,
    )
    return flask.Response("", status=204)
