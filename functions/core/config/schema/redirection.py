"""Per-queue redirection: where a call is sent out (SIP) and which data travels with it.

Mirrors the platform's documented shape:
`redirection: {option: sip, sip: {uri, data_parameters_enabled, data_parameters[],
data_records: {in_metadata, in_crm_record}}}`. The same data parameters map incoming SIP
headers / session metadata to the reserved profile flags and build the outgoing headers.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from core.config.schema.common import Strict

# The profile flags a data parameter may carry (documented field names).
FLAG_FIELDS = ("verified_customer", "bad_actor", "repeat_customer")
# Where a dynamic value is read from: our session metadata ("ujet_metadata" is the name the
# platform documents for it) or a header of the incoming SIP INVITE.
Source = Literal["session_metadata", "ujet_metadata", "sip_header"]

# RFC 3261 token characters; Twilio only forwards x- headers (and a few standard ones).
_HEADER = re.compile(r"^[xX]-[A-Za-z0-9][A-Za-z0-9\-_.!%*+`'~]{0,62}$")
_SIP_URI = re.compile(r"^sips?:[^\s?<>\"]{1,253}$")


def _check_header(v: str) -> str:
    if not _HEADER.match(v):
        raise ValueError("must be a custom SIP header name such as X-Verified-Customer")
    return v


def _check_uri(v: str) -> str:
    if not _SIP_URI.match(v):
        raise ValueError(
            "must be a SIP URI such as sip:agent@pbx.example.com "
            "(no query part: headers come from data_parameters)"
        )
    return v


HeaderName = Annotated[str, AfterValidator(_check_header)]
SipUri = Annotated[str, AfterValidator(_check_uri)]


# Session-metadata fields a data parameter may read (our names and the portal's labels).
METADATA_FIELDS = {
    "verified_customer": "verified_customer",
    "Verified Customer": "verified_customer",
    "bad_actor": "bad_actor",
    "Bad Actor": "bad_actor",
    "repeat_customer": "repeat_customer",
    "Repeat Customer": "repeat_customer",
}


class DataParameter(Strict):
    """One value carried across the redirection.

    `field` is the destination name (the profile flag; outbound, the SIP header
    `X-Verified-Customer` etc.). `source` / `source_field` say where the value is read:
    a header of the incoming INVITE (inbound: header -> flag; outbound: passed on under
    the same header name) or our session metadata (outbound only).
    """

    field: Literal["verified_customer", "bad_actor", "repeat_customer"]
    type: Literal["dynamic"] = "dynamic"
    source: Source = "session_metadata"
    source_field: str = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _source_field_known(self) -> DataParameter:
        if self.source == "sip_header":
            _check_header(self.source_field)
        elif self.source_field not in METADATA_FIELDS:
            raise ValueError(f"source_field: session metadata has {sorted(METADATA_FIELDS)}")
        return self

    @property
    def metadata_flag(self) -> str:
        """The profile flag an outbound value is read from."""
        if self.source == "sip_header":
            return self.field
        return METADATA_FIELDS[self.source_field]

    def outgoing_header(self) -> str:
        if self.source == "sip_header":
            return self.source_field
        return "X-" + self.field.replace("_", "-").title()


class DataRecords(Strict):
    in_metadata: bool = False
    in_crm_record: bool = False


class SipRedirection(Strict):
    uri: SipUri
    data_parameters_enabled: bool = False
    data_parameters: list[DataParameter] = Field(default_factory=list, max_length=20)
    data_records: DataRecords = Field(default_factory=DataRecords)

    @model_validator(mode="after")
    def _unique_fields(self) -> SipRedirection:
        seen: set[str] = set()
        for p in self.data_parameters:
            if p.field in seen:
                raise ValueError(f"data_parameters: field {p.field!r} appears twice")
            seen.add(p.field)
        return self


class Redirection(Strict):
    option: Literal["sip"] = "sip"
    sip: SipRedirection
