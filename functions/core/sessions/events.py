"""Session events: staged in Firestore in the same commit as the change, then published.

The event document (id = a key derived from the change) is the outbox: it is created in the
same batch as the change, so a change has exactly one event, and a duplicate carrier
callback finds it already there and publishes nothing. Publishing happens after commit;
if the instance dies in between, `flush_outbox` publishes what is left. Subscribers dedupe
on the `event_id` attribute, since Pub/Sub itself delivers at least once.
A published event expires (core.ttl) after PUBLISHED_KEEP_SECONDS: long past any duplicate
callback it must absorb. An unpublished one never expires: the outbox still owes it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core import clients, logs, ttl
from core.settings import settings

COLLECTION = "session_events"
PUBLISHED_KEEP_SECONDS = 30 * ttl.DAY
FLAG_LINGER_SECONDS = 0.1
log = logs.get("sessions.events")


@dataclass(frozen=True)
class Event:
    event_id: str
    session_id: str
    type: str
    data: dict[str, Any]
    at: float

    def message(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "session_id": self.session_id,
            "type": self.type,
            "data": self.data,
            "at": self.at,
        }


def event_id_for(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def ref(event_id: str) -> Any:
    return clients.firestore().collection(COLLECTION).document(event_id)


def outbox_doc(ev: Event, key: str) -> dict[str, Any]:
    """The outbox document of a staged event, not yet published."""
    return ev.message() | {"key": key, "published": False}


def stage_all(
    batch: Any,
    session_id: str,
    items: list[tuple[str, dict[str, Any], str]],
    exists: Mapping[str, bool] | None = None,
) -> list[Event]:
    """Add the outbox documents of one change's events to `batch`, skipping those whose
    key was already staged. Each is a create, so a batch racing another that staged the
    same key is refused whole. `exists`: keys whose outbox documents were already read
    (with the session); the others are read here, in one batch get."""
    db = clients.firestore()
    exists = exists or {}
    refs = [db.collection(COLLECTION).document(event_id_for(key)) for _, _, key in items]
    unread = [ref for (_, _, key), ref in zip(items, refs, strict=True) if key not in exists]
    found = {s.reference.path for s in db.get_all(unread) if s.exists} if unread else set()
    fresh = [
        not exists[key] if key in exists else ref.path not in found
        for (_, _, key), ref in zip(items, refs, strict=True)
    ]
    out: list[Event] = []
    for (type_, data, key), ref, new in zip(items, refs, fresh, strict=True):
        if new:
            ev = Event(ref.id, session_id, type_, data, time.time())
            batch.create(ref, outbox_doc(ev, key))
            out.append(ev)
    return out


def publish(events: Sequence[Event | None], *, wait: bool = True) -> None:
    """Publish staged events and flag them published (after the transaction committed).

    The flags of one call are written in one batch once every publish has settled. With
    wait=False the caller does not wait for Pub/Sub, and the flags join those of other
    calls for up to FLAG_LINGER_SECONDS (_Flags). An event whose publish failed stays in
    the outbox for `flush_outbox` (subscribers dedupe on event_id, so a late duplicate is
    harmless).
    """
    todo = [e for e in events if e is not None]
    if not todo:
        return
    pub = clients.publisher()
    topic = clients.topic_path(settings().session_events_topic)
    futures = [
        pub.publish(
            topic,
            json.dumps(e.message(), default=str).encode(),
            event_id=e.event_id,
            session_id=e.session_id,
            type=e.type,
        )
        for e in todo
    ]
    settle = _Settle([e.event_id for e in todo], later=not wait)
    for i, fut in enumerate(futures):
        if wait:
            settle.done(i, fut)
        else:
            fut.add_done_callback(functools.partial(settle.done, i))


class _Settle:
    """Collects the outcome of one publish call; the last to settle flags the batch."""

    def __init__(self, event_ids: list[str], later: bool) -> None:
        self.ids = event_ids
        self.later = later  # flags through the gathering writer (_Flags), not at once
        self.ok: list[str] = []
        self.left = len(event_ids)
        self.lock = threading.Lock()

    def done(self, i: int, fut: Any) -> None:
        try:
            fut.result(timeout=30)
            ok = True
        except Exception:  # noqa: BLE001 - left unpublished: flush_outbox retries it
            log.exception("publishing %s failed; left in the outbox", self.ids[i])
            ok = False
        with self.lock:
            if ok:
                self.ok.append(self.ids[i])
            self.left -= 1
            last = self.left == 0
        if last and self.ok:
            if self.later:
                _flags().add(self.ok)
            else:
                _flag_published(self.ok)


class _Flags:
    """Published flags of wait=False publishes, gathered for FLAG_LINGER_SECONDS and
    written in one commit: under load one flag commit serves many events instead of one
    each. A flag never written (the instance stopped first) costs only a duplicate
    publish by flush_outbox, which subscribers absorb. One per process, like the marks
    writer (a forked worker starts its own)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.ids: list[str] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._run, name="published-flags", daemon=True).start()

    def add(self, ids: list[str]) -> None:
        with self.cond:
            self.ids.extend(ids)
            self.cond.notify()

    def _run(self) -> None:
        while True:
            with self.cond:
                self.cond.wait_for(lambda: bool(self.ids))
            time.sleep(FLAG_LINGER_SECONDS)
            with self.cond:
                ids, self.ids = self.ids, []
            _flag_published(ids)


