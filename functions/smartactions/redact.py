"""Redact: the agent pauses and resumes the call recording at the carrier.

Each paused span is kept on the session (`redactions`: recording_sid, paused_at,
resumed_at; resumed_at None = paused until the recording ended) so the recording pipeline
can check that what it delivers to the CRM leaves the span out. The carrier is told first:
if it refuses, nothing is recorded; the session write re-checks the open span in its
transaction, so a double click records one span.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict

from core import carrier, logs
from core.errors import ApiError
from core.http import parse_body
from core.sessions import store
from smartactions import access, clock
from smartactions.config import sa_settings

FIELD = "redactions"
log = logs.get("smartactions.redact")


class RedactBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["pause", "resume"]


def _call_sid(doc: dict[str, Any]) -> str:
    sid = (doc.get("carrier") or {}).get("call_sid")
    if not sid and str(doc.get("id", "")).startswith("CA"):
        sid = doc["id"]  # voice sessions are keyed by their CallSid
    if not sid:
        raise ApiError(
            409,
            "not_a_call",
            "this session has no carrier call to redact",
            field="carrier.call_sid",
        )
    return sid


def _open_span(doc: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    for i, span in enumerate(doc.get(FIELD) or []):
        if span.get("resumed_at") is None:
            return i, span
    return None


def _carrier_update(call_sid: str, recording: str, **params: Any) -> Any:
    from twilio.base.exceptions import TwilioRestException

    try:
        return carrier.twilio().calls(call_sid).recordings(recording).update(**params)
    except TwilioRestException as exc:
        log.warning("recording update refused: %s %s", exc.status, exc.msg)
        if exc.status in (400, 404):
            raise ApiError(
                409,
                "no_active_recording",
                "the call has no recording in progress to pause or resume",
                field="action",
            ) from None
        raise ApiError(
            502, "carrier_error", f"the carrier answered {exc.status}", field="action"
        ) from None


def handle(request: flask.Request, session_id: str) -> dict[str, Any]:
    who, doc = access.agent(request, session_id)
    body = parse_body(request, RedactBody)
    access.require_redact(doc)
    access.require_connected(doc)
    call_sid = _call_sid(doc)
    spans = list(doc.get(FIELD) or [])
    current = _open_span(doc)
    if body.action == "pause":
        if current is not None:
            raise ApiError(409, "already_paused", "the recording is already paused", field="action")
        rec = _carrier_update(
            call_sid, "Twilio.CURRENT", status="paused", pause_behavior=sa_settings().pause_behavior
        )
        index = len(spans)
        span = {
            "recording_sid": rec.sid,
            "call_sid": call_sid,
            "paused_at": clock.now(),
            "resumed_at": None,
            "paused_by": who.user_id,
            "resumed_by": None,
        }

        def changes(cur: dict[str, Any]) -> dict[str, Any]:
            if _open_span(cur) is not None:
                raise ApiError(
                    409, "already_paused", "the recording is already paused", field="action"
                )
            return {FIELD: [*copy.deepcopy(cur.get(FIELD) or []), span]}

        new, _ = store.update(
            session_id,
            changes,
            "recording.paused",
            {
                "recording_sid": rec.sid,
                "call_sid": call_sid,
                "paused_at": span["paused_at"],
                "by": who.user_id,
            },
            f"{session_id}:redact:{index}:paused",
        )
    else:
        if current is None:
            raise ApiError(409, "not_paused", "the recording is not paused", field="action")
        index, span = current
        _carrier_update(call_sid, span["recording_sid"], status="in-progress")
        resumed_at = clock.now()

        def changes(cur: dict[str, Any]) -> dict[str, Any]:
            items = copy.deepcopy(cur.get(FIELD) or [])
            if index >= len(items) or items[index].get("resumed_at") is not None:
                raise ApiError(409, "not_paused", "the recording is not paused", field="action")
            items[index] |= {"resumed_at": resumed_at, "resumed_by": who.user_id}
            return {FIELD: items}

        new, _ = store.update(
            session_id,
            changes,
            "recording.resumed",
            {
                "recording_sid": span["recording_sid"],
                "call_sid": call_sid,
                "paused_at": span["paused_at"],
                "resumed_at": resumed_at,
                "by": who.user_id,
            },
            f"{session_id}:redact:{index}:resumed",
        )
    open_now = _open_span(new)
    return {
        "recording": {"state": "paused" if open_now else "recording"},
        FIELD: new.get(FIELD) or [],
    }
