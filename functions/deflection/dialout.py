"""Outbound calls to a customer through the carrier's REST API (Twilio).

The call's webhook URL names the queue (and whatever else the leg needs); Twilio signs
the URL it calls, so the queue travels with the call and cannot be forged.
"""

from __future__ import annotations

from core.errors import ApiError, bad_request


def call(to: str, from_: str, webhook: str, field: str = "phone") -> str:
    """Place the call; returns its CallSid. A number the carrier refuses is the caller's
    fault (400, `field`); anything else is the carrier's (503, retry)."""
    from twilio.base.exceptions import TwilioRestException

    from core import carrier

    try:
        c = carrier.twilio().calls.create(to=to, from_=from_, url=webhook, method="POST")
    except TwilioRestException as exc:
        if 400 <= exc.status < 500 and exc.status not in (401, 403, 429):
            raise bad_request(field, f"the carrier refused the number: {exc.msg}") from None
        raise ApiError(
            503, "carrier_unavailable", "could not place the call", headers={"Retry-After": "5"}
        ) from None
    except OSError:
        raise ApiError(
            503, "carrier_unavailable", "could not place the call", headers={"Retry-After": "5"}
        ) from None
    return str(c.sid)
