"""A worker killed mid-way (SIGKILL: no cleanup at all) never loses or doubles a part:
the queue's redelivery finds the dead worker's lease, comes back when it ends, and the
next run resumes from the per-part state (and the CRM's markers)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.recordings import Pipeline

ROOT = Path(__file__).resolve().parents[2]
PART = 4000


def _wait(cond: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def _commented(pipe: Pipeline, sid: str) -> bool:
    d = pipe.doc(sid)
    return bool(d.get("target")) and any(
        f"cc-recording:{sid}" in c["body"] for c in pipe.comments(d["target"])
    )


@pytest.mark.parametrize("where", ["uploading part 2", "after the CRM applied the comment"])
def test_worker_killed(pipe: Pipeline, where: str) -> None:
    rec = pipe.record(5, 2000)  # 3 parts
    if where == "uploading part 2":
        pipe.fault(
            "zendesk",
            "uploads",
            [{"kind": "delay", "seconds": 0}, {"kind": "delay", "seconds": 30, "when": "before"}],
        )

        def reached() -> bool:
            # Part 1 is sent; part 2's upload (a staged part, no `sending` mark) is held
            # by the stand-in for 30 s once it starts, a budget slot later.
            parts = pipe.doc(rec.sid).get("parts") or []
            if not (len(parts) > 1 and parts[0].get("state") == "sent"):
                return False
            time.sleep(0.5)
            return True
    else:
        pipe.fault(
            "zendesk", "tickets", [{"kind": "delay", "seconds": 30, "when": "after"}], method="PUT"
        )

        def reached() -> bool:
            return _commented(pipe, rec.sid)

    pipe.callback(rec)
    [task] = pipe.queued()
    pipe.purge()
    body, headers = bytes(task.http_request.body), dict(task.http_request.headers)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.recordings.run_worker", rec.sid, "0"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait(reached)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    before: dict[str, Any] = pipe.doc(rec.sid)
    assert before["status"] == "stored" and pipe.object_exists(rec.sid)
    # The queue saw the dispatch fail and delivers the same task again.
    out = pipe.deliver(body, headers)
    assert out["outcome"] == "busy"
    pipe.run_tasks()
    d = pipe.assert_delivered(rec, PART)
    if where != "uploading part 2":
        assert d["commit"]["result"].get("recovered") is True


def test_lock_left_by_a_killed_worker_is_a_redelivery_not_a_crash(pipe: Pipeline) -> None:
    """A worker killed inside a Firestore transaction leaves the document locked until the
    lock times out. The next run's transactions keep aborting and the client gives up with
    a bare ValueError, which used to escape the worker (the chaos bench's unexplained
    worker deaths, a 500 on the served route): now the task is answered 503 to be
    delivered again, and a later delivery completes it."""
    from core import clients
    from recordings import state

    rec = pipe.record(2, 1000)
    pipe.callback(rec)
    [task] = pipe.queued()
    pipe.purge()
    body, headers = bytes(task.http_request.body), dict(task.http_request.headers)
    held = clients.firestore().transaction()
    held._begin()
    state.ref(rec.sid).get(transaction=held)  # the dead worker's read lock, never committed
    try:
        resp = pipe.client.post("/tasks/deliver", data=body, headers=headers)
        assert resp.status_code == 503, resp.get_data(as_text=True)
        assert resp.get_json() == {"outcome": "contended", "redeliver": True}
    finally:
        held._rollback()
    assert pipe.deliver(body, headers)["outcome"] == "done"
    pipe.assert_delivered(rec, PART)
