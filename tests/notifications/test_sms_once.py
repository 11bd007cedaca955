"""SMS to the agent's profile phone: exactly once per assignment, whether the session event
is delivered twice to the served function or twice through the real push subscription."""

from __future__ import annotations

import base64
import time

import requests

from tests.helpers.notifications import connected_event, queued_call

TOPIC = "projects/demo-contact-center/topics/session-events"


def _sms(suite) -> list[dict]:
    return requests.get(f"{suite.url('twilio')}/_control/messages", timeout=5).json()["messages"]


def _wait(pred, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _duplicates_logged(suite, event_id: str) -> int:
    log = suite.run_dir / "logs" / "fn-notifications_on_event.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return sum(
        1 for line in text.splitlines() if "duplicate delivery ignored" in line and event_id in line
    )


def _log_tail(suite) -> str:
    log = suite.run_dir / "logs" / "fn-notifications_on_event.log"
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:])


def _assign_served(suite, auth, sid: str, agent: str) -> None:
    r = requests.post(
        f"{suite.function_url('sessions_http')}/agent/sessions/{sid}/assign",
        json={"agent_id": agent},
        headers=auth("router"),  # routing assigns
        timeout=15,
    )
    assert r.status_code == 200, r.text


def test_sms_once_per_assignment_despite_duplicate_deliveries(
    functions, tree, auth, subscribe
) -> None:
    from google.cloud import pubsub_v1

    from core import idempotency, tts
    from core.sessions import store
    from notifications import on_event
    from tests.helpers.common import push_headers

    suite = functions
    sub = subscribe("session-events")
    sid = queued_call("fiber", "Support > Internet > Fiber")
    _assign_served(suite, auth, sid, "alex")
    msg = connected_event(suite, sub, sid)
    event_id = msg.attributes["event_id"]
    # The real push subscription delivers the event to the served function.
    _wait(lambda: on_event.stored(sid) is not None, what="the announcement")
    _wait(
        lambda: idempotency.is_done(f"notifications:announce:{event_id}"),
        what="the first delivery to finish",
    )  # until then a duplicate answers 500: retry

    # The same Pub/Sub message delivered twice more to the served function (a redelivery).
    envelope = {
        "message": {
            "data": base64.b64encode(msg.data).decode(),
            "attributes": dict(msg.attributes),
            "messageId": msg.message_id,
            "publishTime": "2026-01-01T00:00:00Z",
        },
        "subscription": "projects/demo-contact-center/subscriptions/redelivery",
    }
    for _ in range(2):
        r = requests.post(
            suite.function_url("notifications_on_event") + "/",
            json=envelope,
            headers=push_headers(suite, "notifications_on_event"),
            timeout=30,
        )
        assert r.status_code < 300, _log_tail(suite)
    # And published twice again through the topic (as an outbox re-flush would).
    pub = pubsub_v1.PublisherClient()
    for _ in range(2):
        pub.publish(TOPIC, msg.data, **dict(msg.attributes)).result(timeout=10)
    _wait(lambda: _duplicates_logged(suite, event_id) >= 4, what="four duplicate deliveries")

    sms = _sms(suite)
    assert len(sms) == 1, sms
    assert sms[0]["to"] == "+14155550101" and sid in sms[0]["body"]
    assert "Support > Internet > Fiber" in sms[0]["body"]
    ann = on_event.stored(sid)
    assert ann["sms"]["status"] == "sent" and ann["sms"]["sid"] == sms[0]["sid"]
    # The wait-time addition happened once too (Fiber: whisper only, countdown off).
    doc = store.get(sid)
    w = tts.render("Internet outage line", "en-US", speed=1.5).duration_seconds
    assert doc["metrics"]["whisper_seconds"] == w and doc["metrics"]["countdown_seconds"] == 0
    assert abs(doc["metrics"]["wait_seconds"] - (doc["connected_at"] - doc["queued_at"] + w)) < 0.01

    # A second assignment is a second notification; an agent without a phone gets none.
    other = queued_call("fiber", "Support > Internet > Fiber")
    _assign_served(suite, auth, other, "nia")
    _wait(lambda: on_event.stored(other) is not None, what="the second announcement")
    assert on_event.stored(other)["sms"]["status"] == "no_phone"
    third = queued_call("fiber", "Support > Internet > Fiber")
    _assign_served(suite, auth, third, "alex")
    _wait(lambda: len(_sms(suite)) == 2, what="the second SMS")
    time.sleep(1.0)
    assert len(_sms(suite)) == 2


def test_a_rejected_sms_logs_the_agent_not_the_phone_number(suite, caplog) -> None:
    import logging

    from core.logs import JsonFormatter
    from notifications import sms

    phone = "+14155550101"
    requests.post(
        f"{suite.url('twilio')}/_control/faults",
        json={
            "route": "messages",
            "faults": [
                {
                    "kind": "status",
                    "status": 400,
                    "body": {
                        "code": 21211,
                        "message": f"The 'To' number {phone} is not a valid phone number.",
                        "status": 400,
                    },
                }
            ],
        },
        timeout=5,
    ).raise_for_status()
    ann = {
        "session_id": "CA" + "1" * 32,
        "event_id": "ev-sms-rejected",
        "agent_id": "alex",
        "queue_path": "Support > Internet",
        "sms": {"enabled": True, "to": phone, "status": "pending"},
    }
    with caplog.at_level(logging.DEBUG):
        out = sms.notify_once(ann)
    assert out["status"] == "failed"
    lines = [JsonFormatter().format(r) for r in caplog.records]
    rejected = [line for line in lines if "agent SMS rejected" in line]
    assert rejected and '"agent_id": "alex"' in rejected[0], lines
    assert not [line for line in lines if phone in line or phone[1:] in line], lines
