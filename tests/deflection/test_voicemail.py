"""Voicemail end to end: TwiML <Record>, the Twilio stand-in's recording callback, storage,
and delivery when the queue opens, driven by the scheduler topic with an injected time."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import requests
from google.cloud import pubsub_v1

from core import clients
from tests.deflection.conftest import (
    MON_NIGHT,
    call_sid,
    demo_dict,
    wait_for,
    wait_session,
)

TUE_MORNING = "2026-06-02T13:30:00Z"  # Tuesday 09:30 New York: business open


def leave_voicemail(suite: Any, twilio_post: Any, queue: str, seconds: int = 3) -> str:
    sid = call_sid()
    r = twilio_post(
        "/twilio/voice",
        {"CallSid": sid, "From": "+14155550123", "To": "+18005550100"},
        {"queue": queue, "at": MON_NIGHT},
    )
    rec = ET.fromstring(r.text).find("Record")
    assert rec is not None, r.text
    wait_session(sid, "deflected")
    # The carrier records, then calls the (signed) recording-status callback.
    requests.post(
        f"{suite.url('twilio')}/_control/recordings",
        json={
            "call_sid": sid,
            "seconds": seconds,
            "bytes_per_second": 800,
            "status_callback": rec.get("recordingStatusCallback"),
        },
        timeout=10,
    ).raise_for_status()
    return sid


def tick(suite: Any, at: str) -> None:
    pub = pubsub_v1.PublisherClient()
    pub.publish(
        pub.topic_path(suite.project, "scheduler-voicemail"), json.dumps({"at": at}).encode()
    ).result(timeout=10)


def voicemails() -> list[dict[str, Any]]:
    return [d.to_dict() for d in clients.firestore().collection("voicemails").stream()]


def test_voicemail_is_stored_then_delivered_to_agents_when_open(
    demo: Any, functions: Any, twilio_post: Any
) -> None:
    sid = leave_voicemail(functions, twilio_post, "sales-spanish")
    doc = wait_session(sid, "voicemail")
    vm = wait_for(voicemails)[0]
    assert vm["status"] == "pending" and vm["call_sid"] == sid and vm["size"] == 2400
    assert doc["voicemail"]["id"] == vm["id"]
    blob = clients.storage_client().bucket("media").blob(vm["object"])
    assert len(blob.download_as_bytes()) == 2400
    # The carrier's copy is deleted once ours is stored.
    deletions = requests.get(f"{functions.url('twilio')}/_control/deletions", timeout=10).json()
    assert any(d["sid"] == vm["id"] for d in deletions["deletions"])
    # Still closed at night: nothing delivered.
    tick(functions, "2026-06-02T04:00:00Z")
    import time

    time.sleep(2)
    assert voicemails()[0]["status"] == "pending"
    tick(functions, TUE_MORNING)
    delivered = wait_for(lambda: [v for v in voicemails() if v["status"] == "delivered"])[0]
    assert delivered["delivery"]["to"] == "agents"
    assert delivered["delivery"]["agents"] == ["quinn"]  # the sales team
    notes = [d.to_dict() for d in clients.firestore().collection("agent_notifications").stream()]
    assert [(n["agent_id"], n["voicemail_id"]) for n in notes] == [("quinn", vm["id"])]
    tick(functions, TUE_MORNING)  # a second tick changes nothing
    time.sleep(2)
    assert len(list(clients.firestore().collection("agent_notifications").stream())) == 1


def test_top_level_queue_without_agents_gets_a_crm_ticket_once(
    apply_config: Any, functions: Any, twilio_post: Any
) -> None:
    cfg = demo_dict()
    cfg["queues"].append(
        {
            "id": "night-line",
            "name": "Night line",
            "channels": ["voice"],
            "deflection": {"voice": {"enabled": True, "option": "voicemail"}},
        }
    )
    apply_config(cfg)
    leave_voicemail(functions, twilio_post, "night-line", seconds=2)
    vm = wait_for(voicemails)[0]
    tick(functions, TUE_MORNING)
    tick(functions, TUE_MORNING)
    done = wait_for(lambda: [v for v in voicemails() if v["status"] == "delivered"])[0]
    assert done["delivery"]["to"] == "crm"
    zd = functions.url("zendesk")
    import time

    time.sleep(2)
    tickets = requests.get(f"{zd}/_control/tickets", timeout=10).json()["tickets"]
    assert len(tickets) == 1 and tickets[0]["external_id"] == f"voicemail:{vm['id']}"
    assert tickets[0]["id"] == done["delivery"]["ticket_id"]
    atts = requests.get(f"{zd}/_control/tickets/{tickets[0]['id']}/attachments", timeout=10).json()[
        "attachments"
    ]
    assert len(atts) == 1 and atts[0]["size"] == 1600
    assert atts[0]["content_type"] == "audio/wav"
