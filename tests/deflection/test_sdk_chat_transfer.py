"""SDK, chat, transfer targets, presence and explain, end to end through the function."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.helpers.deflection import MON_NIGHT, MON_NOON, demo_dict, find_queue, wait_session


def sdk(
    fn_url: str,
    token: str,
    body: dict[str, Any],
    path: str = "/sdk/deflection",
) -> requests.Response:
    return requests.post(
        f"{fn_url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_mobile_gets_every_configured_option_with_real_slots(
    demo_as_of: Any, fn_url: str, sdk_token: Any
) -> None:
    demo_as_of(MON_NIGHT)  # business hours open in two hours, for two hours a day
    r = sdk(
        fn_url,
        sdk_token("u-1", email="u1@example.com"),
        {
            "queue_id": "billing-payments",
            "platform": "mobile",
            "language": "en-US",
            "app_version": "5.2.1",
            "device_type": "Pixel 8",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["open"] is False and body["deflected"] is True
    assert [o["type"] for o in body["options"]] == ["scheduled_call", "email", "phone", "voicemail"]
    slots = body["options"][0]["slots"]
    ny = ZoneInfo("America/New_York")
    first = dt.datetime.fromisoformat(slots[0]["start"].replace("Z", "+00:00")).astimezone(ny)
    opens = dt.datetime.now(ny) + dt.timedelta(hours=2)  # the first slot: when it opens
    assert abs(first - opens) < dt.timedelta(minutes=2), first
    for s in slots:  # every slot inside the open hours, 30 minutes long
        a = dt.datetime.fromisoformat(s["start"].replace("Z", "+00:00")).astimezone(ny)
        b = dt.datetime.fromisoformat(s["end"].replace("Z", "+00:00")).astimezone(ny)
        assert b - a == dt.timedelta(minutes=30)
        assert (a - first) % dt.timedelta(days=1) <= dt.timedelta(minutes=90), a
    email = body["options"][1]
    assert email["to"] == "support@acme-telecom.example"
    assert "App version: 5.2.1" in email["body"] and "Device type: Pixel 8" in email["body"]
    assert body["options"][2] == {"type": "phone", "number": "+18005550100"}
    doc = wait_session(body["session_id"], "deflected")
    assert doc["channel"] == "mobile" and doc["end_user"]["id"] == "u-1"
    assert doc["deflection"]["options"] == ["scheduled_call", "email", "phone", "voicemail"]


def test_web_never_gets_mobile_only_options_or_fields(
    demo_as_of: Any, fn_url: str, sdk_token: Any
) -> None:
    demo_as_of(MON_NIGHT)
    tok = sdk_token("u-2")
    body = sdk(fn_url, tok, {"queue_id": "billing-payments", "platform": "web"}).json()
    assert [o["type"] for o in body["options"]] == ["scheduled_call", "email"]
    assert "App version" not in body["options"][1]["body"]
    r = sdk(fn_url, tok, {"queue_id": "billing-payments", "platform": "web", "app_version": "1"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "app_version"


def test_queue_level_mobile_override_options_or_queue(
    demo_as_of: Any, fn_url: str, sdk_token: Any
) -> None:
    demo_as_of(MON_NIGHT)
    tok = sdk_token("u-3")
    body = sdk(fn_url, tok, {"queue_id": "billing-refunds", "platform": "mobile"}).json()
    assert [o["type"] for o in body["options"]] == ["email", "voicemail"]
    body = sdk(fn_url, tok, {"queue_id": "support-mobile", "platform": "mobile"}).json()
    assert body["options"] == [] and body["deflected"] is True
    assert body["deflect_to_queue"] == {
        "queue_id": "sales-general",
        "path": "Sales > General",
        "open": True,
    }
    assert wait_session(body["session_id"], "deflected")["deflection"]["target"] == "sales-general"
    # Open: nothing offered, no session marked.
    demo_as_of(MON_NOON)
    body = sdk(fn_url, tok, {"queue_id": "billing-payments", "platform": "mobile"}).json()
    assert body["open"] is True and body["options"] == [] and body["session_id"] is None


def test_mobile_override_with_both_is_rejected_by_validation() -> None:

    from core.config.loader import ConfigError, parse

    cfg = demo_dict()
    find_queue(cfg, "support-mobile")["deflection"]["mobile"]["options"] = ["email"]
    with pytest.raises(ConfigError, match="never both"):
        parse(cfg)


def test_sdk_bad_requests_name_the_field(demo: Any, fn_url: str, sdk_token: Any) -> None:
    tok = sdk_token("u-4")
    r = sdk(fn_url, tok, {"queue_id": "billing", "platform": "mobile", "colour": "x"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "colour"
    r = sdk(fn_url, tok, {"queue_id": "nope", "platform": "mobile"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "queue_id"
    r = sdk(fn_url, tok, {"queue_id": "billing", "platform": "fax"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "platform"
    r = sdk(fn_url, "not-a-jwt", {"queue_id": "billing", "platform": "mobile"})
    assert r.status_code == 401


def test_chat_after_hours_offers_email(demo_as_of: Any, fn_url: str, sdk_token: Any) -> None:
    demo_as_of(MON_NIGHT)  # 23:30: chat hours ended at 23:00
    tok = sdk_token("u-5")
    body = sdk(fn_url, tok, {"queue_id": "billing-refunds"}, path="/sdk/chat/deflection").json()
    assert body["deflected"] is True and body["hours_id"] == "chat-extended"
    assert body["options"][0]["type"] == "email"
    assert body["message"].startswith("We're offline")
    next_open = dt.datetime.fromisoformat(body["next_open"].replace("Z", "+00:00"))
    opens = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert abs(next_open - opens) < dt.timedelta(minutes=2), body["next_open"]
    assert wait_session(body["session_id"], "deflected")["channel"] == "chat"
    demo_as_of("2026-06-02T01:00:00Z")  # 21:00: chat hours run to 23:00
    body = sdk(fn_url, tok, {"queue_id": "billing-refunds"}, path="/sdk/chat/deflection").json()
    assert body["open"] is True and body["session_id"] is None


def targets(fn_url: str, token: str, channel: str) -> dict[str, Any]:
    r = requests.get(
        f"{fn_url}/agent/transfer-targets",
        params={"channel": channel},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    return {t["queue_id"]: t["reason"] for t in body["targets"]} | {
        t["queue_id"]: "-" + t["reason"] for t in body["excluded"]
    }


def test_transfer_targets_follow_the_rules(demo_as_of: Any, fn_url: str, portal_token: Any) -> None:
    cfg = demo_dict()
    # billing-payments: no voice deflection; its agents (alex) decide.
    find_queue(cfg, "billing-payments")["deflection"]["voice"] = {"enabled": False}
    demo_as_of(MON_NIGHT, cfg)
    alex = portal_token("alex")
    got = targets(fn_url, alex, "voice")
    assert got["sales-general"] == "in_hours"  # always open (and a 24/7 virtual agent)
    assert got["support-mobile"] == "-virtual_agent_limited_to_queue_hours"
    assert got["billing-refunds"] == "after_hours_with_deflection"
    assert got["billing-payments"] == "-after_hours_no_agent_logged_in"
    r = requests.put(
        f"{fn_url}/agent/presence",
        json={"status": "online"},
        headers={"Authorization": f"Bearer {alex}"},
        timeout=30,
    )
    assert r.json()["status"] == "online"
    assert targets(fn_url, alex, "voice")["billing-payments"] == "after_hours_agent_logged_in"
    # bea (support) logging in does not make a billing queue reachable.
    requests.put(
        f"{fn_url}/agent/presence",
        json={"status": "offline"},
        headers={"Authorization": f"Bearer {alex}"},
        timeout=30,
    )
    requests.put(
        f"{fn_url}/agent/presence",
        json={"status": "online"},
        headers={"Authorization": f"Bearer {portal_token('bea')}"},
        timeout=30,
    )
    assert targets(fn_url, alex, "voice")["billing-payments"] == "-after_hours_no_agent_logged_in"
    # In hours every leaf is a target; chat has the switch off after hours.
    demo_as_of(MON_NOON, cfg)
    assert all(not v.startswith("-") for v in targets(fn_url, alex, "voice").values())
    demo_as_of("2026-06-02T04:00:00Z", cfg)  # 00:00: chat closed
    chat = targets(fn_url, alex, "chat")
    assert chat["billing-refunds"] == "-after_hours_transfers_off"
    assert chat["sales-general"] == "in_hours"
    # With the checkbox off no out-of-hours queue is offered, whatever its bot.
    assert chat["support-mobile"] == "-after_hours_transfers_off"


def test_transfer_targets_24_7_virtual_agent_outside_hours(
    demo_as_of: Any, fn_url: str, portal_token: Any
) -> None:
    night = "2026-06-02T04:00:00Z"  # 00:00 New York
    cfg = demo_dict()
    q = find_queue(cfg, "sales-general")
    q["hours"] = {"default": "business"}  # no longer always open; its bot still is
    demo_as_of(night, cfg)
    # The seed lists the 24/7 virtual-agent rule under "allow transfer to after-hours
    # queues": chat has that box off, so the queue is not offered after hours.
    got = targets(fn_url, portal_token("bea"), "chat")
    assert got["sales-general"] == "-after_hours_transfers_off"
    cfg["center"]["deflection"]["allow_transfer_to_after_hours"]["chat"] = True
    demo_as_of(night, cfg)
    got = targets(fn_url, portal_token("bea"), "chat")
    assert got["sales-general"] == "virtual_agent_24_7"
    assert got["support-mobile"] == "-virtual_agent_limited_to_queue_hours"
    r = requests.get(
        f"{fn_url}/agent/transfer-targets",
        params={"channel": "fax"},
        headers={"Authorization": f"Bearer {portal_token('bea')}"},
        timeout=30,
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "query.channel"
    r = requests.get(f"{fn_url}/agent/transfer-targets", params={"channel": "voice"}, timeout=30)
    assert r.status_code == 401


def test_explain_names_the_rule(demo: Any, fn_url: str, portal_token: Any) -> None:
    def explain(user: str, **params: str) -> requests.Response:
        return requests.get(
            f"{fn_url}/explain",
            params=params,
            timeout=30,
            headers={"Authorization": f"Bearer {portal_token(user)}"},
        )

    body = explain(
        "ada", queue="billing-refunds", channel="voice", at="2026-12-25T15:00:00Z"
    ).json()
    assert body["hours"]["rule"]["rule"] == "holiday"
    assert body["hours"]["rule"]["name"] == "Christmas Day"
    assert body["hours"]["source"] == "center.default"
    assert body["decision"]["action"] == "queue" and body["decision"]["target"] == "sales-general"
    assert body["transfer_target"] == {
        "offered": True,
        "rule": "after_hours_with_deflection",
        "allow_transfer_to_after_hours": True,
    }
    # Chat has the after-hours transfer box off: explain names that rule.
    body = explain("ada", queue="support-mobile", channel="chat", at="2026-06-02T04:00:00Z").json()
    assert body["transfer_target"]["rule"] == "after_hours_transfers_off"
    assert body["transfer_target"]["offered"] is False
    body = explain(
        "ada", queue="billing-refunds", channel="voice", at="2026-12-24T16:00:00Z"
    ).json()  # 11:00 on Christmas Eve: half day
    assert body["hours"]["rule"]["rule"] == "exception"
    assert body["hours"]["rule"]["interval"] == "09:00-13:00"
    assert body["hours"]["next_close"] == "2026-12-24T18:00:00+00:00"
    body = explain(
        "ada", queue="sales-spanish", channel="voice", language="es-US", at=MON_NIGHT
    ).json()
    assert body["hours"]["source"] == "queue:sales-spanish.languages.es-US"
    assert body["hours"]["timezone"] == "America/Los_Angeles"
    # A manager of billing cannot look at support queues.
    assert explain("mona", queue="support-internet", channel="voice").status_code == 404
    r = explain("ada", queue="billing", channel="voice", extra="1")
    assert r.status_code == 400 and r.json()["error"]["field"] == "query.extra"
