"""Recording-delivery fixtures: an in-process pipeline on the real emulators.

Tasks go to a paused Cloud Tasks queue of the emulator (`recording-delivery-local`); the
`pipe.run_tasks()` helper lists them, empties the queue and hands each one to the worker
route in-process, exactly as the queue would POST it (same body, same signature header).
Schedule times are recorded (tests assert them) but not waited for. The served-function
test uses the real, running queue instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers.recordings import LOCAL_QUEUE, PUBLIC, Pipeline, reset_caches


@pytest.fixture
def rec_env(suite: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Small parts, fast backoff, short leases, the paused local queue."""
    from google.api_core.exceptions import AlreadyExists

    env = {
        "RECORDINGS_PART_SIZE": "4000",
        "RECORDINGS_BACKOFF_SCALE": "0.001",
        "RECORDINGS_LEASE_SECONDS": "3",
        "RECORDINGS_HTTP_TIMEOUT_SECONDS": "5",
        "RECORDINGS_TASKS_QUEUE": LOCAL_QUEUE,
        "CRM": "zendesk",
    }
    urls = json.loads(os.environ.get("FUNCTION_URLS") or "{}")
    urls.setdefault("recordings_http", "http://127.0.0.1:9")  # never dispatched: paused
    env["FUNCTION_URLS"] = json.dumps(urls)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    reset_caches()
    from core import clients

    parent = f"projects/{suite.project}/locations/us-central1"
    name = f"{parent}/queues/{LOCAL_QUEUE}"
    try:
        clients.tasks().create_queue(parent=parent, queue={"name": name})
    except AlreadyExists:
        pass
    clients.tasks().pause_queue(name=name)
    clients.tasks().purge_queue(name=name)
    yield env
    monkeypatch.undo()
    reset_caches()


@pytest.fixture
def pipe(rec_env: dict[str, str], app_client: Any, suite: Any) -> Pipeline:
    client = app_client("recordings_http", PUBLIC)
    return Pipeline(suite, client)
