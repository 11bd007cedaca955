"""Per-recording and per-part delivery state in Firestore (`recordings/{RecordingSid}`).

Every change re-reads the document in a transaction, or is an update conditioned on the
update time of the version it was computed from (write_fenced), so two workers (a
duplicate task delivery, or a retry racing a worker presumed dead) never both believe they
own it: a worker holds a lease (id + expiry) and every write it makes checks the lease is
still its own (fencing). Lifecycle of `status`:
  pending -> stored (in our bucket) -> confirmed (every part seen by the CRM)
  -> done (object and carrier copy deleted); failed (permanent CRM refusal, alerted);
  expired (deleted by the sweeper at the retention limit).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from core import clients

COLLECTION = "recordings"
FINAL = ("done", "expired")


class LeaseLost(Exception):
    """Another worker took this recording over (ours expired): stop, touch nothing."""


class Stale(Exception):
    """The task is older than the recording's current schedule, or it is finished."""


class Contended(Exception):
    """The transaction kept aborting (e.g. a lock still held by the open transaction of a
    worker that was killed): nothing was written; try the whole run again later."""


def ref(sid: str) -> Any:
    return clients.firestore().collection(COLLECTION).document(sid)


def get(sid: str) -> dict[str, Any] | None:
    snap = ref(sid).get()
    return snap.to_dict() if snap.exists else None


def _txn(sid: str, fn: Callable[[dict[str, Any] | None], tuple[dict[str, Any] | None, Any]]) -> Any:
    """Run fn(current) in a transaction; fn returns (changes or None, result)."""
    from google.cloud import firestore

    r = ref(sid)

    @firestore.transactional
    def run(t: Any) -> Any:
        snap = r.get(transaction=t)
        changes, result = fn(snap.to_dict() if snap.exists else None)
        if changes is not None:
            if snap.exists:
                t.update(r, changes)
            else:
                t.set(r, changes)
        return result

    try:
        return run(clients.firestore().transaction())
    except ValueError as exc:
        # The client gives up after its attempts with a bare ValueError ("Failed to commit
        # transaction in 5 attempts") whose cause is the last Aborted: typed here, so the
        # worker answers "redeliver" instead of dying on an unexpected exception.
        from google.api_core import exceptions as gexc

        if isinstance(exc.__cause__, gexc.GoogleAPICallError):
            raise Contended(f"{sid}: {exc.__cause__.__class__.__name__}") from exc
        raise


def create(sid: str, doc: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Create the recording once; a repeated callback gets the existing one."""

    def fn(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, Any]:
        if cur is not None:
            return None, (cur, False)
        return doc, (doc, True)

    return _txn(sid, fn)


def claim(
    sid: str, gen: int, lease_seconds: float, now: float | None = None
) -> tuple[str, dict[str, Any]]:
    """Take the lease for task generation `gen`.

    Returns ("mine", doc with the new lease) or ("held", doc) when a live worker owns it.
    Raises Stale for an old generation or a finished recording.
    """
    now = time.time() if now is None else now

    def fn(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, Any]:
        if cur is None or cur.get("status") in FINAL or cur.get("status") == "failed":
            raise Stale("finished or unknown")
        if gen < int(cur.get("gen", 0)):
            raise Stale(f"task generation {gen} < {cur.get('gen')}")
        lease = cur.get("lease") or {}
        if lease.get("id") and float(lease.get("until", 0)) > now:
            return None, ("held", cur)
        new = {
            "id": uuid.uuid4().hex,
            "until": now + lease_seconds,
            "no": int(lease.get("no", 0)) + 1,
            "taken_at": now,
        }
        return {"lease": new, "gen": max(gen, int(cur.get("gen", 0)))}, (
            "mine",
            cur | {"lease": new},
        )

    return _txn(sid, fn)


# A fenced write whose precondition keeps failing (other writers on the document) gives
# up after this many reads, as a transaction would after its attempts.
FENCED_WRITE_TRIES = 8

# (the document as stored, its update time): what a run knows after its own last write.
Known = tuple[dict[str, Any], Any]


def write_fenced(
    sid: str,
    lease_id: str,
    changes: Callable[[dict[str, Any]], dict[str, Any]],
    lease_seconds: float | None = None,
    known: Known | None = None,
) -> Known:
    """Apply changes(current) if we still hold the lease (optionally extending it); returns
    the document as stored and its update time.

    Optimistic, not a transaction: the update carries the update time of the version it
    was computed from, so it fails if anyone wrote in between, and is then recomputed from
    a fresh read (lease checked again). A run that passes what its last write returned
    (`known`) pays one round trip per write instead of a transaction's three, and a worker
    killed midway leaves no lock behind."""
    from google.api_core.exceptions import FailedPrecondition, NotFound

    db = clients.firestore()
    r = ref(sid)
    for _ in range(FENCED_WRITE_TRIES):
        if known is None:
            snap = r.get()
            cur, version = (snap.to_dict() if snap.exists else None), snap.update_time
        else:
            cur, version = known
            known = None  # a failed precondition reads afresh
        lease = (cur or {}).get("lease") or {}
        if cur is None or lease.get("id") != lease_id:
            raise LeaseLost(sid)
        out = dict(changes(cur))
        if lease_seconds is not None:
            out["lease"] = lease | {"until": time.time() + lease_seconds}
        try:
            res = r.update(out, option=db.write_option(last_update_time=version))
        except (FailedPrecondition, NotFound):
            continue
        return cur | out, res.update_time
    raise Contended(f"{sid}: {FENCED_WRITE_TRIES} fenced writes lost to other writers")


def release(
    sid: str,
    lease_id: str,
    changes: dict[str, Any] | None = None,
    known: Known | None = None,
) -> dict[str, Any]:
    """Give the lease back (with final changes), e.g. when rescheduling or finishing."""

    def upd(cur: dict[str, Any]) -> dict[str, Any]:
        return (changes or {}) | {
            "lease": {"id": None, "until": 0, "no": (cur.get("lease") or {}).get("no", 0)}
        }

    return write_fenced(sid, lease_id, upd, known=known)[0]


def set_part(parts: list[dict[str, Any]], index: int, **fields: Any) -> list[dict[str, Any]]:
    out = [dict(p) for p in parts]
    out[index - 1] |= fields
    return out


def update_unleased(
    sid: str, fn: Callable[[dict[str, Any] | None], tuple[dict[str, Any] | None, Any]]
) -> Any:
    """For the sweeper and the access path: a transaction that ignores leases."""
    return _txn(sid, fn)
