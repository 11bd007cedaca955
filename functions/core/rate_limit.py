"""Cross-instance rate limits: N admissions per fixed window per key, counted in Firestore.

A window holds `limit` slot documents `rate_limits/{scope}:{key}:{window}:{slot}`; an
admission is the atomic create of one free slot, so two instances can never take the same
slot, and there is no transaction or shared counter document for concurrent requests to
queue on. A full window is remembered per instance, so a flood costs one local check per
request, not Firestore round trips. Slot documents carry `expire_at` (core.ttl) for a
Firestore TTL policy.

Lanes give priorities within one limit: a caller may be confined to some slots (the
unreserved part of a budget) while another may use every slot, trying its reserved ones
first (core/crm/budget.py). For limits above MAX_PROBES slots are probed at random, so a
nearly full window may refuse slightly early: the limit is a ceiling, never exceeded.

Users: the Apps API (per customer per second), anonymous chat starts and visitor
registration (per client address and per visitor, core/throttle.py), and the shared CRM
call budget.
"""

from __future__ import annotations

import hashlib
import math
import random
import threading
import time
from collections.abc import Sequence

from core import clients, ttl
from core.caches import on_reset
from core.errors import too_many

COLLECTION = "rate_limits"
MAX_PROBES = 32
_local_lock = threading.Lock()
# (scope, key, lane) -> (window, admitted here, full)
_local: dict[tuple[str, str, tuple[int, int]], tuple[int, int, bool]] = {}
# Probes draw from the OS, not the `random` module: anything in the process may seed the
# shared generator (test frameworks do, per example), and then every request would probe
# the same slots and a window would look full after MAX_PROBES admissions.
_probe_rng = random.SystemRandom()


def _doc_key(key: str) -> str:
    """Keys are caller data (addresses, ids): a digest keeps any character out of the
    document path and bounds its length."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _lane_id(lane: range) -> tuple[int, int]:
    return (lane.start, lane.stop)


def _local_full(scope: str, key: str, lane: range, window: int) -> bool:
    with _local_lock:
        w, n, full = _local.get((scope, key, _lane_id(lane)), (window, 0, False))
        return w == window and (full or n >= len(lane))


def _local_note(scope: str, key: str, lane: range, window: int, *, full: bool = False) -> None:
    with _local_lock:
        k = (scope, key, _lane_id(lane))
        w, n, was_full = _local.get(k, (window, 0, False))
        if w != window:
            n, was_full = 0, False
        _local[k] = (window, n + (0 if full else 1), was_full or full)


def take(
    scope: str,
    key: str,
    limit: int,
    *,
    window_seconds: int = 1,
    lanes: Sequence[range] | None = None,
    now: float | None = None,
) -> float | None:
    """Take one slot of `key`'s current window: None when admitted, else the seconds until
    the window ends (a Retry-After). `lanes` are the slot ranges this caller may use, tried
    in order (default: all `limit` slots)."""
    from google.api_core.exceptions import AlreadyExists, Conflict

    t = time.time() if now is None else now
    span = max(1, int(window_seconds))
    window = int(t // span) * span
    wait = max(1.0, float(math.ceil(window + span - t)))
    lanes = [range(0, max(0, limit))] if lanes is None else [ln for ln in lanes if len(ln)]
    if limit <= 0 or not lanes:
        return wait
    coll = clients.firestore().collection(COLLECTION)
    dkey = _doc_key(key)
    expire = ttl.expire_at(3600, now=window)  # windows are at most minutes long
    for lane in lanes:
        if _local_full(scope, dkey, lane, window):
            continue
        for slot in _probe_rng.sample(lane, min(len(lane), MAX_PROBES)):
            try:
                coll.document(f"{scope}:{dkey}:{window}:{slot}").create(
                    {"scope": scope, "window": window, ttl.FIELD: expire}
                )
            except (AlreadyExists, Conflict):
                continue
            _local_note(scope, dkey, lane, window)
            return None
        _local_note(scope, dkey, lane, window, full=True)
    return wait


def check(
    scope: str,
    key: str,
    limit: int,
    *,
    window_seconds: int = 1,
    now: float | None = None,
) -> None:
    """Admit one request or raise 429 with Retry-After."""
    wait = take(scope, key, limit, window_seconds=window_seconds, now=now)
    if wait is not None:
        raise too_many(int(wait))


@on_reset
def reset_local() -> None:
    with _local_lock:
        _local.clear()
