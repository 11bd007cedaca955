"""Agent messages and notifications (whisper, countdown, tones, frequency, SMS).

Every field is optional so that a queue can override just what it needs; the effective
settings are the global ones deep-merged with each ancestor's and the queue's own.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from core.config.schema.common import Strict

# The built-in tone set (synthesized by notifications.builtin_tones). Uploaded tones are
# referenced by id through `custom` and live in the `tones` collection.
BUILTIN_TONES: tuple[str, ...] = (
    "classic-ring",
    "chime",
    "pop",
    "digital",
    "soft-bell",
    "double-beep",
)


class Whisper(Strict):
    enabled: bool | None = None
    type: Literal["queue_name", "tts", "audio"] | None = None
    text: str | None = Field(None, max_length=1000)  # under the TTS request limit
    audio: str | None = None  # id of an uploaded whisper clip (notifications API)
    speed: float | None = Field(None, ge=0.25, le=4.0)


class Countdown(Strict):
    enabled: bool | None = None
    seconds: int | None = Field(None, ge=1, le=10)


class Tone(Strict):
    builtin: str | None = None
    custom: str | None = None  # id of an uploaded tone

    @model_validator(mode="after")
    def _one(self) -> Tone:
        if bool(self.builtin) == bool(self.custom):
            raise ValueError("set exactly one of `builtin` or `custom`")
        if self.builtin and self.builtin not in BUILTIN_TONES:
            raise ValueError(
                f"unknown built-in tone {self.builtin!r}; one of " + ", ".join(BUILTIN_TONES)
            )
        return self


class Tones(Strict):
    incoming_call: Tone | None = None
    new_chat: Tone | None = None
    new_message: Tone | None = None


class Frequency(Strict):
    mode: Literal["once", "repeat"] | None = None
    every_seconds: int | None = Field(None, ge=1, le=600)
    until: Literal["answered", "no_contacts"] | None = None


class NotificationSettings(Strict):
    whisper: Whisper | None = None
    countdown: Countdown | None = None
    tones: Tones | None = None
    frequency: Frequency | None = None
    sms_on_incoming_call: bool | None = None


class CenterNotifications(Strict):
    calls: NotificationSettings = Field(default_factory=NotificationSettings)
    chats: NotificationSettings = Field(default_factory=NotificationSettings)


class QueueNotifications(Strict):
    calls: NotificationSettings | None = None
    chats: NotificationSettings | None = None
