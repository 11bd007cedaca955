"""Through the Settings API: a queue's own IVR greeting must name audio that exists and
is audio (the same check as a config file), and the refusal names the field."""

from __future__ import annotations

import uuid
from typing import Any

from tests.helpers.settings import version


def test_queue_greeting_audio_must_exist_and_be_audio(suite: Any, demo: Any, api: Any) -> None:
    from core import clients
    from core.settings import settings

    bucket = clients.storage_client().bucket(settings().media_bucket)
    text_obj = f"messages/{uuid.uuid4().hex}.wav"
    bucket.blob(text_obj).upload_from_string(b"hello", content_type="text/plain")
    wav = f"messages/{uuid.uuid4().hex}.wav"
    bucket.blob(wav).upload_from_string(b"RIFF" + b"\0" * 40, content_type="audio/wav")
    before = version()
    field = "deflection.voice.voicemail_greeting.audio"
    for name, problem in (("messages/never.wav", "no file"), (text_obj, "not audio")):
        body = {
            "deflection": {
                "voice": {
                    "enabled": True,
                    "option": "voicemail",
                    "voicemail_greeting": {"audio": name},
                }
            }
        }
        r = api.patch("/settings/queues/sales-spanish", body)
        assert r.status_code == 400, r.get_json()
        err = r.get_json()["error"]
        assert err["field"].endswith(field) and problem in err["message"]
    assert version() == before
    ok = {
        "deflection": {
            "voice": {"enabled": True, "option": "voicemail", "voicemail_greeting": {"audio": wav}}
        }
    }
    r = api.patch("/settings/queues/sales-spanish", ok)
    assert r.status_code == 200, r.get_json()
