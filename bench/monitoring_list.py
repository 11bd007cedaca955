"""Monitoring list latency with 10,000 live sessions in the Firestore emulator.

Writes the sessions, serves monitoring_http and a bare handler the same way
(functions-framework), then measures a filtered page of the list endpoint (manager
scope + filters + cursor) against the bare handler in the same run. Uses the running
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

from bench.common import BARE_SOURCE, MAIN_SOURCE, Served, load, with_suite

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


def queries_per_page(user: str, path: str) -> int:
    """How many indexed queries the list endpoint runs for this request (its cloud cost)."""
    from urllib.parse import parse_qsl, urlsplit

    from core.auth.portal import principal_for
    from core.config.store import get_view
    from monitoring.listing import ListQuery, build_queries

    parts = urlsplit(path)
    args = {k: v for k, v in parse_qsl(parts.query) if k != "cursor"}
    kind = "call" if parts.path.startswith("/calls") else "chat"
    return len(
        build_queries(
            kind, principal_for(user), get_view(), ListQuery.model_validate(args), time.time()
        )
    )


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
    print(f"seeded {args.sessions} live sessions in {time.perf_counter() - t0:.1f} s")

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

            print(
                f"  {label}: {queries_per_page(user, path)} Firestore queries per page, "
                f"each reading at most limit+1 index entries in the cloud"
            )
            for _ in range(10):  # warm the instance (config cache, client channel)
                requests.get(url, headers=headers, timeout=30)
            stats = load(call, args.requests, args.concurrency)
            print(
                stats.line(f"{label} ({rows} rows)")
                + f"  p50 ratio to bare {stats.p50_ms / bare_stats.p50_ms:5.1f}x"
            )
    finally:
        mon.stop()
        bare.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
