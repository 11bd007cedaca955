"""Languages & messages for callers: the text or audio of a message in their language,
and something the carrier can play (uploaded audio, or TTS rendered once and cached)."""

from __future__ import annotations

from core import logs
from core.config.schema.messages import Message
from core.config.view import CenterView
from core.settings import settings

log = logs.get("deflection.messages")
MESSAGE_KEYS = (
    "after_hours_message",
    "voicemail_greeting",
    "voicemail_phone_blocked",
    "voicemail_phone_requested",
    "voicemail_phone_entered",
)


def language_code(view: CenterView, language: str | None) -> str:
    """The configured language code a caller's language resolves to ("es" -> "es-US")."""
    if language:
        if language in view.languages:
            return language
        base = language.split("-")[0].lower()
        for code in view.languages:
            if code.split("-")[0].lower() == base:
                return code
    return view.center.default_language


def message(view: CenterView, language: str, key: str) -> tuple[Message | None, str]:
    """The message in the caller's language, else in the default language."""
    for code in (language, view.center.default_language):
        msg = getattr(view.language(code), key, None)
        if msg is not None:
            return msg, code
    return None, language


def text(view: CenterView, language: str, key: str) -> str | None:
    """A plain-text setting (sms_after_hours_text, chat_after_hours_text) with fallback."""
    for code in (language, view.center.default_language):
        value = getattr(view.language(code), key, None)
        if value:
            return value
    return None


def playable(view: CenterView, msg: Message, language: str) -> tuple[str, str]:
    """("play", url) for uploaded or rendered audio, or ("say", text) if TTS failed."""
    from core import tts

    if msg.audio:
        if msg.audio.startswith("https://"):
            return "play", msg.audio
        return "play", tts.object_url(settings().media_bucket, msg.audio)
    assert msg.text is not None
    try:
        audio = tts.render(msg.text, language, view.language(language).tts_voice)
        return "play", audio.url()
    except (tts.TtsError, OSError, ValueError) as exc:
        # The caller still hears the message: the carrier's own TTS reads it.
        log.warning("TTS failed for %s (%s); falling back to <Say>", language, exc)
        return "say", msg.text
