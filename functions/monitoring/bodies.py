"""Request bodies of the monitoring API (unknown fields are rejected)."""

from __future__ import annotations

import re
from typing import Literal, TypeVar

import flask
from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.http import parse_body

M = TypeVar("M", bound=BaseModel)
Mode = Literal["listen", "coach", "barge"]
_DIAL_TARGET = re.compile(r"^(\+[1-9]\d{6,14}|client:[A-Za-z0-9_.@-]{1,121}|sips?:[^\s]{3,250})$")


class StartMonitor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=500)
    mode: Mode | None = Field(
        None,
        description="listen (muted, the default), coach (heard by the agent only; "
        "monitor.coach) or barge (heard by everyone; monitor.barge). If you already "
        "monitor the call, your leg switches to this mode without re-dialling.",
    )
    # Where the supervisor listens: their own softphone (client:<identity>, the default) or
    # the phone number of their own profile; the shape is checked here, the owner in
    # access.listening_target.
    to: str | None = Field(
        None,
        max_length=260,
        description="where your listening leg is dialled: your own softphone "
        "(client:<your softphone identity>, the default) or the phone number of your own "
        "profile; anything else is refused (403, field `to`)",
    )

    @field_validator("to")
    @classmethod
    def _target(cls, v: str | None) -> str | None:
        if v is not None and not _DIAL_TARGET.match(v):
            raise ValueError("must be E.164 (+14155550100), client:<identity> or sip:<uri>")
        return v


class MonitorMode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Mode = Field(
        description="listen (muted), coach (heard by the agent only; monitor.coach) or "
        "barge (heard by the customer and the agent; monitor.barge)"
    )
    reason: str | None = Field(None, max_length=500)


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=500)


class EndSession(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)  # the audit log says why

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()


def optional_body(request: flask.Request, model: type[M]) -> M:
    """A body that may be omitted entirely (then every field takes its default)."""
    if not request.get_data(cache=True):
        return model()
    return parse_body(request, model)
