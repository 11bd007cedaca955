"""A session gets one CRM ticket however many writers need it at the same moment: the
redirect note on the request path, the flag consumer, an agent's assignment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests.helpers.attributes import make_call, zendesk


def _tickets(suite: Any, session_id: str) -> list[dict[str, Any]]:
    return [t for t in zendesk(suite, "tickets")["tickets"] if t["external_id"] == session_id]


def test_concurrent_writers_open_one_ticket(suite, attrs_config) -> None:
    from attributes import crm_sync
    from core.sessions import store

    sid = make_call("billing-refunds")
    crm_sync.contact_for(store.get(sid))  # the end user exists already: straight to the ticket
    base = suite.url("zendesk")
    # A slow ticket create widens the window in which the others find no ticket yet.
    requests.post(
        f"{base}/_control/faults",
        json={
            "route": "tickets",
            "method": "POST",
            "faults": [{"kind": "delay", "seconds": 0.8}] * 4,
        },
        timeout=5,
    ).raise_for_status()
    try:
        doc = store.get(sid)
        with ThreadPoolExecutor(4) as pool:
            ids = list(pool.map(lambda _: crm_sync.ticket_for(dict(doc)), range(4)))
    finally:
        requests.delete(f"{base}/_control/faults", params={"route": "tickets"}, timeout=5)
    found = _tickets(suite, sid)
    assert len(found) == 1, found
    assert set(ids) == {found[0]["id"]}
    assert store.get(sid)["crm"]["ticket_id"] == found[0]["id"]


def test_an_abandoned_claim_is_taken_over_and_finds_the_ticket_it_made(suite, attrs_config) -> None:
    """A writer that died after creating the ticket but before recording it: the next one
    waits out the lease, then finds the ticket by external_id instead of opening another."""
    from attributes import crm_sync
    from core import idempotency
    from core.sessions import store

    sid = make_call("billing-refunds")
    first = crm_sync.ticket_for(store.get(sid))
    # Forget that it was recorded, and leave a claim behind as a crashed writer would.
    store.mutate(sid, lambda cur: ({k: v for k, v in cur.items() if k != "crm"}, []))
    idempotency.release(f"crm-ticket:{sid}")
    assert idempotency.claim(f"crm-ticket:{sid}", lease_seconds=1.0)
    again = crm_sync.ticket_for(store.get(sid))
    assert again == first
    assert len(_tickets(suite, sid)) == 1


def test_a_retry_of_the_same_work_takes_its_crashed_claim_over_at_once(suite, attrs_config) -> None:
    """A recording delivery killed while creating the ticket: its retry (the only run of
    that recording, by the recording's own lease) goes on at once instead of waiting out
    the claim; another writer still waits for it."""
    import time

    from core import idempotency
    from core.crm import session_ticket

    sid = make_call("billing-refunds")
    key = f"crm-ticket:{sid}"
    assert idempotency.claim(key, lease_seconds=60.0, owner="recording:RE1")
    made: list[str] = []

    def make() -> str:
        made.append("x")
        return "4242"

    t0 = time.monotonic()
    assert session_ticket.once(sid, make, lambda: None, owner="recording:RE1") == "4242"
    assert time.monotonic() - t0 < 5.0 and made == ["x"]
    # Done now: anyone else gets the recorded id without making anything.
    assert session_ticket.once(sid, make, lambda: None) == "4242" and made == ["x"]
