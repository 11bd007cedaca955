"""End to end through the served functions (real HTTP, real Pub/Sub push): routing
assigns a session on sessions_http, the session-events push reaches
notifications_on_event, and the agent reads the announcement and polls the alert on
notifications_http.

- the whisper names the contact's real call type, in the session's language;
- the countdown says the seed's words, per language, Korean included;
- "every N seconds until answered or no calls" is decided by the server per poll: it
  rings again only after the interval, and stops for good once the contact is answered
  (agent, carrier agent leg, or the agent's first chat message) or leaves the queue.
"""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.helpers.common import twilio_signed
from tests.helpers.notifications import TREE, call_sid

T = 15
EVERY = 2  # seconds between rings on Sales
PAST = EVERY + 0.2


def _config() -> dict[str, Any]:
    cfg = copy.deepcopy(TREE)
    cfg["languages"]["ko-KR"] = {"name": "한국어"}
    cfg["languages"]["es-US"] = {"name": "Español"}
    for q in cfg["queues"]:
        if q["id"] == "sales":
            q["channels"] = ["voice", "chat", "mobile"]
            q["notifications"] = {
                "calls": {
                    "frequency": {"mode": "repeat", "every_seconds": EVERY, "until": "answered"}
                },
                "chats": {
                    "frequency": {"mode": "repeat", "every_seconds": EVERY, "until": "answered"}
                },
            }
    # A queue on the center's "once" plan.
    cfg["queues"].append({"id": "returns", "name": "Returns", "channels": ["voice", "chat"]})
    return cfg


