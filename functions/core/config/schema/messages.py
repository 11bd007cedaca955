"""Languages & messages: per-language prompts, as text (TTS) or uploaded audio."""

from __future__ import annotations

from pydantic import Field, model_validator

from core.config.schema.common import Strict


class Message(Strict):
    text: str | None = Field(None, max_length=4000)  # under the TTS request limit
    audio: str | None = None  # object name in the media bucket, or an https URL

    @model_validator(mode="after")
    def _something(self) -> Message:
        if not self.text and not self.audio:
            raise ValueError("a message needs `text` or `audio`")
        return self


class LanguageConfig(Strict):
    name: str = ""
    tts_voice: str | None = None  # e.g. en-US-Standard-C; local engine picks by language
    after_hours_message: Message | None = None
    voicemail_greeting: Message | None = None
    voicemail_phone_blocked: Message | None = None
    voicemail_phone_requested: Message | None = None
    voicemail_phone_entered: Message | None = None
    whisper_text: str | None = Field(None, max_length=500)
    sms_after_hours_text: str | None = Field(None, max_length=1600)  # 10 SMS segments
    chat_after_hours_text: str | None = None
    extra: dict[str, Message] = Field(default_factory=dict)
