"""What deflection_http's JSON routes answer with (OpenAPI success schemas; handlers build
dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    # Documentation of an answer, never used to refuse one: fields may be added.
    model_config = ConfigDict(extra="allow")


class SdkDecision(_Out):
    """The after-hours decision for the mobile / web SDK (core/decisions/decide.py)."""

    queue_id: str
    platform: str = Field(description="mobile or web")
    open: bool
    deflected: bool
    reason: str
    policy_source: str = Field(description="the queue whose deflection settings applied")
    options: list[dict[str, Any]] = Field(description="what the end user may choose instead")
    deflect_to_queue: dict[str, Any] | None
    hours_id: Any
    hours_source: Any
    session_id: str | None = Field(description="the deflected session recorded, if any")
    language: str | None


class ChatDecision(_Out):
    """The after-hours decision for a chat (core/decisions/decide.py)."""

    queue_id: str
    open: bool
    deflected: bool
    reason: str
    options: list[dict[str, Any]] = Field(description="email: to and subject")
    hours_id: Any
    hours_source: Any
    message: str | None = Field(None, description="the after-hours text, when deflected")
    next_open: str | None = Field(None, description="when the queue opens next (UTC)")
    session_id: str | None = Field(description="the deflected session recorded, if any")
    language: str | None


class CallSession(_Out):
    id: str
    channel: Any
    source: Any = Field(description="mobile_sdk")
    kind: Any
    status: Any
    queue_id: Any
    queue_path: Any
    language: Any
    profile: Any


class SdkCall(_Out):
    session: CallSession
    decision: dict[str, Any]
    call: dict[str, Any] = Field(description="params for the Twilio Voice SDK's connect()")


class CallbackMessage(_Out):
    call_sid: str = Field(description="the carrier call that rings the customer")
    queue_id: str
    number: Any = Field(description="the number the customer sees")
    replayed: bool = Field(description="true: a retry with the same Idempotency-Key")


class Booking(_Out):
    id: Any
    queue_id: Any
    slot_start: Any
    slot_end: Any
    status: Any = Field(description="booked, cancelled, called, ...")
    phone: Any
    task: Any


class BookingAnswer(Booking):
    replayed: bool = Field(description="true: a retry with the same Idempotency-Key")


class TaskOutcome(_Out):
    status: str = Field(description="called, failed, cancelled, unknown_booking, ...")
    call_sid: str | None = None


class TransferTargets(_Out):
    channel: str
    at: str
    allow_transfer_to_after_hours: Any
    targets: list[dict[str, Any]] = Field(description="queue_id, path, open, reason")
    excluded: list[dict[str, Any]] = Field(description="queues not offered, with the reason")


class Presence(_Out):
    user_id: str
    status: str = Field(description="online or offline")
    updated_at: float | None


class Explanation(_Out):
    queue_id: str
    path: Any
    channel: str
    language: Any
    at: str
    channel_served: bool
    hours: Any
    decision: dict[str, Any]
    transfer_target: dict[str, Any]
