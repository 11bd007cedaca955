"""SDK signed custom data at chat start, and the Dialogflow CX webhook."""

from __future__ import annotations

import time

import jwt

from tests.helpers.attributes import make_call, profile_notes, start_chat, wait_ticket

PUBLIC = "https://attributes.example.test"
SECRET = "local-company-secret-at-least-32-bytes!"


def signed(claims: dict, *, iat: float | None = None, ttl: int = 600, secret: str = SECRET) -> str:
    now = int(iat if iat is not None else time.time())
    return jwt.encode({"iat": now, "exp": now + ttl, **claims}, secret, algorithm="HS256")


def flag(value: bool, label: str = "x") -> dict:
    return {"label": label, "value": value, "type": "boolean"}


def test_signed_custom_data_sets_flags(suite, attrs_config, app_client, sdk_token) -> None:
    from core.sessions import store

    client = app_client("sessions_http", PUBLIC)
    data = signed(
        {
            "reserved_verified_customer": flag(True, "Verified Customer"),
            "reserved_bad_actor": flag(False),
            "reserved_repeat_customer": flag(True),
            "plan": {"label": "Plan", "value": "gold", "type": "string"},
            "identifier": "user-1",
        }
    )
    r = start_chat(client, sdk_token("user-1"), custom_data=data)
    assert r.status_code == 201, r.get_json()
    session = r.get_json()["session"]
    assert session["profile"]["verified_customer"] and session["profile"]["repeat_customer"]
    assert session["profile"]["label"] == "verified"
    doc = store.get(session["id"])
    assert doc["attributes"]["sdk_custom_data"]["plan"]["value"] == "gold"
    assert doc["profile_history"][0]["source"] == "sdk_custom_data"
    # in_crm_record on the Billing tree: the chat's ticket carries the tags (written by
    # attributes_on_event from the change's event).
    t = wait_ticket(suite, session["id"], lambda t: len(profile_notes(t)) >= 1)
    assert {"cc_verified_customer", "cc_repeat_customer"} <= set(t["tags"])


def test_bad_custom_data_creates_no_session(suite, attrs_config, app_client, sdk_token) -> None:
    from core import clients

    client = app_client("sessions_http", PUBLIC)
    now = time.time()
    cases = [
        (signed({"reserved_bad_actor": flag(True)}, secret="x" * 40), 401, "custom_data"),
        (
            signed({"reserved_bad_actor": flag(True)}, iat=now - 7200, ttl=600),
            401,
            "custom_data.exp",
        ),
        (signed({"reserved_bad_actor": flag(True)}, iat=now + 3600), 401, "custom_data.iat"),
        (signed({"reserved_bad_actor": flag(True)}, ttl=3 * 86400), 401, "custom_data.exp"),
        (signed({"reserved_vip": flag(True)}), 400, "custom_data.reserved_vip"),
        (
            signed({"reserved_bad_actor": {"label": "b", "value": "true", "type": "boolean"}}),
            400,
            "custom_data.reserved_bad_actor.value",
        ),
        (
            signed({"reserved_bad_actor": {"label": "b", "value": True, "type": "string"}}),
            400,
            "custom_data.reserved_bad_actor.type",
        ),
        (
            signed({"reserved_bad_actor": flag(True) | {"extra": 1}}),
            400,
            "custom_data.reserved_bad_actor.extra",
        ),
        (
            signed({"reserved_verified_customer": flag(True), "identifier": "someone-else"}),
            403,
            "custom_data.identifier",
        ),
        (
            jwt.encode({"reserved_bad_actor": flag(True)}, SECRET, algorithm="HS256"),
            401,
            "custom_data",
        ),
        ("not-a-jwt", 401, "custom_data"),
    ]
    for token, status, field in cases:
        r = start_chat(client, sdk_token("user-2"), custom_data=token)
        assert r.status_code == status, (field, r.get_json())
        assert r.get_json()["error"]["field"] == field
    assert list(clients.firestore().collection("sessions").stream()) == []


def test_virtual_agent_webhook(suite, attrs_config, app_client, sdk_token) -> None:
    from core.sessions import store

    client = app_client("attributes_http", PUBLIC)
    hdr = {"X-Webhook-Secret": "local-cx-webhook-secret"}
    sid = make_call("support-mobile")  # its virtual agent names the parameter caller_verified

    def req(params: dict, rid: str = "r1", session: str | None = None) -> dict:
        return {
            "detectIntentResponseId": rid,
            "sessionInfo": {
                "session": "projects/p/locations/l/agents/a/sessions/" + (session or sid),
                "parameters": params,
            },
            "fulfillmentInfo": {"tag": "identity-verified"},
            "languageCode": "en",
            "intentInfo": {"displayName": "verify"},
        }

    assert (
        client.post("/dialogflow/cx/webhook", json=req({"caller_verified": True})).status_code
        == 401
    )
    r = client.post(
        "/dialogflow/cx/webhook",
        json=req({"caller_verified": True}),
        headers={"X-Webhook-Secret": "wrong"},
    )
    assert r.status_code == 401 and store.get(sid)["profile"]["verified_customer"] is False

    r = client.post("/dialogflow/cx/webhook", json=req({"caller_verified": "true"}), headers=hdr)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {
        "sessionInfo": {
            "parameters": {
                "caller_verified": True,
                "cc_bad_actor": False,
                "cc_repeat_customer": False,
                "cc_profile_label": "verified",
            }
        }
    }
    doc = store.get(sid)
    assert doc["profile"]["label"] == "verified"
    assert doc["profile_history"][-1]["source"] == "virtual_agent"

    # The default parameter name is not this queue's: ignored, nothing changes.
    r = client.post(
        "/dialogflow/cx/webhook", json=req({"verified_customer": False}, "r2"), headers=hdr
    )
    assert r.status_code == 200 and store.get(sid)["profile"]["verified_customer"] is True
    bad = client.post(
        "/dialogflow/cx/webhook", json=req({"caller_verified": "perhaps"}, "r3"), headers=hdr
    )
    assert bad.status_code == 400
    assert bad.get_json()["error"]["field"] == "sessionInfo.parameters.caller_verified"
    missing = client.post(
        "/dialogflow/cx/webhook", json=req({}, "r4", "CA" + "0" * 32), headers=hdr
    )
    assert missing.status_code == 404
    hostile = client.post("/dialogflow/cx/webhook", json=req({}, "r5", "a b$%00"), headers=hdr)
    assert hostile.status_code == 400
