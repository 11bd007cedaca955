"""Which hours and which deflection settings govern a queue on a channel.

Deflection settings inherit from the nearest ancestor that sets them (a queue's override
is a whole object, validated as such), else the contact center's. Results are memoized
per config view: the view is immutable and replaced when the config changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from core.caches import on_reset
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


# Every walk up the queue tree is CenterView.inherited. The deflection hot path asks these
# on every call: lru_cache keyed by (view, queue) answers in one C-level lookup, and a new
# config version is a new view.
@lru_cache(maxsize=4096)
def ivr(view: CenterView, qid: str) -> tuple[IvrDeflection, str]:
    found = view.inherited(qid, "deflection.voice")
    assert found is not None  # the center always has one
    return found


@lru_cache(maxsize=4096)
def mobile(view: CenterView, qid: str) -> tuple[MobileQueueDeflection | None, str]:
    """The nearest queue-level mobile override, or (None, "center")."""
    return view.inherited(qid, "deflection.mobile", center=False) or (None, "center")


def sdk_center(view: CenterView, platform: str) -> SdkDeflection:
    return view.center.deflection.mobile if platform == "mobile" else view.center.deflection.web


def chat(view: CenterView) -> ChatDeflection:
    return view.center.deflection.chat


@lru_cache(maxsize=4096)
def sms(view: CenterView, qid: str) -> tuple[SmsDeflection, str]:
    found = view.inherited(qid, "deflection.sms")
    assert found is not None  # the center always has one
    return found


@lru_cache(maxsize=4096)
def scheduled_calls(view: CenterView, qid: str) -> ScheduledCalls:
    """The nearest queue's scheduled-call setting (off when no queue sets it)."""
    found = view.inherited(qid, "scheduled_calls", center=False)
    return found[0] if found else ScheduledCalls()


@lru_cache(maxsize=4096)
def sms_text(view: CenterView, qid: str) -> str | None:
    """The first SMS text up the inheritance chain (queue, ancestors, center), if any;
    the caller falls back to the language's `sms_after_hours_text`."""
    found = view.inherited(qid, "deflection.sms.text")
    return found[0] if found else None


@on_reset
def _forget() -> None:
    # Keyed by view: a reset also lets go of the views they hold.
    for memo in (ivr, mobile, sms, scheduled_calls, sms_text):
        memo.cache_clear()


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
