"""The queue tree: menu paths such as `Billing > Refunds`; leaves receive contacts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.config.schema.common import Channel, Ident, Strict
from core.config.schema.deflection import QueueDeflection
from core.config.schema.hours import HoursSelection
from core.config.schema.notifications import QueueNotifications
from core.config.schema.redirection import Redirection


class VirtualAgentParameter(Strict):
    """A dynamic data parameter the virtual agent exchanges with us: `field` is the
    Dialogflow CX session parameter, `source_field` the session-metadata field it is."""

    field: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
    type: Literal["dynamic"] = "dynamic"
    source: Literal["session_metadata", "ujet_metadata"] = "session_metadata"
    source_field: Literal["verified_customer", "Verified Customer"] = "verified_customer"


class VirtualAgent(Strict):
    name: str = "virtual-agent"
    # "24/7" answers round the clock; "queue_hours" only while the queue is open.
    availability: Literal["24/7", "queue_hours"] = "queue_hours"
    # Empty: the CX parameter is called `verified_customer`.
    data_parameters: list[VirtualAgentParameter] = Field(default_factory=list, max_length=10)


class ScheduledCalls(Strict):
    """The queue's channel setting "scheduled calls" (the SDK offers slots only if on)."""

    enabled: bool = False
    capacity: int = Field(1, ge=1, le=1000)  # bookings per slot


class Queue(Strict):
    id: Ident
    name: str = Field(min_length=1, max_length=120)
    channels: list[Channel] = Field(default_factory=list)  # empty: inherit from the parent
    active: bool = True
    hours: HoursSelection | None = None
    virtual_agent: VirtualAgent | None = None
    deflection: QueueDeflection | None = None
    notifications: QueueNotifications | None = None
    # SIP redirection and the data parameters that travel with it (reserved attributes).
    redirection: Redirection | None = None
    scheduled_calls: ScheduledCalls | None = None  # None: the parent's (default off)
    crm_on_no_agents: bool = True  # voicemails of a top-level queue with no agents go to the CRM
    children: list[Queue] = Field(default_factory=list)
