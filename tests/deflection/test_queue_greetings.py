"""Per-queue IVR overrides carry their own after-hours message and voicemail greeting
(text or uploaded audio); an uploaded greeting must exist and be audio."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from core.config.loader import ConfigError, parse
from tests.deflection.test_ivr_sms import voice
from tests.helpers.deflection import MON_NIGHT, demo_dict, find_queue


def _upload(name: str, data: bytes, content_type: str) -> None:
    from core import clients
    from core.settings import settings

    bucket = clients.storage_client().bucket(settings().media_bucket)
    bucket.blob(name).upload_from_string(data, content_type=content_type)


def test_queue_message_and_voicemail_greeting_override_the_language_prompts(
    demo_as_of: Any, twilio_post: Any
) -> None:
    wav = f"greetings/{uuid.uuid4().hex}.wav"
    _upload(wav, b"RIFF" + b"\0" * 40, "audio/wav")
    cfg = demo_dict()
    # billing-payments (message-only via its parent's override in the demo) gets its own
    # uploaded message; sales-spanish (voicemail) its own text greeting.
    payments = find_queue(cfg, "billing-payments")
    payments.setdefault("deflection", {})["voice"] = {
        "enabled": True,
        "option": "message",
        "message": {"audio": wav},
    }
    spanish = find_queue(cfg, "sales-spanish")
    spanish.setdefault("deflection", {})["voice"] = {
        "enabled": True,
        "option": "voicemail",
        "voicemail_greeting": {"text": "Sales desk: leave us a message."},
    }
    demo_as_of(MON_NIGHT, cfg)
    _, xml = voice(twilio_post, {"queue": "billing-payments"})
    assert [c.tag for c in xml] == ["Play", "Hangup"]
    assert (xml[0].text or "").endswith(wav)  # the queue's upload, not the language's TTS
    _, own = voice(twilio_post, {"queue": "sales-spanish", "language": "en-US"})
    _, other = voice(twilio_post, {"queue": "billing-payments"})
    assert [c.tag for c in own] == ["Play", "Record", "Hangup"]
    # The default voicemail greeting (language's) differs from the queue's own one.
    cfg2 = demo_dict()
    spanish2 = find_queue(cfg2, "sales-spanish")
    spanish2.setdefault("deflection", {})["voice"] = {"enabled": True, "option": "voicemail"}
    demo_as_of(MON_NIGHT, cfg2)
    _, default = voice(twilio_post, {"queue": "sales-spanish", "language": "en-US"})
    assert own[0].text != default[0].text
    assert other[0].text != own[0].text


def test_greeting_file_missing_or_not_audio_is_refused(suite: Any) -> None:
    text_obj = f"greetings/{uuid.uuid4().hex}.wav"
    _upload(text_obj, b"hello", "text/plain")
    cfg = demo_dict()
    q = find_queue(cfg, "billing-payments")
    q.setdefault("deflection", {})["voice"] = {
        "enabled": True,
        "option": "message",
        "message": {"audio": "greetings/never-uploaded.wav"},
    }
    cfg["languages"]["es-US"]["voicemail_greeting"] = {"audio": text_obj}
    with pytest.raises(ConfigError) as exc:
        parse(cfg)
    got = dict(exc.value.problems)
    (missing,) = [k for k in got if k.endswith("deflection.voice.message.audio")]
    assert "no file" in got[missing]
    assert "not audio" in got["languages.es-US.voicemail_greeting.audio"]
