"""Call details show what the seed lists: call metrics, transfers (recorded from carrier and
routing events: from / to queue or agent, time, who), participants (the customer leg and
every agent leg) and profile flags. Through the served functions and the Twilio stand-in."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import requests

from tests.helpers.common import pull_all, twilio_signed
from tests.helpers.monitoring import sid

MON_NIGHT = "2026-06-02T03:30:00Z"  # Monday 23:30 EDT: billing closed, sales-general 24/7


def _leg(suite: Any, conference: str, label: str) -> str:
    r = requests.post(
        f"{suite.url('twilio')}/_control/calls",
        json={"status": "in-progress", "conference_sid": conference, "label": label},
        timeout=5,
    )
    r.raise_for_status()
    return r.json()["sid"]


def _wait(fetch: Any, timeout: float = 10.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = fetch()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_after_hours_transfer_from_the_carrier_webhook_is_in_call_details(
    suite, served, demo_as_of
) -> None:
    from core.sessions import store

    demo_as_of(MON_NIGHT)  # billing closed: refunds deflect to the 24/7 sales queue

    call_sid = sid("CA")
    params = {
        "CallSid": call_sid,
        "From": "+14155550123",
        "To": "+18005550100",
        "AccountSid": "AC" + "0" * 32,
    }
    url = (
        suite.function_url("deflection_http")
        + "/twilio/voice?"
        + urlencode({"queue": "billing-refunds"})
    )
    r = requests.post(url, data=params, headers=twilio_signed(url, params), timeout=30)
    assert r.status_code == 200, r.text
    _wait(lambda: (store.get(call_sid) or {}).get("status") == "queued")

    details = served.mon("GET", f"/calls/{call_sid}", "ada").json()["session"]
    assert details["queue_id"] == "sales-general"
    [t] = details["transfers"]
    assert t["kind"] == "queue"
    assert t["from"]["queue_id"] == "billing-refunds" and t["to"]["queue_id"] == "sales-general"
    assert t["to"]["queue_path"] == "Sales > General"
    assert t["by"] == {"type": "system", "id": "after-hours-deflection"}
    assert t["at"] > 0
    # The customer leg is known from the carrier even before an agent joins.
    assert [(p["role"], p["call_sid"]) for p in details["participants"]] == [("customer", call_sid)]
    # A duplicate webhook records no second transfer.
    r = requests.post(url, data=params, headers=twilio_signed(url, params), timeout=30)
    assert r.status_code == 200
    time.sleep(0.5)
    assert len(store.get(call_sid)["transfers"]) == 1


def test_routing_transfers_participants_metrics_and_flags_in_call_details(
    suite, served, put_session, subscribe
) -> None:
    events = subscribe("session-events")
    conference = sid("CF")
    customer = _leg(suite, conference, "customer")
    legs = {who: _leg(suite, conference, who) for who in ("alex", "mona", "bea")}
    profile = {
        "verified_customer": True,
        "bad_actor": False,
        "repeat_customer": True,
        "label": "verified",
    }
    put_session(
        customer,
        status="queued",
        queue_id="billing-refunds",
        carrier={"call_sid": customer, "conference_sid": conference, "from": "+14155550123"},
        profile=profile,
    )

    def routing(path: str, body: dict[str, Any], user: str = "router") -> requests.Response:
        return served.call(
            "sessions_http", "POST", f"/agent/sessions/{customer}{path}", user, json=body
        )

    r = routing("/assign", {"agent_id": "alex", "agent_call_sid": legs["alex"]})
    assert r.status_code == 200, r.text
    # Routing hands the call to mona (an escalation): an agent-to-agent transfer.
    r = routing(
        "/transfer",
        {"to_agent_id": "mona", "agent_call_sid": legs["mona"], "reason": "escalation"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["changed"] is True and r.json()["transfer"]["kind"] == "agent"
    again = routing("/transfer", {"to_agent_id": "mona", "agent_call_sid": legs["mona"]})
    assert again.status_code == 200 and again.json()["changed"] is False
    # mona sends it to technical support's queue; bea picks it up there.
    r = routing("/transfer", {"to_queue_id": "support-internet"})
    assert r.status_code == 200 and r.json()["session"]["status"] == "queued"
    r = routing("/assign", {"agent_id": "bea", "agent_call_sid": legs["bea"]})
    assert r.status_code == 200, r.text

    # Bad transfers: refused with the field, nothing recorded.
    for body, field in (
        ({}, "to_queue_id"),
        ({"to_queue_id": "sales-general", "to_agent_id": "sam"}, "to_queue_id"),
        ({"to_queue_id": "nope"}, "to_queue_id"),
        ({"to_agent_id": "nobody"}, "to_agent_id"),
        ({"to_agent_id": "sam", "agent_call_sid": "CA123"}, "agent_call_sid"),
        ({"to_agent_id": "sam", "colour": "red"}, "colour"),
    ):
        r = routing("/transfer", body)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, (body, r.text)
    stranger = sid("CA")  # a live call, but not in this conference
    _leg(suite, sid("CF"), "elsewhere")
    r = routing("/transfer", {"to_agent_id": "sam", "agent_call_sid": stranger})
    assert r.status_code == 409 and r.json()["error"]["field"] == "agent_call_sid"
    assert routing("/transfer", {"to_agent_id": "sam"}, user="alex").status_code == 403

    details = served.mon("GET", f"/calls/{customer}", "ada").json()["session"]
    assert details["status"] == "connected" and details["agent"]["id"] == "bea"
    first, second = details["transfers"]
    assert (first["kind"], first["from"]["agent_id"], first["to"]["agent_id"]) == (
        "agent",
        "alex",
        "mona",
    )
    assert first["from"]["agent_name"] == "Alex Agent"
    assert first["to"]["agent_name"] == "Mona Manager"
    assert first["from"]["queue_id"] == first["to"]["queue_id"] == "billing-refunds"
    assert first["by"]["id"] == "router" and first["reason"] == "escalation"
    assert (second["kind"], second["from"]["queue_id"], second["to"]["queue_id"]) == (
        "queue",
        "billing-refunds",
        "support-internet",
    )
    assert (second["from"]["agent_id"], second["to"]["agent_id"]) == ("mona", None)
    assert first["at"] <= second["at"]

    # The customer leg and every agent leg, the ones that left included.
    parts = [
        (p["role"], p.get("id") or p.get("from"), p["call_sid"], p["active"])
        for p in details["participants"]
    ]
    assert parts == [
        ("customer", "+14155550123", customer, True),
        ("agent", "alex", legs["alex"], False),
        ("agent", "mona", legs["mona"], False),
        ("agent", "bea", legs["bea"], True),
    ]
    assert details["participants"][3]["name"] == "Bea Agent"
    assert details["profile"] == profile
    m = details["metrics"]
    assert set(m) >= {"queue_wait_seconds", "talk_seconds", "hold_seconds"}
    assert m["talk_seconds"] >= 0
    assert details["carrier"]["conference_sid"] == conference

    # Scope follows the queue: billing's manager no longer sees the call.
    assert served.mon("GET", f"/calls/{customer}", "mona").status_code == 404
    assert served.mon("GET", f"/calls/{customer}", "sam").status_code == 200

    # Each transfer was published once as a session event.
    msgs = [json.loads(m.data) for m in pull_all(suite, events, timeout=3)]
    moved = [m for m in msgs if m["session_id"] == customer and m["type"] == "session.transferred"]
    assert sorted(m["data"]["kind"] for m in moved) == ["agent", "queue"]
