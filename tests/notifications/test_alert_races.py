"""The alert's ring counting under races, in process against the Firestore emulator:
many polls at once ring once and none waits on a lock, and a ring raced by the answer is
answered `stop`."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.helpers.notifications import call_sid


def _ringing(every: float = 10) -> str:
    """A session connected to ada with a stored announcement on a repeat plan."""
    from core import clients
    from core.sessions import store
    from notifications import on_event

    sid = call_sid()
    store.ensure(sid, "connected", {"channel": "voice", "queue_id": "sales", "agent_id": "ada"})
    clients.firestore().collection(on_event.ANNOUNCEMENTS).document(sid).set(
        {
            "session_id": sid,
            "agent_id": "ada",
            "repeat": {"mode": "repeat", "every_seconds": every, "until": "answered"},
        }
    )
    return sid


def test_twelve_polls_at_once_ring_once_and_wait_on_no_lock(suite: Any, demo: Any) -> None:
    from notifications import alert

    took = 0.0
    for _ in range(4):
        sid = _ringing()
        started = time.monotonic()
        with ThreadPoolExecutor(12) as pool:
            polls = list(pool.map(lambda s: alert.poll(s, chat=False), [sid] * 12))
        took += time.monotonic() - started
        assert sorted(p["action"] for p in polls) == ["ring"] + ["wait"] * 11
        assert {p["rings"] for p in polls} == {1}
    # As transactions that read the announcement and then wrote it, the polls of each
    # race deadlocked on the emulator's locks until its two-second lock timeout.
    assert took < 6, f"4 races of 12 polls took {took:.1f} s"


def test_a_ring_raced_by_the_answer_is_answered_stop(
    suite: Any, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer lands after the poll read the session but before its ring is answered:
    the agent's client is told to stop, and the stored state says why."""
    from google.cloud.firestore_v1.document import DocumentReference

    from core import clients
    from notifications import alert, on_event

    sid = _ringing()
    real = DocumentReference.update
    answered: list[bool] = []

    def update_then_answer(self: Any, *a: Any, **k: Any) -> Any:
        out = real(self, *a, **k)
        if not answered:
            answered.append(True)
            alert.mark_answered(sid, "ada", "test")
        return out

    monkeypatch.setattr(DocumentReference, "update", update_then_answer)
    got = alert.poll(sid, chat=False)
    monkeypatch.undo()
    assert answered and got["action"] == "stop" and got["reason"] == "answered"
    ann = clients.firestore().collection(on_event.ANNOUNCEMENTS).document(sid).get().to_dict()
    assert ann["alert"]["stopped"] == "answered"
    assert alert.poll(sid, chat=False)["action"] == "stop"
