"""SmartActions per channel, as the source lists them, through the served functions:
mobile SDK calls: verification, up to 4 photos, screenshot, video, text input, redact;
mobile SDK chats: verification, photos, screenshot, video; web SDK chats: no request flow,
attachments only (.png, .jpg, .mp4). Anything else is a 409 naming the channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from emulators.suite import Suite
from tests.helpers.deflection import wait_session
from tests.helpers.smartactions import OPEN, bearer, png_bytes

KINDS = ("verification", "photo", "screenshot", "video", "text")


def _assign(functions: Suite, sid: str, portal_token: Callable[[str], str]) -> None:
    r = requests.post(
        functions.function_url("sessions_http") + f"/agent/sessions/{sid}/assign",
        json={"agent_id": "alex"},
        headers=bearer(portal_token("router")),
        timeout=30,
    )
    assert r.status_code == 200, r.text


def _sdk_call(functions: Suite, token: str) -> tuple[str, str]:
    """POST /sdk/calls, then the Voice SDK's leg reaches the TwiML App (stand-in signed)."""
    r = requests.post(
        functions.function_url("deflection_http") + "/sdk/calls",
        json={"queue_id": "billing-refunds"},
        headers=bearer(token),
        timeout=30,
    )
    assert r.status_code == 201, r.text
    params = r.json()["call"]["params"]
    twilio = functions.url("twilio")
    call = requests.post(
        f"{twilio}/_control/calls", json={"status": "in-progress"}, timeout=10
    ).json()
    got = requests.post(
        f"{twilio}/_control/send_webhook",
        json={
            "url": functions.function_url("deflection_http") + "/twilio/sdk-calls/voice",
            "params": {"CallSid": call["sid"], "From": "client:app-user", **params},
        },
        timeout=30,
    ).json()
    assert got["status"] == 200, got
    return params["session_id"], call["sid"]


def _chat(functions: Suite, token: str, channel: str) -> str:
    r = requests.post(
        functions.function_url("sessions_http") + "/sdk/chats",
        json={"channel": channel, "queue_id": "billing-refunds"},
        headers=bearer(token),
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return r.json()["session"]["id"]


def _ivr_call(functions: Suite) -> str:
    """A caller dials our number: the IVR webhook queues the call (open hours)."""
    twilio = functions.url("twilio")
    call = requests.post(
        f"{twilio}/_control/calls", json={"status": "in-progress"}, timeout=10
    ).json()
    got = requests.post(
        f"{twilio}/_control/send_webhook",
        json={
            "url": functions.function_url("deflection_http")
            + "/twilio/voice?queue=billing-refunds",
            "params": {"CallSid": call["sid"], "From": "+14155550199", "To": "+18005550100"},
        },
        timeout=30,
    ).json()
    assert got["status"] == 200 and "<Enqueue>" in got["body"], got
    # The session mark is committed by the writer just after the answer (batched marks).
    wait_session(call["sid"], "queued")
    return call["sid"]


def _ask(functions: Suite, sid: str, token: str, kind: str) -> requests.Response:
    return requests.post(
        functions.function_url("smartactions_http") + f"/agent/sessions/{sid}/smartactions",
        json={"kind": kind},
        headers=bearer(token),
        timeout=30,
    )


def _redact(functions: Suite, sid: str, token: str) -> requests.Response:
    return requests.post(
        functions.function_url("smartactions_http") + f"/agent/sessions/{sid}/redact",
        json={"action": "pause"},
        headers=bearer(token),
        timeout=30,
    )


def _attach(functions: Suite, sid: str, token: str) -> requests.Response:
    return requests.post(
        functions.function_url("smartactions_http") + f"/sdk/sessions/{sid}/attachments",
        params={"filename": "shot.png"},
        data=png_bytes(),
        headers=bearer(token) | {"Content-Type": "image/png"},
        timeout=30,
    )


def _refused(r: requests.Response, channel: str) -> None:
    assert r.status_code == 409, r.text
    err = r.json()["error"]
    assert err["code"] == "channel_unsupported" and err["field"] == "channel"
    assert channel in err["message"], err


@pytest.fixture
def demo(demo_as_of: Any) -> Any:
    """The demo center with billing open now (as on Monday noon): sessions start on the
    real clock, as in the cloud."""
    return demo_as_of(OPEN)


def test_each_channel_offers_what_the_source_lists(
    demo: Any,
    functions: Suite,
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    from core import carrier

    alex = portal_token("alex")

    # Mobile SDK call: every request kind, redact; no attachments (that is the chats').
    call, leg = _sdk_call(functions, sdk_token("caller"))
    _assign(functions, call, portal_token)
    for kind in KINDS:
        r = _ask(functions, call, alex, kind)
        assert r.status_code == 201, (kind, r.text)
    carrier.twilio().calls(leg).recordings.create()
    r = _redact(functions, call, alex)
    assert r.status_code == 200, r.text
    assert r.json()["recording"]["state"] == "paused"
    _refused(_attach(functions, call, sdk_token("caller")), "mobile SDK call")
    # The end user of the call sees the requests through the SDK.
    r = requests.get(
        functions.function_url("smartactions_http") + f"/sdk/sessions/{call}/smartactions",
        headers=bearer(sdk_token("caller")),
        timeout=30,
    )
    assert sorted(x["kind"] for x in r.json()["requests"]) == sorted(KINDS)

    # Mobile SDK chat: verification, photos, screenshot, video; no text input, no redact.
    chat = _chat(functions, sdk_token("mobile-chatter"), "mobile")
    _assign(functions, chat, portal_token)
    for kind in ("verification", "photo", "screenshot", "video"):
        assert _ask(functions, chat, alex, kind).status_code == 201, kind
    _refused(_ask(functions, chat, alex, "text"), "mobile SDK chat")
    _refused(_redact(functions, chat, alex), "mobile SDK chat")

    # Web SDK chat: no request flow at all; the end user attaches .png / .jpg / .mp4.
    web = _chat(functions, sdk_token("web-chatter"), "web")
    _assign(functions, web, portal_token)
    for kind in KINDS:
        _refused(_ask(functions, web, alex, kind), "web SDK chat")
    _refused(_redact(functions, web, alex), "web SDK chat")
    r = _attach(functions, web, sdk_token("web-chatter"))
    assert r.status_code == 201, r.text

    # IVR call: no SDK to answer a request; redact as before.
    ivr = _ivr_call(functions)
    _assign(functions, ivr, portal_token)
    for kind in KINDS:
        _refused(_ask(functions, ivr, alex, kind), "IVR call")
    carrier.twilio().calls(ivr).recordings.create()
    assert _redact(functions, ivr, alex).status_code == 200
