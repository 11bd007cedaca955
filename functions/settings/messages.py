"""Languages & messages: hear a message before saving it (text-to-speech preview, the
same engine and voice the IVR uses), and upload recorded audio (checked by content,
stored by content hash, referenced from the config by its object name)."""

from __future__ import annotations

import hashlib
from typing import Any

import flask
from pydantic import Field, model_validator

from core import clients, mp3_upload, tts
from core.config.schema import ContactCenterConfig
from core.config.schema.common import Strict
from core.config.schema.messages import LanguageConfig, Message
from core.config.store import get_view
from core.errors import ApiError, bad_request, not_found
from core.http import json_response, parse_body
from core.settings import settings
from settings import access

AUDIO_PREFIX = "messages/"
MAX_AUDIO = 5 * 1024 * 1024  # a minute and more of speech at 128 kbit/s
MESSAGE_FIELDS = tuple(
    name for name, f in LanguageConfig.model_fields.items() if f.annotation == Message | None
)


class MessagePreview(Strict):
    """Hear either a saved message of the language (`message`: a message name such as
    `after_hours_message`, or `extra.<name>`) or any text (`text`)."""

    message: str | None = Field(None, max_length=80)
    text: str | None = Field(None, min_length=1, max_length=4000)
    speed: float = Field(1.0, ge=tts.MIN_SPEED, le=tts.MAX_SPEED)

    @model_validator(mode="after")
    def _one(self) -> MessagePreview:
        if (self.message is None) == (self.text is None):
            raise ValueError("send exactly one of `message` or `text`")
        return self


def _saved(lang: LanguageConfig, name: str) -> Message:
    if name.startswith("extra."):
        msg = lang.extra.get(name[6:])
    elif name in MESSAGE_FIELDS:
        msg = getattr(lang, name)
    else:
        raise bad_request("message", f"one of {', '.join(MESSAGE_FIELDS)} or extra.<name>")
    if msg is None:
        raise bad_request("message", f"{name} is not set for this language")
    return msg


def preview(request: flask.Request, code: str) -> flask.Response:
    access.require_center(access.editor(request))
    view = get_view()
    lang = view.languages.get(code)
    if lang is None:
        raise not_found("language")
    body = parse_body(request, MessagePreview)
    if body.message is not None:
        msg = _saved(lang, body.message)
        if msg.audio and not msg.text:
            return _stored_audio(msg.audio)
        text = msg.text or ""
    else:
        text = body.text or ""
    try:
        # WAV from either engine (Google renders LINEAR16), cached by content hash.
        audio = tts.render(text, code, lang.tts_voice, body.speed, "wav")
        data = audio.read_bytes()
    except ValueError as exc:
        raise bad_request("text", str(exc)) from None
    except tts.TtsError as exc:
        raise ApiError(503, "tts_unavailable", f"text-to-speech failed: {exc}") from None
    return flask.Response(
        data,
        mimetype="audio/wav",
        headers={"X-Audio-Duration": str(audio.duration_seconds), "Cache-Control": "no-store"},
    )


def _bucket() -> Any:
    return clients.storage_client().bucket(settings().media_bucket)


def _stored_audio(name: str) -> flask.Response:
    if name.startswith("https://"):
        raise bad_request("message", "the message plays an external URL; open it directly")
    blob = _bucket().get_blob(name)
    if blob is None:
        raise not_found("audio")
    return flask.Response(blob.download_as_bytes(), mimetype=blob.content_type or "audio/mpeg")


def upload(request: flask.Request) -> flask.Response:
    """Store an MP3 (checked frame by frame, never by name or declared type)."""
    access.require_center(access.editor(request))
    data = mp3_upload.read_body(request, MAX_AUDIO)
    info = mp3_upload.check(data, MAX_AUDIO)
    name = f"{AUDIO_PREFIX}{hashlib.sha256(data).hexdigest()[:40]}.mp3"
    blob = _bucket().blob(name)
    if not blob.exists():  # content-addressed: the same file uploaded twice is one object
        blob.upload_from_string(data, content_type="audio/mpeg")
    return json_response(
        {
            "audio": name,
            "bytes": len(data),
            "duration_seconds": info.duration_seconds,
            "use": {"after_hours_message": {"audio": name}},
        },
        201,
    )


def check_audio(key: str) -> Any:
    """After a language write: every uploaded audio it names must exist."""

    def check(cfg: ContactCenterConfig) -> None:
        lang = cfg.languages.get(key)
        if lang is None:
            return
        named = [(f, getattr(lang, f)) for f in MESSAGE_FIELDS]
        named += [(f"extra.{k}", m) for k, m in lang.extra.items()]
        for field, msg in named:
            if msg is None or not msg.audio or msg.audio.startswith("https://"):
                continue
            if _bucket().get_blob(msg.audio) is None:
                raise bad_request(
                    f"languages.{key}.{field}.audio",
                    "no uploaded audio by that name (POST /settings/audio first)",
                )

    return check
