"""SMS to the agent's profile phone on an incoming call, through the carrier's REST API,
sent at most once per assignment (an idempotency claim keyed on the session event)."""

from __future__ import annotations

from typing import Any

from core import carrier, idempotency, logs
from core.settings import settings
from notifications.announcement import sms_body

log = logs.get("notifications.sms")


def notify_once(ann: dict[str, Any]) -> dict[str, Any]:
    """Returns the announcement's `sms` part after the attempt."""
    from twilio.base.exceptions import TwilioRestException

    out = dict(ann["sms"])
    if not out.get("to"):
        return out | {"status": "no_phone"}
    key = f"notifications:sms:{ann['session_id']}:{ann['event_id']}"
    if not idempotency.claim(key, lease_seconds=60):
        return out | {"status": "sent_earlier"}
    try:
        msg = carrier.twilio().messages.create(
            to=out["to"], from_=settings().twilio_caller_id, body=sms_body(ann)
        )
    except TwilioRestException as exc:
        if exc.status and 400 <= exc.status < 500 and exc.status != 429:
            # A bad number will not get better by retrying; record it and move on.
            idempotency.done(key, {"error": exc.code})
            # Who, not where: the agent's phone number is personal data and stays out of
            # the logs (the carrier's message may quote it too, so it is not logged).
            logs.event(
                log,
                "agent SMS rejected",
                agent_id=ann.get("agent_id"),
                session_id=ann["session_id"],
                code=exc.code,
            )
            return out | {"status": "failed", "error": str(exc.msg)[:200]}
        idempotency.release(key)
        raise
    except Exception:
        idempotency.release(key)
        raise
    idempotency.done(key, {"sid": msg.sid})
    return out | {"status": "sent", "sid": msg.sid}
