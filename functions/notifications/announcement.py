"""The agent-side announcement of an assigned contact: whisper, countdown, tone and
repeat plan, in a form an agent adapter plays (TwiML for the agent's call leg, JSON for
a web adapter).

The stored form names objects in the media bucket; playable links are signed when the
announcement is read, so a stored announcement never holds an expired URL.
"""

from __future__ import annotations

import time
from typing import Any

from core import logs, tts
from core.config.view import CenterView
from notifications import builtin_tones, call_type, library, phrases
from notifications.effective import DEFAULTS, Kind, effective

log = logs.get("notifications.announcement")


def _rendered(audio: tts.RenderedAudio) -> dict[str, Any]:
    return {
        "object": audio.object_name,
        "content_type": audio.content_type,
        "duration_seconds": audio.duration_seconds,
    }


def _own_whisper_text(view: CenterView, language: str) -> str | None:
    """The language's configured `whisper_text`, only if that language itself is
    configured: another language's fallback wording must not leak into this one."""
    want = phrases.base(language)
    for code, cfg in view.languages.items():
        if code == language or phrases.base(code) == want:
            return cfg.whisper_text
    return None


def _whisper(
    view: CenterView, session: dict[str, Any], w: dict[str, Any], language: str
) -> dict[str, Any] | None:
    lang = view.language(language)
    speed = float(w.get("speed") or 1.0)
    wtype = w.get("type") or "queue_name"
    if wtype == "audio":
        clip = library.get(w.get("audio") or "", "whisper")
        if clip is not None:
            return {
                "type": "audio",
                "clip_id": clip["id"],
                "text": None,
                "speed": None,
                "object": clip["object"],
                "content_type": "audio/mpeg",
                "duration_seconds": clip["duration_seconds"],
            }
        # Deleted underneath us (the API prevents it; a config file may not): still tell
        # the agent where the call comes from.
        logs.event(log, "whisper clip missing; using the queue name", clip_id=w.get("audio"))
        wtype = "queue_name"
    if wtype == "tts" and w.get("text"):
        text = str(w["text"])
    else:
        wtype = "queue_name"
        node = view.queue(session.get("queue_id") or "")
        queue_name = node.cfg.name if node else (session.get("queue_path") or "the queue")
        text = phrases.whisper_text(
            call_type.call_type(session),
            queue_name,
            language,
            view.center.default_language,
            inbound_label=_own_whisper_text(view, language),
        )
    audio = tts.render(text, language, voice=lang.tts_voice, speed=speed)
    return {"type": wtype, "text": text, "speed": speed} | _rendered(audio)


def _tone(slot: str, choice: dict[str, Any]) -> dict[str, Any]:
    cid = choice.get("custom")
    if cid:
        clip = library.get(cid, "tone")
        if clip is not None:
            return {
                "slot": slot,
                "source": "custom",
                "id": cid,
                "name": clip["name"],
                "object": clip["object"],
                "content_type": "audio/mpeg",
                "duration_seconds": clip["duration_seconds"],
            }
        logs.event(log, "custom tone missing; using the default", tone_id=cid)
        choice = DEFAULTS["tones"][slot]
    b = builtin_tones.get(choice["builtin"])
    return {
        "slot": slot,
        "source": "builtin",
        "id": b.name,
        "name": b.name,
        "object": b.object,
        "content_type": b.content_type,
        "duration_seconds": b.duration_seconds,
    }


def compute(
    view: CenterView, session: dict[str, Any], agent_id: str, event_id: str
) -> dict[str, Any]:
    # Every call, IVR or placed by the mobile SDK (or a scheduled callback), gets the calls
    # settings (whisper, countdown, ring): the source applies them to mobile call queues too.
    kind: Kind = "calls" if call_type.is_call(session) else "chats"
    qid = session.get("queue_id")
    eff = effective(view, qid if qid in view.queues else None, kind)
    language = session.get("language") or view.center.default_language
    whisper: dict[str, Any] | None = None
    countdown: dict[str, Any] | None = None
    if kind == "calls" and eff["whisper"].get("enabled"):
        whisper = _whisper(view, session, eff["whisper"], language)
    if kind == "calls" and eff["countdown"].get("enabled"):
        seconds = int(eff["countdown"].get("seconds") or 3)
        text = phrases.countdown_text(language, seconds, view.center.default_language)
        lang = view.language(language)
        countdown = {"text": text, "seconds": seconds} | _rendered(
            tts.render(text, language, voice=lang.tts_voice, speed=1.0)
        )
    slots = ("incoming_call",) if kind == "calls" else ("new_chat", "new_message")
    tones = {slot: _tone(slot, eff["tones"][slot]) for slot in slots}
    freq = eff["frequency"]
    repeat = (
        {"mode": "repeat", "every_seconds": freq["every_seconds"], "until": freq["until"]}
        if freq.get("mode") == "repeat" and freq.get("every_seconds")
        else {"mode": "once"}
    )
    w_s = float(whisper["duration_seconds"]) if whisper else 0.0
    c_s = float(countdown["duration_seconds"]) if countdown else 0.0
    user = view.cfg.users.get(agent_id)
    sms_on = kind == "calls" and bool(eff["sms_on_incoming_call"])
    return {
        "session_id": session["id"],
        "event_id": event_id,
        "agent_id": agent_id,
        "kind": kind,
        "channel": session.get("channel"),
        "call_type": call_type.call_type(session) if kind == "calls" else None,
        "queue_id": qid,
        "queue_path": session.get("queue_path"),
        "language": language,
        "whisper": whisper,
        "countdown": countdown,
        "tones": tones,
        "repeat": repeat,
        "sms": {
            "enabled": sms_on,
            "to": user.phone if user and sms_on else None,
            "status": "pending" if sms_on else "disabled",
        },
        "metrics": {
            "whisper_seconds": round(w_s, 3),
            "countdown_seconds": round(c_s, 3),
            "added_wait_seconds": round(w_s + c_s, 3),
        },
        "computed_at": time.time(),
    }


def sms_body(ann: dict[str, Any]) -> str:
    where = ann.get("queue_path") or ann.get("queue_id") or "a queue"
    return f"Incoming call for you from {where} (session {ann['session_id']})."


# -- playable forms -------------------------------------------------------------------------
def with_url(part: dict[str, Any] | None) -> dict[str, Any] | None:
    """An audio part with a short-lived playable URL instead of its object name."""
    from notifications.media_links import sign

    if not part:
        return part
    url, exp = sign(part["object"])
    out = {k: v for k, v in part.items() if k != "object"}
    return out | {"url": url, "url_expires_at": exp}


def playable(ann: dict[str, Any]) -> dict[str, Any]:
    """JSON for a web adapter: every audio part gets a short-lived URL."""
    out = {k: v for k, v in ann.items() if k not in ("whisper", "countdown", "tones")}
    out["whisper"] = with_url(ann.get("whisper"))
    out["countdown"] = with_url(ann.get("countdown"))
    out["tones"] = {slot: with_url(t) for slot, t in (ann.get("tones") or {}).items()}
    # What plays on the agent's leg before the contact is bridged, in order.
    out["sequence"] = [p for p in (out["whisper"], out["countdown"]) if p]
    out["twiml"] = twiml(out)
    return out


def twiml(play: dict[str, Any]) -> str:
    """The agent leg hears the whisper then the countdown (<Play>); with neither
    configured the response is empty and the carrier simply bridges the call."""
    from twilio.twiml.voice_response import VoiceResponse

    resp = VoiceResponse()
    for part in play.get("sequence") or []:
        resp.play(part["url"])
    return str(resp)
