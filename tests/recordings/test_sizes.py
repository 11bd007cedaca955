"""Sizes: empty, one byte, exactly one part, one byte over, and the real 50 MB parts."""

from __future__ import annotations

import pytest

from tests.helpers.recordings import Pipeline, part_hashes

PART = 4000  # RECORDINGS_PART_SIZE of rec_env


@pytest.mark.parametrize(
    ("seconds", "bps", "parts"),
    [
        (0, 1000, 0),  # empty recording: a note on the ticket, nothing attached
        (1, 1, 1),  # one byte
        (2, 2000, 1),  # exactly the part size
        (1, PART + 1, 2),  # part size + 1 -> PART + 1 byte
        (7, 3000, 6),  # 21000 bytes -> 5 full parts + 1000
    ],
)
def test_sizes_are_split_in_order_and_delivered_once(
    pipe: Pipeline, seconds: int, bps: int, parts: int
) -> None:
    rec = pipe.record(seconds, bps)
    assert pipe.callback(rec).status_code == 204
    pipe.run_tasks()
    d = pipe.assert_delivered(rec, PART)
    assert len(d["parts"]) == parts
    assert [p["size"] for p in d["parts"]] == [s for s, _ in part_hashes(rec, PART)]


def test_ticket_is_the_sessions_when_it_has_one(pipe: Pipeline, suite: object) -> None:
    import requests

    z = pipe.suite.url("zendesk")
    t = requests.post(
        f"{z}/api/v2/tickets.json",
        auth=("agent@example.com/token", "local-zendesk-token"),
        json={"ticket": {"subject": "s", "comment": {"body": "hi"}}},
        timeout=10,
    ).json()["ticket"]
    rec = pipe.record(2, 3000)
    from core.sessions import store

    store.ensure(
        rec.call_sid,
        "queued",
        {"channel": "voice", "crm": {"ticket_id": str(t["id"]), "url": None, "contact_id": None}},
    )
    pipe.callback(rec)
    pipe.run_tasks()
    d = pipe.assert_delivered(rec, PART)
    assert d["target"] == str(t["id"])


def test_without_a_ticket_one_is_created_and_linked_to_the_session(pipe: Pipeline) -> None:
    rec = pipe.record(2, 3000)
    from core.sessions import store

    store.ensure(rec.call_sid, "queued", {"channel": "voice"})
    pipe.callback(rec)
    pipe.run_tasks()
    d = pipe.assert_delivered(rec, PART)
    assert store.get(rec.call_sid)["crm"]["ticket_id"] == d["target"]


@pytest.mark.slow
def test_70_mb_with_the_real_50_mb_part_size(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers.recordings import reset_caches

    monkeypatch.setenv("RECORDINGS_PART_SIZE", str(50_000_000))
    monkeypatch.setenv("RECORDINGS_HTTP_TIMEOUT_SECONDS", "60")
    reset_caches()
    rec = pipe.record(70, 1_000_000)
    pipe.callback(rec)
    pipe.run_tasks()
    d = pipe.assert_delivered(rec, 50_000_000)
    assert [p["size"] for p in d["parts"]] == [50_000_000, 20_000_000]


@pytest.mark.slow
def test_170_mb_in_lowered_parts(pipe: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers.recordings import reset_caches

    monkeypatch.setenv("RECORDINGS_PART_SIZE", str(40_000_000))
    monkeypatch.setenv("RECORDINGS_HTTP_TIMEOUT_SECONDS", "60")
    reset_caches()
    rec = pipe.record(170, 1_000_000)
    pipe.callback(rec)
    pipe.run_tasks()
    d = pipe.assert_delivered(rec, 40_000_000)
    assert [p["size"] for p in d["parts"]] == [40_000_000] * 4 + [10_000_000]
