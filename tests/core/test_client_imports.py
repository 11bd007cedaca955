"""The Cloud Tasks client leaves out the asyncio REST transport we never use (it would
import aiohttp, which twilio installs, into every instance that enqueues a task)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"

PROBE = """
import sys
from core import clients

client = clients.tasks()
assert type(client.transport).__name__ == "CloudTasksGrpcTransport", type(client.transport)
assert client.queue_path("p", "l", "q") == "projects/p/locations/l/queues/q"
heavy = sorted(m for m in ("aiohttp", "yarl", "multidict") if m in sys.modules)
assert not heavy, heavy
"""


def test_tasks_client_imports_no_async_rest_stack() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(FUNCTIONS),
        "GOOGLE_CLOUD_PROJECT": "demo-contact-center",
        "CLOUD_TASKS_EMULATOR_HOST": "127.0.0.1:9",  # a channel connects lazily
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=FUNCTIONS, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
