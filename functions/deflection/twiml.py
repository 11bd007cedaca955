"""TwiML answers, built with the official `twilio` helpers."""

from __future__ import annotations

from urllib.parse import urlencode

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from core.config.schema.messages import Message
from core.config.view import CenterView
from core.decisions import messages, policy
from core.settings import settings


def url(path: str, **query: str | None) -> str:
    """Absolute URL of one of our routes, as the carrier must call it (and sign it)."""
    q = {k: v for k, v in query.items() if v is not None}
    base = settings().public_url.rstrip("/") + path
    return base + ("?" + urlencode(q) if q else "")


def _speak(
    resp: VoiceResponse,
    view: CenterView,
    language: str,
    key: str,
    override: Message | None = None,
) -> bool:
    """Play a prompt: the queue's own (`override`) if it has one, else the language's."""
    msg, lang = (
        (override, language) if override is not None else messages.message(view, language, key)
    )
    if msg is None:
        return False
    kind, value = messages.playable(view, msg, lang)
    if kind == "play":
        resp.play(value)
    else:
        resp.say(value, language=lang)
    return True


def enqueue(queue_id: str) -> str:
    resp = VoiceResponse()
    resp.enqueue(queue_id)
    return str(resp)


def dial(number: str) -> str:
    resp = VoiceResponse()
    resp.dial(number, caller_id=settings().twilio_caller_id)
    return str(resp)


def message_then_hangup(view: CenterView, language: str, queue_id: str) -> str:
    """The after-hours message of the IVR settings that chose it (`queue_id`'s)."""
    resp = VoiceResponse()
    own = policy.ivr(view, queue_id)[0].message
    _speak(resp, view, language, "after_hours_message", own)
    resp.hangup()
    return str(resp)


def voicemail_record(
    view: CenterView,
    language: str,
    queue_id: str,
    callback: str | None,
    at: str | None,
    *,
    entered: bool = False,
) -> str:
    """Greeting, beep, record. The recording callback carries queue / language / the
    callback number in its (signed) URL."""
    resp = VoiceResponse()
    if entered:
        _speak(resp, view, language, "voicemail_phone_entered")
    own = policy.ivr(view, queue_id)[0].voicemail_greeting
    _speak(resp, view, language, "voicemail_greeting", own)
    resp.record(
        action=url("/twilio/voicemail/done"),
        method="POST",
        max_length=120,
        play_beep=True,
        timeout=5,
        recording_status_callback=url(
            "/twilio/voicemail/recording",
            queue=queue_id,
            language=language,
            callback=callback,
            at=at,
        ),
        recording_status_callback_method="POST",
        recording_status_callback_event="completed",
    )
    resp.hangup()
    return str(resp)


def ask_number(view: CenterView, language: str, queue_id: str, at: str | None, attempt: int) -> str:
    """The caller's number is withheld: ask for one (blocked prompt first, then the
    'requested' prompt on a retry)."""
    resp = VoiceResponse()
    gather = resp.gather(
        input="dtmf",
        finish_on_key="#",
        num_digits=16,
        timeout=10,
        action=url(
            "/twilio/voicemail/number",
            queue=queue_id,
            language=language,
            attempt=str(attempt),
            at=at,
        ),
        method="POST",
    )
    key = "voicemail_phone_blocked" if attempt == 0 else "voicemail_phone_requested"
    msg, lang = messages.message(view, language, key)
    if msg is not None:
        kind, value = messages.playable(view, msg, lang)
        if kind == "play":
            gather.play(value)
        else:
            gather.say(value, language=lang)
    # No input: record anyway, without a callback number.
    resp.redirect(
        url("/twilio/voicemail/number", queue=queue_id, language=language, attempt="99", at=at),
        method="POST",
    )
    return str(resp)


def hangup() -> str:
    resp = VoiceResponse()
    resp.hangup()
    return str(resp)


def sms(text: str | None) -> str:
    resp = MessagingResponse()
    if text:
        resp.message(text)
    return str(resp)
