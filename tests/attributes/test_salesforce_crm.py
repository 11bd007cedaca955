"""With CRM=salesforce, customer records go to Salesforce through the served functions:
profile flags land on the session's Case (fields plus a CaseComment), an anonymous
visitor's Contact is upserted by its external id, and the merge at sign-in is Salesforce's
merge() (the visitor's Contact is deleted, its Cases move to the real Contact)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.helpers.attributes import basic, make_call, with_redirection
from tests.helpers.common import person_token


@pytest.fixture(scope="module")
def sf(functions: Any) -> Iterator[dict[str, str]]:
    """attributes_http and sessions_http served with CRM=salesforce, and the session events
    pushed to an attributes_on_event with CRM=salesforce (it writes profiles to the CRM)."""
    from emulators.provision import repoint_push

    env = {"CRM": "salesforce", "APPS_API_RATE_LIMIT": "100000"}
    urls = {
        name: functions.start_variant(name, env)
        for name in ("attributes_http", "sessions_http", "attributes_on_event")
    }
    repoint_push(functions, "attributes_on_event", urls.pop("attributes_on_event"))
    try:
        yield urls
    finally:
        repoint_push(functions, "attributes_on_event")


def _records(suite: Any, sobject: str, deleted: bool = False) -> list[dict[str, Any]]:
    url = f"{suite.url('salesforce')}/_control/records/{sobject}"
    r = requests.get(url, params={"deleted": "1"} if deleted else None, timeout=10)
    r.raise_for_status()
    return r.json()["records"]


def _wait(fetch: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_profile_flags_reach_the_sessions_salesforce_case(
    suite: Any, apply_config: Any, sf: dict[str, str]
) -> None:
    from core.sessions import store

    apply_config(with_redirection())  # Billing writes the profile to the CRM record
    sid = make_call("billing-refunds")
    url = f"{sf['attributes_http']}/apps/api/v1/calls/{sid}/customer_flag"
    r = requests.patch(url, json={"bad_actor": True}, headers=basic(), timeout=30)
    assert r.status_code == 200, r.text

    def case() -> list[dict[str, Any]]:
        return [
            c
            for c in _records(suite, "Case")
            if c.get("SuppliedName") == f"cc-session:{sid}" and c.get("CC_Bad_Actor__c")
        ]

    cases = _wait(case)
    assert len(cases) == 1
    c = cases[0]
    assert c["CC_Verified_Customer__c"] is False and c["CC_Repeat_Customer__c"] is False
    contacts = [x for x in _records(suite, "Contact") if x["Id"] == c["ContactId"]]
    assert len(contacts) == 1 and contacts[0]["CC_External_Id__c"] == "+14155550123"
    assert contacts[0]["Phone"] == "+14155550123"
    notes = [n for n in _records(suite, "CaseComment") if n["ParentId"] == c["Id"]]
    assert len(notes) == 1 and "bad actor" in notes[0]["CommentBody"]
    assert notes[0]["IsPublished"] is False
    doc = _wait(lambda: (d := store.get(sid)) and d.get("crm_sync", {}).get("state") == "ok" and d)
    assert doc["crm"]["ticket_id"] == c["Id"] and doc["crm"]["contact_id"] == c["ContactId"]
    assert doc["crm"]["url"].endswith(f"/lightning/r/Case/{c['Id']}/view")

    # A second change updates the same Case (no second one, no second Contact).
    r = requests.patch(url, json={"verified_customer": True}, headers=basic(), timeout=30)
    assert r.status_code == 200, r.text
    _wait(
        lambda: [
            x
            for x in _records(suite, "Case")
            if x["Id"] == c["Id"] and x.get("CC_Verified_Customer__c") and x["CC_Bad_Actor__c"]
        ]
    )
    assert (
        len([x for x in _records(suite, "Case") if x.get("SuppliedName") == c["SuppliedName"]]) == 1
    )
    assert len([x for x in _records(suite, "Contact") if x["Id"] == c["ContactId"]]) == 1
    # Nothing went to Zendesk.
    zd = requests.get(f"{suite.url('zendesk')}/_control/tickets", timeout=10).json()["tickets"]
    assert not [t for t in zd if t.get("external_id") == sid]


def test_visitor_contact_and_merge_use_salesforce(
    suite: Any, demo: Any, sf: dict[str, str], sdk_token: Any
) -> None:
    from core.sessions import store

    attrs, sessions = sf["attributes_http"], sf["sessions_http"]
    reg = requests.post(
        f"{attrs}/sdk/visitors", json={"channel": "web", "device_id": "sf-browser"}, timeout=30
    )
    assert reg.status_code == 201, reg.text
    vid, token = reg.json()["visitor_id"], reg.json()["visitor_token"]
    chat = requests.post(
        f"{sessions}/sdk/chats",
        json={"queue_id": "billing-refunds"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert chat.status_code == 201, chat.text
    sid = chat.json()["session"]["id"]
    assert not [c for c in _records(suite, "Contact") if c.get("CC_External_Id__c") == vid]
    r = requests.post(
        f"{sessions}/agent/sessions/{sid}/assign",
        json={"agent_id": "alex"},
        # The variant function is its own audience for a service account's ID token.
        headers={"Authorization": f"Bearer {person_token('router', audience=sessions)}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    anon = _wait(
        lambda: [c for c in _records(suite, "Contact") if c.get("CC_External_Id__c") == vid]
    )
    assert len(anon) == 1 and anon[0]["CC_Tags__c"] == "cc_anonymous"
    assert anon[0]["LastName"] == store.get(sid)["end_user"]["name"]
    case = _wait(
        lambda: [c for c in _records(suite, "Case") if c.get("SuppliedName") == f"cc-session:{sid}"]
    )
    assert len(case) == 1 and case[0]["ContactId"] == anon[0]["Id"]

    alice = {"Authorization": f"Bearer {sdk_token('alice-sf', name='Alice', email='a@x.example')}"}
    r = requests.post(
        f"{attrs}/sdk/visitors/merge", json={"visitor_token": token}, headers=alice, timeout=60
    )
    assert r.status_code == 200, r.text
    m = r.json()["merge"]
    assert m["replayed"] is False and m["sessions"] == [sid]
    assert m["tickets"] == [case[0]["Id"]] and m["anonymous_contact_id"] == anon[0]["Id"]
    real = [c for c in _records(suite, "Contact") if c.get("CC_External_Id__c") == "alice-sf"]
    assert len(real) == 1 and real[0]["Id"] == m["contact_id"] and real[0]["Email"] == "a@x.example"
    # merge(): the visitor's Contact is gone (merged into the real one), its Case moved.
    assert not [c for c in _records(suite, "Contact") if c["Id"] == anon[0]["Id"]]
    gone = [c for c in _records(suite, "Contact", deleted=True) if c["Id"] == anon[0]["Id"]]
    assert gone[0]["IsDeleted"] is True and gone[0]["MasterRecordId"] == real[0]["Id"]
    moved = [c for c in _records(suite, "Case") if c["Id"] == case[0]["Id"]]
    assert moved[0]["ContactId"] == real[0]["Id"]
    assert store.get(sid)["crm"]["contact_id"] == real[0]["Id"]

    # A replay answers the same and merges nothing again.
    n = len(_records(suite, "Contact", deleted=True))
    again = requests.post(
        f"{attrs}/sdk/visitors/merge", json={"visitor_token": token}, headers=alice, timeout=60
    )
    assert again.status_code == 200 and again.json()["merge"]["replayed"] is True
    assert again.json()["merge"]["tickets"] == m["tickets"]
    assert len(_records(suite, "Contact", deleted=True)) == n
