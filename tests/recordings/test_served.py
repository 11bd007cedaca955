"""End to end through the served functions: the Twilio stand-in sends the signed
recording callback to recordings_http, the real Cloud Tasks emulator dispatches the
delivery task (twice: a duplicate), and Zendesk ends with the parts once, in order."""

from __future__ import annotations

import secrets
import time
from typing import Any

import requests

from tests.helpers.recordings import Pipeline, part_hashes, reset_caches


def test_served_pipeline_with_real_task_dispatch(functions: Any) -> None:
    reset_caches()
    suite = functions
    pipe = Pipeline(suite, None)
    from recordings import state, tasks

    call_sid = "CA" + secrets.token_hex(16)
    sid = "RE" + secrets.token_hex(16)
    callback_url = suite.function_url("recordings_http") + "/twilio/recording-status"
    r = requests.post(
        f"{suite.url('twilio')}/_control/recordings",
        json={
            "call_sid": call_sid,
            "sid": sid,
            "seconds": 6,
            "bytes_per_second": 200_000,
            "status": "completed",
            "status_callback": callback_url,
        },
        timeout=10,
    )
    assert r.status_code == 201, r.text
    deadline = time.monotonic() + 30
    while state.get(sid) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state.get(sid) is not None, requests.get(
        f"{suite.url('twilio')}/_control/callbacks", timeout=10
    ).json()
    tasks.enqueue(sid, 0)  # the same task again: the emulator does not dedupe names
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        d = state.get(sid)
        if d and d["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    rec = pipe_rec(sid, call_sid)
    d = pipe.assert_delivered(rec, 50_000_000)
    assert len(d["parts"]) == 1 and d["size"] == 1_200_000
    assert [s for s, _ in part_hashes(rec, 50_000_000)] == [1_200_000]


def pipe_rec(sid: str, call_sid: str) -> Any:
    from tests.helpers.recordings import Rec

    return Rec(sid, call_sid, 6, 200_000, list(range(6)))
