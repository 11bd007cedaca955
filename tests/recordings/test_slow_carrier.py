"""A slow carrier link: an ingest longer than a task run resumes in the next run.

The Twilio stand-in serves the media at a set rate (`/_control/media_rate`). A run starts no
new chunk once its budget is used (RECORDINGS_RUN_BUDGET_SECONDS, inside the Cloud Tasks
deadline) and hands on; the next run asks the upload session how far the bucket got and
fetches the rest from the carrier with a Range request. The short case scales everything
down (6 MB at 1 MB/s with a 1.5 s budget); the slow one is the real thing (1 GiB at
5 MiB/s with the production budget and deadline).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.helpers.common import ROOT
from tests.helpers.recordings import Pipeline, reset_caches

MIB = 1024 * 1024


def _throttle(suite: Any, bytes_per_second: float | None) -> None:
    r = requests.post(
        f"{suite.url('twilio')}/_control/media_rate",
        json={"bytes_per_second": bytes_per_second},
        timeout=10,
    )
    assert r.status_code == 200, r.text


def _media_ranges(suite: Any, sid: str) -> list[str | None]:
    """The Range header of every media download of the recording, in order."""
    log = requests.get(f"{suite.url('twilio')}/_control/requests", timeout=10).json()
    return [
        r["range"]
        for r in log["requests"]
        if r["method"] == "GET" and r["path"].endswith(f"/Recordings/{sid}.wav")
    ]


def test_the_stand_in_throttles_media(pipe: Pipeline) -> None:
    rec = pipe.record(2, 200_000)  # 400 kB
    from core.carrier import api_url, basic_auth

    _throttle(pipe.suite, 400_000)
    t0 = time.monotonic()
    body = requests.get(api_url(f"Recordings/{rec.sid}.wav"), auth=basic_auth(), timeout=30)
    took = time.monotonic() - t0
    assert body.status_code == 200 and len(body.content) == rec.size
    assert took >= 0.9, took  # 400 kB at 400 kB/s
    _throttle(pipe.suite, None)
    t0 = time.monotonic()
    requests.get(api_url(f"Recordings/{rec.sid}.wav"), auth=basic_auth(), timeout=30)
    assert time.monotonic() - t0 < 0.9
    bad = requests.post(
        f"{pipe.suite.url('twilio')}/_control/media_rate", json={"bytes_per_second": 0}, timeout=5
    )
    assert bad.status_code == 400


def test_ingest_longer_than_a_run_resumes_where_the_bucket_copy_ends(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    rate, chunk, part = 1_000_000, 512 * 1024, 2_000_000
    monkeypatch.setenv("RECORDINGS_RUN_BUDGET_SECONDS", "1.5")
    monkeypatch.setenv("RECORDINGS_INGEST_CHUNK_BYTES", str(chunk))
    monkeypatch.setenv("RECORDINGS_INGEST_FLOOR_BYTES_PER_SECOND", str(rate))  # this link
    monkeypatch.setenv("RECORDINGS_PART_SIZE", str(part))
    monkeypatch.setenv("RECORDINGS_HTTP_TIMEOUT_SECONDS", "30")
    monkeypatch.setenv("RECORDINGS_LEASE_SECONDS", "10")
    reset_caches()
    _throttle(pipe.suite, rate)
    rec = pipe.record(6, rate)  # 6 MB: 6 s on this link, four times a run's budget
    assert pipe.callback(rec).status_code == 204
    t0 = time.monotonic()
    ran = pipe.run_tasks()
    took = time.monotonic() - t0

    handed = [r for r in ran if r["outcome"] == "handed_on"]
    assert len([h for h in handed if h["at"].startswith("ingest")]) >= 3, ran
    assert all(r["outcome"] in ("handed_on", "done") for r in ran), ran
    ranges = _media_ranges(pipe.suite, rec.sid)
    # The first run starts at byte 0; every later one where the bucket's copy ended (a
    # whole number of chunks, always further on): nothing is fetched from the start again.
    assert ranges[0] is None and len(ranges) >= 4, ranges
    starts = [int(r.removeprefix("bytes=").removesuffix("-")) for r in ranges[1:]]
    assert starts == sorted(set(starts)) and all(s % chunk == 0 for s in starts), starts
    assert 0 < starts[0] and starts[-1] < rec.size
    assert took >= 0.9 * rec.size / rate, took  # the link really was that slow
    d = pipe.assert_delivered(rec, part)
    assert d["ingest"] == {
        "size": rec.size,
        "content_type": "audio/x-wav",
        "offset": rec.size,
        "done": True,
    }
    assert d.get("attempts", 0) == 0  # handing on is no failure: no backoff, no attempt
    # No one stream saw every byte: the copy was read back and checked stretch by stretch
    # before the carrier's copy went (assert_delivered: verified_at <= deleted.carrier).
    assert d["object"]["verified_by"] == "read_back"


def _rec_bytes(rec: Any, start: int, end: int) -> bytes:
    """Bytes [start, end) of the recording's media as the stand-in serves it."""
    from emulators.standins.twilio_server import second_bytes

    data = b"".join(second_bytes(rec.sid, k, rec.bps) for k in rec.present)
    return data[start:end]


