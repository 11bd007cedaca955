"""Faults on the CRM side: every case ends with each part attached once, in order,
byte-identical, and our object deleted only after the CRM confirmed (the carrier's copy
goes as soon as ours is verified)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.helpers.recordings import Pipeline

PART = 4000


def _deliver_with_checks(pipe: Pipeline, rec: Any) -> list[dict[str, Any]]:
    pipe.callback(rec)
    ran: list[dict[str, Any]] = []
    while batch := pipe.queued():
        pipe.purge()
        for t in batch:
            out = pipe.deliver(bytes(t.http_request.body), dict(t.http_request.headers))
            wait = t.schedule_time.timestamp() if t.schedule_time else 0
            ran.append(out | {"task": t.name.rsplit("/", 1)[-1], "eta": wait})
            d = pipe.doc(rec.sid)
            if d["status"] == "pending":  # not in our bucket yet: the carrier keeps it
                assert not pipe.carrier_deleted(rec.sid)
            elif d["status"] != "done":
                # Stored and verified, not confirmed yet: our copy stays, the carrier's is
                # gone already (it is deleted before delivery, not after confirmation).
                assert pipe.object_exists(rec.sid)
                assert pipe.carrier_deleted(rec.sid)
        assert len(ran) < 50, ran
    return ran


def test_429_with_retry_after_is_honoured(pipe: Pipeline) -> None:
    rec = pipe.record(3, 3000)
    pipe.fault("zendesk", "uploads", [{"kind": "rate_limit", "retry_after": 7}])
    pipe.callback(rec)
    t0 = time.time()
    batch = pipe.queued()
    pipe.purge()
    out = pipe.deliver(bytes(batch[0].http_request.body), dict(batch[0].http_request.headers))
    assert out["outcome"] == "rescheduled" and out["reason"] == "crm_api_limit"
    assert out["wait_seconds"] >= 7
    nxt = pipe.queued()
    assert len(nxt) == 1 and nxt[0].schedule_time.timestamp() >= t0 + 7 - 0.5
    assert pipe.doc(rec.sid)["retry_after"] == 7
    pipe.run_tasks()
    pipe.assert_delivered(rec, PART)


def test_429_without_retry_after_uses_our_backoff(pipe: Pipeline) -> None:
    rec = pipe.record(3, 3000)
    pipe.fault("zendesk", "tickets", [{"kind": "rate_limit"}], method="PUT")
    ran = _deliver_with_checks(pipe, rec)
    assert [r["outcome"] for r in ran] == ["rescheduled", "done"]
    assert ran[0]["reason"] == "crm_api_limit"
    # backoff scale 0.001: first retry within [5 ms, 10 ms] of the 10 s curve
    assert 0.005 <= ran[0]["wait_seconds"] <= 0.01
    pipe.assert_delivered(rec, PART)


@pytest.mark.parametrize("route,method", [("uploads", "POST"), ("tickets", "PUT")])
def test_5xx_is_retried(pipe: Pipeline, route: str, method: str) -> None:
    rec = pipe.record(5, 2000)  # 3 parts
    pipe.fault("zendesk", route, [{"kind": "status", "status": 503, "repeat": 2}], method=method)
    ran = _deliver_with_checks(pipe, rec)
    assert [r["outcome"] for r in ran] == ["rescheduled", "rescheduled", "done"]
    assert {r["reason"] for r in ran[:2]} == {"no_confirmation"}
    pipe.assert_delivered(rec, PART)


@pytest.mark.parametrize("route,method", [("uploads", "POST"), ("tickets", "PUT")])
def test_timeout_after_the_crm_applied_it(pipe: Pipeline, route: str, method: str) -> None:
    """The CRM did the work but answered after our timeout (5 s in rec_env)."""
    rec = pipe.record(5, 2000)
    pipe.fault("zendesk", route, [{"kind": "delay", "seconds": 7, "when": "after"}], method=method)
    ran = _deliver_with_checks(pipe, rec)
    assert ran[0]["outcome"] == "rescheduled" and ran[-1]["outcome"] == "done"
    d = pipe.assert_delivered(rec, PART)
    if route == "tickets":
        assert d["commit"]["result"].get("recovered") is True  # found, not sent twice


@pytest.mark.parametrize("mode", ["status", "disconnect"])
@pytest.mark.parametrize("route,method", [("uploads", "POST"), ("tickets", "PUT")])
def test_dropped_acknowledgement(pipe: Pipeline, route: str, method: str, mode: str) -> None:
    rec = pipe.record(5, 2000)
    pipe.fault("zendesk", route, [{"kind": "drop_ack", "mode": mode}], method=method)
    ran = _deliver_with_checks(pipe, rec)
    assert ran[-1]["outcome"] == "done"
    d = pipe.assert_delivered(rec, PART)
    if route == "tickets":
        assert d["commit"]["result"].get("recovered") is True


def test_duplicate_task_deliveries(pipe: Pipeline) -> None:
    rec = pipe.record(5, 2000)
    pipe.fault("zendesk", "uploads", [{"kind": "status", "status": 500}])
    pipe.callback(rec)
    pipe.callback(rec)  # a repeated carrier callback too
    ran = pipe.run_tasks(duplicate=True)
    assert sum(r["outcome"] == "done" for r in ran) == 1
    assert {r["outcome"] for r in ran} <= {"done", "stale", "rescheduled", "busy"}
    pipe.assert_delivered(rec, PART)


def test_concurrent_duplicate_sees_the_lease(pipe: Pipeline) -> None:
    """A duplicate arriving while a worker streams is told to come back after the lease."""
    import threading

    rec = pipe.record(5, 2000)
    pipe.fault("zendesk", "uploads", [{"kind": "delay", "seconds": 1.5, "when": "before"}])
    pipe.callback(rec)
    [task] = pipe.queued()
    pipe.purge()
    body, headers = bytes(task.http_request.body), dict(task.http_request.headers)
    results: list[dict] = []
    th = threading.Thread(target=lambda: results.append(pipe.deliver(body, headers)))
    th.start()
    time.sleep(0.7)
    dup = pipe.deliver(body, headers)
    th.join()
    assert dup["outcome"] == "busy"
    assert results[0]["outcome"] == "done"
    pipe.run_tasks()  # the follow-up finds it finished
    assert {r["outcome"] for r in pipe.executed} == {"stale"}
    pipe.assert_delivered(rec, PART)


def test_upload_tokens_expired_are_uploaded_again(pipe: Pipeline) -> None:
    rec = pipe.record(5, 2000)
    pipe.fault("zendesk", "tickets", [{"kind": "status", "status": 503}], method="PUT")
    pipe.callback(rec)
    batch = pipe.queued()
    pipe.purge()
    out = pipe.deliver(bytes(batch[0].http_request.body), dict(batch[0].http_request.headers))
    assert out["outcome"] == "rescheduled"
    assert len(pipe.uploads()) == 3
    # 61 minutes pass at Zendesk before the retry: its tokens are now expired.
    requests.post(
        f"{pipe.suite.url('zendesk')}/_control/clock", json={"advance_seconds": 61 * 60}, timeout=10
    )
    pipe.run_tasks()
    assert len(pipe.uploads()) == 6  # uploaded again, once
    pipe.assert_delivered(rec, PART)


def test_permanent_refusal_alerts_and_keeps_the_recording(
    pipe: Pipeline, subscribe: Any, suite: Any
) -> None:
    from tests.helpers.common import pull_all

    sub = subscribe("alerts")
    rec = pipe.record(2, 2000)
    pipe.fault("zendesk", "uploads", [{"kind": "status", "status": 403}])
    pipe.callback(rec)
    pipe.run_tasks()
    d = pipe.doc(rec.sid)
    assert d["status"] == "failed"
    # Our verified copy is kept for the sweeper; the carrier's went once ours was verified.
    assert pipe.object_exists(rec.sid) and pipe.carrier_deleted(rec.sid)
    msgs = pull_all(suite, sub, expect=1)
    assert [m.attributes["kind"] for m in msgs] == ["recording.delivery_failed"]


def test_bad_input(pipe: Pipeline) -> None:
    rec = pipe.record(1, 10)
    params = pipe.callback_params(rec)
    r = pipe.client.post("/twilio/recording-status", data=params)
    assert r.status_code == 403
    bad = params | {"RecordingSid": "RE123"}
    r = pipe.callback(rec, bad)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "RecordingSid"
    bad = params | {"RecordingUrl": "https://evil.example/x"}
    r = pipe.callback(rec, bad)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "RecordingUrl"
    r = pipe.client.post("/tasks/deliver", json={"recording_sid": rec.sid, "gen": 0})
    assert r.status_code == 403
    from recordings import tasks

    body = b'{"recording_sid": "%s", "gen": 0, "admin": true}' % rec.sid.encode()
    r = pipe.client.post(
        "/tasks/deliver",
        data=body,
        headers={tasks.HEADER: tasks.sign(body), "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "admin"
    from recordings import state

    assert state.get(rec.sid) is None  # nothing half-written


def test_a_crm_call_slower_than_the_lease_keeps_the_lease(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read timeout is as long as the lease: a commit that takes longer than the lease
    must not let a second delivery take the recording over mid-commit (the heartbeat
    renews the lease while the call is in flight)."""
    import threading

    from tests.helpers.recordings import reset_caches

    monkeypatch.setenv("RECORDINGS_HTTP_TIMEOUT_SECONDS", "20")  # lease stays 3 s
    reset_caches()
    rec = pipe.record(3, 3000)
    pipe.fault("zendesk", "tickets", [{"kind": "delay", "seconds": 7}], method="PUT")
    pipe.callback(rec)
    [task] = pipe.queued()
    pipe.purge()
    body, headers = bytes(task.http_request.body), dict(task.http_request.headers)
    first: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: first.update(pipe.deliver(body, headers)))
    worker.start()
    deadline = time.monotonic() + 20
    while (pipe.doc(rec.sid).get("commit") or {}).get("state") != "sending":
        assert time.monotonic() < deadline, pipe.doc(rec.sid)
        time.sleep(0.05)
    time.sleep(4.5)  # past the 3 s lease the commit call is still in flight
    lease = pipe.doc(rec.sid)["lease"]
    assert lease["until"] > time.time(), lease
    second = pipe.deliver(body, headers)  # the queue delivers the task again
    assert second["outcome"] == "busy", second
    worker.join(timeout=30)
    assert first.get("outcome") == "done", first
    pipe.run_tasks()  # the look-back the busy delivery scheduled finds it finished
    d = pipe.assert_delivered(rec, PART)
    assert d["lease"]["no"] == 1  # no second worker ever held it


