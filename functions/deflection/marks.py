"""Marking sessions (deflected / voicemail / queued) on the webhook's hot path, cheaply.

Each session document is *created* together with its event document (the outbox) in one
Firestore batch, atomically and with no reads: one round trip. If either already exists
(a carrier retry, or a status callback that arrived first), the batch is refused and the
mark is replayed through `core.sessions.store.transition`, which handles existing sessions
and duplicate events. The event is then published; one left unpublished by a crash is
published by the outbox sweeper.

By default the write happens before the answer, so a webhook that answered has recorded
its decision. DEFLECTION_ASYNC_WRITES=1 hands marks to a per-instance writer thread that
batches them instead (lower latency under heavy load); use it only where the function runs
with CPU always allocated, since a throttled instance would delay the writes.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from core import clients, logs
from core.sessions import events, store
from core.sessions.model import new_session

log = logs.get("deflection.marks")
MAX_BATCH = 100  # sessions per commit (each is two writes; Firestore allows 500)
# Who moved a contact that after-hours deflection sent to another queue.
AFTER_HOURS_TRANSFER = {"type": "system", "id": "after-hours-deflection"}


@dataclass
class Mark:
    session_id: str
    status: str  # "deflected" | "voicemail" | "queued"
    create: dict[str, Any]  # fields of a new session; must include "channel"
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. {"deflection": {...}}
    at: float = field(default_factory=time.time)
    # Deflected to another queue: the contact then waits there, so it is queued again
    # (queue id, menu path) and supervisors see it in that queue's list.
    requeue_to: tuple[str, str] | None = None

    def event_key(self) -> str:
        return f"{self.session_id}:status:{self.status}"

    def event_data(self) -> dict[str, Any]:
        d = self.extra.get("deflection") or {}
        return {
            "from": None,
            "to": self.status,
            "queue_id": self.create.get("queue_id"),
            "channel": self.create["channel"],
            "agent_id": None,
            "reason": d.get("reason"),
            "option": d.get("option"),
        }


_queue: queue.Queue[Mark] = queue.Queue()
_pending = 0
_lock = threading.Condition()
_thread: threading.Thread | None = None
_pid = 0


def mark(m: Mark) -> None:
    if os.environ.get("DEFLECTION_ASYNC_WRITES") != "1":
        write([m])
        return
    global _pending
    _ensure_thread()
    with _lock:
        _pending += 1
    _queue.put(m)


def flush(timeout: float = 10.0) -> bool:
    """Wait until every queued mark is written (tests, shutdown)."""
    with _lock:
        return _lock.wait_for(lambda: _pending == 0, timeout=timeout)


def _ensure_thread() -> None:
    global _thread, _pid
    if _thread is not None and _pid == os.getpid() and _thread.is_alive():
        return
    with _lock:
        if _thread is not None and _pid == os.getpid() and _thread.is_alive():
            return
        _pid = os.getpid()  # a forked worker starts its own writer
        _thread = threading.Thread(target=_run, name="deflection-marks", daemon=True)
        _thread.start()


def _run() -> None:
    global _pending
    while True:
        batch = [_queue.get()]
        while len(batch) < MAX_BATCH:
            try:
                batch.append(_queue.get_nowait())
            except queue.Empty:
                break
        try:
            write(batch)
        except Exception:  # noqa: BLE001 - keep the writer alive; the marks are logged
            log.exception("writing %d session marks failed", len(batch))
        finally:
            with _lock:
                _pending -= len(batch)
                _lock.notify_all()


def _doc(m: Mark) -> dict[str, Any]:
    fields = {k: v for k, v in m.create.items() if k != "channel"}
    doc = new_session(m.session_id, m.create["channel"], m.status, m.at, **fields)
    doc.update(m.extra)
    return doc


def write(batch: list[Mark]) -> None:
    from google.api_core.exceptions import AlreadyExists, Conflict, FailedPrecondition

    db = clients.firestore()
    wb = db.batch()
    staged: list[events.Event] = []
    for m in batch:
        eid = events.event_id_for(m.event_key())
        ev = events.Event(eid, m.session_id, "session.status_changed", m.event_data(), m.at)
        wb.create(store.ref(m.session_id), _doc(m))
        wb.create(
            db.collection(events.COLLECTION).document(eid),
            ev.message() | {"key": m.event_key(), "published": False},
        )
        staged.append(ev)
    try:
        wb.commit()
    except (AlreadyExists, Conflict, FailedPrecondition):
        for m in batch:  # some exist: the transactional path decides per session
            _replay(m)
    else:
        _publish(staged)
    for m in batch:
        if m.requeue_to:
            qid, path = m.requeue_to
            store.transition(
                m.session_id,
                "queued",
                now=m.at,
                extra={"queue_id": qid, "queue_path": path},
                by=AFTER_HOURS_TRANSFER,  # recorded as the session's transfer
            )


def _replay(m: Mark) -> None:
    if m.status == "queued":
        store.ensure(m.session_id, "queued", m.create, now=m.at)
    else:
        store.transition(m.session_id, m.status, create=m.create, extra=m.extra, now=m.at)


def _publish(staged: list[events.Event]) -> None:
    """The webhook's answer does not wait for Pub/Sub (see core.sessions.events.publish)."""
    events.publish(list(staged), wait=False)


atexit.register(flush, 5.0)
