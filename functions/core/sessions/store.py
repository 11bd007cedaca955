"""Session writes: each change commits atomically with its events, conditioned on the version
it was computed from."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from core import clients
from core.errors import ApiError, not_found
from core.sessions import events, transfers
from core.sessions.model import LIVE_STATUSES, can_move, new_session

COLLECTION = "sessions"

# A mutator gets the current document (or None) and returns (new document or None to
# leave it, events to stage as (type, data, key)).
Mutator = Callable[
    [dict[str, Any] | None], tuple[dict[str, Any] | None, list[tuple[str, dict[str, Any], str]]]
]
# Extra writes committed with the session change (e.g. an audit record): (batch, new doc).
AlsoWrite = Callable[[Any, dict[str, Any]], None]


# Tries of an optimistic change before a 503: a double click or a burst of callbacks on
# one session waits up to about two seconds for its turn rather than failing.
CONTENTION_TRIES = 16


def ref(session_id: str) -> Any:
    return clients.firestore().collection(COLLECTION).document(session_id)


def get(session_id: str) -> dict[str, Any] | None:
    snap = ref(session_id).get()
    return snap.to_dict() if snap.exists else None


def require(session_id: str) -> dict[str, Any]:
    doc = get(session_id)
    if doc is None:
        raise not_found("session")
    return doc


def find_by_call_sid(call_sid: str) -> dict[str, Any] | None:
    """The session a carrier call was tied to when its id is not the CallSid (a call the
    mobile SDK placed gets its session first; the carrier leg is tied to it later)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    q = (
        clients.firestore()
        .collection(COLLECTION)
        .where(filter=FieldFilter("carrier.call_sid", "==", call_sid))
        .limit(1)
    )
    for snap in q.stream():
        return snap.to_dict()
    return None


def mutate(
    session_id: str,
    mutator: Mutator,
    *,
    also: AlsoWrite | None = None,
    event_keys: Sequence[str] = (),
) -> tuple[dict[str, Any] | None, list[events.Event]]:
    """Read-modify-write one session and stage its events atomically, then publish.

    Optimistic, not a transaction: the change commits as one batch whose session write is
    conditioned on the update time of the version it was computed from (or on the session
    not existing yet) and whose events are created, never overwritten. If another writer
    got there first the whole batch is refused and the change is recomputed from a fresh
    read. No lock is held between the read and the commit, so concurrent writers on one
    session never wait on each other's locks (the emulator breaks that deadlock only by a
    two-second lock timeout per round) and a killed instance leaves nothing held.

    The mutator may run more than once; it must be pure. `also` runs only when the
    session is written and adds its writes to the same batch (writes only).
    `event_keys`: the keys of the events the change will stage when the caller knows
    them beforehand (a request's idempotency key); their outbox documents are read in
    the same round trip as the session instead of one more after it.
    """
    from google.api_core.exceptions import Conflict, FailedPrecondition, NotFound

    db = clients.firestore()
    r = ref(session_id)
    known = {k: events.ref(events.event_id_for(k)) for k in event_keys}
    for attempt in range(CONTENTION_TRIES):
        snaps = {s.reference.path: s for s in db.get_all([r, *known.values()])}
        snap = snaps[r.path]
        exists = {k: snaps[e.path].exists for k, e in known.items()}
        current = snap.to_dict() if snap.exists else None
        fields_before = list(current or ())  # to_dict() copies the document: once
        new_doc, to_stage = mutator(current)
        batch = db.batch()
        staged = events.stage_all(batch, session_id, list(to_stage), exists=exists)
        if new_doc is None or (to_stage and not staged):
            # Nothing to write (or a replay whose events all exist): one commit of any
            # events staged for an unchanged session.
            if not staged:
                return (new_doc if new_doc is not None else current), []
        else:
            _write(batch, r, snap, fields_before, new_doc)
            if also is not None:
                also(batch, new_doc)
        try:
            batch.commit()
        except (FailedPrecondition, NotFound, Conflict) as exc:
            if isinstance(exc, Conflict) and also is not None and not _raced(db, snap, staged):
                raise  # an `also` create refused on its own (e.g. a one-time id used twice)
            # Another writer changed the session or staged the same event first.
            if attempt >= 1:
                time.sleep(random.uniform(0, 0.02) * attempt)
            continue
        events.publish(staged, wait=False)
        return (new_doc if new_doc is not None else current), staged
    raise ApiError(503, "contention", "session is busy, retry", headers={"Retry-After": "1"})


