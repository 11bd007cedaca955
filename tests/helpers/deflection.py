"""Helpers of the deflection tests (plain functions, constants and classes; the fixtures
are in tests/deflection/conftest.py)."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

DEMO = Path(__file__).resolve().parents[2] / "emulators" / "demo" / "contact-center.yaml"


# Demo center is in New York; business hours Mon-Fri 09:00-18:00.
MON_NOON = "2026-06-01T16:00:00Z"  # Monday 12:00 EDT: business open


MON_NIGHT = "2026-06-02T03:30:00Z"  # Monday 23:30 EDT: everything but 24/7 closed


FN = "deflection_http"


def call_sid() -> str:
    return "CA" + uuid.uuid4().hex


def demo_dict() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(DEMO.read_text()))


def find_queue(cfg: dict[str, Any], qid: str) -> dict[str, Any]:
    stack = list(cfg["queues"])
    while stack:
        q = stack.pop()
        if q["id"] == qid:
            return q
        stack.extend(q.get("children", []))
    raise KeyError(qid)


def wait_for(fetch: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def wait_session(sid: str, status: str | None = None, timeout: float = 10.0) -> dict[str, Any]:
    from core.sessions import store

    def fetch() -> dict[str, Any] | None:
        doc = store.get(sid)
        return doc if doc and (status is None or doc["status"] == status) else None

    return wait_for(fetch, timeout)
