"""Request lifecycle end to end (in-process function, real emulators): verification, text,
decline, who may ask and answer, expiry with an injected clock, events on the session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.helpers.smartactions import bearer, events_of, signed_result


def _ask(sa: Any, sid: str, token: str, **body: Any) -> Any:
    return sa.post(f"/agent/sessions/{sid}/smartactions", json=body, headers=bearer(token))


def test_verification_fulfilled_and_evented(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
    subscribe: Callable[[str], str],
    suite: Any,
) -> None:
    from tests.helpers.common import pull_all

    sid = live_session("cust-1")
    sub = subscribe("session-events")
    r = _ask(sa, sid, portal_token("alex"), kind="verification", prompt="Confirm it's you")
    assert r.status_code == 201, r.get_json()
    req = r.get_json()["request"]
    assert req["state"] == "requested" and req["expires_at"] > req["created_at"]
    rid = req["id"]

    # The SDK sees the pending request and posts the device's biometric result, as the
    # company backend signed it.
    r = sa.get(f"/sdk/sessions/{sid}/smartactions", headers=bearer(sdk_token("cust-1")))
    assert [x["id"] for x in r.get_json()["requests"]] == [rid]
    r = sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid}/fulfil",
        json={"verification": signed_result(sid, rid)},
        headers=bearer(sdk_token("cust-1")),
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["request"]["state"] == "fulfilled"

    r = sa.get(f"/agent/sessions/{sid}/smartactions/{rid}", headers=bearer(portal_token("alex")))
    got = r.get_json()["request"]
    assert got["state"] == "fulfilled" and got["verified_by"] == "company_backend"
    result = got["result"]["verification"]
    assert (result["method"], result["success"], result["verified_by"]) == (
        "biometric",
        True,
        "company_backend",
    )

    # A second answer is refused; the state does not move again.
    r = sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid}/decline",
        json={},
        headers=bearer(sdk_token("cust-1")),
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_fulfilled"

    types = [e["type"] for e in events_of(sid) if e["type"].startswith("smartaction.")]
    assert types == ["smartaction.requested", "smartaction.fulfilled"]
    published = [
        m for m in pull_all(suite, sub, expect=2) if m.attributes["type"].startswith("smartaction.")
    ]
    assert sorted(m.attributes["type"] for m in published) == [
        "smartaction.fulfilled",
        "smartaction.requested",
    ]


def test_text_input_and_decline(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    sid = live_session("cust-2", channel="mobile_call")
    alex, me = bearer(portal_token("alex")), bearer(sdk_token("cust-2"))
    rid = _ask(sa, sid, portal_token("alex"), kind="text", prompt="Account number?").get_json()[
        "request"
    ]["id"]
    # Wrong shape for this kind: named field, nothing changes.
    r = sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid}/fulfil",
        json={"verification": signed_result(sid, rid, method="pin")},
        headers=me,
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "text"
    r = sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid}/fulfil",
        json={"text": "12345", "extra": 1},
        headers=me,
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "extra"
    r = sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid}/fulfil", json={"text": "12345"}, headers=me
    )
    assert r.status_code == 200
    got = sa.get(f"/agent/sessions/{sid}/smartactions/{rid}", headers=alex).get_json()
    assert got["request"]["result"] == {"text": "12345"}
    # The answer never travels in the event (it may be private).
    fulfilled = [e for e in events_of(sid) if e["type"] == "smartaction.fulfilled"]
    assert len(fulfilled) == 1 and "12345" not in str(fulfilled[0]["data"])

    rid2 = _ask(sa, sid, portal_token("alex"), kind="verification").get_json()["request"]["id"]
    r = sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid2}/decline", json={"reason": "not now"}, headers=me
    )
    assert r.status_code == 200 and r.get_json()["request"]["state"] == "declined"
    assert [e["type"] for e in events_of(sid)][-1] == "smartaction.declined"


def test_only_the_sessions_end_user_can_answer(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    sid = live_session("cust-3")
    rid = _ask(sa, sid, portal_token("alex"), kind="verification").get_json()["request"]["id"]
    other = bearer(sdk_token("someone-else"))
    for path, body in (
        ("fulfil", {"verification": signed_result(sid, rid)}),
        ("decline", {}),
    ):
        r = sa.post(f"/sdk/sessions/{sid}/smartactions/{rid}/{path}", json=body, headers=other)
        assert r.status_code == 404, r.get_json()
    assert sa.get(f"/sdk/sessions/{sid}/smartactions", headers=other).status_code == 404
    r = sa.post(f"/sdk/sessions/{sid}/smartactions/{rid}/media", data=b"\x89PNG", headers=other)
    assert r.status_code == 404
    assert sa.post(f"/sdk/sessions/{sid}/smartactions/{rid}/fulfil", json={}).status_code == 401
    # A request id from another session is not found through this one.
    sid2 = live_session("cust-3b")
    r = sa.post(
        f"/sdk/sessions/{sid2}/smartactions/{rid}/decline",
        json={},
        headers=bearer(sdk_token("cust-3b")),
    )
    assert r.status_code == 404
    got = sa.get(
        f"/agent/sessions/{sid}/smartactions/{rid}", headers=bearer(portal_token("alex"))
    ).get_json()["request"]
    assert got["state"] == "requested"


def test_who_may_request(
    sa: Any, live_session: Callable[..., str], portal_token: Callable[[str], str]
) -> None:
    sid = live_session("cust-4", channel="mobile_call")  # billing, assigned to alex
    assert _ask(sa, sid, portal_token("bea"), kind="text").status_code == 404  # other team
    assert _ask(sa, sid, portal_token("sam"), kind="text").status_code == 404  # other team
    assert _ask(sa, sid, portal_token("mona"), kind="text").status_code == 201  # manager
    assert _ask(sa, sid, portal_token("ada"), kind="photo", max_count=2).status_code == 201
    r = _ask(sa, sid, portal_token("alex"), kind="photo", max_count=5)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "max_count"
    r = _ask(sa, sid, portal_token("alex"), kind="selfie")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "kind"
    r = _ask(sa, sid, portal_token("alex"), kind="text", ttl_seconds=999999)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "ttl_seconds"
    assert sa.post(f"/agent/sessions/{sid}/smartactions", json={"kind": "text"}).status_code == 401
    # Idempotent retry: same client_request_id, same request, one event.
    a = _ask(sa, sid, portal_token("alex"), kind="text", client_request_id="c-1")
    b = _ask(sa, sid, portal_token("alex"), kind="text", client_request_id="c-1")
    assert (a.status_code, b.status_code) == (201, 200)
    assert a.get_json()["request"]["id"] == b.get_json()["request"]["id"]
    assert len([e for e in events_of(sid) if e["type"] == "smartaction.requested"]) == 3


def test_sms_session_and_ended_session_refused(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    sid = live_session("cust-5", channel="sms")
    r = _ask(sa, sid, portal_token("alex"), kind="text")
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "channel"
    sid = live_session("cust-5b", channel="mobile_call")
    from core.sessions import store

    store.transition(sid, "ended")
    r = _ask(sa, sid, portal_token("alex"), kind="text")
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "status"


def test_expiry_with_injected_clock(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
    clock: Any,
) -> None:
    sid = live_session("cust-6")
    alex, me = bearer(portal_token("alex")), bearer(sdk_token("cust-6"))
    rid = _ask(sa, sid, portal_token("alex"), kind="verification", ttl_seconds=60).get_json()[
        "request"
    ]["id"]
    clock.advance(59)
    assert (
        sa.get(f"/agent/sessions/{sid}/smartactions/{rid}", headers=alex).get_json()["request"][
            "state"
        ]
        == "requested"
    )
    clock.advance(2)
    r = sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid}/fulfil",
        json={"verification": signed_result(sid, rid, method="pin")},
        headers=me,
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_expired"
    for _ in range(2):  # looking again records nothing new
        got = sa.get(f"/agent/sessions/{sid}/smartactions", headers=alex).get_json()
        assert got["requests"][0]["state"] == "expired"
    assert [e["type"] for e in events_of(sid) if e["type"].startswith("smartaction.")] == [
        "smartaction.requested",
        "smartaction.expired",
    ]
