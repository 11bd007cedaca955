"""The one source of "now" for SmartActions, so tests can move time (expiry, retention)."""

from __future__ import annotations

import time


def now() -> float:
    return time.time()
