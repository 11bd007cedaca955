"""Chaos run of recording delivery: many recordings of mixed sizes through the Zendesk
stand-in with 30% 5xx, 10% 429 (half with Retry-After), 5% lost acknowledgements,
duplicate task deliveries, and the worker process killed (SIGKILL) at random points.

Tasks are taken from a paused Cloud Tasks emulator queue and dispatched by this driver,
honouring each task's schedule_time; a task whose worker was killed is delivered again
(as the queue redelivers a failed dispatch). Prints:
delivered / duplicated / out-of-order / corrupted / deleted-too-early (our copy before
the CRM confirmed, the carrier's before ours was verified) / older-than-7-days /
left-at-carrier / worker crashes (all but the first must be 0: a worker process that
died without being killed is a bug; CHAOS_WORKER_LOG=path keeps its traceback).

    .venv/bin/python -m bench.recordings_chaos [--recordings 200] [--seed 7] [--short]
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]
QUEUE = "recording-delivery-chaos"
PUBLIC = "https://functions.test"


class WorkerProc:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.p: subprocess.Popen[str] | None = None
        self.kills = 0
        self.crashes = 0

    @staticmethod
    def _log() -> Any:
        # CHAOS_WORKER_LOG=path keeps the workers' stderr (tracebacks) for inspection.
        return open(os.environ.get("CHAOS_WORKER_LOG", os.devnull), "a")  # noqa: SIM115

    def _ensure(self) -> subprocess.Popen[str]:
        if self.p is None or self.p.poll() is not None:
            self.p = subprocess.Popen(
                [sys.executable, "-m", "bench.recordings_worker_proc"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log(),
                text=True,
                start_new_session=True,
            )
        return self.p

    def run(self, task: dict[str, Any], kill_after: float | None = None) -> dict | None:
        p = self._ensure()
        assert p.stdin and p.stdout
        p.stdin.write(json.dumps(task) + "\n")
        p.stdin.flush()
        if kill_after is not None:
            time.sleep(kill_after)
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            self.kills += 1
            return None
        line = p.stdout.readline()
        if not line:  # the worker died by itself: the queue would deliver the task again
            p.wait()
            self.crashes += 1
            return None
        return json.loads(line)

    def stop(self) -> None:
        if self.p is not None and self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGKILL)
            self.p.wait()


def _setup_env(part_size: int) -> dict[str, str]:
    urls = json.loads(os.environ.get("FUNCTION_URLS") or "{}")
    urls.setdefault("recordings_http", "http://127.0.0.1:9")
    os.environ.update(
        {
            "RECORDINGS_PART_SIZE": str(part_size),
            "RECORDINGS_BACKOFF_SCALE": "0.002",
            "RECORDINGS_LEASE_SECONDS": "1.5",
            "RECORDINGS_HTTP_TIMEOUT_SECONDS": "5",
            "RECORDINGS_TASKS_QUEUE": QUEUE,
            "CRM": "zendesk",
            "FUNCTION_URLS": json.dumps(urls),
            "LOG_LEVEL": "WARNING",
        }
    )
    from core import caches

    caches.reset()
    from google.api_core.exceptions import AlreadyExists

    from core import clients

    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    parent = f"projects/{project}/locations/us-central1"
    try:
        clients.tasks().create_queue(parent=parent, queue={"name": f"{parent}/queues/{QUEUE}"})
    except AlreadyExists:
        pass
    clients.tasks().pause_queue(name=f"{parent}/queues/{QUEUE}")
    clients.tasks().purge_queue(name=f"{parent}/queues/{QUEUE}")
    return dict(os.environ)


def run(urls: dict[str, str], n: int, seed: int, short: bool) -> dict[str, int]:
    import functions_framework
    from twilio.request_validator import RequestValidator

    from core import clients
    from core.carrier import api_url
    from recordings import state, storage_io, tasks

    rng = random.Random(seed)
    part_size = 20_000 if short else 200_000
    env = _setup_env(part_size)
    tw, zd = urls["twilio"], urls["zendesk"]
    os.environ["PUBLIC_URL"] = PUBLIC
    from core.settings import reset_settings

    reset_settings()
    client = functions_framework.create_app(
        "recordings_http", str(ROOT / "functions" / "main.py")
    ).test_client()
    validator = RequestValidator(os.environ.get("TWILIO_AUTH_TOKEN", "local-twilio-token"))

    recs: dict[str, dict[str, Any]] = {}
    for _ in range(n):
        sid, call = "RE" + secrets.token_hex(16), "CA" + secrets.token_hex(16)
        bps = rng.choice([500, 3000, 10_000]) if short else rng.choice([1000, 20_000, 100_000])
        seconds = rng.choice([0, 1, 2, 4, 7]) if short else rng.randint(0, 12)
        requests.post(
            f"{tw}/_control/recordings",
            json={
                "call_sid": call,
                "sid": sid,
                "seconds": seconds,
                "bytes_per_second": bps,
                "status": "completed",
            },
            timeout=10,
        ).raise_for_status()
        recs[sid] = {"call": call, "seconds": seconds, "bps": bps}
    # Faults switched on after the recordings exist: every CRM route may fail.
    requests.post(
        f"{zd}/_control/faults",
        json={
            "route": "*",
            "faults": [],
            "random": {
                "p_5xx": 0.3,
                "p_429": 0.1,
                "p_429_retry_after": 0.5,
                "p_drop_ack": 0.05,
                "retry_after": 1,
                "seed": seed,
            },
        },
        timeout=10,
    ).raise_for_status()
    for sid, r in recs.items():
        params = {
            "AccountSid": os.environ.get("TWILIO_ACCOUNT_SID", "AC" + "0" * 32),
            "CallSid": r["call"],
            "RecordingSid": sid,
            "RecordingUrl": api_url(f"Recordings/{sid}"),
            "RecordingStatus": "completed",
            "RecordingDuration": str(r["seconds"]),
        }
        url = f"{PUBLIC}/twilio/recording-status"
        resp = client.post(
            "/twilio/recording-status",
            data=params,
            headers={"X-Twilio-Signature": validator.compute_signature(url, params)},
        )
        assert resp.status_code == 204, resp.get_data(as_text=True)

    worker = WorkerProc(env)
    heap: list[tuple[float, int, dict[str, Any]]] = []
    seq = 0
    idle_since: float | None = None
    counts = {"tasks": 0, "duplicates": 0}
    deadline = time.monotonic() + (240 if short else 1800)
    try:
        while time.monotonic() < deadline:
            for t in clients.tasks().list_tasks(parent=tasks.queue()):
                eta = t.schedule_time.timestamp() if t.schedule_time else 0.0
                heapq.heappush(heap, (eta, seq, json.loads(bytes(t.http_request.body))))
                seq += 1
            clients.tasks().purge_queue(name=tasks.queue())
            if not heap:
                open_ = [
                    s
                    for s in recs
                    if (state.get(s) or {}).get("status") not in ("done", "failed", "expired")
                ]
                if not open_:
                    break
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 30:
                    break  # a recording without any task: reported as undelivered
                time.sleep(0.2)
                continue
            idle_since = None
            eta, _, task = heap[0]
            if eta > time.time():
                time.sleep(min(0.2, eta - time.time()))
                continue
            heapq.heappop(heap)
            counts["tasks"] += 1
            if rng.random() < (0.04 if short else 0.07):  # killed at a random point
                worker.run(task, kill_after=rng.uniform(0.0, 0.15))
                heapq.heappush(heap, (time.time(), seq, task))  # redelivered by the queue
                seq += 1
                continue
            out = worker.run(task)
            if out is None or out.get("redeliver"):
                heapq.heappush(heap, (time.time() + 0.5, seq, task))
                seq += 1
                continue
            if rng.random() < 0.15:  # the queue delivers it twice
                counts["duplicates"] += 1
                worker.run(task)
    finally:
        worker.stop()
    requests.delete(f"{zd}/_control/faults", timeout=10)
    return _verify(recs, zd, tw, storage_io) | {
        "tasks_run": counts["tasks"],
        "duplicate_deliveries": counts["duplicates"],
        "worker_kills": worker.kills,
        "worker_crashes": worker.crashes,
    }


def _verify(recs: dict[str, dict[str, Any]], zd: str, tw: str, storage_io: Any) -> dict[str, int]:
    import hashlib

    from emulators.standins.twilio_server import second_bytes
    from recordings import state

    part_size = int(os.environ["RECORDINGS_PART_SIZE"])
    tickets = requests.get(f"{zd}/_control/tickets", timeout=30).json()["tickets"]
    atts_by_ticket = {
        t["id"]: requests.get(f"{zd}/_control/tickets/{t['id']}/attachments", timeout=30).json()[
            "attachments"
        ]
        for t in tickets
    }
    comments = [c for t in tickets for c in t["comments"]]
    deletions = requests.get(f"{tw}/_control/deletions", timeout=30).json()
    deletions = deletions.get("deletions", deletions) if isinstance(deletions, dict) else deletions
    deleted_sids = {d["sid"] for d in deletions if d.get("type") == "recording"}
    out = {
        "recordings": len(recs),
        "delivered": 0,
        "duplicated": 0,
        "out_of_order": 0,
        "corrupted": 0,
        "deleted_before_confirmation": 0,
        "older_than_7_days": 0,
        "left_at_carrier": 0,
        "undelivered": 0,
    }
    now = time.time()
    for sid, r in recs.items():
        d = state.get(sid) or {}
        notes = [c for c in comments if f"[cc-recording:{sid}]" in c["body"]]
        atts = [a for ats in atts_by_ticket.values() for a in ats if sid in a["file_name"]]
        expected = []
        h, n = hashlib.sha256(), 0
        for k in range(r["seconds"]):
            data = second_bytes(sid, k, r["bps"])
            while data:
                take = min(len(data), part_size - n)
                h.update(data[:take])
                n, data = n + take, data[take:]
                if n == part_size:
                    expected.append((n, h.hexdigest()))
                    h, n = hashlib.sha256(), 0
        if n:
            expected.append((n, h.hexdigest()))
        names = [a["file_name"] for a in atts]
        if len(notes) > 1 or len(set(names)) != len(names):
            out["duplicated"] += 1
        order = [int(x.split(" part ")[1].split(" of ")[0]) for x in names]
        if order != sorted(order):
            out["out_of_order"] += 1
        confirmed = d.get("confirmed_at")
        gone = not storage_io.exists(sid)
        deleted = d.get("deleted") or {}
        # Our copy goes only after the CRM confirmed; the carrier's only once ours was
        # verified (and then at once: a finished recording left at the carrier counts too).
        if gone and not confirmed and d.get("status") != "expired":
            out["deleted_before_confirmation"] += 1
        if confirmed and float(deleted.get("object") or confirmed) < confirmed:
            out["deleted_before_confirmation"] += 1
        if sid in deleted_sids and not (
            d.get("verified_at") and float(deleted.get("carrier") or 0) >= d["verified_at"]
        ):
            out["deleted_before_confirmation"] += 1
        if d.get("status") == "done" and sid not in deleted_sids:
            out["left_at_carrier"] += 1
        if not gone and now - float(d.get("retention_from") or now) > 7 * 86400:
            out["older_than_7_days"] += 1
        if d.get("status") == "done" and len(notes) == 1:
            if sorted(((a["size"], a["sha256"]) for a in atts), key=lambda x: 0) == expected:
                out["delivered"] += 1
            else:
                out["corrupted"] += 1
        else:
            out["undelivered"] += 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--recordings", type=int, default=None)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--short", action="store_true", help="30 small recordings")
    args = ap.parse_args()
    n = args.recordings or (30 if args.short else 200)

    from emulators.suite import Suite

    # SIGTERM (e.g. `timeout`) still stops the suite this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ["SUITE_STANDINS"] = "twilio,zendesk"
    suite = Suite()
    suite.start()
    try:
        suite.provision()
        os.environ.update(suite.env())
        t0 = time.monotonic()
        result = run(
            {"twilio": suite.url("twilio"), "zendesk": suite.url("zendesk")},
            n,
            args.seed,
            args.short,
        )
        result["seconds"] = round(time.monotonic() - t0, 1)
    finally:
        suite.cleanup()
    for k, v in result.items():
        print(f"{k:>28}: {v}")
    bad = sum(
        result[k]
        for k in (
            "duplicated",
            "out_of_order",
            "corrupted",
            "deleted_before_confirmation",
            "older_than_7_days",
            "left_at_carrier",
            "worker_crashes",
        )
    )
    sys.exit(1 if bad or result["delivered"] != result["recordings"] else 0)


if __name__ == "__main__":
    main()
