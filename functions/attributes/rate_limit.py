"""Apps API rate limit: N requests per second per customer, holding across instances.

A fixed one-second window with N slots in Firestore: a request is admitted when it
creates one of the slot documents `rate_limits/{customer}:{second}:{slot}` (an atomic
create, so two instances can never take the same slot, and no transaction or shared
counter document that concurrent requests would queue on). A full window is remembered
per instance, so a flood costs one local check per request, not Firestore round trips.
Slot documents carry `expire_at` (core.ttl) for a Firestore TTL policy.

For limits above MAX_PROBES slots are probed at random, so a nearly full window may
refuse slightly early: the limit is then a ceiling, never exceeded.
"""

from __future__ import annotations

import math
import random
import threading
import time

from core import clients, ttl
from core.errors import too_many
from core.settings import settings

COLLECTION = "rate_limits"
MAX_PROBES = 32
_local_lock = threading.Lock()
_local: dict[str, tuple[int, int, bool]] = {}  # customer -> (window, admitted here, full)


def _local_full(customer: str, window: int, limit: int) -> bool:
    with _local_lock:
        w, n, full = _local.get(customer, (window, 0, False))
        return w == window and (full or n >= limit)


def _local_note(customer: str, window: int, *, full: bool = False) -> None:
    with _local_lock:
        w, n, was_full = _local.get(customer, (window, 0, False))
        if w != window:
            n, was_full = 0, False
        _local[customer] = (window, n + (0 if full else 1), was_full or full)


def check(customer: str, limit: int | None = None, now: float | None = None) -> None:
    """Admit one request for `customer` or raise 429 with Retry-After."""
    from google.api_core.exceptions import AlreadyExists, Conflict

    limit = limit if limit is not None else settings().apps_api_rate_limit
    t = time.time() if now is None else now
    window = int(t)
    retry_after = max(1, math.ceil(window + 1 - t))
    if limit <= 0 or _local_full(customer, window, limit):
        raise too_many(retry_after)
    coll = clients.firestore().collection(COLLECTION)
    expire = ttl.expire_at(3600, now=window)
    for slot in random.sample(range(limit), min(limit, MAX_PROBES)):
        try:
            coll.document(f"{customer}:{window}:{slot}").create(
                {"customer": customer, "window": window, ttl.FIELD: expire}
            )
        except (AlreadyExists, Conflict):
            continue
        _local_note(customer, window)
        return
    _local_note(customer, window, full=True)
    raise too_many(retry_after)


def reset_local() -> None:
    with _local_lock:
        _local.clear()