def test_carrier_copy_is_deleted_once_ours_is_verified_not_after_confirmation(
    pipe: Pipeline,
) -> None:
    """Source rule: once submitted, the carrier cannot access the recording at any time
    during the retention period. (This used to wait for the CRM's confirmation.)"""
    rec = pipe.record(4, 2500)
    pipe.fault("zendesk", "*", [{"kind": "status", "status": 503, "repeat": 1000}])
    pipe.callback(rec)
    [out] = pipe.run_round()
    assert out["outcome"] == "rescheduled"  # the CRM is down: nothing confirmed
    d = pipe.doc(rec.sid)
    assert d["status"] == "stored" and not d.get("confirmed_at")
    assert d["size"] == rec.size and d["verified_at"] <= d["deleted"]["carrier"]
    assert d["object"]["verified_by"] == "streamed"  # one run: the bucket's MD5, no read-back
    assert pipe.carrier_deleted(rec.sid) and pipe.object_exists(rec.sid)
    requests.delete(f"{pipe.suite.url('zendesk')}/_control/faults", timeout=10)
    pipe.run_tasks()  # delivery carries on from our copy alone
    pipe.assert_delivered(rec, PART)


def test_a_session_that_refuses_its_own_offset_is_replaced(pipe: Pipeline) -> None:
    """A run started an upload session and died before the bucket took a byte. Asked how
    far it got, the storage emulator answers "bytes=0-0" (one byte, in Cloud Storage's
    terms) and then refuses the chunk from byte 1. The next run starts a new session
    instead of retrying the refused offset for ever (as it did in a chaos bench run)."""
    from recordings import carrier_media, state, storage_io

    rec = pipe.record(5, 2000)
    pipe.callback(rec)
    with carrier_media.open_media(rec.sid, 30) as (_raw, size, ctype):
        session = storage_io.start_session(rec.sid, size, ctype, {}, 30)
    assert storage_io.upload_status(session, size, 30)[0] in (0, 1)
    ing = {"session": session, "size": size, "content_type": ctype, "offset": 0, "streamed": []}
    state.ref(rec.sid).update({"ingest": ing})
    ran = pipe.run_tasks(limit=20)
    assert ran[-1]["outcome"] == "done", ran
    pipe.assert_delivered(rec, PART)
