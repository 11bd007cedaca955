"""Monitoring list latency with 10,000 live sessions in the Firestore emulator.

Writes the sessions and builds the live-sessions projection from them, serves
monitoring_http and a bare handler the same way (functions-framework), then measures a
page of the list endpoint for several roles and filters (manager scope + filters, admin by
agent, supervisor cursor, search) against the bare handler in the same run; target p99
<= 50 ms each. Then a poll with If-None-Match (304). Uses the running
emulators when FIRESTORE_EMULATOR_HOST is set, else starts a suite of its own.

    .venv/bin/python -m bench.monitoring_list [--sessions 10000] [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from typing import Any

import requests

from bench.common import BARE_SOURCE, MAIN_SOURCE, Report, Served, load, with_suite

P99_TARGET_MS = 50.0

LEAVES = {
    "billing-refunds": "Billing > Refunds",
    "billing-payments": "Billing > Payments",
    "support-internet": "Technical Support > Internet",
    "support-mobile": "Technical Support > Mobile",
    "sales-general": "Sales > General",
    "sales-spanish": "Sales > Ventas",
}
CHAT_CHANNELS = ("chat", "web", "mobile", "sms")


def seed(n: int, rng: random.Random) -> None:
    """n live sessions over the last 8 hours, spread over queues, agents and channels."""
    from core import clients
    from core.sessions.model import new_session

    db = clients.firestore()
    now = time.time()
    batch = db.batch()
    for i in range(n):
        kind = "call" if i % 2 else "chat"
        channel = "voice" if kind == "call" else rng.choice(CHAT_CHANNELS)
        status = rng.choice(("queued", "connected"))
        queue = rng.choice(list(LEAVES))
        created = now - rng.uniform(0, 8 * 3600)
        sid = f"{'CA' if kind == 'call' else 'CH'}{i:032x}"
        doc = new_session(
            sid,
            channel,
            status,
            created,
            queue_id=queue,
            queue_path=LEAVES[queue],
            agent_id=(rng.choice(("alex", "bea")) if status == "connected" else None),
            end_user={
                "id": f"user-{i}",
                "name": f"User {i}",
                "email": None,
                "phone": None,
                "anonymous": False,
            },
            queued_at=created,
            connected_at=created + 20 if status == "connected" else None,
        )
        batch.set(db.collection("sessions").document(sid), doc)
        if (i + 1) % 500 == 0:
            batch.commit()
            batch = db.batch()
    batch.commit()


def reads_per_page() -> int:
    """Documents one page reads (its cloud cost): the projection's shards of one kind."""
    from monitoring import live

    return live.SHARDS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=1)
    args = ap.parse_args(argv)
    return with_suite(lambda: run(args), provision=False)


def run(args: argparse.Namespace) -> int:
    from core.auth.portal import issue
    from core.config.loader import load_file
    from core.config.store import apply
    from emulators.suite import ROOT

    apply(load_file(ROOT / "emulators" / "demo" / "contact-center.yaml"))
    t0 = time.perf_counter()
    seed(args.sessions, random.Random(7))
    from monitoring import live

    # Seeded straight into Firestore (no events), so the projection is built as on a
    # first deploy; from then on monitoring_on_event keeps it (tests/monitoring).
    built = live.rebuild()
    print(
        f"seeded {args.sessions} live sessions in {time.perf_counter() - t0:.1f} s"
        f" (projection: {built} rows)"
    )
    report = Report("monitoring_list")

    env = {
        k: v
        for k, v in os.environ.items()
        if k.endswith("_HOST") or k in ("GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")
    }
    mon = Served("monitoring_http", MAIN_SOURCE, env)
    bare = Served("bare", BARE_SOURCE)
    try:
        cases: list[tuple[str, str, str]] = [
            (
                "manager, chats filtered",
                "mona",
                "/chats?status=connected&channel=web&older_than_minutes=30&limit=25",
            ),
            ("admin, calls by agent", "ada", "/calls?agent=bea&status=connected&limit=25"),
            ("supervisor, calls page 2", "sam", "/calls?limit=25&cursor={cursor}"),
            ("admin, search end user", "ada", "/chats?q=User%2042"),
        ]
        first = requests.get(
            f"{mon.url}/calls?limit=25",
            headers={"Authorization": f"Bearer {issue('sam')}"},
            timeout=30,
        )
        cursor = first.json()["next_cursor"]
        bare_stats = load(
            lambda s, i: s.get(bare.url + "/", timeout=30).ok, args.requests, args.concurrency
        )
        print(bare_stats.line("bare handler"))
        report.latency("bare handler", bare_stats, baseline=True)
        for label, user, path in cases:
            url = mon.url + path.format(cursor=cursor)
            headers = {"Authorization": f"Bearer {issue(user)}"}
            check = requests.get(url, headers=headers, timeout=30)
            rows = len(check.json().get("items", []))
            if check.status_code != 200 or rows == 0:
                print(f"{label}: unexpected answer {check.status_code} {check.text[:200]}")
                return 1

            def call(
                s: requests.Session, i: int, url: str = url, headers: dict[str, Any] = headers
            ) -> bool:
                r = s.get(url, headers=headers, timeout=30)
                return r.status_code == 200

            print(f"  {label}: {reads_per_page()} Firestore document reads per page")
            for _ in range(10):  # warm the instance (config cache, client channel)
                requests.get(url, headers=headers, timeout=30)
            stats = load(call, args.requests, args.concurrency)
            print(
                stats.line(f"{label} ({rows} rows)")
                + f"  p50 ratio to bare {stats.p50_ms / bare_stats.p50_ms:5.1f}x"
            )
            report.latency(label, stats)
            report.figure(
                f"{label}: p99",
                stats.p99_ms,
                baseline=bare_stats.p99_ms,
                target=P99_TARGET_MS,
                unit="ms",
            )
            if stats.errors:
                print(f"{label}: {stats.errors} errors")
                return 1
        # A console polling every second with If-None-Match: 304 while nothing changed.
        url = mon.url + cases[0][2]
        headers = {"Authorization": f"Bearer {issue(cases[0][1])}"}
        etag = requests.get(url, headers=headers, timeout=30).headers["ETag"]
        polled = load(
            lambda s, i: (
                s.get(url, headers=headers | {"If-None-Match": etag}, timeout=30).status_code == 304
            ),
            args.requests,
            args.concurrency,
        )
        print(polled.line("poll with If-None-Match"))
        report.latency("poll, 304", polled)
        report.figure("documents read per page", reads_per_page(), target=8, unit="docs")
        report.memory("monitoring_http", mon.peak_rss_mib())
        report.memory("bare", bare.peak_rss_mib(), baseline=True)
    finally:
        mon.stop()
        bare.stop()
    report.write()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
