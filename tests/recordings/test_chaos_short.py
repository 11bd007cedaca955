"""The chaos bench's short mode as a test: 30 recordings under random 5xx / 429 / lost
acknowledgements, duplicate deliveries and killed workers."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.slow
def test_chaos_short(suite: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import recordings_chaos

    for k in ("RECORDINGS_PART_SIZE", "RECORDINGS_BACKOFF_SCALE", "RECORDINGS_LEASE_SECONDS",
              "RECORDINGS_HTTP_TIMEOUT_SECONDS", "RECORDINGS_TASKS_QUEUE", "CRM",
              "FUNCTION_URLS", "LOG_LEVEL", "PUBLIC_URL"):
        monkeypatch.setenv(k, __import__("os").environ.get(k, "")) if k in __import__(
            "os").environ else monkeypatch.delenv(k, raising=False)
    out = recordings_chaos.run({"twilio": suite.url("twilio"), "zendesk": suite.url("zendesk")},
                               30, seed=11, short=True)
    print(out)
    assert out["delivered"] == out["recordings"] == 30, out
    for k in ("duplicated", "out_of_order", "corrupted", "deleted_before_confirmation",
              "older_than_7_days"):
        assert out[k] == 0, out
    assert out["worker_kills"] > 0 and out["duplicate_deliveries"] > 0
