"""Scheduled calls end to end: slots offered only where the queue enables them, booking
(idempotent, per-slot capacity), cancellation by the owner, and the callback at the slot
time through Cloud Tasks (emulator, `schedule_time`) and the carrier (Twilio stand-in),
whose answered leg enqueues the customer in the queue."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from core import clients
from tests.helpers.common import tasks_headers
from tests.helpers.deflection import MON_NIGHT, wait_for, wait_session


def offer(fn_url: str, token: str, queue: str) -> dict[str, Any] | None:
    r = requests.post(
        f"{fn_url}/sdk/deflection",
        json={"queue_id": queue, "platform": "mobile"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return next((o for o in r.json()["options"] if o["type"] == "scheduled_call"), None)


def book(fn_url: str, token: str, slot: str, key: str = "", **extra: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return requests.post(
        f"{fn_url}/sdk/scheduled-calls",
        json={"queue_id": "billing-payments", "slot_start": slot} | extra,
        headers=headers,
        timeout=30,
    )


def cancel(fn_url: str, token: str, booking_id: str) -> requests.Response:
    return requests.delete(
        f"{fn_url}/sdk/scheduled-calls/{booking_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_booking_is_idempotent_capped_and_cancellable_by_its_owner(
    demo_as_of: Any, functions: Any, fn_url: str, sdk_token: Any
) -> None:
    demo_as_of(MON_NIGHT)  # closed now; billing opens in two hours
    a = sdk_token("u-20", phone="+14155550120")
    b = sdk_token("u-21", phone="+14155550121")
    c = sdk_token("u-22", phone="+14155550122")
    # Only queues whose channel settings enable scheduled calls offer them.
    assert offer(fn_url, a, "sales-spanish") is None
    opt = offer(fn_url, a, "billing-payments")
    assert opt is not None and opt["request"]["path"] == "/sdk/scheduled-calls"
    slot = opt["slots"][0]["start"]
    # The first slot is when the queue opens: in the future, so the task waits for it.
    ahead = dt.datetime.fromisoformat(slot) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=118) <= ahead <= dt.timedelta(minutes=150), slot

    r1 = book(fn_url, a, slot, key="k-1")
    assert r1.status_code == 201, r1.text
    first = r1.json()
    again = book(fn_url, a, slot, key="k-1")
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert again.json()["replayed"] is True
    rb = book(fn_url, b, slot)  # no key: idempotent by (end user, slot)
    assert rb.status_code == 201
    assert book(fn_url, b, slot).json()["id"] == rb.json()["id"]
    # Capacity 2 (the demo queue's setting): a third customer is refused.
    full = book(fn_url, c, slot)
    assert full.status_code == 409 and full.json()["error"]["field"] == "slot_start"
    slot_doc = (
        clients.firestore()
        .collection("scheduled_slots")
        .document(f"billing-payments:{int(dt.datetime.fromisoformat(slot).timestamp())}")
        .get()
        .to_dict()
    )
    assert slot_doc["count"] == 2

    # The callback task waits in the queue for the slot start.
    parent = clients.queue_path("scheduled-callbacks")
    tasks = {t.name: t for t in clients.tasks().list_tasks(parent=parent)}
    assert first["task"] in tasks
    eta = tasks[first["task"]].schedule_time
    assert eta.timestamp() == dt.datetime.fromisoformat(slot).timestamp()

    # Someone else's booking is not theirs to cancel; the owner's cancel frees the place.
    assert cancel(fn_url, c, rb.json()["id"]).status_code == 404
    gone = cancel(fn_url, b, rb.json()["id"])
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    assert cancel(fn_url, b, rb.json()["id"]).status_code == 200  # repeated cancel
    assert book(fn_url, c, slot).status_code == 201

    # Refusals name the field.
    off_grid = (dt.datetime.fromisoformat(slot) + dt.timedelta(minutes=10)).isoformat()
    r = book(fn_url, a, off_grid)
    assert r.status_code == 400 and r.json()["error"]["field"] == "slot_start"
    r = book(fn_url, sdk_token("u-23"), slot)
    assert r.status_code == 400 and r.json()["error"]["field"] == "phone"
    r = book(fn_url, a, slot, color="red")
    assert r.status_code == 400 and r.json()["error"]["field"] == "color"
    r = book(fn_url, a, slot, key="k-1", phone="+14155550199")
    assert r.status_code == 400 and r.json()["error"]["field"] == "Idempotency-Key"


def test_callback_at_the_slot_calls_the_customer_into_the_queue(
    demo_as_of: Any, functions: Any, fn_url: str, sdk_token: Any
) -> None:
    demo_as_of(MON_NIGHT)
    phone = "+14155550130"
    tok = sdk_token("u-30", phone=phone)
    opt = offer(fn_url, tok, "billing-payments")
    assert opt is not None
    slot = opt["slots"][0]["start"]  # when billing opens, two hours from now
    r = book(fn_url, tok, slot)
    assert r.status_code == 201, r.text
    booking_id = r.json()["id"]
    ref = clients.firestore().collection("scheduled_calls").document(booking_id)

    # Cloud Tasks runs the task (forced now, as `gcloud tasks run` does, rather than waiting
    # two hours for its schedule_time); the function dials the customer.
    clients.tasks().run_task(name=r.json()["task"])
    called = wait_for(lambda: (d := ref.get().to_dict()) and d["status"] == "called" and d, 20)
    calls = requests.get(f"{functions.url('twilio')}/_control/calls", timeout=10).json()["calls"]
    (call,) = [c for c in calls if c["to"] == phone]
    assert call["sid"] == called["call_sid"]
    q = parse_qs(urlparse(call["url"]).query)
    assert q["queue"] == ["billing-payments"] and q["booking"] == [booking_id]

    # A redelivered task does not ring twice.
    from deflection import scheduled

    body = json.dumps({"booking_id": booking_id}).encode()
    again = requests.post(
        f"{fn_url}/tasks/scheduled-call",
        data=body,
        headers={"Content-Type": "application/json", scheduled.TASK_HEADER: scheduled.sign(body)}
        | tasks_headers(functions, "deflection_http"),
        timeout=30,
    )
    assert again.status_code == 200 and again.json()["status"] == "called"
    calls = requests.get(f"{functions.url('twilio')}/_control/calls", timeout=10).json()["calls"]
    assert len([c for c in calls if c["to"] == phone]) == 1
    bad = requests.post(
        f"{fn_url}/tasks/scheduled-call",
        data=body,
        headers={"Content-Type": "application/json", scheduled.TASK_HEADER: "0" * 64}
        | tasks_headers(functions, "deflection_http"),
        timeout=30,
    )
    assert bad.status_code == 403

    # The customer answers: TwiML puts the call in the queue and the session is queued.
    entry = requests.post(
        f"{functions.url('twilio')}/_control/send_webhook",
        json={"url": call["url"], "params": {"CallSid": call["sid"], "From": "x", "To": phone}},
        timeout=30,
    ).json()
    assert entry["status"] == 200, entry
    xml = ET.fromstring(entry["body"])
    assert [c.tag for c in xml] == ["Enqueue"] and xml[0].text == "billing-payments"
    doc = wait_session(call["sid"], "queued")
    assert doc["queue_id"] == "billing-payments" and doc["end_user"]["phone"] == phone
    assert doc["end_user"]["id"] == "u-30"
    # Too late to cancel once the callback started.
    assert cancel(fn_url, tok, booking_id).status_code == 409