def _crc32c_hex(data: bytes) -> str:
    import google_crc32c

    return google_crc32c.Checksum(data).hexdigest().decode()


def _hand_on_once(pipe: Pipeline, monkeypatch: pytest.MonkeyPatch, seconds: int) -> Any:
    """A recording whose first run hands on mid-ingest (a few chunks in the bucket)."""
    monkeypatch.setenv("RECORDINGS_RUN_BUDGET_SECONDS", "1.2")
    monkeypatch.setenv("RECORDINGS_INGEST_CHUNK_BYTES", str(256 * 1024))
    monkeypatch.setenv("RECORDINGS_INGEST_FLOOR_BYTES_PER_SECOND", "1000000")  # this link
    monkeypatch.setenv("RECORDINGS_PART_SIZE", "2000000")
    monkeypatch.setenv("RECORDINGS_HTTP_TIMEOUT_SECONDS", "30")
    monkeypatch.setenv("RECORDINGS_LEASE_SECONDS", "10")
    reset_caches()
    _throttle(pipe.suite, 1_000_000)
    rec = pipe.record(seconds, 1_000_000)
    assert pipe.callback(rec).status_code == 204
    [out] = pipe.run_round()
    assert out["outcome"] == "handed_on" and out["at"].startswith("ingest"), out
    ing = pipe.doc(rec.sid)["ingest"]
    assert 0 < ing["offset"] < rec.size and ing["streamed"][-1]["end"] == ing["offset"], ing
    assert not pipe.carrier_deleted(rec.sid)
    return rec


