"""The IVR webhook answers before its session mark is written (core/sessions/marks.py), yet
loses nothing when its instance is stopped: SIGTERM at a random point of a burst of calls,
and every call that was answered 200 has its session (and its outbox event) in Firestore."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from emulators.ports import free_port, wait_tcp
from emulators.suite import Suite
from tests.helpers.common import twilio_signed
from tests.helpers.deflection import MON_NIGHT, MON_NOON

ROOT = Path(__file__).resolve().parents[2]
CALLS = 1000


def _serve(suite: Suite, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **suite.env(),
        "PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT / "functions"),
        "CONFIG_CACHE_SECONDS": "60",
        "LOG_LEVEL": "WARNING",
    }
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "functions_framework",
            "--source",
            str(ROOT / "functions" / "main.py"),
            "--target",
            "deflection_http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_tcp(port, 60, p, "deflection_http")
    return p


@pytest.mark.timeout(300)
def test_sigterm_mid_burst_loses_no_answered_mark(suite: Suite, demo: Any) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(suite, port)
    calls = []
    for i in range(CALLS):
        sid = "CA" + uuid.uuid4().hex
        at = MON_NOON if i % 2 else MON_NIGHT  # queued / deflected after hours
        url = f"{base}/twilio/voice?{urlencode({'queue': 'billing-payments', 'at': at})}"
        params = {"CallSid": sid, "From": "+14155550123", "To": "+18005550100"}
        calls.append((sid, url, params, twilio_signed(url, params), i % 2 == 1))
    answered: list[tuple[str, bool]] = []
    refused = 0
    lock = threading.Lock()
    work = iter(calls)
    stop_after = random.randint(100, CALLS - 100)  # answers before the SIGTERM

    def client() -> None:
        nonlocal refused
        s = requests.Session()
        while True:
            with lock:
                item = next(work, None)
            if item is None:
                return
            sid, url, params, headers, open_ = item
            try:
                r = s.post(url, data=params, headers=headers, timeout=30)
            except requests.RequestException:
                with lock:
                    refused += 1
                continue
            with lock:
                if r.status_code == 200:
                    answered.append((sid, open_))
                else:
                    refused += 1
                if len(answered) == stop_after:
                    proc.send_signal(signal.SIGTERM)  # the gunicorn master, as Cloud Run does

    try:
        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert proc.wait(timeout=30) == 0  # drained and exited within Cloud Run's grace
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    assert len(answered) >= stop_after and refused > 0, (len(answered), refused)
    from core import clients
    from core.sessions import events

    db = clients.firestore()
    ids = [sid for sid, _ in answered]
    docs = {}
    for start in range(0, len(ids), 300):
        chunk = [db.collection("sessions").document(s) for s in ids[start : start + 300]]
        docs |= {d.id: d.to_dict() for d in db.get_all(chunk) if d.exists}
    missing = [s for s in ids if s not in docs]
    assert not missing, f"{len(missing)} of {len(ids)} answered calls have no session mark"
    from core.sessions.model import declared_fields

    for sid, open_ in answered:
        assert docs[sid]["status"] == ("queued" if open_ else "deflected"), docs[sid]
        assert set(docs[sid]) <= declared_fields()
    outbox = [events.ref(events.event_id_for(f"{sid}:status:{docs[sid]['status']}")) for sid in ids]
    staged = sum(
        1
        for start in range(0, len(outbox), 300)
        for d in db.get_all(outbox[start : start + 300])
        if d.exists
    )
    assert staged == len(ids)


def test_a_lone_mark_is_committed_at_once_and_busy_ones_are_batched(
    suite, demo, monkeypatch
) -> None:
    """On an instance whose CPU is throttled between requests the writer lets marks gather
    only while other requests are in flight: a lone call's mark must not wait."""
    import threading
    import time

    from core import inflight
    from core.sessions import marks, store

    monkeypatch.setattr(marks, "cpu_between_requests", lambda: False)

    def mark(sid: str) -> marks.Mark:
        return marks.Mark(sid, "queued", {"channel": "voice", "queue_id": "billing-refunds"})

    commits: list[int] = []
    real_write = marks.write

    def counting(batch: list[marks.Mark]) -> None:
        commits.append(len(batch))
        real_write(batch)

    monkeypatch.setattr(marks, "LINGER_SECONDS", 4.0)  # long enough to tell the cases apart
    marks.write, saved = counting, marks.write  # type: ignore[assignment]
    try:
        # One request, nothing else in flight: committed without the linger.
        with inflight.request():
            marks.record(mark("CA" + "1" * 32))
        t0 = time.monotonic()
        assert marks.flush(10.0)
        assert time.monotonic() - t0 < 2.0
        assert store.get("CA" + "1" * 32) is not None

        # Another request still being answered: marks recorded meanwhile share a commit.
        commits.clear()
        busy = threading.Event()

        def other_request() -> None:
            with inflight.request():
                busy.wait(5)

        t = threading.Thread(target=other_request)
        t.start()
        try:
            for i in range(5):
                with inflight.request():
                    marks.record(mark(f"CA{i:032d}"))
                time.sleep(0.002)
        finally:
            busy.set()
            t.join()
        assert marks.flush(10.0)
        assert sum(commits) == 5 and len(commits) < 5, commits
    finally:
        marks.write = saved  # type: ignore[assignment]


def test_with_cpu_always_allocated_marks_gather_at_any_load(suite, demo, monkeypatch) -> None:
    """deflection_http keeps its CPU between requests (manifest `cpu_always_allocated`,
    deployed with `cpu_idle = false`): marks of calls that never overlap still share a
    commit, and a lone mark is committed within the linger."""
    import time

    from core import inflight
    from core.sessions import marks, store

    monkeypatch.setattr(marks, "cpu_between_requests", lambda: True)
    monkeypatch.setattr(marks, "LINGER_SECONDS", 1.0)
    commits: list[int] = []
    real_write = marks.write

    def counting(batch: list[marks.Mark]) -> None:
        commits.append(len(batch))
        real_write(batch)

    monkeypatch.setattr(marks, "write", counting)
    sids = [f"CA{uuid.uuid4().hex}" for _ in range(5)]
    t0 = time.monotonic()
    for sid in sids:  # one request at a time: nothing else is in flight meanwhile
        with inflight.request():
            marks.record(
                marks.Mark(sid, "queued", {"channel": "voice", "queue_id": "billing-refunds"})
            )
        assert inflight.count() == 0
        time.sleep(0.02)
    assert marks.flush(10.0)
    assert time.monotonic() - t0 < 5.0
    assert sum(commits) == 5 and len(commits) <= 2, commits
    assert all(store.get(sid) is not None for sid in sids)


def test_the_manifest_says_which_functions_keep_their_cpu(monkeypatch) -> None:
    """The writer learns its instance's CPU from the manifest entry the runtime names
    (FUNCTION_TARGET, or K_SERVICE as Cloud Run sets it), as Terraform deploys it."""
    from core.sessions import marks

    for env, expected in (
        ({"FUNCTION_TARGET": "deflection_http"}, True),
        ({"K_SERVICE": "deflection-http"}, True),
        ({"FUNCTION_TARGET": "sessions_http"}, False),
        ({}, False),
    ):
        for var in ("FUNCTION_TARGET", "K_SERVICE"):
            monkeypatch.delenv(var, raising=False)
        for var, value in env.items():
            monkeypatch.setenv(var, value)
        marks.cpu_between_requests.cache_clear()
        assert marks.cpu_between_requests() is expected, env
    marks.cpu_between_requests.cache_clear()
