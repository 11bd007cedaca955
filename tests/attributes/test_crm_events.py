"""Profile changes reach the CRM record off the request path (attributes_on_event): once
per change, in order, through duplicates, out-of-order deliveries and CRM 5xx."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.helpers.attributes import basic, make_call, zendesk

PROFILE_NOTE = "Customer profile:"


def _ticket(suite: Any, session_id: str) -> dict[str, Any] | None:
    found = [t for t in zendesk(suite, "tickets")["tickets"] if t["external_id"] == session_id]
    assert len(found) <= 1, "one ticket per session"
    return found[0] if found else None


def _notes(ticket: dict[str, Any] | None) -> list[str]:
    return [c["body"] for c in (ticket or {}).get("comments", []) if PROFILE_NOTE in c["body"]]


def _wait_notes(suite: Any, session_id: str, n: int, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t = _ticket(suite, session_id)
        if len(_notes(t)) >= n:
            time.sleep(1.0)  # a late duplicate would show up now
            t = _ticket(suite, session_id)
            assert t is not None
            return t
        time.sleep(0.3)
    raise AssertionError(f"{n} profile notes never reached ticket of {session_id}")


def _profile(bad_actor: bool, verified: bool = False) -> dict[str, Any]:
    return {"verified_customer": verified, "bad_actor": bad_actor, "repeat_customer": False}


def test_patch_answers_before_the_crm_and_the_consumer_writes_each_change_in_order(
    suite, functions, attrs_config
) -> None:
    """Through the served functions: five PATCHes, five CRM writes, in the PATCHes' order."""
    from core.sessions import store

    sid = make_call("billing-refunds")  # Billing keeps the profile in the CRM record
    url = functions.function_url("attributes_http") + f"/apps/api/v1/calls/{sid}/customer_flag"
    values = [True, False, True, True, False]  # the 4th changes nothing: no event, no write
    for v in values:
        r = requests.patch(url, json={"bad_actor": v}, headers=basic(), timeout=30)
        assert r.status_code == 200, r.text
    t = _wait_notes(suite, sid, 4)
    notes = _notes(t)
    assert len(notes) == 4, notes
    assert [("bad_actor=True" in n) for n in notes] == [True, False, True, False]
    assert "cc_bad_actor" not in t["tags"]
    doc = store.get(sid)
    assert doc["profile_seq"] == 4 and doc["crm_sync"]["seq"] == 4
    assert doc["crm_sync"]["state"] == "ok"


def _change(sid: str, seq: int, bad_actor: bool) -> tuple[str, dict[str, Any]]:
    from attributes.profile import public_profile

    profile = public_profile({"profile": _profile(bad_actor)})
    return f"ev-{sid}-{seq}", {"seq": seq, "source": "apps_api", "profile": profile}


def _set_seq(sid: str, seq: int) -> None:
    """The session as flags.apply leaves it after `seq` changes (these events are made up
    here, not published, so only this test delivers them)."""
    from core.sessions import store

    store.mutate(sid, lambda cur: (cur | {"profile_seq": seq}, []))


def test_duplicates_and_out_of_order_deliveries_write_each_change_once_in_order(
    suite, attrs_config
) -> None:
    from attributes import crm_events

    sid = make_call("billing-payments")
    _set_seq(sid, 3)
    one, two, three = (_change(sid, k, bad) for k, bad in ((1, True), (2, False), (3, True)))
    with pytest.raises(crm_events.Later):
        crm_events.apply(sid, *two)  # change 1 not written yet: redelivered later
    assert crm_events.apply(sid, *one) == "written"
    assert crm_events.apply(sid, *one) == "duplicate"
    with pytest.raises(crm_events.Later):
        crm_events.apply(sid, *three)
    assert crm_events.apply(sid, *two) == "written"
    assert crm_events.apply(sid, *three) == "written"
    for ev in (one, two, three):
        assert crm_events.apply(sid, *ev) == "duplicate"
    t = _ticket(suite, sid)
    notes = _notes(t)
    assert [("bad_actor=True" in n) for n in notes] == [True, False, True]
    assert t is not None and "cc_bad_actor" in t["tags"]


def test_crm_5xx_leaves_the_change_pending_and_the_retry_writes_it_once(
    suite, attrs_config
) -> None:
    from attributes import crm_events
    from core.sessions import store

    sid = make_call("billing-refunds")
    _set_seq(sid, 2)
    one, two = _change(sid, 1, True), _change(sid, 2, False)
    base = suite.url("zendesk")
    # Every ticket update fails (the ticket itself is created first, unaffected).
    requests.post(
        f"{base}/_control/faults",
        json={"route": "tickets", "method": "PUT", "faults": [{"kind": "status", "status": 503}]},
        timeout=5,
    ).raise_for_status()
    try:
        with pytest.raises(crm_events.Later):
            crm_events.apply(sid, *one)
    finally:
        requests.delete(f"{base}/_control/faults", params={"route": "tickets"}, timeout=5)
    assert store.get(sid)["crm_sync"]["state"] == "pending"
    with pytest.raises(crm_events.Later):
        crm_events.apply(sid, *two)  # waits behind the failed change
    assert crm_events.apply(sid, *one) == "written"  # Pub/Sub's redelivery
    assert crm_events.apply(sid, *two) == "written"
    assert crm_events.apply(sid, *one) == "duplicate"
    notes = _notes(_ticket(suite, sid))
    assert [("bad_actor=True" in n) for n in notes] == [True, False]
    doc = store.get(sid)
    assert doc["crm_sync"]["state"] == "ok" and doc["crm_sync"]["seq"] == 2