def test_a_resumed_copy_that_differs_from_what_was_streamed_is_ingested_again(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-back catches bytes in the bucket that are not the ones the carrier sent
    (here: the first run's noted hash no longer matches them). The carrier copy stays,
    the ingest starts over from byte 0 in a new session, and only the verified second
    copy lets the carrier's go."""
    from recordings import state

    rec = _hand_on_once(pipe, monkeypatch, 3)
    ing = pipe.doc(rec.sid)["ingest"]
    first_session = ing["session"]
    stretches = [dict(s) for s in ing["streamed"]]
    stretches[0]["crc32c"] = _crc32c_hex(b"not what was streamed")
    state.ref(rec.sid).update({"ingest.streamed": stretches})

    ran: list[dict[str, Any]] = []
    while not any(r["outcome"] == "rescheduled" for r in ran):
        batch = pipe.run_round()
        assert batch and len(ran) < 20, ran  # the queue ran dry: nothing was refused
        ran += batch
    refused = next(r for r in ran if r["outcome"] == "rescheduled")
    assert refused["reason"] == "no_confirmation", refused
    d = pipe.doc(rec.sid)
    assert "Corrupt" in d["last_error"] and "differ from those streamed" in d["last_error"]
    assert d["status"] == "pending" and d["ingest"] == {}, d.get("ingest")
    assert not pipe.carrier_deleted(rec.sid) and not (d.get("deleted") or {}).get("carrier")
    starts_before = len(_media_ranges(pipe.suite, rec.sid))

    pipe.run_tasks()
    d = pipe.assert_delivered(rec, 2_000_000)
    assert d["object"]["verified_by"] in ("streamed", "read_back")
    again = _media_ranges(pipe.suite, rec.sid)[starts_before:]
    assert again and again[0] is None, again  # fetched again from byte 0
    assert first_session not in str(d)


def test_bytes_the_bucket_took_unnoted_are_fetched_again_and_checked(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that died after the bucket took a chunk but before it noted that chunk's
    hash: the next run asks the carrier for the bytes from the last noted end, hashes the
    ones the bucket already has without sending them again, and goes on from there."""
    from recordings import state

    chunk = 256 * 1024
    rec = _hand_on_once(pipe, monkeypatch, 3)
    ing = pipe.doc(rec.sid)["ingest"]
    noted = ing["offset"] - chunk  # as if the last chunk's note was never written
    assert noted >= 0
    stretches = [{"start": 0, "end": noted, "crc32c": _crc32c_hex(_rec_bytes(rec, 0, noted))}]
    state.ref(rec.sid).update({"ingest.streamed": stretches})
    seen = len(_media_ranges(pipe.suite, rec.sid))

    pipe.run_tasks()
    d = pipe.assert_delivered(rec, 2_000_000)
    assert d["object"]["verified_by"] == "read_back"
    assert _media_ranges(pipe.suite, rec.sid)[seen] == f"bytes={noted}-"


def test_ingest_chunks_grow_to_what_half_the_remaining_budget_carries() -> None:
    from recordings.worker import chunk_size

    unit = 16 * MIB
    # No rate seen yet: the floor (5 MiB/s) carries 3,000 MiB in half of 1,200 s, so a
    # 1 GiB recording goes in one chunk, without a probe chunk first.
    assert chunk_size(unit, 1024 * MIB, 5 * MIB, 1200) == 1024 * MIB
    assert chunk_size(unit, 8192 * MIB, 5 * MIB, 1200) == 187 * unit  # 2,992 MiB
    assert chunk_size(unit, 5 * MIB, 5 * MIB, 1200) == 5 * MIB  # the last, short chunk
    # 5 MiB/s with 100 s left: 250 MiB fit in half of it, in whole units.
    assert chunk_size(unit, 4096 * MIB, 5 * MIB, 100) == 15 * unit
    # Past the budget (the run hands on before the next chunk) or a crawling link: one unit.
    assert chunk_size(unit, 4096 * MIB, 5 * MIB, -5) == unit
    assert chunk_size(unit, 4096 * MIB, 1000, 100) == unit


def test_a_chunk_is_sized_by_the_rate_seen_then_the_rate_noted_then_the_floor() -> None:
    from recordings.worker import link_rate

    floor = 5.0 * MIB
    assert link_rate(16 * MIB, 0.2, 2 * MIB, floor) == 80 * MIB  # this run's link
    # A run that resumes starts at the rate the last run saw, not at the floor: a link
    # slower than the floor overruns at most one run's first chunk.
    assert link_rate(0, 0.0, 1_000_000, floor) == 1_000_000
    assert link_rate(0, 0.0, None, floor) == floor


def test_a_run_that_resumes_sizes_its_first_chunk_by_the_rate_seen_before(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link slower than the floor: the first run's first chunk, sized at the floor, runs
    past the budget; the next run starts at the rate the first one noted, not the floor."""
    from recordings import storage_io

    unit, rate = 256 * 1024, 1_000_000
    monkeypatch.setenv("RECORDINGS_RUN_BUDGET_SECONDS", "1.2")
    monkeypatch.setenv("RECORDINGS_INGEST_CHUNK_BYTES", str(unit))
    monkeypatch.setenv("RECORDINGS_INGEST_FLOOR_BYTES_PER_SECOND", str(4 * rate))
    monkeypatch.setenv("RECORDINGS_PART_SIZE", "2000000")
    monkeypatch.setenv("RECORDINGS_HTTP_TIMEOUT_SECONDS", "30")
    monkeypatch.setenv("RECORDINGS_LEASE_SECONDS", "10")
    reset_caches()
    chunks: list[int] = []
    real = storage_io.upload_chunk

    def watched(session: str, source: Any, start: int, length: int, *a: Any) -> Any:
        chunks.append(length)
        return real(session, source, start, length, *a)

    monkeypatch.setattr(storage_io, "upload_chunk", watched)
    _throttle(pipe.suite, rate)
    rec = pipe.record(6, rate)
    assert pipe.callback(rec).status_code == 204
    [out] = pipe.run_round()
    assert out["outcome"] == "handed_on" and out["at"].startswith("ingest"), out
    # Half of what is left of 1.2 s at the floor (4 MB/s): about 2.4 MB, 8 or 9 units.
    assert 7 * unit <= chunks[0] <= 9 * unit, chunks
    noted = pipe.doc(rec.sid)["ingest"]["bytes_per_second"]
    assert 0.5 * rate < noted < 1.5 * rate, noted
    first_of_run_2 = len(chunks)
    [out] = pipe.run_round()
    # Half of what is left of 1.2 s at about 1 MB/s: two units at most.
    assert chunks[first_of_run_2] <= 2 * unit, chunks
    pipe.run_tasks()
    pipe.assert_delivered(rec, 2_000_000)


def test_a_chunk_unit_must_fit_the_margin_at_the_floor_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.settings import SettingsError
    from recordings.config import rec_settings

    monkeypatch.setenv("RECORDINGS_RUN_BUDGET_SECONDS", "1700")  # 100 s of margin
    monkeypatch.setenv("RECORDINGS_INGEST_FLOOR_BYTES_PER_SECOND", str(MIB))
    monkeypatch.setenv("RECORDINGS_INGEST_CHUNK_BYTES", str(128 * MIB))  # 128 s at 1 MiB/s
    reset_caches()
    with pytest.raises(SettingsError, match="RECORDINGS_INGEST_FLOOR_BYTES_PER_SECOND"):
        rec_settings()
    monkeypatch.setenv("RECORDINGS_INGEST_CHUNK_BYTES", str(64 * MIB))
    reset_caches()
    assert rec_settings().ingest_chunk_bytes == 64 * MIB


def test_tasks_get_a_deadline_as_long_as_the_function_may_run(pipe: Pipeline) -> None:
    import json

    from recordings.config import rec_settings

    manifest = json.loads((ROOT / "functions" / "manifest.json").read_text())
    timeout = manifest["functions"]["recordings_http"]["timeout_seconds"]
    rs = rec_settings()
    # Cloud Tasks allows 30 minutes; the function may run as long; the run's budget ends
    # well before, leaving the margin for the chunk or part in flight.
    assert rs.task_deadline_seconds == min(timeout, 1800)
    assert rs.run_budget_seconds <= rs.task_deadline_seconds - 300
    # A 16 MiB chunk at the floor rate (5 MiB/s) is seconds: far inside that margin.
    assert rs.ingest_chunk_bytes / rs.ingest_floor_bytes_per_second < 60
    rec = pipe.record(1, 10)
    pipe.callback(rec)
    queued = pipe.queued()
    assert queued, "the callback enqueues the first delivery task"
    for t in queued:
        assert t.dispatch_deadline.total_seconds() == rs.task_deadline_seconds, t


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_one_gib_at_5_mib_per_second_with_the_production_settings(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1 GiB over a 5 MiB/s carrier link: about 205 s of transfer, inside one run with the
    production budget and deadline."""
    for key in ("RECORDINGS_RUN_BUDGET_SECONDS", "RECORDINGS_TASK_DEADLINE_SECONDS"):
        monkeypatch.delenv(key, raising=False)
    for key in ("RECORDINGS_INGEST_CHUNK_BYTES", "RECORDINGS_PART_SIZE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("RECORDINGS_HTTP_TIMEOUT_SECONDS", "60")
    monkeypatch.setenv("RECORDINGS_LEASE_SECONDS", "60")
    reset_caches()
    _throttle(pipe.suite, 5 * MIB)
    rec = pipe.record(1024, MIB)  # 1 GiB
    pipe.callback(rec)
    t0 = time.monotonic()
    # Ingest, then stop before the CRM (the delivery of large files is test_sizes' job).
    from core.crm.choice import recording_sink

    monkeypatch.setattr(type(recording_sink("zendesk")), "find_target", _stop_after_ingest)
    out = pipe.run_round()
    took = time.monotonic() - t0
    d = pipe.doc(rec.sid)
    assert d["status"] == "stored" and d["size"] == 1024 * MIB, (out, d.get("ingest"))
    assert d["ingest"]["done"] is True
    assert 1024 / 5 * 0.95 <= took < 1200, took  # one run, inside its budget
    assert out[0]["outcome"] == "rescheduled", out
    pipe.purge()
    from recordings import storage_io

    storage_io.delete(rec.sid)


def _stop_after_ingest(*_a: Any, **_k: Any) -> Any:
    from core.crm.errors import Transient

    raise Transient("stopping the test after the ingest")
