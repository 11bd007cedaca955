"""The recording sink of a CRM, by name. Kept apart from the protocol (recording_sink.py),
which each sink imports, and importing only the chosen sink so a function loads one CRM
client."""

from __future__ import annotations

from core.crm.recording_sink import RecordingSink

NAMES = ("zendesk", "salesforce")


def recording_sink(name: str, read_timeout: float = 60.0) -> RecordingSink:
    if name == "zendesk":
        from core.crm.zendesk_recordings import ZendeskSink

        return ZendeskSink(read_timeout)
    if name == "salesforce":
        from core.crm.salesforce_recordings import SalesforceSink

        return SalesforceSink(read_timeout)
    raise ValueError(f"unknown CRM {name!r}")
