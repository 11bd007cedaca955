"""Real calls for the console tests and the latency bench: a conference with a customer
and an agent leg on the Twilio stand-in, the carrier's signed IVR webhook that queues the
customer's call, and routing's assignment (the router service account) that connects it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

# A Tuesday morning in New York: Billing is open, so the IVR queues the call.
OPEN_AT = "2026-12-01T10:00:00-05:00"
ROUTER = "router@demo-contact-center.iam.gserviceaccount.com"


@dataclass
class Call:
    call_sid: str
    conference_sid: str
    agent_call_sid: str
    queue: str
    sent_at: float = 0.0  # time.time() when the carrier's webhook was sent
    answered_at: float = 0.0  # ... and when the function answered it (the call is queued)


def conference(suite: Any, caller: str = "+14155550123") -> Call:
    twilio = suite.url("twilio")
    conf = "CF" + __import__("secrets").token_hex(16)
    legs = {}
    for label, extra in (("customer", {"from": caller}), ("agent", {"to": "client:alex"})):
        r = requests.post(
            f"{twilio}/_control/calls",
            json={"status": "in-progress", "conference_sid": conf, "label": label} | extra,
            timeout=10,
        )
        r.raise_for_status()
        legs[label] = r.json()["sid"]
    return Call(legs["customer"], conf, legs["agent"], "")


def ivr_webhook(suite: Any, call: Call, queue: str, caller: str = "+14155550123") -> Call:
    """The carrier's signed voice webhook for this call, sent by the Twilio stand-in."""
    call.queue = queue
    url = (
        f"{suite.function_url('deflection_http')}/twilio/voice?queue={queue}"
        f"&at={OPEN_AT.replace('+', '%2B')}"
    )
    call.sent_at = time.time()
    r = requests.post(
        f"{suite.url('twilio')}/_control/send_webhook",
        json={
            "url": url,
            "params": {
                "CallSid": call.call_sid,
                "AccountSid": suite.env()["TWILIO_ACCOUNT_SID"],
                "From": caller,
                "To": "+18005550000",
                "CallStatus": "ringing",
                "Direction": "inbound",
            },
        },
        timeout=30,
    )
    call.answered_at = time.time()
    r.raise_for_status()
    assert r.json()["status"] == 200, r.json()
    assert "<Enqueue" in r.json()["body"], r.json()["body"]
    return call


_warm: set[int] = set()


def warm_up(suite: Any) -> None:
    """One signed IVR webhook straight to the function, with a patient timeout: a served
    function imports its modules on its first request, which on a busy machine can take
    longer than the stand-in's 10 s carrier timeout. Once per suite."""
    if id(suite) in _warm:
        return
    from tests.helpers.common import twilio_signed

    url = f"{suite.function_url('deflection_http')}/twilio/voice?queue=sales-general"
    params = {
        "CallSid": "CA" + __import__("secrets").token_hex(16),
        "AccountSid": suite.env()["TWILIO_ACCOUNT_SID"],
        "From": "+14155550100",
        "To": "+18005550000",
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
    r = requests.post(url, data=params, headers=twilio_signed(url, params), timeout=120)
    assert r.status_code == 200, r.text
    _warm.add(id(suite))


def incoming(suite: Any, queue: str = "billing-refunds", caller: str = "+14155550123") -> Call:
    return ivr_webhook(suite, conference(suite, caller), queue, caller)


def assign(suite: Any, call: Call, agent: str = "alex") -> None:
    """Routing connects the queued call to the agent (their leg is in its conference)."""
    from emulators.standins.iam_server import generate_id_token
    from tests.helpers.deflection import wait_session

    # Routing assigns a call that is waiting in its queue: the IVR answered first, and its
    # session mark follows within the writer's linger (docs/decisions/0005).
    wait_session(call.call_sid, "queued")

    sessions = suite.function_url("sessions_http")
    token = generate_id_token(suite.url("iam"), ROUTER, sessions)
    r = requests.post(
        f"{sessions}/agent/sessions/{call.call_sid}/assign",
        json={
            "agent_id": agent,
            "conference_sid": call.conference_sid,
            "agent_call_sid": call.agent_call_sid,
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
