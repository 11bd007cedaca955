"""The live-sessions projection the monitoring lists read: a few documents per page.

`live_sessions/{kind}-{shard}` holds, in its `rows` map, one compact JSON row per live
(queued / connected) session of that kind whose id hashes to the shard: the fields a list
row, its filters and its actions need (`ROW_FIELDS`). A page reads the SHARDS documents of
its kind in one batch and filters, scopes, sorts and pages in memory, so its cost is
fixed (SHARDS reads) whatever the filter, and never depends on query indexes.

Kept by `refresh(session_id)`: in one transaction, read the session and write its row (or
remove it once the session has ended or vanished). Every session event triggers one
(monitoring_on_event); monitoring's own event-less changes (monitors, viewers) call it
after their commit. The transaction reads the session, so a refresh never commits a state
older than the session's current one: a change committed after the read fails it (and it
runs again), and that change's own event refreshes the row once more. Duplicate and
out-of-order deliveries therefore cannot leave a stale row: each writes current truth.
The row write is a field-level merge, so refreshes of different sessions in one shard
never conflict; a shard is id-hashed, so a session stays in one place through transfers.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from core import clients, logs
from core.sessions import store
from core.sessions.model import LIVE_STATUSES

COLLECTION = "live_sessions"
# Documents per kind: a page reads all of its kind's. Each holds ~1/SHARDS of the live
# sessions (~300 B each): 8 keeps 10,000 live sessions at ~200 KB per document, well
# under Firestore's 1 MiB. Changing it needs `rebuild()`.
SHARDS = 8
KINDS = ("call", "chat")
# What a row (monitoring.views.row), the filters and the actions read of a session.
ROW_FIELDS = (
    "id",
    "kind",
    "channel",
    "status",
    "queue_id",
    "queue_path",
    "agent_id",
    "created_at",
    "queued_at",
    "connected_at",
    "updated_at",
)
log = logs.get("monitoring.live")


def shard_of(session_id: str) -> int:
    return int.from_bytes(hashlib.sha1(session_id.encode()).digest()[:4], "big") % SHARDS


def doc_id(kind: str, shard: int) -> str:
    return f"{kind}-{shard}"


def row_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The compact row kept for a live session (everything `views.row` reads)."""
    out = {k: doc.get(k) for k in ROW_FIELDS}
    eu = doc.get("end_user") or {}
    out["end_user"] = {
        k: eu.get(k) for k in ("id", "name", "phone", "email", "anonymous") if k in eu
    }
    m = doc.get("metrics") or {}
    out["metrics"] = {
        k: m[k] for k in ("wait_seconds", "whisper_seconds", "countdown_seconds") if k in m
    }
    out["monitors"] = [
        {k: x.get(k) for k in ("user_id", "name", "mode", "kind") if k in x}
        for x in doc.get("monitors") or []
    ]
    carrier = doc.get("carrier") or {}
    out["carrier"] = {k: carrier[k] for k in ("conference_sid", "agent_call_sid") if carrier.get(k)}
    out["participants"] = [
        {k: p.get(k) for k in ("role", "id", "call_sid", "left_at") if p.get(k)}
        for p in doc.get("participants") or []
        if p.get("role") == "agent"
    ]
    return out


def _encode(row: dict[str, Any]) -> str:
    return json.dumps(row, separators=(",", ":"), default=str)


def refresh(session_id: str) -> str:
    """Make the session's row match the session now; returns "set" or "removed"."""
    from google.api_core.exceptions import Aborted
    from google.cloud import firestore
    from google.cloud.firestore_v1.field_path import FieldPath

    db = clients.firestore()
    sref = store.ref(session_id)
    shard = shard_of(session_id)
    path = FieldPath("rows", session_id).to_api_repr()

    @firestore.transactional
    def txn(t: Any) -> str:
        snap = sref.get(transaction=t)
        doc = snap.to_dict() if snap.exists else None
        live = doc is not None and doc.get("status") in LIVE_STATUSES and doc.get("kind") in KINDS
        for kind in KINDS:
            ref = db.collection(COLLECTION).document(doc_id(kind, shard))
            if live and doc is not None and kind == doc["kind"]:
                t.set(ref, {"rows": {session_id: _encode(row_of(doc))}}, merge=[path])
            elif doc is None or kind == doc.get("kind"):
                t.set(ref, {"rows": {session_id: firestore.DELETE_FIELD}}, merge=[path])
        return "set" if live else "removed"

    for attempt in range(6):
        try:
            return txn(db.transaction(max_attempts=5))
        except (ValueError, Aborted) as exc:
            if isinstance(exc, ValueError) and "attempts" not in str(exc):
                raise
            if attempt == 5:
                raise
            time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
    raise AssertionError("unreachable")


Key = tuple[float, str]


