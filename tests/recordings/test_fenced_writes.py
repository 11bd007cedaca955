"""Lease-fenced state writes (recordings/state.write_fenced): one conditional update when
the run knows the version it last wrote, recomputed from a fresh read when anyone else
wrote in between, and refused once another worker holds the lease."""

from __future__ import annotations

import secrets
import time
from typing import Any

import pytest


def _claimed(rec_env: dict[str, str]) -> tuple[str, str, Any]:
    from recordings import state

    sid = "RE" + secrets.token_hex(16)
    state.create(sid, {"sid": sid, "status": "pending", "gen": 0, "lease": {}})
    how, doc = state.claim(sid, 0, 30)
    assert how == "mine"
    known = state.write_fenced(sid, doc["lease"]["id"], lambda cur: {"n": 1})
    return sid, doc["lease"]["id"], known


def test_a_run_that_knows_its_version_writes_in_one_round_trip(
    rec_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from recordings import state

    sid, lease, known = _claimed(rec_env)
    reads: list[str] = []
    real_ref = state.ref

    class Counting:
        def __init__(self, r: Any) -> None:
            self._r = r

        def get(self, *a: Any, **k: Any) -> Any:
            reads.append(sid)
            return self._r.get(*a, **k)

        def update(self, *a: Any, **k: Any) -> Any:
            return self._r.update(*a, **k)

    monkeypatch.setattr(state, "ref", lambda s: Counting(real_ref(s)))
    for n in range(2, 5):
        known = state.write_fenced(sid, lease, lambda cur, n=n: {"n": n}, 30, known=known)
    assert reads == []  # every write was a conditional update, nothing read
    assert known[0]["n"] == 4 and state.get(sid)["n"] == 4  # type: ignore[index]
    assert known[1] == real_ref(sid).get().update_time


def test_a_write_in_between_is_kept_and_the_change_recomputed(rec_env: dict[str, str]) -> None:
    from recordings import state

    sid, lease, known = _claimed(rec_env)
    # Someone else (the sweeper, an access audit) writes: our known version is stale.
    state.ref(sid).update({"other": "kept"})
    seen: list[dict[str, Any]] = []

    def bump(cur: dict[str, Any]) -> dict[str, Any]:
        seen.append(cur)
        return {"n": cur["n"] + 1}

    doc, _ = state.write_fenced(sid, lease, bump, known=known)
    assert [c.get("other") for c in seen] == [None, "kept"]  # recomputed from a fresh read
    stored = state.get(sid) or {}
    assert stored["n"] == 2 and stored["other"] == "kept" and doc == stored


def test_a_lease_taken_over_in_between_refuses_the_write(rec_env: dict[str, str]) -> None:
    from recordings import state

    sid, lease, known = _claimed(rec_env)
    # Ours ran out and another worker claimed the recording.
    state.ref(sid).update({"lease": {"id": "another", "until": time.time() + 30}})
    with pytest.raises(state.LeaseLost):
        state.write_fenced(sid, lease, lambda cur: {"n": 99}, known=known)
    assert (state.get(sid) or {})["n"] == 1


def rec_settings_part_size() -> int:
    from recordings.config import rec_settings

    return rec_settings().part_size


def test_staged_parts_are_written_once_each(pipe: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Zendesk part is an upload token, sent again if its answer was lost: the run marks
    it `sent` once it has the token and writes no `sending` mark before (a Salesforce
    part, applied at once, keeps that mark for the next run's search)."""
    from recordings import state

    part_states: list[str] = []
    real = state.write_fenced

    def spy(sid: str, lease_id: str, change: Any, *args: Any, **kwargs: Any) -> Any:
        def traced(cur: dict[str, Any]) -> dict[str, Any]:
            out = change(cur)
            before = {p["index"]: p["state"] for p in cur.get("parts") or []}
            for p in out.get("parts") or []:
                if p["index"] in before and before[p["index"]] != p["state"]:
                    part_states.append(p["state"])
            return out

        return real(sid, lease_id, traced, *args, **kwargs)

    monkeypatch.setattr(state, "write_fenced", spy)
    rec = pipe.record(5, 2000)  # 3 parts
    pipe.callback(rec)
    pipe.run_tasks()
    pipe.assert_delivered(rec, int(rec_settings_part_size()))
    assert part_states == ["sent", "sent", "sent"], part_states
