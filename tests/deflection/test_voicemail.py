"""Voicemail end to end: TwiML <Record>, the Twilio stand-in's recording callback, storage,
and delivery when the queue opens, driven by the scheduler topic with an injected time."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import requests
from google.cloud import pubsub_v1

from core import clients
from tests.helpers.deflection import MON_NIGHT, call_sid, demo_dict, wait_for, wait_session

TUE_MORNING = "2026-06-02T13:30:00Z"  # Tuesday 09:30 New York: business open


def leave_voicemail(suite: Any, twilio_post: Any, queue: str, seconds: int = 3) -> str:
    sid = call_sid()
    r = twilio_post(
        "/twilio/voice",
        {"CallSid": sid, "From": "+14155550123", "To": "+18005550100"},
        {"queue": queue},
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


def tick(suite: Any) -> None:
    """What Cloud Scheduler publishes every few minutes (the time is the deliverer's own)."""
    pub = pubsub_v1.PublisherClient()
    pub.publish(
        pub.topic_path(suite.project, "scheduler-voicemail"), json.dumps({}).encode()
    ).result(timeout=10)


def voicemails() -> list[dict[str, Any]]:
    return [d.to_dict() for d in clients.firestore().collection("voicemails").stream()]


def test_voicemail_is_stored_then_delivered_to_agents_when_open(
    demo_as_of: Any, functions: Any, twilio_post: Any
) -> None:
    demo_as_of(MON_NIGHT)
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
    tick(functions)
    import time

    time.sleep(2)
    assert voicemails()[0]["status"] == "pending"
    demo_as_of(TUE_MORNING)  # the queue opens
    tick(functions)
    delivered = wait_for(lambda: [v for v in voicemails() if v["status"] == "delivered"])[0]
    assert delivered["delivery"]["to"] == "agents"
    assert delivered["delivery"]["agents"] == ["quinn"]  # the sales team
    notes = [d.to_dict() for d in clients.firestore().collection("agent_notifications").stream()]
    assert [(n["agent_id"], n["voicemail_id"]) for n in notes] == [("quinn", vm["id"])]
    tick(functions)  # a second tick changes nothing
    time.sleep(2)
    assert len(list(clients.firestore().collection("agent_notifications").stream())) == 1


def test_top_level_queue_without_agents_gets_a_crm_ticket_once(
    demo_as_of: Any, functions: Any, twilio_post: Any
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
    demo_as_of(MON_NIGHT, cfg)
    leave_voicemail(functions, twilio_post, "night-line", seconds=2)
    vm = wait_for(voicemails)[0]
    demo_as_of(TUE_MORNING, cfg)
    tick(functions)
    tick(functions)
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


def test_a_closed_queues_backlog_never_starves_an_open_queue(suite: Any, demo: Any) -> None:
    """600 voicemails wait on a closed queue (older, and first by id); three on a queue
    that is open now are delivered in the same run, and the backlog is left untouched."""
    import datetime as dt

    from core.config.store import get_view
    from deflection import voicemail

    db = clients.firestore()
    night = dt.datetime(2026, 6, 2, 4, 0, tzinfo=dt.UTC)  # business closed; sales-general 24/7

    def vm(i: int, qid: str, prefix: str, left_at: float) -> dict[str, Any]:
        return {
            "id": f"RE{prefix}{i:030x}",
            "call_sid": f"CA{i:032x}",
            "queue_id": qid,
            "queue_path": qid,
            "language": "en-US",
            "from": "+14155550123",
            "callback_number": None,
            "bucket": "media",
            "object": f"voicemails/x/{i}.wav",
            "size": 10,
            "duration_seconds": 1,
            "status": "pending",
            "left_at": left_at,
            "created_at": left_at,
            "delivered_at": None,
            "delivery": None,
        }

    docs = [vm(i, "billing-refunds", "00", 1_000 + i) for i in range(600)]
    docs += [vm(i, "sales-general", "ff", 9_000 + i) for i in range(3)]
    for start in range(0, len(docs), 400):
        batch = db.batch()
        for d in docs[start : start + 400]:
            batch.set(db.collection("voicemails").document(d["id"]), d)
        batch.commit()

    counts = voicemail.deliver_due(get_view(), night)
    assert counts["agents"] == 3 and counts["closed_queues"] == 1, counts
    by_queue: dict[str, set[str]] = {}
    for v in voicemails():
        by_queue.setdefault(v["queue_id"], set()).add(v["status"])
    assert by_queue == {"billing-refunds": {"pending"}, "sales-general": {"delivered"}}
    # When billing opens, its whole backlog goes, oldest first, within the per-run budget.
    voicemail.PER_QUEUE_PER_RUN, budget = 250, voicemail.PER_QUEUE_PER_RUN
    try:
        morning = dt.datetime.fromisoformat(TUE_MORNING)
        assert voicemail.deliver_due(get_view(), morning)["agents"] == 250
        left = sorted(v["left_at"] for v in voicemails() if v["status"] == "pending")
        assert len(left) == 350 and left[0] == 1_250
    finally:
        voicemail.PER_QUEUE_PER_RUN = budget
