"""The stuck-session sweeper: ends only sessions past their channel's threshold."""

from __future__ import annotations

import base64
import json
import time
import uuid

import requests


def scheduler_event(
    payload: dict | None = None, attributes: dict | None = None, message_id: str | None = None
):
    """A Pub/Sub CloudEvent as Cloud Scheduler -> Pub/Sub -> Eventarc delivers it."""
    from cloudevents.http import CloudEvent

    mid = message_id or uuid.uuid4().hex
    data = base64.b64encode(json.dumps(payload or {}).encode()).decode()
    return CloudEvent(
        {
            "type": "google.cloud.pubsub.topic.v1.messagePublished",
            "source": "//pubsub.googleapis.com/projects/p/topics/scheduler-stuck-sessions",
            "id": mid,
        },
        {"message": {"data": data, "attributes": attributes or {}, "messageId": mid}},
    )


def test_sweeper_dry_run_then_ends_only_stuck_sessions(
    suite, demo, put_session, live_call, audit_entries
) -> None:
    from core.sessions import store
    from monitoring import sweeper

    now = time.time()
    hours = 3600.0
    stuck_call = live_call("billing-refunds", created_at=now - 6 * hours)
    fresh_call = live_call("billing-refunds", created_at=now - 4.9 * hours)
    stuck_web = put_session(channel="web", queue_id="sales-general", created_at=now - 5.5 * hours)
    stuck_queued_sms = put_session(
        channel="sms", queue_id="support-mobile", status="queued", created_at=now - 8 * hours
    )
    old_ended = put_session(queue_id="billing-refunds", status="ended", created_at=now - 30 * hours)
    fresh_chat = put_session(channel="chat", queue_id="billing-refunds", created_at=now - 1 * hours)
    stuck = {stuck_call["id"], stuck_web["id"], stuck_queued_sms["id"]}

    report = sweeper.handle(scheduler_event(attributes={"dry_run": "true"}))
    assert {i["id"] for i in report["would_end"]} == stuck and report["ended"] == []
    assert store.get(stuck_call["id"])["status"] == "connected"
    assert audit_entries() == []

    event = scheduler_event()
    report = sweeper.handle(event)
    assert {i["id"] for i in report["ended"]} == stuck and report["failed"] == []
    for s in stuck:
        doc = store.get(s)
        assert doc["status"] == "ended" and doc["ended_by"]["id"] == "stuck-session-sweeper"
        assert (
            doc["ended_by"]["via"] == "sweeper"
            and "stuck for more than 5 h" in doc["ended_by"]["reason"]
        )
    for untouched, status in (
        (fresh_call, "connected"),
        (fresh_chat, "connected"),
        (old_ended, "ended"),
    ):
        assert store.get(untouched["id"])["status"] == status
    assert store.get(old_ended["id"])["ended_by"] is None
    calls = requests.get(f"{suite.url('twilio')}/_control/calls", timeout=5).json()["calls"]
    status = {c["sid"]: c["status"] for c in calls}
    assert status[stuck_call["_twilio"]["call_sid"]] == "completed"
    assert status[fresh_call["_twilio"]["call_sid"]] == "in-progress"

    # Pub/Sub redelivers the same message: claimed once, nothing runs twice.
    assert sweeper.handle(event) is None
    ends = [e for e in audit_entries() if e["action"] == "session.end"]
    assert sorted(e["session_id"] for e in ends) == sorted(stuck)
    assert all(e["actor"]["type"] == "system" for e in ends)

    # Time is injectable: 2 hours later the 4.9 h call is stuck too, the 1 h chat is not.
    later = sweeper.sweep(now=now + 2 * hours)
    assert [i["id"] for i in later["ended"]] == [fresh_call["id"]]
    assert store.get(fresh_chat["id"])["status"] == "connected"


def test_thresholds_per_channel_with_chat_fallback(suite, apply_config, put_session) -> None:
    import yaml

    from monitoring import sweeper
    from tests.helpers.common import DEMO_CONFIG

    cfg = yaml.safe_load(DEMO_CONFIG.read_text())
    cfg["center"]["stuck_session_hours"] = {"voice": 2, "chat": 10, "sms": 1}
    apply_config(cfg)
    assert sweeper.thresholds({"voice": 2, "chat": 10, "sms": 1}) == {
        "voice": 2.0,
        "chat": 10.0,
        "web": 10.0,
        "mobile": 10.0,
        "sms": 1.0,
    }
    now = time.time()
    web = put_session(channel="web", queue_id="sales-general", created_at=now - 3 * 3600)
    sms = put_session(channel="sms", queue_id="sales-general", created_at=now - 3 * 3600)
    report = sweeper.sweep(now=now, dry_run=True)
    assert [i["id"] for i in report["would_end"]] == [sms["id"]]
    assert web["id"] not in {i["id"] for i in report["would_end"]}