@pytest.fixture
def served(functions: Any, apply_config: Any, portal_token: Any) -> Any:
    apply_config(_config())

    class Served:
        def url(self, fn: str, path: str) -> str:
            return functions.function_url(fn) + path

        def auth(self, user: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {portal_token(user)}"}

    return Served()


def _queued(queue_id: str, language: str, **fields: Any) -> str:
    from core.sessions import store

    sid = call_sid()
    create = {"channel": "voice", "queue_id": queue_id, "language": language} | fields
    store.ensure(sid, "queued", create)
    return sid


def _sdk_call(s: Any, functions: Any, sdk_token: Any, language: str) -> str:
    """A real mobile SDK call: POST /sdk/calls, then the Voice SDK's leg reaches the TwiML
    App (signed by the Twilio stand-in), which queues it."""
    r = requests.post(
        s.url("deflection_http", "/sdk/calls"),
        json={"queue_id": "sales", "language": language},
        headers={"Authorization": f"Bearer {sdk_token('app-user')}"},
        timeout=T,
    )
    assert r.status_code == 201, r.text
    params = r.json()["call"]["params"]
    twilio = functions.url("twilio")
    call = requests.post(f"{twilio}/_control/calls", json={"status": "in-progress"}, timeout=T)
    got = requests.post(
        f"{twilio}/_control/send_webhook",
        json={
            "url": s.url("deflection_http", "/twilio/sdk-calls/voice"),
            "params": {"CallSid": call.json()["sid"], "From": "client:app-user", **params},
        },
        timeout=T,
    ).json()
    assert got["status"] == 200, got
    return params["session_id"]


def _assign(s: Any, sid: str, agent: str = "ada") -> None:
    r = requests.post(
        s.url("sessions_http", f"/agent/sessions/{sid}/assign"),
        json={"agent_id": agent},
        headers=s.auth("router"),
        timeout=T,
    )
    assert r.status_code == 200, r.text


def _announcement(s: Any, sid: str, agent: str = "ada") -> dict[str, Any]:
    """Waits for the push delivery to notifications_on_event to store it."""
    deadline = time.monotonic() + 45
    while True:
        r = requests.get(
            s.url("notifications_http", f"/agent/sessions/{sid}/announcement"),
            headers=s.auth(agent),
            timeout=T,
        )
        if r.status_code == 200:
            return r.json()["announcement"]
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_ready", r.text
        assert time.monotonic() < deadline, "the announcement never arrived"
        time.sleep(0.2)


def _alert(s: Any, sid: str, agent: str = "ada") -> dict[str, Any]:
    r = requests.get(
        s.url("notifications_http", f"/agent/sessions/{sid}/alert"),
        headers=s.auth(agent),
        timeout=T,
    )
    assert r.status_code == 200, r.text
    return r.json()["alert"]


EN_COUNTDOWN = "This is your next call. Starting in 3, 2, 1"
KO_COUNTDOWN = "다음 통화입니다. 3,2,1초 후에 시작됩니다."
TRANSFER = {"transfers": [{"from_queue_id": "support", "by": "alex", "at": 1.0}]}
CALLBACK = {"source": "scheduled_callback"}
SDK_CALL = {"source": "mobile_sdk"}  # as deflection_http's POST /sdk/calls writes it


@pytest.mark.parametrize(
    ("fields", "language", "call_type", "whisper", "countdown"),
    [
        ({}, "en-US", "inbound_call", "Incoming call from Sales", EN_COUNTDOWN),
        (CALLBACK, "en-US", "scheduled_callback", "Scheduled callback from Sales", EN_COUNTDOWN),
        (SDK_CALL, "en-US", "mobile_sdk_call", "Mobile app call from Sales", EN_COUNTDOWN),
        (TRANSFER, "en-US", "transfer", "Transferred call from Sales", EN_COUNTDOWN),
        ({}, "ko-KR", "inbound_call", "Sales의 수신 전화", KO_COUNTDOWN),
        (CALLBACK, "ko-KR", "scheduled_callback", "Sales의 예약된 콜백", KO_COUNTDOWN),
        (SDK_CALL, "ko-KR", "mobile_sdk_call", "Sales의 모바일 앱 통화", KO_COUNTDOWN),
        (TRANSFER, "ko-KR", "transfer", "Sales의 전환된 통화", KO_COUNTDOWN),
        (
            TRANSFER,
            "es-US",
            "transfer",
            "Llamada transferida de Sales",
            "Esta es su próxima llamada. Comienza en 3, 2, 1",
        ),
        # A language without a table falls back to the center's default (English).
        (CALLBACK, "ja-JP", "scheduled_callback", "Scheduled callback from Sales", EN_COUNTDOWN),
    ],
)
def test_whisper_call_type_and_countdown_per_language(
    served: Any, fields: dict, language: str, call_type: str, whisper: str, countdown: str
) -> None:
    sid = _queued("sales", language, **fields)
    _assign(served, sid)
    ann = _announcement(served, sid)
    assert ann["call_type"] == call_type and ann["kind"] == "calls"
    assert ann["whisper"]["type"] == "queue_name"
    assert ann["whisper"]["text"] == whisper
    assert ann["countdown"]["text"] == countdown
    # Rendered in that language and counted in the contact's wait time.
    assert ann["whisper"]["duration_seconds"] > 0.3
    assert ann["countdown"]["duration_seconds"] > 0.5
    assert [p["text"] for p in ann["sequence"]] == [whisper, countdown]


def test_repeat_until_answered_is_enforced_by_the_server(served: Any) -> None:
    sid = _queued("sales", "en-US")
    _assign(served, sid)
    ann = _announcement(served, sid)
    assert ann["repeat"] == {"mode": "repeat", "every_seconds": EVERY, "until": "answered"}

    first = _alert(served, sid)
    assert first["action"] == "ring" and first["rings"] == 1
    assert first["tone"]["id"] == "classic-ring"
    assert requests.get(first["tone"]["url"], timeout=T).status_code == 200  # playable
    # Polling faster than the interval does not ring again.
    again = _alert(served, sid)
    assert again["action"] == "wait" and again["rings"] == 1
    assert 0 < again["poll_after_seconds"] <= EVERY and again["tone"] is None
    time.sleep(PAST)
    second = _alert(served, sid)
    assert second["action"] == "ring" and second["rings"] == 2

    # Concurrent polls (Support rings every 10 s): exactly one of them rings.
    other = _queued("support", "en-US")
    _assign(served, other)
    _announcement(served, other)
    with ThreadPoolExecutor(5) as pool:
        polls = list(pool.map(lambda _: _alert(served, other), range(5)))
    assert sorted(p["action"] for p in polls) == ["ring", "wait", "wait", "wait", "wait"]

    # Another agent can neither poll nor answer it.
    for method, path in (("GET", "alert"), ("POST", "answer")):
        r = requests.request(
            method,
            served.url("notifications_http", f"/agent/sessions/{sid}/{path}"),
            headers=served.auth("alex"),
            timeout=T,
        )
        assert r.status_code == 404, r.text

    r = requests.post(
        served.url("notifications_http", f"/agent/sessions/{sid}/answer"),
        headers=served.auth("ada"),
        timeout=T,
    )
    assert r.status_code == 200, r.text
    from core.sessions import store

    assert store.get(sid)["answered_by"] == "ada"
    time.sleep(PAST)
    for _ in range(2):
        stop = _alert(served, sid)
        assert stop["action"] == "stop" and stop["reason"] == "answered"
        assert stop["rings"] == 2 and stop["tone"] is None


def test_repeat_stops_when_the_contact_leaves_the_queue(served: Any) -> None:
    sid = _queued("sales", "ko-KR")
    _assign(served, sid)
    _announcement(served, sid)
    assert _alert(served, sid)["action"] == "ring"
    # The caller hangs up: the carrier's signed status callback ends the session.
    url = served.url("sessions_http", "/twilio/call-status")
    params = {"CallSid": sid, "CallStatus": "completed", "AccountSid": "AC" + "0" * 32}
    r = requests.post(url, data=params, headers=twilio_signed(url, params), timeout=T)
    assert r.status_code in (200, 204), r.text
    time.sleep(PAST)
    for _ in range(2):
        stop = _alert(served, sid)
        assert stop == stop | {"action": "stop", "reason": "contact_left", "rings": 1}
    # An ended contact cannot be answered any more.
    r = requests.post(
        served.url("notifications_http", f"/agent/sessions/{sid}/answer"),
        headers=served.auth("ada"),
        timeout=T,
    )
    assert r.status_code == 409 and r.json()["error"]["field"] == "status"


def test_mobile_sdk_call_whisper_and_the_agent_leg_answering(
    served: Any, functions: Any, sdk_token: Any
) -> None:
    sid = _sdk_call(served, functions, sdk_token, "ko-KR")
    _assign(served, sid)
    ann = _announcement(served, sid)
    assert ann["call_type"] == "mobile_sdk_call"
    assert ann["whisper"]["text"] == "Sales의 모바일 앱 통화"
    assert ann["countdown"]["text"] == KO_COUNTDOWN
    assert _alert(served, sid)["action"] == "ring"
    # The carrier fetches the agent leg's TwiML when the agent picks up.
    url = served.url("notifications_http", f"/twilio/agent-announcement/{sid}")
    params = {"CallSid": "CA" + "1" * 32, "AccountSid": "AC" + "0" * 32}
    r = requests.post(url, data=params, headers=twilio_signed(url, params), timeout=T)
    assert r.status_code == 200 and r.text.count("<Play>") == 2
    time.sleep(PAST)
    stop = _alert(served, sid)
    assert stop["action"] == "stop" and stop["reason"] == "answered"


def test_chat_alert_stops_at_the_agents_first_message(served: Any, sdk_token: Any) -> None:
    r = requests.post(
        served.url("sessions_http", "/sdk/chats"),
        json={"queue_id": "sales"},
        headers={"Authorization": f"Bearer {sdk_token('user-7')}"},
        timeout=T,
    )
    assert r.status_code == 201, r.text
    sid = r.json()["session"]["id"]
    _assign(served, sid)
    ann = _announcement(served, sid)
    assert ann["kind"] == "chats" and ann["whisper"] is None and ann["call_type"] is None
    ring = _alert(served, sid)
    assert ring["action"] == "ring" and ring["tone"]["id"] == "chime"
    time.sleep(PAST)
    assert _alert(served, sid)["action"] == "ring"
    r = requests.post(
        served.url("sessions_http", f"/agent/chats/{sid}/messages"),
        json={"text": "Hello"},
        headers=served.auth("ada"),
        timeout=T,
    )
    assert r.status_code == 201, r.text
    time.sleep(PAST)
    stop = _alert(served, sid)
    assert stop["action"] == "stop" and stop["reason"] == "answered" and stop["rings"] == 2


def test_once_rings_once(served: Any) -> None:
    sid = _queued("returns", "en-US")
    _assign(served, sid)
    assert _announcement(served, sid)["repeat"] == {"mode": "once"}
    assert _alert(served, sid)["action"] == "ring"
    time.sleep(PAST)
    stop = _alert(served, sid)
    assert stop["action"] == "stop" and stop["reason"] == "once" and stop["rings"] == 1
