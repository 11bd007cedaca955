"""Calls, conferences and their participants as the stand-in keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Call:
    sid: str
    account_sid: str
    to: str
    from_: str
    status: str
    direction: str
    date_created: datetime
    url: str | None = None
    twiml: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: set[str] = field(default_factory=set)
    conference_sid: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    date_updated: datetime | None = None
    sequence: int = 0
    parent_call_sid: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Participant:
    call_sid: str
    conference_sid: str
    account_sid: str
    label: str | None
    muted: bool
    hold: bool
    coaching: bool
    call_sid_to_coach: str | None
    start_conference_on_enter: bool
    end_conference_on_exit: bool
    beep: str
    early_media: bool
    status: str
    date_created: datetime
    date_updated: datetime
    params: dict[str, str] = field(default_factory=dict)
    updates: list[dict[str, str]] = field(default_factory=list)
    removed: bool = False


@dataclass
class Conference:
    sid: str
    account_sid: str
    friendly_name: str
    status: str
    date_created: datetime
    date_updated: datetime
    participants: dict[str, Participant] = field(default_factory=dict)
    history: list[Participant] = field(default_factory=list)
    reason_conference_ended: str | None = None
    call_sid_ending_conference: str | None = None
