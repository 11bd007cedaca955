"""Mobile "Leave a callback message" bound to the selected queue, end to end: the SDK
request, the carrier's outbound call (Twilio stand-in), the greeting leg, the recording,
and delivery to that queue's agents when it opens."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from tests.deflection.test_voicemail import TUE_MORNING, tick, voicemails
from tests.helpers.deflection import MON_NIGHT, MON_NOON, wait_for, wait_session

PHONE = "+14155550177"


def ask(fn_url: str, token: str, body: dict[str, Any], key: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return requests.post(f"{fn_url}/sdk/voicemail", json=body, headers=headers, timeout=30)


def carrier_calls(functions: Any) -> list[dict[str, Any]]:
    r = requests.get(f"{functions.url('twilio')}/_control/calls", timeout=10)
    return [c for c in r.json()["calls"] if c["to"] == PHONE]


def test_callback_message_reaches_the_selected_queues_agents(
    demo_as_of: Any, functions: Any, fn_url: str, sdk_token: Any
) -> None:
    demo_as_of(MON_NIGHT)
    tok = sdk_token("u-7", phone=PHONE)
    # The decision offers the option with the request that binds it to the queue.
    r = requests.post(
        f"{fn_url}/sdk/deflection",
        json={"queue_id": "billing-refunds", "platform": "mobile"},
        headers={"Authorization": f"Bearer {tok}"},
        timeout=30,
    )
    vm_opt = next(o for o in r.json()["options"] if o["type"] == "voicemail")
    assert vm_opt["label"] == "Leave a callback message"
    assert vm_opt["queue_id"] == "billing-refunds"
    assert vm_opt["request"] == {"method": "POST", "path": "/sdk/voicemail"}

    r = ask(fn_url, tok, {"queue_id": "billing-refunds"}, key="k-1")
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["queue_id"] == "billing-refunds" and first["replayed"] is False
    again = ask(fn_url, tok, {"queue_id": "billing-refunds"}, key="k-1").json()
    assert again["call_sid"] == first["call_sid"] and again["replayed"] is True
    (call,) = carrier_calls(functions)  # one ring, not two
    assert call["sid"] == first["call_sid"] and call["from"] == "+18005550100"
    q = parse_qs(urlparse(call["url"]).query)
    assert q["queue"] == ["billing-refunds"] and q["callback"] == [PHONE]

    # The customer answers: the carrier fetches the call's (signed) URL.
    entry = requests.post(
        f"{functions.url('twilio')}/_control/send_webhook",
        json={
            "url": call["url"],
            "params": {"CallSid": call["sid"], "From": "+18005550100", "To": PHONE},
        },
        timeout=30,
    ).json()
    assert entry["status"] == 200, entry
    xml = ET.fromstring(entry["body"])
    assert [c.tag for c in xml] == ["Play", "Record", "Hangup"]
    rec = xml.find("Record")
    assert rec is not None
    cb = rec.get("recordingStatusCallback", "")
    assert "queue=billing-refunds" in cb
    requests.post(
        f"{functions.url('twilio')}/_control/recordings",
        json={
            "call_sid": call["sid"],
            "seconds": 2,
            "bytes_per_second": 800,
            "status_callback": cb,
        },
        timeout=10,
    ).raise_for_status()
    vm = wait_for(voicemails)[0]
    assert vm["queue_id"] == "billing-refunds" and vm["callback_number"] == PHONE
    assert wait_session(call["sid"], "voicemail")["queue_id"] == "billing-refunds"
    demo_as_of(TUE_MORNING)  # the queue opens
    tick(functions)
    done = wait_for(lambda: [v for v in voicemails() if v["status"] == "delivered"])[0]
    assert done["delivery"]["to"] == "agents"
    from core.config.store import get_view

    assert done["delivery"]["agents"] == sorted(get_view().agents_of_queue("billing-refunds"))
    assert done["delivery"]["agents"]


def test_callback_message_refusals_name_the_field(
    demo_as_of: Any, functions: Any, fn_url: str, sdk_token: Any
) -> None:
    tok = sdk_token("u-8", phone="+14155550179")  # not PHONE: the other test counts its calls
    demo_as_of(MON_NOON)
    r = ask(fn_url, tok, {"queue_id": "billing-refunds"})  # open: not offered
    assert r.status_code == 409 and r.json()["error"]["field"] == "queue_id"
    demo_as_of(MON_NIGHT)
    r = ask(fn_url, tok, {"queue_id": "sales-general"})  # 24/7: never offered
    assert r.status_code == 409
    r = ask(fn_url, sdk_token("u-9"), {"queue_id": "billing-refunds"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "phone"
    r = ask(fn_url, tok, {"queue_id": "billing-refunds", "phone": "555"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "phone"
    r = ask(fn_url, tok, {"queue_id": "billing-refunds", "color": "red"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "color"
    r = ask(fn_url, tok, {"queue_id": "nope"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "queue_id"
    assert ask(fn_url, "junk", {"queue_id": "billing-refunds"}).status_code == 401
    r = ask(fn_url, tok, {"queue_id": "billing-refunds"}, key="k-2")
    assert r.status_code == 200
    r = ask(fn_url, tok, {"queue_id": "billing-refunds", "phone": "+14155550178"}, key="k-2")
    assert r.status_code == 400 and r.json()["error"]["field"] == "Idempotency-Key"
    assert not [c for c in carrier_calls(functions) if c["to"] == "+14155550178"]
