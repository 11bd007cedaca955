"""The cross-instance rate limit on the Firestore emulator: what it admits in one window
does not depend on who else uses the process's shared random generator."""

from __future__ import annotations

import random
import secrets
import time


def test_window_admits_its_limit_when_the_shared_generator_is_reseeded(suite) -> None:
    """Test frameworks (hypothesis, per example) and libraries seed `random`. If the
    limiter probed slots with it, every request would probe the same MAX_PROBES slots and
    a window of 1,000 would refuse after MAX_PROBES admissions."""
    from core import rate_limit

    key = "reseeded-" + secrets.token_hex(4)
    now = float(int(time.time()))
    state = random.getstate()
    try:
        admitted = 0
        for _ in range(rate_limit.MAX_PROBES + 8):
            random.seed(0)
            if rate_limit.take("test", key, 1000, now=now) is None:
                admitted += 1
    finally:
        random.setstate(state)
    assert admitted == rate_limit.MAX_PROBES + 8


def test_window_never_admits_more_than_its_limit(suite) -> None:
    from core import rate_limit

    key = "ceiling-" + secrets.token_hex(4)
    now = float(int(time.time()))
    answers = [rate_limit.take("test", key, 5, now=now) for _ in range(8)]
    assert answers[:5] == [None] * 5
    assert all(a is not None and a >= 1 for a in answers[5:])