_flag_writer: _Flags | None = None
_flag_lock = threading.Lock()


def _flags() -> _Flags:
    global _flag_writer
    with _flag_lock:
        if _flag_writer is None or _flag_writer.pid != os.getpid():
            _flag_writer = _Flags()
        return _flag_writer


def _flag_published(event_ids: list[str]) -> None:
    try:
        now = time.time()
        flags = {
            "published": True,
            "published_at": now,
            ttl.FIELD: ttl.expire_at(PUBLISHED_KEEP_SECONDS, now),
        }
        for start in range(0, len(event_ids), 500):  # Firestore's writes per batch
            _flag_batch([ref(eid) for eid in event_ids[start : start + 500]], flags)
    except Exception:  # noqa: BLE001 - still flagged unpublished: flush_outbox republishes
        log.exception("flagging %d events published failed", len(event_ids))


def _flag_batch(refs: list[Any], flags: dict[str, Any]) -> None:
    """One commit of flag updates. An event deleted meanwhile (its TTL, a purge) fails the
    whole commit: the flags go again for the events still there, so one gone event does
    not leave the others unflagged (flush_outbox would publish them all again)."""
    from google.api_core.exceptions import NotFound

    from core.firestore_encode import add_updates

    db = clients.firestore()
    for attempt in range(3):
        wb = db.batch()
        add_updates(wb, refs, flags)
        try:
            wb.commit()
            return
        except NotFound:
            if attempt == 2:
                raise
            refs = [snap.reference for snap in db.get_all(refs, field_paths=[]) if snap.exists]
            if not refs:
                return


def flush_outbox(older_than_seconds: float = 30.0, limit: int = 500) -> int:
    """Publish events a crashed instance staged but never published."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    db = clients.firestore()
    cutoff = time.time() - older_than_seconds
    q = db.collection(COLLECTION).where(filter=FieldFilter("published", "==", False)).limit(limit)
    stale = [
        Event(d.get("event_id"), d.get("session_id"), d.get("type"), d.get("data"), d.get("at"))
        for d in q.stream()
        if d.get("at") < cutoff
    ]
    publish(stale)
    return len(stale)


def decode_message(cloud_event: Any) -> tuple[dict[str, Any], dict[str, str], str]:
    """(payload, attributes, message id) from a Pub/Sub delivery: the push envelope
    {"message": {...}} that core/push.py hands over, or a CloudEvent of the same data."""
    import base64

    data = cloud_event.data or {}
    msg = data.get("message", data)
    raw = msg.get("data") or ""
    body = base64.b64decode(raw) if isinstance(raw, str) else bytes(raw)
    payload = json.loads(body or b"{}")
    attrs = msg.get("attributes") or {}
    mid = msg.get("messageId") or msg.get("message_id") or cloud_event["id"]
    return payload, attrs, mid