def key_of(row: dict[str, Any]) -> Key:
    """The list's sort key: age (created_at), then id."""
    return (float(row.get("created_at") or 0), str(row.get("id")))


# Fields a search matches exactly (monitoring.listing), indexed per shard.
EXACT_FIELDS = ("id", "end_user.id", "end_user.name", "end_user.phone", "end_user.email")
Entry = tuple[Key, dict[str, Any]]


def field_of(row: dict[str, Any], name: str) -> Any:
    if name.startswith("end_user."):
        return (row.get("end_user") or {}).get(name.removeprefix("end_user."))
    return row.get(name)


@dataclass
class Shard:
    update_time: Any
    raw: dict[str, str]  # session id -> the row as stored
    rows: list[Entry]  # decoded, sorted by key
    index: dict[tuple[str, Any], list[Entry]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.rows:  # in key order, so each list is sorted too
            for name in EXACT_FIELDS:
                value = field_of(entry[1], name)
                if value is not None:
                    self.index.setdefault((name, value), []).append(entry)

    def exact(self, name: str, value: Any) -> list[Entry]:
        """The rows whose `name` equals `value`, sorted by key."""
        return self.index.get((name, value), [])


_EMPTY = Shard(None, {}, [])


_cache: dict[str, Shard] = {}
_lock = threading.Lock()
_NO_FIELD = "_"  # a field mask naming no stored field: the read returns metadata only


def _decode(name: str, snap: Any) -> Shard:
    """A shard from its document, decoding only rows that changed since the cached one."""
    old = _cache.get(name)
    raw: dict[str, str] = (snap.to_dict() or {}).get("rows") or {}
    known = old.raw if old else {}
    decoded = dict((row["id"], (k, row)) for k, row in (old.rows if old else []))
    rows = []
    for sid, text in raw.items():
        hit = decoded.get(sid) if known.get(sid) == text else None
        if hit is None:
            row = json.loads(text)
            hit = (key_of(row), row)
        rows.append(hit)
    rows.sort(key=lambda kr: kr[0])
    return Shard(snap.update_time, raw, rows)


def shards(kind: str) -> list[Shard]:
    """Every live row of one kind, as SHARDS lists sorted by key.

    One metadata-only batch read of the kind's documents tells which changed since this
    instance last read them (their update time); only those are read in full, and only
    their changed rows decoded. So a page costs SHARDS document reads, plus one per shard
    that changed, and what it shows is never older than the documents at the first read.
    """
    db = clients.firestore()
    names = [doc_id(kind, s) for s in range(SHARDS)]
    refs = {n: db.collection(COLLECTION).document(n) for n in names}
    stale: list[str] = []
    with _lock:
        for snap in db.get_all(list(refs.values()), field_paths=[_NO_FIELD]):
            cached = _cache.get(snap.id)
            if not snap.exists:
                _cache[snap.id] = _EMPTY
            elif cached is None or cached.update_time != snap.update_time:
                stale.append(snap.id)
        if stale:
            for snap in db.get_all([refs[n] for n in stale], field_paths=["rows"]):
                _cache[snap.id] = _decode(snap.id, snap) if snap.exists else _EMPTY
        return [_cache[n] for n in names]


def rows(kind: str) -> list[dict[str, Any]]:
    """Every live row of one kind (oldest first)."""
    return [row for _, row in heapq.merge(*(s.rows for s in shards(kind)), key=lambda e: e[0])]


def rebuild(kinds: tuple[str, ...] = KINDS) -> int:
    """Write the projection from the sessions collection (first deploy, or SHARDS changed).

    Each session is then refreshed on its next event as usual. Returns the live count.
    """
    from google.cloud.firestore_v1.base_query import FieldFilter

    started = time.time()
    db = clients.firestore()
    shards: dict[str, dict[str, str]] = {doc_id(k, s): {} for k in kinds for s in range(SHARDS)}
    n = 0
    for status in sorted(LIVE_STATUSES):
        q = db.collection(store.COLLECTION).where(filter=FieldFilter("status", "==", status))
        for snap in q.stream():
            doc = snap.to_dict() or {}
            if doc.get("kind") in kinds:
                shards[doc_id(doc["kind"], shard_of(snap.id))][snap.id] = _encode(row_of(doc))
                n += 1
    for name, content in shards.items():
        db.collection(COLLECTION).document(name).set({"rows": content})
    # A session that changed while this ran may have had its refresh overwritten above:
    # refresh those again (a minute of slack for clocks).
    since = db.collection(store.COLLECTION).where(
        filter=FieldFilter("updated_at", ">=", started - 60)
    )
    for snap in since.stream():
        refresh(snap.id)
    log.info("live-sessions projection rebuilt: %d live sessions", n)
    return n


if __name__ == "__main__":  # once per deployment that starts the projection: `python -m`
    logs.configure()
    print(f"{rebuild()} live sessions in the projection")
