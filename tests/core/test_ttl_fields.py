"""Documents meant to expire carry `expire_at` as a Firestore timestamp (the only type a
TTL policy acts on), and a document that must not expire does not carry it."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time

from core import ttl


def _doc(collection: str, doc_id: str) -> dict:
    from core import clients

    snap = clients.firestore().collection(collection).document(doc_id).get()
    assert snap.exists, (collection, doc_id)
    return snap.to_dict()


def _days_ahead(value: object) -> float:
    assert isinstance(value, dt.datetime) and value.tzinfo is not None, type(value)
    return (value.timestamp() - time.time()) / 86400


def test_idempotency_markers_expire_after_any_redelivery(suite) -> None:
    from core import idempotency

    key = "ttl-test:" + secrets.token_hex(4)
    doc_id = hashlib.sha256(key.encode()).hexdigest()
    assert idempotency.claim(key)
    running = _doc(idempotency.COLLECTION, doc_id)
    assert 29 < _days_ahead(running[ttl.FIELD]) <= 30
    idempotency.done(key, {"ok": True})
    done = _doc(idempotency.COLLECTION, doc_id)
    assert done["state"] == "done" and 29 < _days_ahead(done[ttl.FIELD]) <= 30
    # Longer than Pub/Sub keeps a message and than the delivery queue retries.
    assert idempotency.KEEP_SECONDS > 7 * 86400


def test_published_events_expire_and_unpublished_ones_do_not(suite, monkeypatch) -> None:
    from core.sessions import events, store

    sid = "CA" + secrets.token_hex(16)
    monkeypatch.setattr(events, "publish", lambda evs, wait=True: None)  # a crash first
    store.ensure(sid, "queued", {"channel": "voice"})
    monkeypatch.undo()
    from core import clients

    docs = [
        d.to_dict()
        for d in clients.firestore().collection(events.COLLECTION).stream()
        if d.get("session_id") == sid
    ]
    assert len(docs) == 1 and docs[0]["published"] is False
    assert ttl.FIELD not in docs[0], "the outbox still owes this event: it must not expire"
    assert events.flush_outbox(older_than_seconds=0) == 1
    after = _doc(events.COLLECTION, docs[0]["event_id"])
    assert after["published"] is True
    assert 29 < _days_ahead(after[ttl.FIELD]) <= 30


def test_rate_limit_slots_expire_within_the_hour(suite) -> None:
    from core import clients, rate_limit

    scope = "ttl-" + secrets.token_hex(3)
    rate_limit.reset_local()
    rate_limit.check(scope, "customer", 1)
    slots = [
        d.to_dict()
        for d in clients.firestore().collection(rate_limit.COLLECTION).stream()
        if d.get("scope") == scope
    ]
    assert len(slots) == 1
    assert 0 < _days_ahead(slots[0][ttl.FIELD]) * 24 <= 1.0
