"""Carrier (Twilio) operations for monitoring, with carrier errors mapped to our 4xx/5xx."""

from __future__ import annotations

from typing import Any

from core import carrier, logs
from core.errors import ApiError

log = logs.get("monitoring.carrier")


class CarrierGone(Exception):
    """The call / conference / participant no longer exists at the carrier."""


def _map(exc: Exception, what: str) -> Exception:
    from twilio.base.exceptions import TwilioRestException

    if isinstance(exc, TwilioRestException):
        # 21220: the call is no longer in progress, which is what ending wants anyway.
        if exc.status == 404 or exc.code == 21220:
            return CarrierGone(what)
        if exc.status == 429 or exc.status >= 500:
            return ApiError(
                503,
                "carrier_unavailable",
                f"the carrier failed to {what}; retry",
                headers={"Retry-After": "2"},
            )
        return ApiError(502, "carrier_rejected", f"the carrier refused to {what}: {exc.msg}")
    log.warning("carrier unreachable while trying to %s: %s", what, exc)
    return ApiError(
        503,
        "carrier_unavailable",
        f"the carrier is unreachable ({what}); retry",
        headers={"Retry-After": "2"},
    )


def _call(what: str, fn: Any) -> Any:
    from twilio.base.exceptions import TwilioException

    try:
        return fn()
    except (TwilioException, OSError) as exc:  # requests' errors are OSErrors
        raise _map(exc, what) from None


# What each monitoring mode is at the carrier: a conference participant's audio flags.
# listen: muted, hears everyone; coach: heard by the agent's leg only; barge: heard by all.
MODES = ("listen", "coach", "barge")


def mode_flags(mode: str, agent_call_sid: str | None) -> dict[str, Any]:
    if mode == "listen":
        return {"muted": True, "coaching": False}
    if mode == "coach":
        return {"muted": False, "coaching": True, "call_sid_to_coach": agent_call_sid}
    return {"muted": False, "coaching": False}


def add_monitor_leg(
    conference_sid: str, to: str, label: str, mode: str = "listen", agent: str | None = None
) -> str:
    """Dial `to` into the conference in `mode`, without the join beep; returns its call sid."""
    from core.settings import settings

    def create() -> Any:
        return (
            carrier.twilio()
            .conferences(conference_sid)
            .participants.create(
                from_=settings().twilio_caller_id,
                to=to,
                label=label,
                beep="false",  # nobody hears a join / leave tone: the agent is not told
                start_conference_on_enter=False,  # a listener never starts a conference alone
                end_conference_on_exit=False,  # and leaving never ends it
                **mode_flags(mode, agent),
            )
        )

    return str(_call("add a listener to the conference", create).call_sid)


def add_silent_listener(conference_sid: str, to: str, label: str) -> str:
    """Dial `to` into the conference muted (listen only), without the join beep."""
    return add_monitor_leg(conference_sid, to, label, "listen")


def set_mode(conference_sid: str, call_sid: str, mode: str, agent: str | None) -> None:
    """Switch an existing monitoring leg between listen, coach and barge: the carrier
    updates the participant in place (Muted / Coaching / CallSidToCoach), no re-dial."""
    _call(
        f"switch the monitoring leg to {mode}",
        lambda: (
            carrier.twilio()
            .conferences(conference_sid)
            .participants(call_sid)
            .update(**mode_flags(mode, agent))
        ),
    )


def remove_participant(conference_sid: str, call_sid: str) -> bool:
    """Remove one participant; False if it was already gone."""
    try:
        _call(
            "remove the listener",
            lambda: carrier.twilio().conferences(conference_sid).participants(call_sid).delete(),
        )
    except CarrierGone:
        return False
    return True


def hang_up(call_sid: str) -> bool:
    """Complete a call (Twilio: update Status=completed); False if it was already gone."""
    try:
        _call("end the call", lambda: carrier.twilio().calls(call_sid).update(status="completed"))
    except CarrierGone:
        return False
    return True


def end_conference(conference_sid: str) -> None:
    """Release the agent and any listeners too; a conference already over is fine."""
    try:
        _call(
            "end the conference",
            lambda: carrier.twilio().conferences(conference_sid).update(status="completed"),
        )
    except CarrierGone:
        pass
