"""One large recording (1 GiB by default) through the whole delivery pipeline on the
emulators: carrier stand-in -> storage emulator -> Zendesk stand-in, in 50 MB parts.

Prints the worker's peak RSS (its own process; target <= 64 MiB, flat in the size: the
4 GiB run is part of `make bench`, as a slow one) and the throughput as a ratio to a
plain streamed copy between the same endpoints in the same run (carrier -> one resumable
upload -> one ranged read -> one Zendesk upload; no parts, no state, no comment).
Target ratio >= 0.85. The two alternate `--runs` times (3 by default) and the ratio is of
their medians: one 1 GiB copy's time moves by 10-20% between runs on a shared machine.

    .venv/bin/python -m bench.recordings_pipeline [--mib 1024] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from bench.common import Report

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]
MIB = 1 << 20
PUBLIC = "https://functions.test"
QUEUE = "recording-delivery-bench"
THROUGHPUT_TARGET = 0.85
RSS_LIMIT_MIB = 64


def _register(tw: str, seconds: int, bps: int) -> tuple[str, str]:
    sid, call = "RE" + secrets.token_hex(16), "CA" + secrets.token_hex(16)
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
    return sid, call


def plain_copy(tw: str, zd: str, seconds: int, bps: int) -> float:
    """The baseline: the same bytes over the same hops, streamed, nothing else (through
    the same HTTP transport as the pipeline: bodies read in core.streaming's blocks)."""
    from core import carrier, streaming
    from recordings import carrier_media, storage_io

    sid, _ = _register(tw, seconds, bps)
    t0 = time.monotonic()
    with carrier_media.open_media(sid, 300) as (raw, size, ctype):
        storage_io.upload(sid, raw, size, ctype, {}, 300)
    reader = storage_io.RangeReader(sid, 0, size, 300)
    r = streaming.session().post(
        f"{zd}/api/v2/uploads.json",
        params={"filename": "plain.wav"},
        data=storage_io.Limited(reader, size),
        timeout=(3.05, 300),
        headers={"Content-Type": ctype},
        auth=("agent@example.com/token", "local-zendesk-token"),
    )
    reader.close()
    r.raise_for_status()
    elapsed = time.monotonic() - t0
    storage_io.delete(sid)
    assert carrier
    return elapsed


def worker_env() -> dict[str, str]:
    """A worker runs with the runtime environment every deployed function gets."""
    from core.manifest import manifest

    return {**os.environ, **manifest().runtime.env}


def pipeline(tw: str, zd: str, seconds: int, bps: int) -> dict[str, Any]:
    import functions_framework
    from twilio.request_validator import RequestValidator

    from core import clients
    from core.carrier import api_url
    from recordings import state, tasks

    sid, call = _register(tw, seconds, bps)
    client = functions_framework.create_app(
        "recordings_http", str(ROOT / "functions" / "main.py")
    ).test_client()
    params = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": call,
        "RecordingSid": sid,
        "RecordingUrl": api_url(f"Recordings/{sid}"),
        "RecordingStatus": "completed",
        "RecordingDuration": str(seconds),
    }
    url = f"{PUBLIC}/twilio/recording-status"
    sign = RequestValidator("local-twilio-token").compute_signature
    sig = sign(url, params)
    # A warm callback instance too, as in the cloud (its cold start is bench.cold_start's):
    # its Firestore channel open, its modules imported (an "in-progress" callback is
    # checked and answered, and starts nothing).
    state.get("RE" + "0" * 32)
    early = params | {"RecordingStatus": "in-progress"}
    assert (
        client.post(
            "/twilio/recording-status", data=early, headers={"X-Twilio-Signature": sign(url, early)}
        ).status_code
        == 204
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "bench.recordings_worker_proc"],
        cwd=ROOT,
        env=worker_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdin and worker.stdout
    worker.stdin.write(json.dumps({"warm": True}) + "\n")  # a warm instance, as in the cloud
    worker.stdin.flush()
    warm_kib = json.loads(worker.stdout.readline())["rss_kib"]
    t0 = time.monotonic()
    assert (
        client.post(
            "/twilio/recording-status", data=params, headers={"X-Twilio-Signature": sig}
        ).status_code
        == 204
    )
    outcomes = []
    while batch := list(clients.tasks().list_tasks(parent=tasks.queue())):
        clients.tasks().purge_queue(name=tasks.queue())
        for t in batch:
            worker.stdin.write(bytes(t.http_request.body).decode() + "\n")
            worker.stdin.flush()
            outcomes.append(json.loads(worker.stdout.readline()))
    elapsed = time.monotonic() - t0
    worker.stdin.write(json.dumps({"rss": True}) + "\n")
    worker.stdin.flush()
    rss_kib = json.loads(worker.stdout.readline())["peak_rss_kib"]
    worker.stdin.close()
    worker.wait()
    doc = state.get(sid) or {}
    return {
        "sid": sid,
        "elapsed": elapsed,
        "rss_mib": rss_kib / 1024,
        "warm_mib": warm_kib / 1024,
        "doc": doc,
        "outcomes": outcomes,
    }


