"""Small shared types for the config schema."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

CHANNELS = ("voice", "mobile", "web", "chat", "sms")
Channel = Literal["voice", "mobile", "web", "chat", "sms"]

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _check_id(v: str) -> str:
    if not _ID.match(v):
        raise ValueError("must be 1-63 chars of a-z, 0-9, '-' or '_', starting with a letter/digit")
    return v


def _check_e164(v: str) -> str:
    if not _E164.match(v):
        raise ValueError("must be an E.164 phone number such as +14155550100")
    return v


Ident = Annotated[str, AfterValidator(_check_id)]
E164 = Annotated[str, AfterValidator(_check_e164)]


class Strict(BaseModel):
    """Base for every config model: unknown keys are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)
