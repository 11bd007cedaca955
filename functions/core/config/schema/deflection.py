"""After-hours deflection settings, global (per channel) and per queue."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from core.config.schema.common import E164, Channel, Ident, Strict
from core.config.schema.messages import Message

_E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")

IvrOption = Literal["queue", "phone", "voicemail", "message"]
SdkOption = Literal["scheduled_call", "email", "phone", "voicemail"]
MOBILE_ONLY: frozenset[str] = frozenset({"phone", "voicemail"})


class IvrDeflection(Strict):
    enabled: bool = False
    option: IvrOption = "message"
    queue: Ident | None = None  # target for option "queue"
    phone: E164 | None = None  # target for option "phone"
    # A queue's own prompts (the seed's queue-level settings): the after-hours message for
    # option "message" (default: the language's), the greeting for option "voicemail".
    message: Message | None = None
    voicemail_greeting: Message | None = None

    @model_validator(mode="after")
    def _target_present(self) -> IvrDeflection:
        if self.enabled and self.option == "queue" and not self.queue:
            raise ValueError("option `queue` needs `queue: <queue id>`")
        if self.enabled and self.option == "phone" and not self.phone:
            raise ValueError("option `phone` needs `phone: <E.164 number>`")
        return self


class SdkDeflection(Strict):
    """Mobile / web SDK: only the chosen options are offered after hours."""

    enabled: bool = False
    options: list[SdkOption] = Field(default_factory=list)
    phone: E164 | None = None
    slot_minutes: int = Field(30, ge=5, le=240)
    slot_days: int = Field(7, ge=1, le=60)


class MobileQueueDeflection(Strict):
    """Per-queue mobile override: either deflect to a queue or a set of options, never both."""

    enabled: bool = False
    deflect_to_queue: Ident | None = None
    options: list[SdkOption] | None = None
    phone: E164 | None = None

    @model_validator(mode="after")
    def _queue_xor_options(self) -> MobileQueueDeflection:
        if self.deflect_to_queue and self.options:
            raise ValueError("set either `deflect_to_queue` or `options`, never both")
        if self.enabled and not self.deflect_to_queue and not self.options:
            raise ValueError("enabled mobile deflection needs `deflect_to_queue` or `options`")
        return self


def _email_only() -> list[Literal["email"]]:
    return ["email"]


class ChatDeflection(Strict):
    enabled: bool = False
    options: list[Literal["email"]] = Field(default_factory=_email_only)


class SmsDeflection(Strict):
    enabled: bool = False
    text: str | None = None  # falls back to the language's sms_after_hours_text


class NumberRoute(Strict):
    """Where a call or SMS to one of our numbers goes when its webhook URL names no queue."""

    queue: Ident
    language: str | None = None  # the caller's language; default: the center's


class CenterDeflection(Strict):
    voice: IvrDeflection = Field(default_factory=IvrDeflection)
    mobile: SdkDeflection = Field(default_factory=SdkDeflection)
    web: SdkDeflection = Field(default_factory=SdkDeflection)
    chat: ChatDeflection = Field(default_factory=ChatDeflection)
    sms: SmsDeflection = Field(default_factory=SmsDeflection)
    # "Allow transfer to after-hours queues", set per channel.
    allow_transfer_to_after_hours: dict[Channel, bool] = Field(default_factory=dict)
    # Dialed number (E.164) -> queue and language, for webhooks without ?queue=.
    numbers: dict[str, NumberRoute] = Field(default_factory=dict)

    @field_validator("numbers")
    @classmethod
    def _e164_keys(cls, v: dict[str, NumberRoute]) -> dict[str, NumberRoute]:
        bad = [k for k in v if not _E164_RE.match(k)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an E.164 number such as +14155550100")
        return v

    @model_validator(mode="after")
    def _web_has_no_mobile_only(self) -> CenterDeflection:
        bad = MOBILE_ONLY.intersection(self.web.options)
        if bad:
            raise ValueError(f"web.options: {sorted(bad)} are mobile-only")
        return self


class QueueDeflection(Strict):
    """Per-queue overrides (IVR, mobile, SMS; the web channel has none)."""

    voice: IvrDeflection | None = None
    mobile: MobileQueueDeflection | None = None
    sms: SmsDeflection | None = None
