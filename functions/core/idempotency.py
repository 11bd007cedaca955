"""Run a side effect once per key, for handlers Pub/Sub or Cloud Tasks may call twice.

`claim` creates a marker document transactionally; a second claimant sees it. A claim left
`running` by a crashed instance is taken over after its lease, so work is never lost.
Markers expire (core.ttl) long after any redelivery could arrive: Pub/Sub keeps a message
7 days at most, and the recording-delivery queue stops retrying after 6.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from core import clients, ttl

COLLECTION = "idempotency"
KEEP_SECONDS = 30 * ttl.DAY


def _ref(key: str) -> Any:
    doc_id = hashlib.sha256(key.encode()).hexdigest()
    return clients.firestore().collection(COLLECTION).document(doc_id)


def claim(key: str, lease_seconds: float = 120.0, *, owner: str | None = None) -> bool:
    """True if the caller should do the work now (first claim, or a stale lease).

    `owner` names who holds the claim: the same owner may take a running claim over at
    once (a retry of the very work a crashed run claimed, which its own lease already
    makes the only one running)."""
    from google.cloud import firestore

    ref = _ref(key)
    now = time.time()

    @firestore.transactional
    def txn(t: Any) -> bool:
        snap = ref.get(transaction=t)
        if snap.exists:
            d = snap.to_dict()
            if d.get("state") == "done":
                return False
            if d.get("lease_until", 0) > now and (owner is None or d.get("owner") != owner):
                return False
        t.set(
            ref,
            {
                "key": key,
                "state": "running",
                "lease_until": now + lease_seconds,
                "owner": owner,
                "at": now,
                ttl.FIELD: ttl.expire_at(KEEP_SECONDS, now),
            },
        )
        return True

    return txn(clients.firestore().transaction())


def done(key: str, result: dict[str, Any] | None = None) -> None:
    now = time.time()
    _ref(key).set(
        {
            "key": key,
            "state": "done",
            "at": now,
            "result": result or {},
            ttl.FIELD: ttl.expire_at(KEEP_SECONDS, now),
        }
    )


def release(key: str) -> None:
    """Give the claim back after a failure so a retry can run at once."""
    _ref(key).delete()


def result(key: str) -> dict[str, Any] | None:
    """What `done` recorded for the key, or None while it is not done."""
    snap = _ref(key).get()
    if not snap.exists or snap.get("state") != "done":
        return None
    return dict(snap.to_dict().get("result") or {})


def is_done(key: str) -> bool:
    snap = _ref(key).get()
    return snap.exists and snap.get("state") == "done"
