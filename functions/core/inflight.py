"""How many requests this instance is answering right now.

With request-based billing Cloud Run gives an instance CPU only while it answers a
request, so background work that can wait (the session-mark writer's batching) waits only
while some request is still in flight, and never past the last answer; a function the
manifest deploys with CPU always allocated may wait at any time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_count = 0


def count() -> int:
    return _count


@contextmanager
def request() -> Iterator[None]:
    global _count
    with _lock:
        _count += 1
    try:
        yield
    finally:
        with _lock:
            _count -= 1
