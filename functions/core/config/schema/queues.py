"""The queue tree: menu paths such as `Billing > Refunds`; leaves receive contacts."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from core.config.schema.common import Channel, Ident, Strict
from core.config.schema.deflection import QueueDeflection
from core.config.schema.hours import HoursSelection
from core.config.schema.notifications import QueueNotifications


class VirtualAgent(Strict):
    name: str = "virtual-agent"
    # "24/7" answers round the clock; "queue_hours" only while the queue is open.
    availability: Literal["24/7", "queue_hours"] = "queue_hours"


class Queue(Strict):
    id: Ident
    name: str = Field(min_length=1, max_length=120)
    channels: list[Channel] = Field(default_factory=list)  # empty: inherit from the parent
    active: bool = True
    hours: HoursSelection | None = None
    virtual_agent: VirtualAgent | None = None
    deflection: QueueDeflection | None = None
    notifications: QueueNotifications | None = None
    # Free-form per-capability settings (e.g. SIP redirection) validated by their owners.
    redirection: dict[str, Any] | None = None
    crm_on_no_agents: bool = True  # voicemails of a top-level queue with no agents go to the CRM
    children: list[Queue] = Field(default_factory=list)
