"""Mobile SDK calls end to end through the served functions, the Twilio stand-in carrying
the call: start (after-hours decision first), tie of the carrier leg, status callbacks,
calls lists, whisper and countdown on assignment, reserved attributes during the call."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from emulators.suite import Suite
from tests.helpers.common import wait_listed
from tests.helpers.deflection import MON_NIGHT, MON_NOON

VERIFIED = {"label": "Verified", "value": True, "type": "boolean"}
BAD = {"label": "Fraud", "value": True, "type": "boolean"}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def demo(demo_as_of: Any) -> Any:
    """The demo center with its hours open now as on Monday noon (a start decides on the
    real clock, as in the cloud)."""
    return demo_as_of(MON_NOON)


def _start(functions: Suite, token: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        functions.function_url("deflection_http") + "/sdk/calls",
        json=body,
        headers=_auth(token),
        timeout=30,
    )


def _carrier_call(functions: Suite, identity: str) -> str:
    """The leg the Twilio Voice SDK places (client:<identity>), live on the stand-in."""
    r = requests.post(
        f"{functions.url('twilio')}/_control/calls",
        json={"status": "in-progress", "from": f"client:{identity}", "to": ""},
        timeout=10,
    )
    r.raise_for_status()
    return r.json()["sid"]


def _webhook(functions: Suite, fn: str, path: str, params: dict[str, str]) -> dict[str, Any]:
    """The stand-in sends a Twilio-signed webhook; what our function answered."""
    r = requests.post(
        f"{functions.url('twilio')}/_control/send_webhook",
        json={"url": functions.function_url(fn) + path, "params": params},
        timeout=30,
    )
    r.raise_for_status()
    return r.json()


def _tie(functions: Suite, call_sid: str, params: dict[str, str]) -> dict[str, Any]:
    return _webhook(
        functions,
        "deflection_http",
        "/twilio/sdk-calls/voice",
        {"CallSid": call_sid, "From": "client:app-user", "To": "", **params},
    )


def _wait(fetch: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in time")


def _session_ids() -> set[str]:
    from core import clients
    from core.sessions import store

    return {s.id for s in clients.firestore().collection(store.COLLECTION).stream()}


def test_sdk_call_is_placed_tied_listed_and_ended_by_the_carrier(
    demo: Any, functions: Suite, sdk_token: Any, portal_token: Any
) -> None:
    from core.sessions import store

    custom = sdk_token("cust-call", ttl=300, reserved_verified_customer=VERIFIED)
    r = _start(
        functions,
        sdk_token("cust-call"),
        {"queue_id": "billing-refunds"}
        | {"custom_data": custom, "app_version": "5.2", "device_type": "Pixel 8"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    session, params = body["session"], body["call"]["params"]
    sid = session["id"]
    assert session["channel"] == "voice" and session["source"] == "mobile_sdk"
    assert session["kind"] == "call" and session["status"] == "queued"
    assert session["queue_id"] == "billing-refunds"
    assert session["profile"]["verified_customer"] is True  # signed custom data at start
    assert params["session_id"] == sid and body["decision"]["open"] is True

    # The billing team's manager sees it among the calls, not the chats.
    monitoring = functions.function_url("monitoring_http")
    calls = wait_listed(f"{monitoring}/calls", _auth(portal_token("mona")), sid)
    assert sid in [c["id"] for c in calls.json()["items"]], calls.text
    chats = requests.get(f"{monitoring}/chats", headers=_auth(portal_token("mona")), timeout=30)
    assert chats.status_code == 200 and sid not in [c["id"] for c in chats.json()["items"]]

    # The Voice SDK's leg reaches the TwiML App: tied to the session, enqueued in its queue.
    leg = _carrier_call(functions, "app-user")
    got = _tie(functions, leg, params)
    assert got["status"] == 200, got
    assert "<Enqueue>billing-refunds</Enqueue>" in got["body"]
    doc = store.get(sid)
    assert doc["carrier"]["call_sid"] == leg and doc["carrier"]["from"] == "client:app-user"
    # A carrier retry of the same leg answers the same; no second tie, no other leg.
    assert _tie(functions, leg, params)["status"] == 200
    other = _carrier_call(functions, "app-user")
    got = _tie(functions, other, params)
    assert got["status"] == 409 and '"already_tied"' in got["body"]
    got = _tie(functions, other, params | {"call_token": "forged"})
    assert got["status"] == 403 and '"call_token"' in got["body"]
    got = _tie(functions, other, {"session_id": "SC" + "0" * 32, "call_token": "x"})
    assert got["status"] == 404
    got = _tie(functions, other, {"call_token": "x"})
    assert got["status"] == 400 and '"session_id"' in got["body"]
    unsigned = requests.post(
        functions.function_url("deflection_http") + "/twilio/sdk-calls/voice",
        data={"CallSid": other, **params},
        timeout=30,
    )
    assert unsigned.status_code == 403
    assert store.get(sid)["carrier"]["call_sid"] == leg

    # That leg cannot be tied to another session of the same user either.
    second = _start(functions, sdk_token("cust-call"), {"queue_id": "billing-refunds"}).json()
    got = _tie(functions, leg, second["call"]["params"])
    assert got["status"] == 409 and '"call_in_use"' in got["body"]
    assert store.get(second["session"]["id"])["carrier"]["call_sid"] is None
    store.transition(second["session"]["id"], "ended")

    # The carrier's status callbacks name the leg's CallSid: they reach the SDK session.
    before = _session_ids()
    got = _webhook(
        functions,
        "sessions_http",
        "/twilio/call-status",
        {"CallSid": leg, "CallStatus": "completed", "CallDuration": "42"},
    )
    assert got["status"] == 204, got
    doc = store.get(sid)
    assert doc["status"] == "ended" and doc["carrier"]["duration"] == "42"
    assert doc["carrier"]["call_sid"] == leg
    assert _session_ids() == before  # no second session keyed by the CallSid
    # An ended session takes no leg any more.
    fresh = _start(functions, sdk_token("cust-call"), {"queue_id": "billing-refunds"}).json()
    store.transition(fresh["session"]["id"], "ended")
    got = _tie(functions, _carrier_call(functions, "app-user"), fresh["call"]["params"])
    assert got["status"] == 409 and '"session_not_live"' in got["body"]


def test_after_hours_decision_comes_before_the_call(
    demo_as_of: Any, functions: Suite, sdk_token: Any
) -> None:
    demo_as_of(MON_NIGHT)
    tok = sdk_token("cust-night")
    # Closed with deflection options: no call, nothing written, the options to show.
    r = _start(functions, tok, {"queue_id": "billing-refunds"})
    assert r.status_code == 409, r.text
    err = r.json()["error"]
    assert err["code"] == "after_hours" and err["field"] == "queue_id"
    assert [o["type"] for o in err["deflection"]["options"]] == ["email", "voicemail"]
    assert _session_ids() == set()
    # Closed, deflected to another queue (open 24/7): the call waits there.
    r = _start(functions, tok, {"queue_id": "support-mobile"})
    assert r.status_code == 201, r.text
    s = r.json()["session"]
    assert s["queue_id"] == "sales-general" and s["status"] == "queued"
    from core.sessions import store

    doc = store.get(s["id"])
    assert doc["deflection"]["option"] == "queue" and doc["deflection"]["target"] == "sales-general"
    # Open: the asked queue.
    demo_as_of(MON_NOON)
    r = _start(functions, tok, {"queue_id": "billing-payments"})
    assert r.status_code == 201 and r.json()["session"]["queue_id"] == "billing-payments"


def test_bad_starts_name_the_field_and_write_nothing(
    demo: Any, functions: Suite, sdk_token: Any
) -> None:
    tok = sdk_token("cust-bad")
    cases = [
        ({"queue_id": "billing-refunds", "channel": "voice"}, 400, "channel"),
        ({"queue_id": "nope"}, 400, "queue_id"),
        ({"queue_id": "billing"}, 400, "queue_id"),  # not a leaf
        ({}, 400, "queue_id"),
    ]
    for body, status, field in cases:
        r = _start(functions, tok, body)
        assert r.status_code == status and r.json()["error"]["field"] == field, (body, r.text)
    # Custom data bound to someone else, or custom data as the login: refused.
    alien = sdk_token("someone-else", ttl=300, reserved_bad_actor=BAD)
    r = _start(functions, tok, {"queue_id": "billing-refunds", "custom_data": alien})
    assert r.status_code == 403 and r.json()["error"]["field"] == "custom_data.identifier"
    r = _start(
        functions, sdk_token("cust-bad", ttl=300, reserved_bad_actor=BAD), {"queue_id": "sales"}
    )
    assert r.status_code == 401 and r.json()["error"]["code"] == "wrong_token_kind"
    assert (
        requests.post(
            functions.function_url("deflection_http") + "/sdk/calls",
            json={"queue_id": "billing-refunds"},
            timeout=30,
        ).status_code
        == 401
    )
    assert _session_ids() == set()


def _assigned_call(functions: Suite, sdk_token: Any, portal_token: Any, qid: str) -> str:
    r = _start(functions, sdk_token("cust-ann"), {"queue_id": qid})
    assert r.status_code == 201, r.text
    sid = r.json()["session"]["id"]
    leg = _carrier_call(functions, "app-user")
    assert _tie(functions, leg, r.json()["call"]["params"])["status"] == 200
    r = requests.post(
        functions.function_url("sessions_http") + f"/agent/sessions/{sid}/assign",
        json={"agent_id": "alex"},
        headers=_auth(portal_token("router")),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return sid


def test_assigned_sdk_call_gets_whisper_and_countdown_per_queue(
    demo: Any, functions: Suite, sdk_token: Any, portal_token: Any, demo_as_of: Any
) -> None:
    """Whisper and countdown apply to mobile call queues (the source): an SDK call gets
    the queue's whisper (Billing: a TTS text) and the center's 3 s countdown; a queue that
    turns them off gets neither."""
    from notifications import on_event
    from tests.helpers.deflection import demo_dict, find_queue

    sid = _assigned_call(functions, sdk_token, portal_token, "billing-refunds")
    ann = _wait(lambda: on_event.stored(sid), "the announcement")
    assert ann["kind"] == "calls" and ann["channel"] == "voice"
    assert ann["whisper"]["type"] == "tts" and ann["whisper"]["duration_seconds"] > 0
    assert ann["whisper"]["text"] == "Billing customer, check the payment history first"
    assert ann["countdown"]["seconds"] == 3 and ann["countdown"]["duration_seconds"] > 0
    assert set(ann["tones"]) == {"incoming_call"}

    cfg = demo_dict()
    find_queue(cfg, "billing-payments")["notifications"] = {
        "calls": {"whisper": {"enabled": False}, "countdown": {"enabled": False}}
    }
    demo_as_of(MON_NOON, cfg)
    sid = _assigned_call(functions, sdk_token, portal_token, "billing-payments")
    ann = _wait(lambda: on_event.stored(sid), "the announcement")
    assert ann["kind"] == "calls" and ann["whisper"] is None and ann["countdown"] is None


def test_reserved_attributes_during_the_session(
    demo: Any, functions: Suite, sdk_token: Any
) -> None:
    from core.sessions import store

    attributes = functions.function_url("attributes_http")
    r = _start(functions, sdk_token("cust-mid"), {"queue_id": "billing-refunds"})
    sid = r.json()["session"]["id"]
    assert r.json()["session"]["profile"]["bad_actor"] is False
    url = f"{attributes}/sdk/sessions/{sid}/custom_data"
    data = sdk_token(
        "cust-mid",
        ttl=300,
        reserved_bad_actor=BAD,
        plan={"label": "Plan", "value": "gold", "type": "string"},
    )
    r = requests.post(
        url, json={"custom_data": data}, headers=_auth(sdk_token("cust-mid")), timeout=30
    )
    assert r.status_code == 200, r.text
    assert r.json()["profile"]["bad_actor"] is True and r.json()["profile"]["label"] == "bad actor"
    assert r.json()["custom_data"]["plan"]["value"] == "gold"
    assert store.get(sid)["profile"]["bad_actor"] is True
    # Another end user's session looks like none; data signed for another user is refused;
    # unknown fields are refused.
    r = requests.post(
        url, json={"custom_data": data}, headers=_auth(sdk_token("intruder")), timeout=30
    )
    assert r.status_code == 404
    alien = sdk_token("intruder", ttl=300, reserved_verified_customer=VERIFIED)
    r = requests.post(
        url, json={"custom_data": alien}, headers=_auth(sdk_token("cust-mid")), timeout=30
    )
    assert r.status_code == 403 and r.json()["error"]["field"] == "custom_data.identifier"
    r = requests.post(
        url, json={"custom_data": data, "x": 1}, headers=_auth(sdk_token("cust-mid")), timeout=30
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "x"
    assert store.get(sid)["profile"]["verified_customer"] is False
    # An ended session takes no more attributes.
    store.transition(sid, "ended")
    r = requests.post(
        url, json={"custom_data": data}, headers=_auth(sdk_token("cust-mid")), timeout=30
    )
    assert r.status_code == 409


def test_anonymous_caller_is_a_mobile_user_with_a_temporary_id(demo: Any, functions: Suite) -> None:
    """An app user who is not signed in calls with a visitor token: the session carries the
    temporary id and the "Mobile User - {date time}" name, like an anonymous chat."""
    from core.sessions import store

    r = requests.post(
        functions.function_url("attributes_http") + "/sdk/visitors",
        json={"channel": "mobile", "device_id": "android-1"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    vid, token = r.json()["visitor_id"], r.json()["visitor_token"]
    r = _start(functions, token, {"queue_id": "billing-refunds"})
    assert r.status_code == 201, r.text
    doc = store.get(r.json()["session"]["id"])
    assert doc["end_user"]["id"] == vid and doc["end_user"]["anonymous"] is True
    assert doc["end_user"]["name"].startswith("Mobile User - ")
