"""Anonymous floods: anyone can get a visitor token, so anonymous chat starts are limited
per client address and per visitor (429 + Retry-After, nothing written), they make no CRM
call, and whatever anonymous traffic does spend at the CRM can never take the share of
the CRM's API limit that recording delivery needs before the 7-day deletion."""

from __future__ import annotations

import time
from typing import Any

import flask
import pytest
import requests

from tests.helpers.recordings import Pipeline
from tests.recordings.conftest import pipe, rec_env  # noqa: F401 (fixtures)

QUEUE = "billing-refunds"
CHATS = 6  # each needs 3 CRM calls (contact, ticket lookup, ticket): more than 10 in all
# One address per flood: a served instance remembers a full window for its minute, after
# the suite has emptied Firestore between tests.
ATTACKER = "198.51.100.7"
ELSEWHERE = "198.51.100.8"


def _fresh_minute(need: float) -> None:
    """Start a burst early enough in a minute window that it ends in the same window."""
    left = 60 - time.time() % 60
    if left < need:
        time.sleep(left + 0.05)


def _minute() -> int:
    return int(time.time() // 60)


def _xff(addr: str, spoof: str = "") -> dict[str, str]:
    """X-Forwarded-For as Google's front end leaves it: what the client sent, then the
    address it really came from (the suite has no front end, so the test plays it)."""
    return {"X-Forwarded-For": f"{spoof}, {addr}" if spoof else addr}


def _crm_requests(suite: Any) -> list[dict[str, Any]]:
    r = requests.get(f"{suite.url('zendesk')}/_control/requests", timeout=10)
    return [q for q in r.json()["requests"] if not q.get("path", "").startswith("/_control")]


def _sessions() -> list[dict[str, Any]]:
    from core import clients
    from core.sessions import store

    return [s.to_dict() for s in clients.firestore().collection(store.COLLECTION).stream()]


@pytest.mark.parametrize(
    "xff,hops,remote,expected",
    [
        ("203.0.113.9", 1, "10.0.0.1", "203.0.113.9"),
        # A client-supplied first entry is ignored: the front end's own entry is last.
        ("1.2.3.4, 203.0.113.9", 1, "10.0.0.1", "203.0.113.9"),
        ("evil, 1.2.3.4, 203.0.113.9", 1, "10.0.0.1", "203.0.113.9"),
        # Behind a load balancer: client, then the balancer's address.
        ("1.2.3.4, 203.0.113.9, 130.211.0.5", 2, "10.0.0.1", "203.0.113.9"),
        # One IPv6 subscriber holds a /64: rotating within it does not escape the limit.
        ("2001:db8:1:2:aaaa::1", 1, "10.0.0.1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", 1, "10.0.0.1", "203.0.113.9"),
        # No proxy in front (fewer entries than hops) or garbage: the peer address.
        ("", 1, "192.0.2.4", "192.0.2.4"),
        ("203.0.113.9", 2, "192.0.2.4", "192.0.2.4"),
        ("not-an-ip", 1, "192.0.2.4", "192.0.2.4"),
    ],
)
def test_client_address_is_the_trusted_hop(
    monkeypatch: pytest.MonkeyPatch, xff: str, hops: int, remote: str, expected: str
) -> None:
    from core.http import client_address
    from core.settings import reset_settings

    monkeypatch.setenv("TRUSTED_PROXY_HOPS", str(hops))
    reset_settings()
    app = flask.Flask("t")
    headers = {"X-Forwarded-For": xff} if xff else {}
    with app.test_request_context("/", headers=headers, environ_base={"REMOTE_ADDR": remote}):
        assert client_address(flask.request) == expected
    monkeypatch.undo()
    reset_settings()


def test_anonymous_chat_flood_from_one_address_is_throttled(suite, demo, functions) -> None:
    """60 anonymous chats from one address, each with a fresh visitor token and a
    different spoofed X-Forwarded-For: 10 start (the per-address limit a minute), the
    rest get 429 with Retry-After and leave nothing behind, and no start calls the CRM."""
    attrs = functions.function_url("attributes_http")
    sessions = functions.function_url("sessions_http")
    http = requests.Session()
    tokens = []
    for i in range(60):  # minted from many addresses: registration is cheap for anyone
        r = http.post(
            f"{attrs}/sdk/visitors",
            json={"channel": "web", "device_id": f"flood-{i}"},
            headers=_xff(f"203.0.113.{i + 1}"),
            timeout=30,
        )
        assert r.status_code == 201, r.text
        tokens.append(r.json()["visitor_token"])
    before = len(_crm_requests(suite))

    _fresh_minute(need=40)
    window = _minute()
    answers = [
        http.post(
            f"{sessions}/sdk/chats",
            json={"queue_id": QUEUE},
            headers={"Authorization": f"Bearer {tok}"} | _xff(ATTACKER, spoof=f"10.9.8.{i}"),
            timeout=30,
        )
        for i, tok in enumerate(tokens)
    ]
    same_window = _minute() == window

    codes = [r.status_code for r in answers]
    assert set(codes) <= {201, 429}, codes
    started = codes.count(201)
    assert started == 10 if same_window else started <= 20, codes
    for r in answers:
        if r.status_code == 429:
            assert 1 <= int(r.headers["Retry-After"]) <= 60
            assert r.json()["error"]["code"] == "rate_limited"
    # Refused starts wrote nothing; admitted ones made no CRM contact or ticket.
    anon = [s for s in _sessions() if (s.get("end_user") or {}).get("anonymous")]
    assert len(anon) == started
    assert len(_crm_requests(suite)) == before
    tickets = requests.get(f"{suite.url('zendesk')}/_control/tickets", timeout=10).json()
    assert len(tickets["tickets"]) <= started


def test_one_visitor_from_many_addresses_is_throttled(suite, demo, functions) -> None:
    attrs = functions.function_url("attributes_http")
    sessions = functions.function_url("sessions_http")
    token = requests.post(
        f"{attrs}/sdk/visitors", json={"channel": "mobile", "device_id": "one"}, timeout=30
    ).json()["visitor_token"]
    _fresh_minute(need=30)
    window = _minute()
    codes = [
        requests.post(
            f"{sessions}/sdk/chats",
            json={"queue_id": QUEUE},
            headers={"Authorization": f"Bearer {token}"} | _xff(f"192.0.2.{i + 1}"),
            timeout=30,
        ).status_code
        for i in range(12)
    ]
    assert set(codes) <= {201, 429}
    assert codes.count(201) == 3 if _minute() == window else codes.count(201) <= 6, codes
    # A signed-in customer is not an anonymous visitor: not throttled here.
    from core.auth.sdk_jwt import issue

    signed = {"Authorization": f"Bearer {issue('known-customer')}"} | _xff("192.0.2.1")
    for _ in range(5):
        r = requests.post(
            f"{sessions}/sdk/chats", json={"queue_id": QUEUE}, headers=signed, timeout=30
        )
        assert r.status_code == 201, r.text


def test_anonymous_chats_and_sdk_calls_share_one_limit(suite, demo_as_of, functions) -> None:
    """One rule for every anonymous session start: mobile SDK calls and chats from one
    address draw on the same per-address limit."""
    from core.auth import visitor_token
    from tests.helpers.deflection import MON_NOON

    demo_as_of(MON_NOON)  # the queue is open: calls start

    deflection = functions.function_url("deflection_http")
    sessions = functions.function_url("sessions_http")

    def auth(i: int) -> dict[str, str]:
        tok = visitor_token.issue(visitor_token.new_id(), "mobile", f"both-{i}")
        return {"Authorization": f"Bearer {tok}"} | _xff(ELSEWHERE)

    _fresh_minute(need=30)
    window = _minute()
    calls = [
        requests.post(
            f"{deflection}/sdk/calls",
            json={"queue_id": QUEUE},
            headers=auth(i),
            timeout=30,
        )
        for i in range(6)
    ]
    chats = [
        requests.post(
            f"{sessions}/sdk/chats", json={"queue_id": QUEUE}, headers=auth(10 + i), timeout=30
        )
        for i in range(8)
    ]
    answers = calls + chats
    codes = [r.status_code for r in answers]
    assert set(codes) <= {201, 429}, [r.text for r in answers if r.status_code not in (201, 429)]
    assert codes[:6] == [201] * 6  # the calls came first
    assert codes.count(201) == 10 if _minute() == window else codes.count(201) <= 14, codes
    assert all(int(r.headers["Retry-After"]) >= 1 for r in answers if r.status_code == 429)


def test_visitor_registration_flood_is_throttled(suite, demo, functions) -> None:
    attrs = functions.function_url("attributes_http")
    _fresh_minute(need=30)
    window = _minute()
    answers = [
        requests.post(
            f"{attrs}/sdk/visitors",
            json={"channel": "web", "device_id": f"d{i}"},
            headers=_xff(ATTACKER, spoof=f"10.0.0.{i}"),
            timeout=30,
        )
        for i in range(30)
    ]
    codes = [r.status_code for r in answers]
    assert codes.count(201) == 20 if _minute() == window else codes.count(201) <= 40, codes
    assert all(
        "Retry-After" in r.headers and "visitor_token" not in r.json()
        for r in answers
        if r.status_code == 429
    )


def test_anonymous_crm_flood_leaves_the_recording_share(
    suite, demo, app_client, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Visitors from many addresses each start a chat, write, and end it: each such chat
    needs its CRM contact and ticket. They exhaust the unreserved CRM budget (10 of 20
    calls a minute here) and the rest are deferred, never failed; recording delivery
    still gets through at once, from its reserved share."""
    from core.auth import visitor_token
    from core.crm import budget
    from core.crm.errors import RateLimited
    from core.settings import reset_settings

    harness: Pipeline = request.getfixturevalue("pipe")  # the recordings test harness
    monkeypatch.setenv("CRM_BUDGET_PER_MINUTE", "20")
    monkeypatch.setenv("CRM_RECORDING_RESERVE", "0.5")
    reset_settings()
    sessions = app_client("sessions_http", "https://functions.test")
    rec = harness.record(3, 3000)  # 3 parts of 4000 bytes: 6 CRM calls to deliver

    _fresh_minute(need=50)
    window = _minute()
    t0 = time.monotonic()
    ends = []
    for i in range(CHATS):
        vid = visitor_token.new_id()
        auth = {"Authorization": f"Bearer {visitor_token.issue(vid, 'web', f'crm-{i}')}"}
        addr = _xff(f"203.0.113.{100 + i}")
        r = sessions.post("/sdk/chats", json={"queue_id": QUEUE}, headers=auth | addr)
        assert r.status_code == 201, r.get_json()
        sid = r.get_json()["session"]["id"]
        r = sessions.post(f"/sdk/chats/{sid}/messages", json={"text": "hi"}, headers=auth | addr)
        assert r.status_code == 201
        ends.append(sessions.post(f"/sdk/chats/{sid}/end", headers=auth | addr))
    assert [r.status_code for r in ends] == [200] * CHATS  # CRM trouble never fails the end
    with pytest.raises(RateLimited) as spent:  # the unreserved share of this minute is gone
        budget.spend(budget.GENERAL)
    assert 0 < spent.value.retry_after <= 60

    crm_calls = len(_crm_requests(suite))
    tickets = requests.get(f"{suite.url('zendesk')}/_control/tickets", timeout=10).json()
    docs = [s for s in _sessions() if (s.get("end_user") or {}).get("anonymous")]
    deferred = [s for s in docs if (s.get("crm_sync") or {}).get("state") == "pending"]
    made = [s for s in docs if (s.get("crm") or {}).get("ticket_id")]
    assert crm_calls <= 10 and 1 <= len(tickets["tickets"]) <= 10
    assert len(made) + len(deferred) == CHATS and deferred

    harness.callback(rec)
    ran = harness.run_tasks()
    assert _minute() == window, f"flood and delivery took {time.monotonic() - t0:.1f} s"
    assert [r["outcome"] for r in ran] == ["done"], ran
    harness.assert_delivered(rec, 4000)
