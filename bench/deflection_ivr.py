"""IVR webhook under load against the Firestore emulator, vs a bare handler.

Both are served by functions-framework exactly as in production (gunicorn, gthread), in the
same run, on this machine. The load is closed-loop: CONCURRENCY keep-alive clients post
pre-signed Twilio voice webhooks (each a new CallSid) for DURATION seconds, in ROUNDS windows
that alternate with the bare handler's (throughput: the median window). Half the calls
hit an open queue (<Enqueue>, session marked queued), half a closed one (after-hours
message, session marked deflected + event published). Latency is measured per request at
the client on loopback; config is cached (CONFIG_CACHE_SECONDS=15) as in production.

After the run, every session mark is checked in Firestore (the writes happen behind the
answer, batched by core/sessions/marks.py; the bench reports how long the backlog took to
drain). Figures go to stdout and to bench/results/deflection_ivr.json.

    .venv/bin/python -m bench.deflection_ivr [--duration 15] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from emulators.ports import free_port, wait_tcp  # noqa: E402
from emulators.suite import TWILIO_TOKEN, Suite  # noqa: E402

OPEN_AT = "2026-06-01T16:00:00Z"
CLOSED_AT = "2026-06-02T03:30:00Z"
# Long enough for the function's writer to commit a window's last marks (about 3 s after
# a saturated window on a 2-core machine).
DRAIN_SECONDS = 5.0


def serve(
    suite: Suite, source: Path, target: str, port: int, extra: dict[str, str]
) -> subprocess.Popen:
    from core.manifest import manifest

    env = {
        **os.environ,
        **suite.env(),
        # The runtime environment every deployed function gets (functions/manifest.json);
        # the bare baseline runs under the same runtime.
        **manifest().runtime.env,
        "PORT": str(port),
        # As the runtime names it: the function finds its manifest entry (and so whether
        # its CPU stays allocated between requests) from it.
        "FUNCTION_TARGET": target,
        "PYTHONPATH": str(ROOT / "functions"),
        "CONFIG_CACHE_SECONDS": "15",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    log = open(suite.run_dir / f"bench-{target}.log", "ab")  # noqa: SIM115
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "functions_framework",
            "--source",
            str(source),
            "--target",
            target,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_tcp(port, 60, p, target)
    return p


def requests_for(base: str, n: int) -> list[tuple[str, dict[str, str], dict[str, str], str]]:
    from twilio.request_validator import RequestValidator

    v = RequestValidator(TWILIO_TOKEN)
    out = []
    for i in range(n):
        sid = "CA" + uuid.uuid4().hex
        q = {"queue": "billing-payments", "at": OPEN_AT if i % 2 else CLOSED_AT}
        url = f"{base}/twilio/voice?{urlencode(q)}"
        params = {
            "CallSid": sid,
            "From": "+14155550123",
            "To": "+18005550100",
            "AccountSid": "AC" + "0" * 32,
        }
        out.append((url, params, {"X-Twilio-Signature": v.compute_signature(url, params)}, sid))
    return out


def load(
    work: list, concurrency: int, duration: float, rate: float = 0.0
) -> tuple[list[float], int, float]:
    """Closed loop (rate 0: as fast as answers come) or paced at `rate` requests/s."""
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    idx = iter(range(len(work)))
    stop = time.monotonic() + duration

    def worker() -> None:
        nonlocal errors
        s = requests.Session()
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            with lock:
                i = next(idx, None)
            if i is None:
                break
            if rate:
                due = start + i / rate  # open loop: a request is due whether or not
                wait = due - time.monotonic()  # the previous one has been answered
                if wait > 0:
                    time.sleep(wait)
            url, params, headers, _ = work[i]
            t0 = time.perf_counter()
            r = s.post(url, data=params, headers=headers, timeout=30)
            mine.append(time.perf_counter() - t0)
            bad += r.status_code != 200
        with lock:
            lat.extend(mine)
            errors += bad

    t0 = start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, time.monotonic() - t0


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=15.0)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--rate", type=float, default=100.0, help="paced phase, requests/s")
    ap.add_argument("--rounds", type=int, default=3, help="alternating windows per phase")
    args = ap.parse_args()
    os.environ["SUITE_STANDINS"] = "twilio"
    suite = Suite()
    suite.start()
    procs: list[subprocess.Popen] = []
    try:
        suite.provision()
        os.environ.update(suite.env())
        from core.config.loader import load_file
        from core.config.store import apply

        apply(load_file(ROOT / "emulators" / "demo" / "contact-center.yaml"))
        fport, bport = free_port(), free_port()
        fbase, bbase = f"http://127.0.0.1:{fport}", f"http://127.0.0.1:{bport}"
        procs.append(
            serve(
                suite,
                ROOT / "functions" / "main.py",
                "deflection_http",
                fport,
                {"PUBLIC_URL": fbase},
            )
        )
        procs.append(serve(suite, ROOT / "bench" / "bare_function.py", "bare", bport, {}))
        from bench.common import PeakMemory

        mem = [PeakMemory(p.pid) for p in procs]
        # Warm up: config cached, TTS rendered once, clients connected.
        warm = requests_for(fbase, 200)
        load(warm, args.concurrency, 60)
        bare_work = [(f"{bbase}/", p, h, s) for _, p, h, s in requests_for(bbase, 200_000)]
        load(bare_work[:500], args.concurrency, 60)

        # Each phase alternates `rounds` windows of the bare handler and the function, so a
        # burst of other work on this shared machine falls on both rather than on one.
        window = args.duration / args.rounds
        work = requests_for(fbase, int(args.duration * 3000))
        paced = requests_for(fbase, int(args.duration * args.rate) + 10 * args.rounds)
        bare_left, paced_left, work_left = bare_work[500:], paced, work
        pb_lat: list[float] = []
        pf_lat: list[float] = []
        pf_err = 0
        b_lat: list[float] = []
        f_lat: list[float] = []
        b_err = f_err = 0
        b_tp: list[float] = []
        f_tp: list[float] = []
        for _ in range(args.rounds):
            lat, _, _ = load(bare_left, args.concurrency, window, args.rate)
            bare_left = bare_left[len(lat) :]
            pb_lat += lat
            lat, err, _ = load(paced_left, args.concurrency, window, args.rate)
            paced_left = paced_left[len(lat) :]
            pf_lat += lat
            pf_err += err
        for _ in range(args.rounds):
            # The function's writer drains the last window's marks before the bare handler
            # runs, so that work is not charged to the baseline.
            time.sleep(DRAIN_SECONDS)
            lat, err, dt = load(bare_left, args.concurrency, window)
            bare_left = bare_left[len(lat) :]
            b_lat += lat
            b_err += err
            b_tp.append(len(lat) / dt)
            lat, err, dt = load(work_left, args.concurrency, window)
            work_left = work_left[len(lat) :]
            f_lat += lat
            f_err += err
            f_tp.append(len(lat) / dt)
        done = work[: len(work) - len(work_left)] + paced[: len(paced) - len(paced_left)]

        # Every answered call must have its session mark.
        from core import clients

        done_ids = {w[3] for w in done}
        t0 = time.monotonic()
        db = clients.firestore()
        deadline = t0 + 120
        found = 0
        while time.monotonic() < deadline:
            found = sum(1 for _ in db.collection("sessions").select([]).stream())
            if found >= len(done_ids) + len(warm):
                break
            time.sleep(0.5)
        drain = time.monotonic() - t0
        missing = max(0, len(done_ids) + len(warm) - found)

        print(
            f"machine: {os.cpu_count()} cores; concurrency {args.concurrency}; "
            f"{args.duration:.0f} s each, in {args.rounds} alternating windows; Firestore "
            "emulator on the same cores; session marks batched behind the answer"
        )
        print(f"-- paced at {args.rate:.0f} req/s (a busy carrier; latency without queueing)")
        for name, lat in (("bare functions-framework", pb_lat), ("deflection IVR webhook", pf_lat)):
            print(
                f"{name:26s} n={len(lat):6d} p50={pct(lat, 50):6.2f} ms p99={pct(lat, 99):6.2f} ms"
            )
        print(
            f"ratio IVR/bare: p50 {pct(pf_lat, 50) / pct(pb_lat, 50):.2f}  "
            f"p99 {pct(pf_lat, 99) / pct(pb_lat, 99):.2f}  (errors {pf_err})"
        )
        print("-- saturation (closed loop: latency includes queueing)")
        for name, lat, err, tps in (
            ("bare functions-framework", b_lat, b_err, b_tp),
            ("deflection IVR webhook", f_lat, f_err, f_tp),
        ):
            print(
                f"{name:26s} n={len(lat):6d} err={err} p50={pct(lat, 50):6.2f} ms "
                f"p99={pct(lat, 99):6.2f} ms mean={statistics.mean(lat) * 1000:6.2f} ms "
                f"throughput={statistics.median(tps):7.1f} req/s "
                f"(median of {', '.join(f'{t:.0f}' for t in tps)})"
            )
        print(
            f"ratio IVR/bare: p50 {pct(f_lat, 50) / pct(b_lat, 50):.2f}  "
            f"p99 {pct(f_lat, 99) / pct(b_lat, 99):.2f}  "
            f"throughput {statistics.median(f_tp) / statistics.median(b_tp):.2f}"
        )
        print(
            f"session marks: {found} in Firestore, {missing} missing, backlog drained "
            f"{drain:.1f} s after the load stopped"
        )
        from bench.common import figure, process_tree_peak_mib, write_results

        fn_mib, bare_mib = (m.stop() for m in mem)
        print(
            f"peak memory (master + worker, shared pages once): deflection function "
            f"{fn_mib:.0f} MiB, bare {bare_mib:.0f} MiB; sum of per-process peak RSS: "
            f"{process_tree_peak_mib(procs[0].pid):.0f} / {process_tree_peak_mib(procs[1].pid):.0f}"
            f" MiB; bench process "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )
        write_results(
            "deflection_ivr",
            {
                "paced_p50_ms": figure(
                    pct(pf_lat, 50), baseline=pct(pb_lat, 50), target=1.5, unit="ms"
                ),
                "paced_p99_ms": figure(
                    pct(pf_lat, 99), baseline=pct(pb_lat, 99), target=15.0, on="value", unit="ms"
                ),
                "saturated_p50_ms": figure(pct(f_lat, 50), baseline=pct(b_lat, 50), unit="ms"),
                "saturated_p99_ms": figure(pct(f_lat, 99), baseline=pct(b_lat, 99), unit="ms"),
                "throughput_rps": figure(
                    statistics.median(f_tp),
                    baseline=statistics.median(b_tp),
                    target=0.6,
                    better="higher",
                    unit="req/s",
                ),
                "peak_rss_mib": figure(
                    fn_mib, baseline=bare_mib, target=96.0, on="value", unit="MiB"
                ),
                "marks_missing": figure(float(missing), target=0.0, on="value", unit="marks"),
                "errors": figure(float(pf_err + f_err), target=0.0, on="value", unit="requests"),
            },
            rate=args.rate,
            concurrency=args.concurrency,
            duration=args.duration,
            rounds=args.rounds,
        )
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, 15)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)
        suite.cleanup()


if __name__ == "__main__":
    main()
