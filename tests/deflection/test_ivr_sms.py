"""IVR and SMS deflection end to end: signed Twilio webhooks to the local function."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import requests

from tests.helpers.common import pull_all
from tests.helpers.deflection import MON_NIGHT, MON_NOON, call_sid, wait_session


def voice(
    twilio_post: Any, query: dict[str, str], caller: str = "+14155550123", to: str = "+18005550100"
) -> tuple[str, ET.Element]:
    sid = call_sid()
    r = twilio_post(
        "/twilio/voice",
        {"CallSid": sid, "From": caller, "To": to, "AccountSid": "AC" + "0" * 32},
        query,
    )
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/xml")
    return sid, ET.fromstring(r.text)


def test_open_queue_enqueues_and_marks_the_session_queued(
    demo_as_of: Any, twilio_post: Any
) -> None:
    demo_as_of(MON_NOON)
    sid, xml = voice(twilio_post, {"queue": "billing-payments"})
    assert [c.tag for c in xml] == ["Enqueue"] and xml[0].text == "billing-payments"
    doc = wait_session(sid, "queued")
    assert doc["queue_id"] == "billing-payments" and doc["deflection"] is None


def test_queue_option_sends_the_caller_to_a_24_7_queue(
    demo_as_of: Any, twilio_post: Any, subscribe: Any, suite: Any
) -> None:
    demo_as_of(MON_NIGHT)
    sub = subscribe("session-events")
    sid, xml = voice(twilio_post, {"queue": "billing-refunds"})
    assert xml[0].tag == "Enqueue" and xml[0].text == "sales-general"
    # Deflected, then waiting in the 24/7 queue (so supervisors see it queued there).
    doc = wait_session(sid, "queued")
    assert [h["status"] for h in doc["status_history"]] == ["deflected", "queued"]
    assert doc["queue_id"] == "sales-general" and doc["queue_path"] == "Sales > General"
    assert doc["deflection"]["option"] == "queue"
    assert doc["deflection"]["target"] == "sales-general"
    assert doc["deflection"]["reason"] == "after_hours"
    msgs = [json.loads(m.data) for m in pull_all(suite, sub, expect=2)]
    mine = [m for m in msgs if m["session_id"] == sid]
    assert sorted(m["data"]["to"] for m in mine) == ["deflected", "queued"]
    assert next(m for m in mine if m["data"]["to"] == "deflected")["data"]["option"] == "queue"


def test_phone_option_dials_the_number(demo_as_of: Any, twilio_post: Any) -> None:
    demo_as_of(MON_NOON)  # the late-night desk is closed at noon
    sid, xml = voice(twilio_post, {"queue": "support-internet"})
    assert xml[0].tag == "Dial" and xml[0].text == "+18005550199"
    assert wait_session(sid, "deflected")["deflection"]["option"] == "phone"


def test_message_option_plays_tts_audio_then_hangs_up(demo_as_of: Any, twilio_post: Any) -> None:
    demo_as_of(MON_NIGHT)
    sid, xml = voice(twilio_post, {"queue": "billing-payments"})
    assert [c.tag for c in xml] == ["Play", "Hangup"]
    audio = requests.get(xml[0].text, timeout=10)
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert wait_session(sid, "deflected")["deflection"]["option"] == "message"


def test_voicemail_option_greets_in_the_callers_language_and_records(
    demo_as_of: Any, twilio_post: Any
) -> None:
    demo_as_of(MON_NIGHT)  # 20:30 in Los Angeles: the Spanish desk is closed too
    _, en = voice(twilio_post, {"queue": "sales-spanish", "language": "en-US"})
    sid, es = voice(twilio_post, {"queue": "sales-spanish", "language": "es-US"})
    assert [c.tag for c in en] == ["Play", "Record", "Hangup"]
    assert [c.tag for c in es] == ["Play", "Record", "Hangup"]
    assert en[0].text != es[0].text  # greeting rendered per language
    rec = es.find("Record")
    assert rec is not None and "queue=sales-spanish" in rec.get("recordingStatusCallback", "")
    assert rec.get("action", "").endswith("/twilio/voicemail/done")
    doc = wait_session(sid, "deflected")
    assert doc["deflection"]["option"] == "voicemail" and doc["language"] == "es-US"


def test_withheld_caller_is_asked_for_a_callback_number(demo_as_of: Any, twilio_post: Any) -> None:
    demo_as_of(MON_NIGHT)
    _, xml = voice(twilio_post, {"queue": "sales-spanish"}, caller="anonymous")
    gather = xml.find("Gather")
    assert gather is not None and gather.find("Play") is not None
    action = gather.get("action", "")
    path, _, qs = action.partition("?")
    query = dict(p.split("=", 1) for p in qs.split("&"))
    query = {k: requests.utils.unquote(v) for k, v in query.items()}
    r = twilio_post("/twilio/voicemail/number", {"CallSid": call_sid(), "Digits": "12"}, query)
    assert ET.fromstring(r.text).find("Gather") is not None  # too short: asked again
    r = twilio_post(
        "/twilio/voicemail/number", {"CallSid": call_sid(), "Digits": "4155550100"}, query
    )
    xml2 = ET.fromstring(r.text)
    assert [c.tag for c in xml2] == ["Play", "Play", "Record", "Hangup"]  # entered, greeting
    assert "callback=4155550100" in xml2.find("Record").get("recordingStatusCallback", "")


def test_no_deflection_after_hours_still_enqueues(demo_as_of: Any, twilio_post: Any) -> None:
    from tests.helpers.deflection import demo_dict

    cfg = demo_dict()
    cfg["center"]["deflection"]["voice"] = {"enabled": False}
    demo_as_of(MON_NIGHT, cfg)
    sid, xml = voice(twilio_post, {"queue": "sales-spanish"})
    assert xml[0].tag == "Enqueue" and xml[0].text == "sales-spanish"
    assert wait_session(sid, "queued")["deflection"] is None


def test_dialed_number_selects_the_queue(demo_as_of: Any, twilio_post: Any) -> None:
    demo_as_of(MON_NOON)
    sid, xml = voice(twilio_post, {}, to="+18005550142")
    assert xml[0].text == "billing-payments"


def test_bad_webhooks_are_refused_with_the_field(demo: Any, twilio_post: Any) -> None:
    params = {"CallSid": call_sid(), "From": "+14155550123", "To": "+18005550111"}  # unmapped
    r = twilio_post("/twilio/voice", params, {"queue": "billing"}, signed=False)
    assert r.status_code == 403 and r.json()["error"]["field"] == "X-Twilio-Signature"
    r = twilio_post("/twilio/voice", params, {"queue": "nope"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "queue"
    r = twilio_post("/twilio/voice", params, {})
    assert r.status_code == 400 and r.json()["error"]["field"] == "queue"
    r = twilio_post("/twilio/voice", params, {"queue": "billing", "color": "red"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "query.color"
    r = twilio_post("/twilio/voice", params | {"CallSid": "bogus"}, {"queue": "billing"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "CallSid"
    r = twilio_post("/twilio/voice", params, {"queue": "billing", "at": "yesterday"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "at"


def sms(twilio_post: Any, query: dict[str, str]) -> tuple[str, requests.Response]:
    sid = "SM" + call_sid()[2:]
    r = twilio_post(
        "/twilio/sms",
        {"MessageSid": sid, "From": "+14155550123", "To": "+18005550100", "Body": "hello?"},
        query,
    )
    assert r.status_code == 200, r.text
    return sid, r


def test_sms_after_hours_answers_with_the_queue_text(demo_as_of: Any, twilio_post: Any) -> None:
    demo_as_of(MON_NIGHT)
    sid, r = sms(twilio_post, {"queue": "billing-payments"})
    msg = ET.fromstring(r.text).find("Message")
    assert msg is not None and msg.text.startswith("Payments desk is closed")
    assert wait_session(sid, "deflected")["channel"] == "sms"
    # Inherited center setting + the language's text on another queue.
    _, r = sms(twilio_post, {"queue": "billing-refunds"})
    assert ET.fromstring(r.text).find("Message").text.startswith("Acme Telecom is closed now")
    demo_as_of(MON_NOON)
    _, r = sms(twilio_post, {"queue": "billing-payments"})
    assert ET.fromstring(r.text).find("Message") is None
