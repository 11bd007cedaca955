"""One CRM call budget per minute, shared by every instance, with a share kept for recordings.

The CRM's API limit (Zendesk: per plan, e.g. 700 requests a minute) is one pool for the
whole deployment. Recordings must reach the CRM before the 7-day deletion, so they must
never queue behind contacts, tickets, flags or voicemails: the last
`CRM_RECORDING_RESERVE` of each minute's `CRM_BUDGET_PER_MINUTE` slots is theirs alone.

- `GENERAL` calls (anonymous contacts and tickets, profile flags, notes, voicemails,
  merges) take only unreserved slots;
- `RECORDING` calls take their reserved slots first, then unreserved ones: the whole
  budget.

A caller over its share gets `RateLimited` with the seconds left in the minute, exactly
what the CRM itself would answer, so every caller's existing deferral applies (recording
delivery reschedules; a flag write stays pending; a merge answers 503 with Retry-After).
The slots live in core.rate_limit (Firestore, one atomic create per call).
"""

from __future__ import annotations

from typing import Literal

from core import rate_limit
from core.crm.errors import RateLimited, Transient
from core.settings import settings

Lane = Literal["general", "recording"]
GENERAL: Lane = "general"
RECORDING: Lane = "recording"
WINDOW = 60
SCOPE = "crm_budget"


def lanes(lane: Lane) -> list[range]:
    s = settings()
    total = s.crm_budget_per_minute
    reserved = min(total, round(total * s.crm_recording_reserve))
    unreserved, held = range(0, total - reserved), range(total - reserved, total)
    return [held, unreserved] if lane == RECORDING else [unreserved]


def spend(lane: Lane) -> None:
    """Count one CRM call against this minute's budget, or raise RateLimited."""
    from google.api_core.exceptions import GoogleAPICallError

    s = settings()
    try:
        wait = rate_limit.take(
            SCOPE, s.crm, s.crm_budget_per_minute, window_seconds=WINDOW, lanes=lanes(lane)
        )
    except GoogleAPICallError as exc:  # no budget store: the outcome is "try again later"
        raise Transient(f"CRM budget unavailable: {exc.__class__.__name__}") from None
    if wait is not None:
        raise RateLimited(wait, f"CRM call budget for {lane} calls spent this minute")
