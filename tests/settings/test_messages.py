"""Languages & messages: TTS previews (rendered audio returned) and uploaded audio
(checked by content, stored, referenced by name from the config)."""

from __future__ import annotations

import json
import wave
from io import BytesIO

from tests.helpers.notifications import SentBody, mp3_frames
from tests.helpers.settings import version


def _preview(api, code: str, body: dict):
    return api.client.post(
        f"/settings/languages/{code}/preview",
        data=json.dumps(body),
        content_type="application/json",
        headers=api.headers("ada"),
    )


def _wav_seconds(data: bytes) -> float:
    with wave.open(BytesIO(data)) as w:
        return w.getnframes() / w.getframerate()


def test_tts_preview_of_text_and_of_a_saved_message(suite, demo, api) -> None:
    r = _preview(api, "en-US", {"text": "We are closed for the holidays."})
    assert r.status_code == 200, r.get_data()[:200]
    assert r.mimetype == "audio/wav" and r.data[:4] == b"RIFF"
    assert _wav_seconds(r.data) > 1.0
    assert abs(float(r.headers["X-Audio-Duration"]) - _wav_seconds(r.data)) < 0.05
    saved = _preview(api, "en-US", {"message": "after_hours_message"})
    assert saved.status_code == 200 and saved.data[:4] == b"RIFF"
    # The saved message is longer than the short sentence above.
    assert _wav_seconds(saved.data) > _wav_seconds(r.data)
    for body, field in [
        ({}, "body"),
        ({"text": "a", "message": "after_hours_message"}, "body"),
        ({"message": "nope"}, "message"),
        ({"message": "voicemail_phone_blocked"}, "message"),  # es-US has none
        ({"text": "x", "speed": 9}, "speed"),
        ({"txt": "x"}, "txt"),
    ]:
        r = _preview(api, "es-US", body)
        assert r.status_code == 400, (body, r.get_json())
        assert r.get_json()["error"]["field"] == field, (body, r.get_json())
    assert _preview(api, "fr-FR", {"text": "Bonjour"}).status_code == 404


def test_uploaded_audio_is_checked_stored_and_referenced(suite, demo, api) -> None:
    def upload(data: bytes):
        return api.client.post(
            "/settings/audio",
            data=data,
            content_type="application/octet-stream",
            headers=api.headers("ada"),
        )

    for bad in (b"", b"RIFF....WAVEfmt ", b"\x89PNG\r\n\x1a\n" + b"0" * 100, b"hello"):
        r = upload(bad)
        assert r.status_code == 415, r.get_json()
        assert r.get_json()["error"]["field"] == "file"
    clip = mp3_frames(40)
    r = upload(clip)
    assert r.status_code == 201, r.get_json()
    name = r.get_json()["audio"]
    assert name.startswith("messages/") and r.get_json()["duration_seconds"] > 1
    assert upload(clip).get_json()["audio"] == name  # same content, same object

    before = version()
    r = api.patch(
        "/settings/languages/en-US", {"after_hours_message": {"audio": "messages/nope.mp3"}}
    )
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == "languages.en-US.after_hours_message.audio"
    assert version() == before
    r = api.patch(
        "/settings/languages/en-US", {"after_hours_message": {"audio": name, "text": None}}
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["data"]["after_hours_message"] == {"audio": name}
    played = _preview(api, "en-US", {"message": "after_hours_message"})
    assert played.status_code == 200 and played.data == clip


def test_chunked_audio_upload_over_the_limit_is_refused_before_the_rest_is_read(
    suite, demo, api
) -> None:
    from settings.messages import MAX_AUDIO

    body = SentBody(mp3_frames(20) + bytes(4 * MAX_AUDIO))  # a client that keeps sending
    r = api.client.post(
        "/settings/audio",
        input_stream=body,
        content_type="audio/mpeg",
        headers={**api.headers("ada"), "Transfer-Encoding": "chunked"},  # no Content-Length
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn serves chunked
    )
    assert r.status_code == 413, (r.status_code, r.get_data()[:200])
    assert r.get_json()["error"]["field"] == "file"
    assert 0 < body.consumed <= MAX_AUDIO + 64 * 1024, body.consumed
    # Under the limit, a chunked upload is as good as any.
    r = api.client.post(
        "/settings/audio",
        input_stream=SentBody(mp3_frames(20)),
        content_type="audio/mpeg",
        headers={**api.headers("ada"), "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert r.status_code == 201, r.get_json()
