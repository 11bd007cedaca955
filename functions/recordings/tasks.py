"""Delivery tasks on Cloud Tasks: named deterministically (recording sid + generation), so
a repeated enqueue is refused by the queue in the cloud. Each task carries an OIDC token
of the tasks account (checked by core/push.py) and an HMAC of its body, so the public
function runs only tasks we created."""

from __future__ import annotations

import json
import time
from typing import Any

from core import clients, logs, signing
from core.settings import settings
from recordings.config import rec_settings

log = logs.get("recordings.tasks")
HEADER = "X-Recording-Task-Signature"
ROUTE = "/tasks/deliver"


PURPOSE = "recordings-task-body"


def sign(body: bytes) -> str:
    return signing.sign(PURPOSE, body, rec_settings().url_secret)


def verify(body: bytes, signature: str | None) -> None:
    """Raise signing.SignatureError unless the body carries our signature."""
    signing.verify(PURPOSE, body, signature, HEADER, rec_settings().url_secret)


def queue() -> str:
    return clients.queue_path(rec_settings().queue or settings().recordings_queue)


def task_id(sid: str, gen: int, suffix: str = "") -> str:
    return f"rec-{sid}-g{gen}{suffix}"


def enqueue(sid: str, gen: int, at: float | None = None, suffix: str = "") -> str:
    """Create the task for generation `gen` (run at epoch `at`, or now)."""
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import tasks_v2
    from google.protobuf import duration_pb2, timestamp_pb2

    body = json.dumps({"recording_sid": sid, "gen": gen}, sort_keys=True).encode()
    name = f"{queue()}/tasks/{task_id(sid, gen, suffix)}"
    base = settings().function_url("recordings_http")
    task: dict[str, Any] = {
        "name": name,
        "http_request": {
            "http_method": tasks_v2.HttpMethod.POST,
            "url": base + ROUTE,
            "headers": {"Content-Type": "application/json", HEADER: sign(body)},
            "body": body,
        },
    }
    # How long the queue waits for the run (default 10 minutes): as long as the function
    # may run, so a long ingest is not retried while it still streams.
    task["dispatch_deadline"] = duration_pb2.Duration(
        seconds=int(rec_settings().task_deadline_seconds)
    )
    sa = rec_settings().tasks_service_account
    if sa:
        # The receiver checks the token's audience against its own base URL (core/push.py);
        # Cloud Tasks' default audience would be the full task URL.
        task["http_request"]["oidc_token"] = {"service_account_email": sa, "audience": base}
    if at is not None and at > time.time():
        ts = timestamp_pb2.Timestamp()
        ts.FromNanoseconds(int(at * 1e9))
        task["schedule_time"] = ts
    try:
        clients.tasks().create_task(request={"parent": queue(), "task": task})
    except AlreadyExists:
        log.info("task %s already exists", name)
    return name
