"""The instant a decision is made for: now, or `at` from the request on emulators only.

Tests and the explain endpoint need "what would happen at T"; in production a caller must
never move our clock, so `at` is refused outside the emulator suite (explain excepted),
including the cloud-shaped suite, where K_SERVICE is set.
"""

from __future__ import annotations

import datetime as dt

from core.errors import bad_request
from core.settings import settings

UTC = dt.UTC


def parse_instant(value: str, field: str = "at") -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(field, "must be an ISO 8601 instant, e.g. 2026-03-08T06:30:00Z") from None
    if at.tzinfo is None:
        raise bad_request(field, "must carry a UTC offset or Z")
    return at.astimezone(UTC)


def now(value: str | None = None, field: str = "at", *, always: bool = False) -> dt.datetime:
    """`value` (ISO 8601) when given and allowed, else the current instant."""
    if not value:
        return dt.datetime.now(UTC)
    if not (always or settings().emulator_affordances):
        raise bad_request(field, "only accepted on the emulator suite")
    return parse_instant(value, field)
