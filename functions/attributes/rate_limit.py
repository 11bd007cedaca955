"""Apps API rate limit: N requests per second per customer, holding across instances.

A fixed one-second window counted in Firestore (`rate_limits/{customer}:{second}`, one
transaction per request; each window is its own document so no document takes more than
N writes). An instance that has already seen N admitted requests in the current window
refuses further ones locally without a Firestore round trip. Old windows carry
`expire_at` for a Firestore TTL policy.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from typing import Any

from core import clients
from core.errors import too_many
from core.settings import settings

COLLECTION = "rate_limits"
_local_lock = threading.Lock()
_local: dict[str, tuple[int, int]] = {}  # customer -> (window, admitted here)


def _local_full(customer: str, window: int, limit: int) -> bool:
    with _local_lock:
        w, n = _local.get(customer, (window, 0))
        return w == window and n >= limit


def _local_note(customer: str, window: int) -> None:
    with _local_lock:
        w, n = _local.get(customer, (window, 0))
        _local[customer] = (window, n + 1 if w == window else 1)


def check(customer: str, limit: int | None = None, now: float | None = None) -> None:
    """Admit one request for `customer` or raise 429 with Retry-After."""
    from google.cloud import firestore

    limit = limit if limit is not None else settings().apps_api_rate_limit
    t = time.time() if now is None else now
    window = int(t)
    retry_after = max(1, math.ceil(window + 1 - t))
    if _local_full(customer, window, limit):
        raise too_many(retry_after)
    db = clients.firestore()
    ref = db.collection(COLLECTION).document(f"{customer}:{window}")

    @firestore.transactional
    def txn(tr: Any) -> bool:
        snap = ref.get(transaction=tr)
        count = int(snap.get("count")) if snap.exists else 0
        if count >= limit:
            return False
        tr.set(ref, {"customer": customer, "window": window, "count": count + 1,
                     "expire_at": dt.datetime.fromtimestamp(window + 3600, dt.UTC)})
        return True

    try:
        admitted = txn(db.transaction(max_attempts=10))
    except Exception as exc:  # noqa: BLE001 - contention that outlasted the retries
        from google.api_core.exceptions import GoogleAPICallError

        if not isinstance(exc, GoogleAPICallError | ValueError):
            raise
        admitted = False  # fail closed: the caller retries after the window
    if not admitted:
        raise too_many(retry_after)
    _local_note(customer, window)


def reset_local() -> None:
    with _local_lock:
        _local.clear()
