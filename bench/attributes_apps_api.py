"""Apps API PATCH customer_flag: requests/s and p99 through the served function
(functions-framework, Firestore emulator) vs a bare handler in the same run.

Every PATCH flips a flag, so each one is a real change: the rate-limit slot, the session
change committed with its outbox event, and the Pub/Sub publish; the CRM write follows from
the event in attributes_on_event, off the request path. Target: PATCH p50 <= 3x bare.
The production limit is 10 requests/s per customer; this bench raises it with
APPS_API_RATE_LIMIT (configuration, not code) for the throughput run, and spreads
writes over many sessions so no one session document is the bottleneck. A second, short
run at the real limit shows the 429s arriving with Retry-After.

    .venv/bin/python -m bench.attributes_apps_api [--requests 400] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import time

import requests

from bench.common import BARE_SOURCE, MAIN_SOURCE, Report, Served, load, with_suite

P50_RATIO_TARGET = 3.0

AUTH = {"Authorization": "Basic " + base64.b64encode(b"demo:local-apps-token").decode()}


def seed_calls(n: int) -> list[str]:
    from core.sessions import store

    sids = []
    for _ in range(n):
        sid = "CA" + secrets.token_hex(16)
        store.ensure(
            sid,
            "queued",
            {"channel": "voice", "queue_id": "billing-refunds", "queue_path": "Billing > Refunds"},
        )
        sids.append(sid)
    return sids


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--sessions", type=int, default=50)
    args = ap.parse_args(argv)
    return with_suite(lambda: run(args))


def run(args: argparse.Namespace) -> int:
    from core.config.loader import load_file
    from core.config.store import apply
    from emulators.suite import ROOT

    apply(load_file(ROOT / "emulators" / "demo" / "contact-center.yaml"))
    sids = seed_calls(args.sessions)
    report = Report("attributes_apps_api")
    env = {
        k: v
        for k, v in os.environ.items()
        if k.endswith("_HOST") or k in ("GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")
    }
    fast = Served("attributes_http", MAIN_SOURCE, env | {"APPS_API_RATE_LIMIT": "1000000"})
    real = Served("attributes_http", MAIN_SOURCE, env)
    bare = Served("bare", BARE_SOURCE)
    try:

        def patch(s: requests.Session, i: int, base: str = fast.url) -> bool:
            sid = sids[i % len(sids)]
            r = s.patch(
                f"{base}/apps/api/v1/calls/{sid}/customer_flag",
                json={"bad_actor": bool((i // len(sids)) % 2 == 0)},
                headers=AUTH,
                timeout=30,
            )
            return r.status_code == 200

        for i in range(20):  # warm: imports, config cache, gRPC channels
            patch(requests.Session(), i + args.requests)
        bare_stats = load(
            lambda s, i: s.get(bare.url + "/", timeout=30).ok, args.requests, args.concurrency
        )
        print(
            f"concurrency {args.concurrency}, {args.sessions} sessions, "
            "rate limit raised to 1e6/s via APPS_API_RATE_LIMIT"
        )
        print(bare_stats.line("bare handler"))
        stats = load(patch, args.requests, args.concurrency)
        print(
            stats.line("PATCH customer_flag")
            + f"  p50 ratio to bare {stats.p50_ms / bare_stats.p50_ms:5.1f}x"
            + f"  p99 ratio {stats.p99_ms / bare_stats.p99_ms:5.1f}x"
        )
        report.latency("bare handler", bare_stats, baseline=True)
        report.latency("PATCH customer_flag", stats)
        report.figure(
            "PATCH p50 / bare p50",
            stats.p50_ms,
            baseline=bare_stats.p50_ms,
            target=P50_RATIO_TARGET,
            on="ratio",
            unit="ms",
        )
        get_stats = load(
            lambda s, i: (
                s.get(
                    f"{fast.url}/apps/api/v1/calls/{sids[i % len(sids)]}/customer_flag",
                    headers=AUTH,
                    timeout=30,
                ).status_code
                == 200
            ),
            args.requests,
            args.concurrency,
        )
        print(get_stats.line("GET customer_flag"))
        report.latency("GET customer_flag", get_stats)
        report.figure("PATCH errors", stats.errors, target=0)
        report.memory("attributes_http", fast.peak_rss_mib())
        report.memory("bare", bare.peak_rss_mib(), baseline=True)

        # The real limit: 3 s of traffic at full speed from 4 threads.
        codes: dict[int, int] = {}
        retry_after: set[str] = set()
        for _ in range(5):
            requests.get(
                f"{real.url}/apps/api/v1/calls/{sids[0]}/customer_flag", headers=AUTH, timeout=30
            )
        time.sleep(1.0)
        t_start = time.time()
        t_end = t_start + 3.0

        def limited(s: requests.Session, i: int) -> bool:
            if time.time() > t_end:
                return True
            r = s.get(
                f"{real.url}/apps/api/v1/calls/{sids[0]}/customer_flag", headers=AUTH, timeout=30
            )
            codes[r.status_code] = codes.get(r.status_code, 0) + 1
            if r.status_code == 429:
                retry_after.add(r.headers.get("Retry-After", "?"))
            return r.status_code in (200, 429)

        load(limited, 100_000, 4)
        took = time.time() - t_start
        print(
            f"at the real limit (10/s) for {took:.1f} s: {dict(sorted(codes.items()))}, "
            f"admitted {codes.get(200, 0) / took:.1f}/s, "
            f"Retry-After values {sorted(retry_after)}"
        )
    finally:
        fast.stop()
        real.stop()
        bare.stop()
    report.write()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
