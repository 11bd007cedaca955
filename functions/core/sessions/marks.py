"""Session marks from a webhook's hot path (deflected / voicemail / queued), batched.

A webhook hands its mark to `record` and answers at once; a per-process writer thread
commits whatever has accumulated in one Firestore batch: each session document is
*created* together with its outbox event (core.sessions.events), atomically and with no
reads. If either already exists (a carrier retry, or a status callback that arrived
first), the batch is refused and each mark is replayed through `store.transition`, which
handles existing sessions and duplicate events. The events are then published.

Nothing recorded is lost on a graceful stop: Cloud Run sends SIGTERM and allows 10 s;
gunicorn lets in-flight requests finish, the worker exits normally and the `atexit` hook
below drains the queue within SHUTDOWN_FLUSH_SECONDS. A commit that fails for a transient
reason is retried, never dropped (a mark Firestore refuses as invalid is logged and
skipped). docs/decisions/0004-batched-session-marks.md says why this is the only mode.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from core import clients, inflight, logs, settings
from core.sessions import events, store
from core.sessions.model import new_session

log = logs.get("sessions.marks")
MAX_BATCH = 200  # sessions per commit: two writes each (Firestore allows 500)
# How long the writer may let marks gather after the first one: this turns many one-mark
# commits into a few larger ones (each commit's gRPC work is CPU the webhooks share). On
# an instance whose CPU is throttled between requests it waits only while other webhooks
# are still being answered: a mark waiting after the last answer would reach Firestore
# only at the next request or at shutdown. A function the manifest deploys with CPU
# always allocated (deflection_http) waits at any load.
LINGER_SECONDS = 0.05
SHUTDOWN_FLUSH_SECONDS = 8.0  # inside Cloud Run's 10 s between SIGTERM and SIGKILL
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

    def document(self) -> dict[str, Any]:
        fields = {k: v for k, v in self.create.items() if k != "channel"}
        doc = new_session(self.session_id, self.create["channel"], self.status, self.at, **fields)
        doc.update(self.extra)
        return doc


class _Writer:
    """One per process (a forked worker starts its own): a queue and the thread draining it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.todo: deque[Mark] = deque()
        self.cond = threading.Condition()
        self.pending = 0  # recorded and not yet committed (queued or in flight)
        self.thread = threading.Thread(target=self._run, name="session-marks", daemon=True)
        self.thread.start()

    def put(self, m: Mark) -> None:
        with self.cond:
            self.todo.append(m)
            self.pending += 1
            self.cond.notify_all()

    def flush(self, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.pending == 0, timeout=timeout)

    def _take(self) -> list[Mark]:
        with self.cond:
            self.cond.wait_for(lambda: bool(self.todo))
            until = time.monotonic() + LINGER_SECONDS
            # The request that queued the mark is done within microseconds; others keep
            # the instance's CPU for as long as they are being answered.
            while len(self.todo) < MAX_BATCH and (inflight.count() > 0 or cpu_between_requests()):
                left = until - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(min(left, 0.002))
            n = min(MAX_BATCH, len(self.todo))
            return [self.todo.popleft() for _ in range(n)]

    def _run(self) -> None:
        pause = 0.05
        while True:
            batch = self._take()
            try:
                _write_isolating(batch)
            except Exception:  # noqa: BLE001 - keep every mark: put the batch back, retry
                log.exception("writing %d session marks failed; retrying", len(batch))
                with self.cond:
                    self.todo.extendleft(reversed(batch))
                time.sleep(pause)
                pause = min(pause * 2, 2.0)
                continue
            pause = 0.05
            with self.cond:
                self.pending -= len(batch)
                self.cond.notify_all()


def _write_isolating(batch: list[Mark]) -> None:
    """`write`, except that a batch Firestore refuses as invalid (a permanent error) is
    written mark by mark, and a single invalid mark is logged and left out rather than
    blocking every mark behind it. Transient errors propagate: the batch is retried."""
    from google.api_core.exceptions import InvalidArgument

    try:
        write(batch)
    except InvalidArgument:
        if len(batch) == 1:
            log.exception("session mark %s refused as invalid; not retried", batch[0].session_id)
            return
        for m in batch:
            _write_isolating([m])


@cache
def cpu_between_requests() -> bool:
    """Whether this instance keeps its CPU after its last answer: its manifest entry says
    so, and Terraform deploys it that way (`cpu_always_allocated`)."""
    fn = settings.current_function()
    return fn is not None and fn.cpu_always_allocated


_writer: _Writer | None = None
_lock = threading.Lock()


def _current() -> _Writer:
    global _writer
    w = _writer
    if w is not None and w.pid == os.getpid():
        return w
    with _lock:
        if _writer is None or _writer.pid != os.getpid():
            _writer = _Writer()
        return _writer


def record(m: Mark) -> None:
    """Queue a mark; the writer commits it behind the answer (see the module docstring)."""
    _current().put(m)


def flush(timeout: float = 10.0) -> bool:
    """Wait until every recorded mark is committed (shutdown, tests)."""
    w = _writer
    return True if w is None or w.pid != os.getpid() else w.flush(timeout)


def pending() -> int:
    w = _writer
    return 0 if w is None or w.pid != os.getpid() else w.pending


def _flush_at_exit() -> None:
    if not flush(SHUTDOWN_FLUSH_SECONDS):
        log.error("shutdown: %d session marks not committed in time", pending())


atexit.register(_flush_at_exit)


def write(batch: list[Mark]) -> None:
    """Commit marks now: one batch of creates, or a per-session replay if any exists."""
    from google.api_core.exceptions import AlreadyExists, Conflict, FailedPrecondition

    from core.firestore_encode import add_create

    db = clients.firestore()
    wb = db.batch()
    staged: list[events.Event] = []
    for m in batch:
        ev = events.Event(
            events.event_id_for(m.event_key()),
            m.session_id,
            "session.status_changed",
            m.event_data(),
            m.at,
        )
        add_create(wb, store.ref(m.session_id), m.document())
        add_create(wb, events.ref(ev.event_id), events.outbox_doc(ev, m.event_key()))
        staged.append(ev)
    try:
        wb.commit()
    except (AlreadyExists, Conflict, FailedPrecondition):
        for m in batch:  # some exist: store decides per session
            _replay(m)
    else:
        events.publish(list(staged), wait=False)
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