def verify(zd: str, sid: str, seconds: int, bps: int, part_size: int, doc: dict) -> int:
    from emulators.standins.twilio_server import second_bytes

    atts = requests.get(f"{zd}/_control/tickets/{doc['target']}/attachments", timeout=30).json()[
        "attachments"
    ]
    expected, h, n = [], hashlib.sha256(), 0
    for k in range(seconds):
        data = memoryview(second_bytes(sid, k, bps))
        while len(data):
            take = min(len(data), part_size - n)
            h.update(data[:take])
            n, data = n + take, data[take:]
            if n == part_size:
                expected.append((n, h.hexdigest()))
                h, n = hashlib.sha256(), 0
    if n:
        expected.append((n, h.hexdigest()))
    got = [(a["size"], a["sha256"]) for a in atts]
    assert got == expected, "attachments differ from the recording"
    return len(atts)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=1024)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    bps, seconds = MIB, args.mib
    import signal

    from emulators.suite import Suite

    # SIGTERM (e.g. `timeout`) still stops the suite this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ["SUITE_STANDINS"] = "twilio,zendesk"
    suite = Suite()
    suite.start()
    try:
        suite.provision()
        urls = {"recordings_http": "http://127.0.0.1:9"}
        os.environ.update(
            suite.env()
            | {
                "RECORDINGS_TASKS_QUEUE": QUEUE,
                "RECORDINGS_HTTP_TIMEOUT_SECONDS": "300",
                "FUNCTION_URLS": json.dumps(urls),
                "PUBLIC_URL": PUBLIC,
                "LOG_LEVEL": "WARNING",
            }
        )
        from core import clients

        parent = f"projects/{suite.project}/locations/us-central1"
        clients.tasks().create_queue(parent=parent, queue={"name": f"{parent}/queues/{QUEUE}"})
        clients.tasks().pause_queue(name=f"{parent}/queues/{QUEUE}")
        tw, zd = suite.url("twilio"), suite.url("zendesk")
        from recordings.config import rec_settings

        part_size = rec_settings().part_size
        bases, runs = [], []
        for _ in range(args.runs):  # alternated, so a slow spell of the machine hits both
            bases.append(plain_copy(tw, zd, seconds, bps))
            run = pipeline(tw, zd, seconds, bps)
            parts = verify(zd, run["sid"], seconds, bps, part_size, run["doc"])
            runs.append(run)
    finally:
        suite.cleanup()
    size = seconds * bps
    base = statistics.median(bases)
    times = [r["elapsed"] for r in runs]
    elapsed = statistics.median(times)
    rss_mib = max(r["rss_mib"] for r in runs)
    warm_mib = max(r["warm_mib"] for r in runs)
    statuses = [r["doc"].get("status") for r in runs]
    print(
        f"recording size          : {size / MIB:.0f} MiB ({parts} parts of <= "
        f"{part_size / 1e6:.0f} MB)"
    )
    print(
        f"status                  : {statuses} "
        f"(runs: {[[o.get('outcome') for o in r['outcomes']] for r in runs]})"
    )
    print(
        f"plain streamed copy     : {base:.1f} s  ({size / MIB / base:.0f} MiB/s)"
        f"  median of {', '.join(f'{b:.1f}' for b in bases)}"
    )
    rate = size / MIB / elapsed
    print(
        f"pipeline                : {elapsed:.1f} s  ({rate:.0f} MiB/s)"
        f"  median of {', '.join(f'{t:.1f}' for t in times)}"
    )
    ratio = base / elapsed
    print(f"throughput ratio        : {ratio:.2f}  (target >= {THROUGHPUT_TARGET})")
    print(
        f"worker peak RSS         : {rss_mib:.0f} MiB  (limit {RSS_LIMIT_MIB} MiB;"
        f" {warm_mib:.0f} MiB warm, before the recording)"
    )
    report = Report(f"recordings_pipeline-{args.mib}mib")
    # Throughput as a ratio: the pipeline's MiB/s over the plain copy's.
    report.figure(
        "throughput / plain streamed copy",
        rate,
        baseline=size / MIB / base,
        target=THROUGHPUT_TARGET,
        op=">=",
        on="ratio",
        unit="MiB/s",
    )
    report.figure("worker peak RSS", rss_mib, target=RSS_LIMIT_MIB, unit="MiB")
    report.figure("worker peak RSS over warm", rss_mib - warm_mib, unit="MiB")
    report.memory("worker, warm", warm_mib, baseline=True)
    report.memory(f"worker peak, {args.mib} MiB", rss_mib)
    report.write()
    return 0 if set(statuses) == {"done"} else 1


if __name__ == "__main__":
    raise SystemExit(main())
