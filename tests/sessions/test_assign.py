"""Assignment: only routing (or a user with sessions.assign) assigns, and carrier references
are stored only when the carrier ties them to the session's own call."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import requests
import yaml

from tests.helpers.common import DEMO_CONFIG


def _bearer(portal_token: Any, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {portal_token(user)}"}


def _chat(sessions: Any, sdk_token: Any, queue_id: str = "billing-refunds") -> str:
    r = sessions.post(
        "/sdk/chats",
        json={"channel": "web", "queue_id": queue_id},
        headers={"Authorization": f"Bearer {sdk_token('cust-' + secrets.token_hex(4))}"},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()["session"]["id"]


def _conference(twilio: str) -> dict[str, str]:
    """A customer and an agent leg in one live conference on the Twilio stand-in."""
    conference = "CF" + secrets.token_hex(16)
    legs = {}
    for label in ("customer", "agent"):
        r = requests.post(
            f"{twilio}/_control/calls",
            json={"status": "in-progress", "conference_sid": conference, "label": label},
            timeout=10,
        )
        r.raise_for_status()
        legs[label] = r.json()["sid"]
    return {"conference_sid": conference, "call_sid": legs["customer"], "agent": legs["agent"]}


def _queued_call(call_sid: str) -> None:
    """A queued voice session for a carrier call, as the voice webhook leaves it."""
    from core.sessions import store

    store.transition(
        call_sid,
        "queued",
        create={
            "channel": "voice",
            "queue_id": "billing-refunds",
            "queue_path": "Billing > Refunds",
            "team_ids": ["billing-team"],
            "carrier": {"call_sid": call_sid},
        },
    )


def test_only_routing_or_sessions_assign_assigns(
    suite: Any, app_client: Any, demo: Any, sdk_token: Any, portal_token: Any
) -> None:
    from core.sessions import store

    sessions = app_client("sessions_http")
    chat = _chat(sessions, sdk_token)
    # An agent cannot pick a queued contact for themselves, nor a manager hand it out.
    for user in ("alex", "mona"):
        r = sessions.post(
            f"/agent/sessions/{chat}/assign",
            json={"agent_id": user},
            headers=_bearer(portal_token, user),
        )
        assert r.status_code == 403, (user, r.get_json())
        assert "sessions.assign" in r.get_json()["error"]["message"]
    assert store.get(chat)["status"] == "queued" and store.get(chat)["agent_id"] is None

    # Routing's service user assigns; so may an admin.
    r = sessions.post(
        f"/agent/sessions/{chat}/assign",
        json={"agent_id": "alex"},
        headers=_bearer(portal_token, "router"),
    )
    assert r.status_code == 200, r.get_json()
    assert store.get(chat)["agent_id"] == "alex"
    other = _chat(sessions, sdk_token, "support-internet")
    r = sessions.post(
        f"/agent/sessions/{other}/assign",
        json={"agent_id": "bea"},
        headers=_bearer(portal_token, "ada"),
    )
    assert r.status_code == 200, r.get_json()


def test_a_team_scoped_assigner_sees_only_its_teams(
    suite: Any, app_client: Any, apply_config: Any, sdk_token: Any, portal_token: Any
) -> None:
    cfg = yaml.safe_load(DEMO_CONFIG.read_text())
    cfg["roles"]["billing-routing"] = {"permissions": ["sessions.assign"], "scope": "teams"}
    cfg["users"]["acd-billing"] = {
        "name": "Billing ACD",
        "roles": ["billing-routing"],
        "teams": ["billing-team"],
    }
    apply_config(cfg)
    sessions = app_client("sessions_http")
    support = _chat(sessions, sdk_token, "support-internet")
    billing = _chat(sessions, sdk_token, "billing-refunds")
    headers = _bearer(portal_token, "acd-billing")
    body = {"agent_id": "alex"}
    r = sessions.post(f"/agent/sessions/{support}/assign", json=body, headers=headers)
    assert r.status_code == 404, r.get_json()
    r = sessions.post(f"/agent/sessions/{billing}/assign", json=body, headers=headers)
    assert r.status_code == 200, r.get_json()


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("another call's conference", "conference_sid"),
        ("a conference the carrier does not know", "conference_sid"),
        ("a conference that has ended", "conference_sid"),
        ("an agent leg of another conference", "agent_call_sid"),
        ("an agent leg without any conference", "agent_call_sid"),
    ],
)
def test_carrier_references_not_tied_to_the_call_are_refused(
    suite: Any, app_client: Any, demo: Any, portal_token: Any, case: str, field: str
) -> None:
    from core.sessions import store

    twilio = suite.url("twilio")
    mine, theirs = _conference(twilio), _conference(twilio)
    _queued_call(mine["call_sid"])
    body: dict[str, Any] = {"agent_id": "alex"}
    if case == "another call's conference":
        body |= {"conference_sid": theirs["conference_sid"], "agent_call_sid": theirs["agent"]}
    elif case == "a conference the carrier does not know":
        body |= {"conference_sid": "CF" + secrets.token_hex(16)}
    elif case == "a conference that has ended":
        ended = _conference(twilio)
        requests.post(
            f"{twilio}/2010-04-01/Accounts/{suite.env()['TWILIO_ACCOUNT_SID']}"
            f"/Conferences/{ended['conference_sid']}.json",
            data={"Status": "completed"},
            auth=(suite.env()["TWILIO_ACCOUNT_SID"], suite.env()["TWILIO_AUTH_TOKEN"]),
            timeout=10,
        ).raise_for_status()
        _queued_call(ended["call_sid"])
        mine = ended
        body |= {"conference_sid": ended["conference_sid"]}
    elif case == "an agent leg of another conference":
        body |= {"conference_sid": mine["conference_sid"], "agent_call_sid": theirs["agent"]}
    else:
        body |= {"agent_call_sid": mine["agent"]}
    before = store.get(mine["call_sid"])

    r = app_client("sessions_http").post(
        f"/agent/sessions/{mine['call_sid']}/assign",
        json=body,
        headers=_bearer(portal_token, "router"),
    )
    assert r.status_code == 409, r.get_json()
    assert r.get_json()["error"]["field"] == field
    after = store.get(mine["call_sid"])  # nothing written
    assert after["status"] == "queued" and after["carrier"] == before["carrier"]
    assert after["updated_at"] == before["updated_at"]


def test_references_of_the_calls_own_conference_are_stored(
    suite: Any, app_client: Any, demo: Any, sdk_token: Any, portal_token: Any
) -> None:
    from core.sessions import store

    twilio = suite.url("twilio")
    mine = _conference(twilio)
    _queued_call(mine["call_sid"])
    sessions = app_client("sessions_http")
    headers = _bearer(portal_token, "router")
    refs = {"conference_sid": mine["conference_sid"], "agent_call_sid": mine["agent"]}

    # A chat has no carrier call: no conference can be its own.
    chat = _chat(sessions, sdk_token)
    r = sessions.post(
        f"/agent/sessions/{chat}/assign", json={"agent_id": "alex"} | refs, headers=headers
    )
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "conference_sid"

    # The carrier is down: nothing is stored on a guess; the retry goes through.
    requests.post(
        f"{twilio}/_control/faults",
        json={"route": "conferences", "faults": [{"kind": "status", "status": 503}]},
        timeout=5,
    ).raise_for_status()
    url = f"/agent/sessions/{mine['call_sid']}/assign"
    r = sessions.post(url, json={"agent_id": "alex"} | refs, headers=headers)
    assert r.status_code == 503 and r.headers["Retry-After"], r.get_json()
    assert store.get(mine["call_sid"])["status"] == "queued"

    r = sessions.post(url, json={"agent_id": "alex"} | refs, headers=headers)
    assert r.status_code == 200, r.get_json()
    doc = store.get(mine["call_sid"])
    assert doc["status"] == "connected" and doc["agent_id"] == "alex"
    assert doc["carrier"]["conference_sid"] == mine["conference_sid"]
    assert doc["carrier"]["agent_call_sid"] == mine["agent"]
