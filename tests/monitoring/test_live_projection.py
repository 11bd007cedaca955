"""The live-sessions projection behind the lists (monitoring.live), end to end: session
changes publish their events, the served monitoring_on_event keeps the rows, the served
monitoring_http reads them. Races, duplicates and out-of-order deliveries end exactly right.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests.helpers.common import push_headers
from tests.helpers.monitoring import sid

QUEUE = "billing-refunds"
CREATE = {"channel": "voice", "queue_id": QUEUE, "queue_path": "Billing > Refunds"}
# Status changes after creation, by session (i % 4): 2 + 3 + 1 + 4 = 10 per four sessions.
PLANS = [
    ["connected", "ended"],
    ["deflected", "queued", "connected"],
    ["connected"],
    ["deflected", "queued", "connected", "ended"],
]


def _listed(served: Any, ids: set[str]) -> dict[str, tuple[str, str | None]]:
    """Every row of ours on the admin's call list, walking the cursor: id -> (status, agent)."""
    out: dict[str, tuple[str, str | None]] = {}
    cursor = None
    while True:
        path = f"/calls?queue={QUEUE}&limit=100" + (f"&cursor={cursor}" if cursor else "")
        r = served.mon("GET", path, "ada")
        assert r.status_code == 200, r.text
        body = r.json()
        for row in body["items"]:
            if row["id"] in ids:
                assert row["id"] not in out, "a row listed twice"
                out[row["id"]] = (row["status"], (row["agent"] or {}).get("id"))
        cursor = body["next_cursor"]
        if not cursor:
            return out


def _truth(ids: set[str]) -> dict[str, tuple[str, str | None]]:
    from core.sessions import store

    out = {}
    for s in ids:
        doc = store.get(s)
        assert doc is not None
        if doc["status"] in ("queued", "connected"):
            out[s] = (doc["status"], doc.get("agent_id"))
    return out


def _settle(served: Any, ids: set[str], timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    want = _truth(ids)
    got: dict[str, Any] = {}
    while time.monotonic() < deadline:
        got = _listed(served, ids)
        if got == want:
            return got
        time.sleep(0.3)
    raise AssertionError(f"list never matched the sessions: {got} != {want}")


def test_100_status_changes_raced_against_reads_end_exactly_right(served) -> None:
    from core.sessions import store

    sessions = [sid("CA") for _ in range(40)]
    for s in sessions:
        store.ensure(s, "queued", CREATE)
    stop = threading.Event()
    reads: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            _listed(served, set(sessions))
            reads.append(1)

    def change(i: int) -> int:
        s, n = sessions[i], 0
        for status in PLANS[i % 4]:
            time.sleep(random.uniform(0, 0.05))
            extra = {"agent_id": random.choice(["alex", "bea"])} if status == "connected" else None
            _, changed = store.transition(s, status, extra=extra)
            n += changed
        return n

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            changes = sum(pool.map(change, random.sample(range(40), 40)))
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert changes == 100
    assert reads, "the list was never read during the changes"
    got = _settle(served, set(sessions))
    assert len(got) == 20 and all(st == "connected" for st, _ in got.values())
    time.sleep(2.0)  # nothing late (a redelivery, a slow refresh) brings a stale row back
    assert _listed(served, set(sessions)) == _truth(set(sessions))


def _envelopes(session_id: str) -> list[dict[str, Any]]:
    """The session's events as Pub/Sub push bodies, oldest first."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from core import clients
    from core.sessions.events import COLLECTION

    q = (
        clients.firestore()
        .collection(COLLECTION)
        .where(filter=FieldFilter("session_id", "==", session_id))
    )
    evs = sorted((d.to_dict() for d in q.stream()), key=lambda e: e["at"])
    return [
        {
            "message": {
                "data": base64.b64encode(
                    json.dumps(
                        {k: e[k] for k in ("event_id", "session_id", "type", "data", "at")}
                    ).encode()
                ).decode(),
                "attributes": {"event_id": e["event_id"], "session_id": session_id},
                "messageId": f"redelivery-{e['event_id']}",
            },
            "subscription": "projects/demo-contact-center/subscriptions/redelivery",
        }
        for e in evs
    ]


def test_duplicate_and_out_of_order_deliveries_leave_no_stale_row(served, suite) -> None:
    from core.sessions import store

    ended, live = sid("CA"), sid("CA")
    for s in (ended, live):
        store.ensure(s, "queued", CREATE)
        store.transition(s, "connected", extra={"agent_id": "alex"})
    store.transition(ended, "ended")
    _settle(served, {ended, live})
    url = suite.function_url("monitoring_on_event") + "/"
    for s in (ended, live):
        envs = _envelopes(s)
        assert len(envs) >= 2
        # Oldest first, twice each, then newest first: every delivery late or repeated.
        for env in [*envs, *envs, *reversed(envs)]:
            r = requests.post(
                url, json=env, headers=push_headers(suite, "monitoring_on_event"), timeout=30
            )
            assert r.status_code < 300, r.text
    assert _listed(served, {ended, live}) == {live: ("connected", "alex")}


def test_etag_answers_304_until_the_list_changes(served) -> None:
    from core.sessions import store

    s = sid("CA")
    store.ensure(s, "queued", CREATE)
    _settle(served, {s})
    path = f"/calls?queue={QUEUE}&limit=100"
    first = served.mon("GET", path, "ada")
    etag = first.headers["ETag"]
    again = served.mon("GET", path, "ada", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    store.transition(s, "connected", extra={"agent_id": "bea"})
    _settle(served, {s})
    changed = served.mon("GET", path, "ada", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_rebuild_fills_the_projection_from_the_sessions(served, suite) -> None:
    """A first deployment: sessions written before the consumer existed get their rows."""
    from core import clients
    from core.sessions.store import COLLECTION
    from monitoring import live
    from tests.helpers.monitoring import session_doc

    before, ended = sid("CA"), sid("CA")
    db = clients.firestore()
    db.collection(COLLECTION).document(before).set(session_doc(before, queue_id=QUEUE))
    db.collection(COLLECTION).document(ended).set(
        session_doc(ended, queue_id=QUEUE, status="ended")
    )
    assert _listed(served, {before, ended}) == {}  # no event, no row
    assert live.rebuild() >= 1
    assert _listed(served, {before, ended}) == {before: ("connected", "alex")}
