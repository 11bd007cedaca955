"""The retry curve, in one place: the worker schedules its own retries with it, and the
Cloud Tasks queue's retry_config (infra/tasks.tf, the backstop for a crashed worker) uses
the same numbers (tests/infra compares them with these constants)."""

from __future__ import annotations

import random

BACKOFF_MIN_SECONDS = 10.0
BACKOFF_MAX_SECONDS = 3600.0
# Attempts of one Cloud Task by the queue before it gives up (the backstop). Our own
# rescheduling is bounded by time instead: the sweeper deletes everything at day 7.
MAX_ATTEMPTS = 8
# Retry-After beyond this is capped (a CRM asking for a day would outlive retention).
LONGEST_WAIT_SECONDS = 6 * 3600.0


def delay(
    attempt: int,
    retry_after: float | None = None,
    scale: float = 1.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before attempt `attempt + 1` (attempt counts from 0).

    Exponential with full jitter over the upper half: base * 2^attempt, capped, then a
    uniform draw in [cap/2, cap] so retries of many recordings spread out. Retry-After,
    when the CRM gives one, is a floor: we never come back earlier than told.
    """
    r = rng or random
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_MIN_SECONDS * (2 ** min(attempt, 16))) * scale
    wait = r.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        wait = max(wait, min(retry_after, LONGEST_WAIT_SECONDS))
    return wait
