"""Carrier references routing hands us on assignment, checked with the carrier itself.

A session's `carrier.conference_sid` / `agent_call_sid` are what ending and silent
monitoring later act on, so a reference taken on trust would let one caller hang up or tap
a conference that belongs to another call. The carrier (Twilio REST) must tie both to this
session: the conference is live and the session's own customer call is one of its
participants, and the agent leg is a participant of that same conference.
"""

from __future__ import annotations

from typing import Any

from core import carrier, logs
from core.errors import ApiError

log = logs.get("sessions.carrier_refs")
LIVE_CONFERENCE = ("init", "in-progress")


def _mismatch(field: str, problem: str) -> ApiError:
    return ApiError(
        409,
        "carrier_mismatch",
        f"{field}: {problem}",
        field=field,
        errors=[{"field": field, "problem": problem}],
    )


def _unavailable() -> ApiError:
    return ApiError(
        503,
        "carrier_unavailable",
        "the carrier could not confirm the call references; retry",
        headers={"Retry-After": "2"},
    )


def _ask(fn: Any) -> Any:
    """Run one carrier request; None when the carrier does not know the resource."""
    from twilio.base.exceptions import TwilioException, TwilioRestException

    try:
        return fn()
    except TwilioRestException as exc:
        if exc.status == 404:
            return None
        if exc.status == 429 or exc.status >= 500:
            raise _unavailable() from None
        raise ApiError(502, "carrier_rejected", f"the carrier refused: {exc.msg}") from None
    except (TwilioException, OSError) as exc:  # requests' errors are OSErrors
        log.warning("carrier unreachable while checking references: %s", type(exc).__name__)
        raise _unavailable() from None


def verify(doc: dict[str, Any], conference_sid: str | None, agent_call_sid: str | None) -> None:
    """Raise a 409 naming the field unless the carrier ties the references to `doc`."""
    if not conference_sid and not agent_call_sid:
        return
    known = doc.get("carrier") or {}
    field = "conference_sid" if conference_sid else "agent_call_sid"
    customer = known.get("call_sid")
    if not customer:
        raise _mismatch(field, "this session has no carrier call to be part of a conference")
    conference = conference_sid or known.get("conference_sid")
    if not conference:
        raise _mismatch("agent_call_sid", "send the conference_sid the agent leg is part of")
    client = carrier.twilio()
    conf = _ask(lambda: client.conferences(conference).fetch())
    if conf is None or conf.status not in LIVE_CONFERENCE:
        raise _mismatch("conference_sid", "the carrier has no live conference with this sid")
    members = _ask(lambda: client.conferences(conference).participants.list(page_size=100))
    calls = {p.call_sid for p in members or []}
    if customer not in calls:
        raise _mismatch("conference_sid", "this session's call is not in that conference")
    if agent_call_sid and agent_call_sid not in calls:
        raise _mismatch("agent_call_sid", "that call is not a participant of the conference")