def _raced(db: Any, snap: Any, staged: list[events.Event]) -> bool:
    """Whether a refused commit lost to another writer of the session or of its events
    (rather than to a write of its own `also`): the session is no longer the version read,
    or an event it staged exists now."""
    refs = [snap.reference, *(events.ref(e.event_id) for e in staged)]
    now = {s.reference.path: s for s in db.get_all(refs)}
    cur = now[snap.reference.path]
    if cur.exists != snap.exists or (cur.exists and cur.update_time != snap.update_time):
        return True
    return any(now[r.path].exists for r in refs[1:])


def _write(batch: Any, r: Any, snap: Any, fields_before: list[str], doc: dict[str, Any]) -> None:
    """Replace the session in `batch`, only if it is still the version `snap` read (whose
    top-level fields were `fields_before`)."""
    from core.firestore_encode import add_create, add_replace

    if not snap.exists:
        add_create(batch, r, doc)
        return
    # An update naming every top-level field (and deleting the dropped ones) is a
    # replacement that can carry a precondition, which set cannot.
    gone = [k for k in fields_before if k not in doc]
    add_replace(batch, r, doc, gone, snap.update_time)


def status_change(
    doc: dict[str, Any], new_status: str, now: float, **extra: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply a status change to a copy of doc; returns (new doc, event data)."""
    out = dict(doc)
    old = out["status"]
    out["status"] = new_status
    out["updated_at"] = now
    out["status_history"] = [*doc.get("status_history", []), {"status": new_status, "at": now}]
    if new_status == "connected":
        out["connected_at"] = now
        if doc.get("queued_at"):
            out["metrics"] = dict(doc["metrics"]) | {
                "wait_seconds": round(now - doc["queued_at"], 3)
                + doc["metrics"].get("whisper_seconds", 0)
                + doc["metrics"].get("countdown_seconds", 0)
            }
    if new_status == "queued":
        out["queued_at"] = now
    if new_status == "ended":
        out["ended_at"] = now
        if doc.get("connected_at"):
            out["metrics"] = dict(out["metrics"]) | {
                "talk_seconds": round(now - doc["connected_at"], 3)
            }
    out.update(extra)
    data = {
        "from": old,
        "to": new_status,
        "queue_id": out.get("queue_id"),
        "channel": out.get("channel"),
        "agent_id": out.get("agent_id"),
    }
    return out, data


def _again(cur: dict[str, Any], new_status: str) -> bool:
    """A status the session may reach more than once (queued again after a transfer,
    connected again to the next agent) needs a distinct event key each time."""
    if new_status == "queued":
        return True
    return any(h.get("status") == new_status for h in cur.get("status_history") or [])


def transition(
    session_id: str,
    new_status: str,
    *,
    create: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    now: float | None = None,
    also: AlsoWrite | None = None,
    by: dict[str, Any] | None = None,
) -> tuple[dict[str, Any] | None, bool]:
    """Move a session to new_status once. Returns (doc, changed).

    A repeated or out-of-order request (e.g. a duplicate carrier callback, or "ringing"
    after "completed") changes nothing and publishes nothing. With `create`, a missing
    session is created directly in new_status from those fields. A change that moves the
    contact to another queue (e.g. an after-hours transfer) records a transfer by `by`.
    """
    ts = now or time.time()

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None:
            if create is None:
                raise not_found("session")
            fields = {k: v for k, v in create.items() if k != "channel"}
            doc = new_session(session_id, create.get("channel", "voice"), new_status, ts, **fields)
            doc.update(extra or {})
            ev_data = {
                "from": None,
                "to": new_status,
                "queue_id": doc.get("queue_id"),
                "channel": doc["channel"],
                "agent_id": doc.get("agent_id"),
            }
            return doc, [("session.status_changed", ev_data, f"{session_id}:status:{new_status}")]
        if cur["status"] == new_status or not can_move(cur["status"], new_status):
            return None, []
        doc, ev_data = status_change(cur, new_status, ts, **(extra or {}))
        transfers.append(cur, doc, ts, by)
        return doc, [
            (
                "session.status_changed",
                ev_data,
                f"{session_id}:status:{new_status}"
                + (f":{len(cur.get('status_history', []))}" if _again(cur, new_status) else ""),
            )
        ]

    doc, staged = mutate(session_id, mut, also=also)
    return doc, bool(staged)


def ensure(
    session_id: str, status: str, create: dict[str, Any], now: float | None = None
) -> tuple[dict[str, Any] | None, bool]:
    """Create the session in `status` if it does not exist; never touch an existing one."""
    ts = now or time.time()

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is not None:
            return None, []
        fields = {k: v for k, v in create.items() if k != "channel"}
        doc = new_session(session_id, create.get("channel", "voice"), status, ts, **fields)
        ev = {
            "from": None,
            "to": status,
            "queue_id": doc.get("queue_id"),
            "channel": doc["channel"],
            "agent_id": None,
        }
        return doc, [("session.status_changed", ev, f"{session_id}:status:{status}")]

    doc, staged = mutate(session_id, mut)
    return doc, bool(staged)


def update(
    session_id: str,
    changes: Callable[[dict[str, Any]], dict[str, Any]],
    event_type: str,
    event_data: dict[str, Any],
    key: str,
) -> tuple[dict[str, Any], bool]:
    """Apply `changes(doc) -> new fields` and one event, once per key."""

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None:
            raise not_found("session")
        doc = dict(cur) | changes(cur) | {"updated_at": time.time()}
        return doc, [(event_type, event_data, key)]

    doc, staged = mutate(session_id, mut)
    assert doc is not None
    return doc, bool(staged)


def set_fields(session_id: str, fields: dict[str, Any]) -> None:
    """An event-less field write (bookkeeping such as CRM ids and sync state); a dict value
    is merged into the field's current dict. A missing session is left missing."""

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None:
            return None, []
        merged = dict(cur)
        for k, v in fields.items():
            merged[k] = (dict(cur.get(k) or {}) | v) if isinstance(v, dict) else v
        return merged, []

    mutate(session_id, mut)


def transfer(
    session_id: str,
    *,
    by: dict[str, Any],
    to_queue: tuple[str, str | None] | None = None,
    to_agent: str | None = None,
    agent_leg: str | None = None,
    reason: str | None = None,
    now: float | None = None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Move a live session to another queue (back in line, no agent) or another agent
    (still connected), record the transfer and stage `session.transferred`, atomically.

    Returns (doc, transfer); transfer is None when the session already is where it is
    asked to go (a retried request changes nothing).
    """
    if (to_queue is None) == (to_agent is None):
        raise ValueError("exactly one of to_queue / to_agent")
    ts = now or time.time()
    made: list[dict[str, Any]] = []

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        made.clear()
        status_event: tuple[str, dict[str, Any], str] | None = None
        if cur is None:
            raise not_found("session")
        require_live(cur)
        legs = list(cur.get("participants") or [])
        old_agent = cur.get("agent_id") if cur["status"] == "connected" else None
        if old_agent and old_agent != to_agent:
            # The previous agent's leg has left (or is leaving) the call.
            legs = [
                p | {"left_at": ts}
                if p.get("role") == "agent" and p.get("id") == old_agent and not p.get("left_at")
                else p
                for p in legs
            ]
        carrier = dict(cur.get("carrier") or {})
        if to_queue is not None:
            if cur["status"] == "queued" and cur.get("queue_id") == to_queue[0]:
                return None, []
            qid, path = to_queue
            if cur["status"] == "queued":  # the wait goes on in the other queue
                doc = dict(cur) | {"updated_at": ts}
            else:  # an agent sends the contact back in line
                doc, status_data = status_change(cur, "queued", ts)
                n = len(cur.get("status_history", []))
                status_event = (
                    "session.status_changed",
                    status_data | {"queue_id": qid, "agent_id": None},
                    f"{session_id}:status:queued:{n}",
                )
            doc |= {"queue_id": qid, "queue_path": path, "agent_id": None}
            carrier.pop("agent_call_sid", None)
        else:
            if cur["status"] != "connected":
                raise ApiError(409, "not_connected", f"session is {cur['status']}", field="status")
            if cur.get("agent_id") == to_agent:
                return None, []
            doc = dict(cur) | {"agent_id": to_agent, "updated_at": ts}
            legs.append({"role": "agent", "id": to_agent, "call_sid": agent_leg, "joined_at": ts})
            if agent_leg:
                carrier["agent_call_sid"] = agent_leg
            else:
                carrier.pop("agent_call_sid", None)
        doc["participants"], doc["carrier"] = legs, carrier
        t = transfers.append(cur, doc, ts, by, reason)
        if t is None:
            return None, []
        made.append(t)
        data = {
            "from": t["from"],
            "to": t["to"],
            "kind": t["kind"],
            "channel": doc.get("channel"),
            "status": doc["status"],
        }
        staged = [("session.transferred", data, t["id"])]
        return doc, [*staged, status_event] if status_event else staged

    doc, staged = mutate(session_id, mut)
    assert doc is not None
    return doc, (made[0] if staged and made else None)


def require_live(doc: dict[str, Any]) -> None:
    if doc["status"] not in LIVE_STATUSES:
        raise ApiError(409, "session_not_live", f"session is {doc['status']}", field="status")
