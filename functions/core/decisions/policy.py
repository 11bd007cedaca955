"""Which hours and which deflection settings govern a queue on a channel.

Deflection settings inherit from the nearest ancestor that sets them (a queue's override
is a whole object, validated as such), else the contact center's. Results are memoized
per config view: the view is immutable and replaced when the config changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from core.config.schema.deflection import (
    ChatDeflection,
    IvrDeflection,
    MobileQueueDeflection,
    SdkDeflection,
    SmsDeflection,
)
from core.config.schema.hours import HoursSpec
from core.config.schema.queues import ScheduledCalls
from core.config.view import CenterView, QueueNode
from core.errors import bad_request
from core.hours import explain, is_open


@dataclass(frozen=True)
class HoursState:
    open: bool
    hours_id: str
    source: str  # where the schedule was chosen, e.g. "queue:support-internet.default"
    timezone: str
    spec: HoursSpec


def queue_or_400(view: CenterView, queue_id: str | None, field: str = "queue") -> QueueNode:
    if not queue_id:
        raise bad_request(field, "required")
    node = view.queue(queue_id)
    if node is None:
        raise bad_request(field, f"unknown queue {queue_id!r}")
    return node


def hours_state(
    view: CenterView, qid: str, channel: str, language: str | None, at: dt.datetime
) -> HoursState:
    hid, source = view.hours_id(qid, channel, language)
    spec = view.hours[hid]
    tz = spec.timezone or view.center.timezone
    return HoursState(is_open(spec, tz, at), hid, source, tz, spec)


def hours_explained(state: HoursState, at: dt.datetime) -> dict[str, object]:
    return explain(state.spec, state.timezone, at).as_dict()


@lru_cache(maxsize=4096)
def ivr(view: CenterView, qid: str) -> tuple[IvrDeflection, str]:
    for node in reversed(view.lineage(qid)):
        d = node.cfg.deflection
        if d is not None and d.voice is not None:
            return d.voice, f"queue:{node.id}"
    return view.center.deflection.voice, "center"


@lru_cache(maxsize=4096)
def mobile(view: CenterView, qid: str) -> tuple[MobileQueueDeflection | None, str]:
    """The nearest queue-level mobile override, or (None, "center")."""
    for node in reversed(view.lineage(qid)):
        d = node.cfg.deflection
        if d is not None and d.mobile is not None:
            return d.mobile, f"queue:{node.id}"
    return None, "center"


def sdk_center(view: CenterView, platform: str) -> SdkDeflection:
    return view.center.deflection.mobile if platform == "mobile" else view.center.deflection.web


def chat(view: CenterView) -> ChatDeflection:
    return view.center.deflection.chat


@lru_cache(maxsize=4096)
def sms(view: CenterView, qid: str) -> tuple[SmsDeflection, str]:
    for node in reversed(view.lineage(qid)):
        d = node.cfg.deflection
        if d is not None and d.sms is not None:
            return d.sms, f"queue:{node.id}"
    return view.center.deflection.sms, "center"


@lru_cache(maxsize=4096)
def scheduled_calls(view: CenterView, qid: str) -> ScheduledCalls:
    """The nearest queue's scheduled-call setting (off when no queue sets it)."""
    for node in reversed(view.lineage(qid)):
        if node.cfg.scheduled_calls is not None:
            return node.cfg.scheduled_calls
    return ScheduledCalls()


@lru_cache(maxsize=4096)
def sms_text(view: CenterView, qid: str) -> str | None:
    """The first SMS text up the inheritance chain (queue, ancestors, center), if any;
    the caller falls back to the language's `sms_after_hours_text`."""
    for node in reversed(view.lineage(qid)):
        d = node.cfg.deflection
        if d is not None and d.sms is not None and d.sms.text:
            return d.sms.text
    return view.center.deflection.sms.text


def deflection_enabled(view: CenterView, qid: str, channel: str) -> bool:
    """Is after-hours deflection on for this queue and channel (transfer-target rule)?"""
    if channel == "voice":
        return ivr(view, qid)[0].enabled
    if channel == "mobile":
        override, _ = mobile(view, qid)
        return override.enabled if override is not None else sdk_center(view, "mobile").enabled
    if channel == "web":
        return sdk_center(view, "web").enabled
    if channel == "chat":
        return chat(view).enabled
    if channel == "sms":
        return sms(view, qid)[0].enabled
    return False
