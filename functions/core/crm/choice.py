"""Which CRM each use writes to, and the client for it: the one place that decides.

Uses: `recordings` (call recordings, a RecordingSink), `customers` (end-user contacts,
their merge at sign-in, a ticket / case per session, profile flags and notes on it) and
`voicemail` (a ticket / case per after-hours voicemail, audio attached). The setting CRM
applies to every use (zendesk or salesforce); a use with a setting of its own would be one
line in `crm_for`. Every caller (request path or event consumer) gets its client here,
never from a CRM module directly. Clients are imported lazily, so a function loads only
the CRM client it talks to.
"""

from __future__ import annotations

from typing import Literal

from core.crm.recording_sink import RecordingSink
from core.crm.records import CrmRecords

__all__ = ["CrmRecords", "RecordingSink", "crm_for", "records", "recording_sink"]

Use = Literal["recordings", "customers", "voicemail"]
USES: tuple[Use, ...] = ("recordings", "customers", "voicemail")
NAMES = ("zendesk", "salesforce")


def crm_for(use: Use) -> str:
    """The CRM `use` writes to: the CRM setting, for every use."""
    from core.settings import settings

    if use not in USES:
        raise ValueError(f"unknown CRM use {use!r}")
    return settings().crm


def records(use: Use) -> CrmRecords:
    """The customer-records client of the CRM `use` writes to."""
    name = crm_for(use)
    if name == "zendesk":
        from core.crm.zendesk_records import ZendeskRecords

        return ZendeskRecords()
    if name == "salesforce":
        from core.crm.salesforce_records import SalesforceRecords

        return SalesforceRecords()
    raise ValueError(f"unknown CRM {name!r}")


def recording_sink(name: str, read_timeout: float = 60.0) -> RecordingSink:
    """The recording sink of CRM `name` (a recording keeps the CRM it started with)."""
    if name == "zendesk":
        from core.crm.zendesk_recordings import ZendeskSink

        return ZendeskSink(read_timeout)
    if name == "salesforce":
        from core.crm.salesforce_recordings import SalesforceSink

        return SalesforceSink(read_timeout)
    raise ValueError(f"unknown CRM {name!r}")
