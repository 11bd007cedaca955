"""Deflection settings that would fail silently at run time are refused, field named."""

from __future__ import annotations

from typing import Any

import pytest

from core.config.loader import ConfigError, parse
from tests.helpers.deflection import demo_dict, find_queue


def problems(cfg: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as exc:
        parse(cfg)
    return dict(exc.value.problems)


def test_demo_is_valid() -> None:
    parse(demo_dict())


def test_message_only_needs_a_message_in_every_language_the_queue_serves() -> None:
    cfg = demo_dict()
    # sales-spanish serves es-US (its hours name it); the default language has the message,
    # so es-US callers hear the fallback: fine.
    find_queue(cfg, "sales-spanish").setdefault("deflection", {})["voice"] = {
        "enabled": True,
        "option": "message",
    }
    parse(cfg)
    # Without the default-language message es-US still has its own, en-US has none.
    del cfg["languages"]["en-US"]["after_hours_message"]
    got = problems(cfg)
    key = next(k for k in got if "sales-spanish" in got[k])
    assert key.endswith("deflection.voice.message"), key
    assert "en-US" in got[key] and "es-US" not in got[key]
    # A queue-level custom greeting satisfies it for every language.
    find_queue(cfg, "sales-spanish")["deflection"]["voice"]["message"] = {"text": "Closed."}
    assert not any("sales-spanish" in m for m in problems_or_none(cfg).values())


def problems_or_none(cfg: dict[str, Any]) -> dict[str, str]:
    try:
        parse(cfg)
    except ConfigError as exc:
        return dict(exc.problems)
    return {}


def test_center_message_only_without_any_message_names_the_center_field() -> None:
    cfg = demo_dict()
    cfg["center"]["deflection"]["voice"] = {"enabled": True, "option": "message"}
    for lang in cfg["languages"].values():
        lang.pop("after_hours_message", None)
    got = problems(cfg)
    assert "center.deflection.voice.message" in got
    assert "no after-hours message in en-US" in got["center.deflection.voice.message"]


def test_sms_on_with_no_text_anywhere_in_the_chain() -> None:
    cfg = demo_dict()
    for lang in cfg["languages"].values():
        lang.pop("sms_after_hours_text", None)
    got = problems(cfg)
    assert "center.deflection.sms.text" in got, got
    # Text on the center satisfies every queue.
    cfg["center"]["deflection"]["sms"]["text"] = "We are closed."
    assert not problems_or_none(cfg)
    # A queue override with no text inherits a text from its parent's override.
    cfg["center"]["deflection"]["sms"]["text"] = None
    billing = find_queue(cfg, "billing")
    billing.setdefault("deflection", {})["sms"] = {"enabled": True, "text": "Billing is closed."}
    refunds = find_queue(cfg, "billing-refunds")
    refunds["deflection"]["sms"] = {"enabled": True}
    got = problems_or_none(cfg)
    assert not any("billing" in m for m in got.values()), got


def test_mobile_phone_or_voicemail_without_a_number() -> None:
    cfg = demo_dict()
    cfg["center"]["deflection"]["mobile"]["phone"] = None
    got = problems(cfg)
    assert "center.deflection.mobile.phone" in got
    assert "voicemail" in got["center.deflection.mobile.phone"]
    # A queue override offering voicemail with no number of its own and none on the center.
    cfg = demo_dict()
    cfg["center"]["deflection"]["mobile"]["options"] = ["email"]
    cfg["center"]["deflection"]["mobile"]["phone"] = None
    q = find_queue(cfg, "billing-payments")
    q.setdefault("deflection", {})["mobile"] = {"enabled": True, "options": ["voicemail"]}
    got = problems(cfg)
    keys = sorted(k for k in got if k.endswith("deflection.mobile.phone"))
    assert len(keys) == 2, got  # billing-payments and billing-refunds (demo: voicemail too)
    q["deflection"]["mobile"]["phone"] = "+18005550142"
    find_queue(cfg, "billing-refunds")["deflection"]["mobile"]["phone"] = "+18005550142"
    parse(cfg)
