"""The chaos bench's short mode as a test: 30 recordings under random 5xx / 429 / lost
acknowledgements, duplicate deliveries and workers killed at random points."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.helpers.recordings import reset_caches


@pytest.mark.slow
def test_chaos_short(suite: Any) -> None:
    from bench import recordings_chaos

    saved = dict(os.environ)  # the bench sets its own RECORDINGS_* environment
    try:
        out = recordings_chaos.run(
            {"twilio": suite.url("twilio"), "zendesk": suite.url("zendesk")},
            30,
            seed=11,
            short=True,
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_caches()
    print(out)
    assert out["delivered"] == out["recordings"] == 30, out
    for k in (
        "duplicated",
        "out_of_order",
        "corrupted",
        "deleted_before_confirmation",
        "older_than_7_days",
        "left_at_carrier",
        "worker_crashes",  # a worker that died unbidden is a bug, not chaos
    ):
        assert out[k] == 0, out
    assert out["worker_kills"] > 0 and out["duplicate_deliveries"] > 0
