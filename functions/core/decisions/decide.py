"""The decisions themselves, pure over (config view, queue, channel, language, instant).

HTTP handlers render them (TwiML / JSON) and mark sessions; the explain endpoint returns
them as they are. Nothing here does I/O except `open_slots` arithmetic and TTS lookups
made by the renderers, so a decision costs microseconds on a cached view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from core.config.schema.deflection import MOBILE_ONLY
from core.config.view import CenterView
from core.decisions import messages, policy
from core.decisions.policy import HoursState
from core.hours import next_open, open_slots

MAX_QUEUE_HOPS = 5
MAX_SLOTS = 200


@dataclass(frozen=True)
class IvrDecision:
    queue_id: str  # the queue the caller asked for
    open: bool
    action: str  # "enqueue" | "queue" | "phone" | "voicemail" | "message"
    target: str | None  # queue for enqueue / queue, number for phone, queue for voicemail
    reason: str  # "open" | "after_hours" | "after_hours_no_deflection"
    policy_source: str | None
    hours: HoursState
    chain: tuple[str, ...] = ()  # queues tried through the "queue" option

    @property
    def deflected(self) -> bool:
        return self.reason == "after_hours"

    def as_dict(self) -> dict[str, Any]:
        return {
            "queue_id": self.queue_id,
            "open": self.open,
            "action": self.action,
            "target": self.target,
            "reason": self.reason,
            "policy_source": self.policy_source,
            "chain": list(self.chain),
            "hours_id": self.hours.hours_id,
            "hours_source": self.hours.source,
        }


def ivr(
    view: CenterView,
    qid: str,
    language: str | None,
    at: dt.datetime,
    _visited: tuple[str, ...] = (),
) -> IvrDecision:
    state = policy.hours_state(view, qid, "voice", language, at)
    if state.open:
        return IvrDecision(qid, True, "enqueue", qid, "open", None, state)
    d, source = policy.ivr(view, qid)
    if not d.enabled:
        return IvrDecision(qid, False, "enqueue", qid, "after_hours_no_deflection", source, state)
    if d.option == "queue":
        assert d.queue is not None
        visited = (*_visited, qid)
        if d.queue in visited or len(visited) > MAX_QUEUE_HOPS:
            # A loop of closed queues: the caller hears the after-hours message.
            return IvrDecision(
                qid, False, "message", None, "after_hours", source, state, (*visited[1:], d.queue)
            )
        sub = ivr(view, d.queue, language, at, visited)
        if sub.open:
            return IvrDecision(
                qid, False, "queue", d.queue, "after_hours", source, state, (d.queue,)
            )
        # The target is closed too: its own after-hours option applies.
        return IvrDecision(
            qid,
            False,
            sub.action,
            sub.target,
            "after_hours",
            sub.policy_source,
            state,
            (d.queue, *sub.chain),
        )
    if d.option == "phone":
        return IvrDecision(qid, False, "phone", d.phone, "after_hours", source, state)
    if d.option == "voicemail":
        return IvrDecision(qid, False, "voicemail", qid, "after_hours", source, state)
    return IvrDecision(qid, False, "message", None, "after_hours", source, state)


# -- SDK ---------------------------------------------------------------------------------
@dataclass
class SdkDecision:
    queue_id: str
    platform: str
    open: bool
    deflected: bool
    reason: str
    policy_source: str
    hours: HoursState
    options: list[dict[str, Any]] = field(default_factory=list)
    deflect_to_queue: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "queue_id": self.queue_id,
            "platform": self.platform,
            "open": self.open,
            "deflected": self.deflected,
            "reason": self.reason,
            "policy_source": self.policy_source,
            "options": self.options,
            "deflect_to_queue": self.deflect_to_queue,
            "hours_id": self.hours.hours_id,
            "hours_source": self.hours.source,
        }


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _email_option(
    view: CenterView, qid: str, platform: str, app_version: str | None, device_type: str | None
) -> dict[str, Any]:
    path = view.queues[qid].path
    body = f"Queue: {path}\n"
    if platform == "mobile":  # mobile adds what support needs to reproduce an app issue
        body += (
            f"App version: {app_version or 'unknown'}\nDevice type: {device_type or 'unknown'}\n"
        )
    return {
        "type": "email",
        "to": view.center.support_email,
        "subject": f"{view.center.name}: {path}",
        "body": body,
    }


def _options(
    view: CenterView,
    qid: str,
    platform: str,
    language: str | None,
    at: dt.datetime,
    chosen: list[str],
    phone: str | None,
    slot_minutes: int,
    slot_days: int,
    app_version: str | None,
    device_type: str | None,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for opt in chosen:
        if opt in MOBILE_ONLY and platform != "mobile":
            continue  # phone and voicemail are never offered on the web
        if opt == "scheduled_call":
            if not policy.scheduled_calls(view, qid).enabled:
                continue  # offered only if the queue's channel settings enable it
            # Slots in the hours of the queue on this channel, from the next opening on.
            state = policy.hours_state(view, qid, platform, language, at)
            end = at + dt.timedelta(days=slot_days)
            slots = open_slots(state.spec, state.timezone, at, end, slot_minutes, limit=MAX_SLOTS)
            if not slots:
                continue  # never offer a scheduled call with nothing to pick
            out.append(
                {
                    "type": "scheduled_call",
                    "slot_minutes": slot_minutes,
                    "timezone": state.timezone,
                    "slots": [{"start": _iso(a), "end": _iso(b)} for a, b in slots],
                    "request": {"method": "POST", "path": "/sdk/scheduled-calls"},
                }
            )
        elif opt == "email":
            out.append(_email_option(view, qid, platform, app_version, device_type))
        elif opt in ("phone", "voicemail") and phone:
            item: dict[str, Any] = {"type": opt, "number": phone}
            if opt == "voicemail":
                # "Leave a callback message": POST /sdk/voicemail {queue_id} and the carrier
                # calls the customer from `number` with a leg bound to this queue.
                item |= {
                    "queue_id": qid,
                    "label": "Leave a callback message",
                    "request": {"method": "POST", "path": "/sdk/voicemail"},
                }
            out.append(item)
    return out


def sdk(
    view: CenterView,
    qid: str,
    platform: str,
    language: str | None,
    at: dt.datetime,
    app_version: str | None = None,
    device_type: str | None = None,
    _visited: tuple[str, ...] = (),
) -> SdkDecision:
    state = policy.hours_state(view, qid, platform, language, at)
    center = policy.sdk_center(view, platform)
    if state.open:
        return SdkDecision(qid, platform, True, False, "open", "center", state)
    override, source = policy.mobile(view, qid) if platform == "mobile" else (None, "center")
    if override is not None:
        if not override.enabled:
            return SdkDecision(
                qid, platform, False, False, "after_hours_no_deflection", source, state
            )
        if override.deflect_to_queue:
            target = override.deflect_to_queue
            visited = (*_visited, qid)
            tgt = (
                sdk(view, target, platform, language, at, app_version, device_type, visited)
                if target not in visited and len(visited) <= MAX_QUEUE_HOPS
                else None
            )
            node = view.queues[target]
            return SdkDecision(
                qid,
                platform,
                False,
                True,
                "after_hours",
                source,
                state,
                [],
                {"queue_id": target, "path": node.path, "open": bool(tgt and tgt.open)},
            )
        chosen: list[str] = list(override.options or [])
        phone = override.phone or center.phone
    else:
        if not center.enabled:
            return SdkDecision(
                qid, platform, False, False, "after_hours_no_deflection", "center", state
            )
        chosen, phone = list(center.options), center.phone
    opts = _options(
        view,
        qid,
        platform,
        language,
        at,
        chosen,
        phone,
        center.slot_minutes,
        center.slot_days,
        app_version,
        device_type,
    )
    return SdkDecision(
        qid,
        platform,
        False,
        bool(opts),
        "after_hours" if opts else "after_hours_no_option",
        source,
        state,
        opts,
    )


# -- chat and SMS ------------------------------------------------------------------------
def chat(view: CenterView, qid: str, language: str | None, at: dt.datetime) -> dict[str, Any]:
    state = policy.hours_state(view, qid, "chat", language, at)
    lang = messages.language_code(view, language)
    out: dict[str, Any] = {
        "queue_id": qid,
        "open": state.open,
        "deflected": False,
        "reason": "open" if state.open else "after_hours_no_deflection",
        "options": [],
        "hours_id": state.hours_id,
        "hours_source": state.source,
    }
    cfg = policy.chat(view)
    if state.open or not cfg.enabled:
        return out
    nxt = next_open(state.spec, state.timezone, at, horizon_days=60)
    out.update(
        deflected=True,
        reason="after_hours",
        message=messages.text(view, lang, "chat_after_hours_text"),
        next_open=_iso(nxt) if nxt else None,
        options=[
            {
                "type": "email",
                "to": view.center.support_email,
                "subject": f"{view.center.name}: {view.queues[qid].path}",
            }
            for o in cfg.options
            if o == "email"
        ],
    )
    return out


def sms(view: CenterView, qid: str, language: str | None, at: dt.datetime) -> dict[str, Any]:
    state = policy.hours_state(view, qid, "sms", language, at)
    cfg, source = policy.sms(view, qid)
    lang = messages.language_code(view, language)
    out: dict[str, Any] = {
        "queue_id": qid,
        "open": state.open,
        "deflected": False,
        "reason": "open" if state.open else "after_hours_no_deflection",
        "policy_source": source,
        "text": None,
        "hours_id": state.hours_id,
        "hours_source": state.source,
    }
    if state.open or not cfg.enabled:
        return out
    out.update(
        deflected=True,
        reason="after_hours",
        text=policy.sms_text(view, qid) or messages.text(view, lang, "sms_after_hours_text"),
    )
    return out
