"""SIP headers <-> profile flags, per the queue's redirection config.

Inbound: Twilio passes the X- headers of an incoming INVITE as `SipHeader_<name>` form
parameters; `parse_sip_headers` turns them into a bounded, case-insensitive mapping and
`flags_from_headers` maps the configured ones to flags. Outbound: `build_sip_uri` puts
the current flags into the `<Dial><Sip>` URI as `?X-Name=value&...`, which is how Twilio
is told to send custom headers in the INVITE.

Nothing here raises on hostile input except SipHeaderError (fuzzed in the tests).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from core.config.schema.redirection import Redirection
from core.errors import ApiError

PREFIX = "SipHeader_"
MAX_HEADERS = 64
MAX_VALUE = 1024  # many SIP middleboxes cap a header line near 1 KiB
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.!%*+`'~]{0,127}$")
_TRUE = {"true", "1", "yes", "y", "t", "on", "verified"}
_FALSE = {"false", "0", "no", "n", "f", "off", "unverified"}


class SipHeaderError(ApiError):
    def __init__(self, problem: str) -> None:
        super().__init__(
            400,
            "invalid_sip_headers",
            f"SipHeader_*: {problem}",
            field="SipHeader_*",
            errors=[{"field": "SipHeader_*", "problem": problem}],
        )


def parse_sip_headers(params: Mapping[str, Any]) -> dict[str, str]:
    """{lower-case header name: value} from Twilio's SipHeader_<name> parameters.

    Names that are not SIP tokens, non-string values, control characters and oversized
    values are dropped (a header we cannot trust is a header we ignore); more than
    MAX_HEADERS headers is refused outright.
    """
    out: dict[str, str] = {}
    try:
        items = list(params.items())
    except Exception:  # noqa: BLE001 - a mapping that cannot even be listed
        raise SipHeaderError("unreadable parameters") from None
    count = 0
    for key, value in items:
        if not isinstance(key, str) or not key.startswith(PREFIX):
            continue
        count += 1
        if count > MAX_HEADERS:
            raise SipHeaderError(f"more than {MAX_HEADERS} SIP headers")
        name = key[len(PREFIX) :]
        if not _NAME.match(name) or not isinstance(value, str) or len(value) > MAX_VALUE:
            continue
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            continue  # CR/LF/NUL: never store or forward what could split a header
        out.setdefault(name.lower(), value.strip())
    return out


def parse_bool(value: str) -> bool | None:
    """A header value as a flag: true/false and the usual spellings; else None.

    A value may carry parameters (`true;src=crm`): the first item decides.
    """
    head = value.split(";", 1)[0].split(",", 1)[0].strip().strip('"').lower()
    if head in _TRUE:
        return True
    if head in _FALSE:
        return False
    return None


def flags_from_headers(
    redirection: Redirection | None, headers: Mapping[str, str]
) -> tuple[dict[str, bool], dict[str, str]]:
    """(flags, rejected header -> value) for the configured sip_header parameters."""
    flags: dict[str, bool] = {}
    rejected: dict[str, str] = {}
    if redirection is None or not redirection.sip.data_parameters_enabled:
        return flags, rejected
    for p in redirection.sip.data_parameters:
        if p.source != "sip_header":
            continue
        raw = headers.get(p.source_field.lower())
        if raw is None:
            continue
        parsed = parse_bool(raw)
        if parsed is None:
            rejected[p.source_field] = raw[:64]
        else:
            flags[p.field] = parsed
    return flags, rejected


def outgoing_headers(redirection: Redirection, profile: Mapping[str, Any]) -> dict[str, str]:
    """Header -> value for the redirected call (values are only ever "true"/"false")."""
    if not redirection.sip.data_parameters_enabled:
        return {}
    return {
        p.outgoing_header(): "true" if profile.get(p.metadata_flag) else "false"
        for p in redirection.sip.data_parameters
    }


def build_sip_uri(redirection: Redirection, profile: Mapping[str, Any]) -> str:
    headers = outgoing_headers(redirection, profile)
    if not headers:
        return redirection.sip.uri
    query = "&".join(f"{quote(k, safe='-_.!*+~')}={quote(v, safe='')}" for k, v in headers.items())
    return f"{redirection.sip.uri}?{query}"


def dial_twiml(uri: str) -> str:
    from xml.sax.saxutils import escape

    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Dial><Sip>{escape(uri)}</Sip></Dial></Response>"
    )
