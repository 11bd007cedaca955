"""Retention (alert at day 6, delete at day 7), redaction, and signed access."""

from __future__ import annotations

import time
from typing import Any

import requests

from tests.conftest import pull_all
from tests.recordings.conftest import Pipeline

DAY = 86400


def _age(pipe: Pipeline, sid: str, days: float) -> None:
    from recordings import state

    state.ref(sid).update({"retention_from": time.time() - days * DAY})


def test_sweeper_alerts_at_day_6_and_deletes_at_day_7(
    pipe: Pipeline, subscribe: Any, suite: Any
) -> None:
    from recordings import sweeper

    sub = subscribe("alerts")
    young, old, oldest = pipe.record(1, 100), pipe.record(1, 100), pipe.record(1, 100)
    pipe.fault("zendesk", "*", [{"kind": "status", "status": 503, "repeat": 1000}])
    for r in (young, old, oldest):
        pipe.callback(r)
    pipe.run_round()  # stored, then rescheduled: undelivered
    pipe.purge()
    _age(pipe, old.sid, 6.2)
    _age(pipe, oldest.sid, 7.0)
    counts = sweeper.sweep()
    assert counts["alerted"] == 1 and counts["expired"] == 1
    assert sweeper.sweep()["alerted"] == 0  # once per recording
    kinds = sorted(
        (m.attributes["kind"], m.attributes["recording_sid"])
        for m in pull_all(suite, sub, expect=2)
    )
    assert kinds == sorted([("recording.undelivered", old.sid), ("recording.expired", oldest.sid)])
    assert pipe.doc(oldest.sid)["status"] == "expired"
    assert not pipe.object_exists(oldest.sid) and pipe.carrier_deleted(oldest.sid)
    assert pipe.object_exists(old.sid) and pipe.object_exists(young.sid)
    # The expired recording's outstanding task is now stale: nothing reaches the CRM.
    requests.delete(f"{suite.url('zendesk')}/_control/faults", timeout=10)
    from recordings import tasks

    tasks.enqueue(oldest.sid, 1)
    assert {r["outcome"] for r in pipe.run_tasks()} == {"stale"}


def test_sweeper_requeues_a_recording_whose_task_was_lost(pipe: Pipeline) -> None:
    from recordings import state, sweeper

    rec = pipe.record(1, 100)
    pipe.callback(rec)
    pipe.purge()  # the task is lost
    state.ref(rec.sid).update({"next_at": time.time() - 3600})
    assert sweeper.sweep()["kicked"] == 1
    pipe.run_tasks()
    pipe.assert_delivered(rec, 4000)


def test_redacted_seconds_never_reach_the_crm(pipe: Pipeline) -> None:
    from emulators.standins.twilio_server import second_marker
    from recordings import state

    rec = pipe.record(8, 1000, paused=[(2, 5)])
    from core.sessions import store

    store.ensure(
        rec.call_sid,
        "queued",
        {
            "channel": "voice",
            "redactions": [{"recording_sid": rec.sid, "paused_at": 1.0, "resumed_at": 4.0}],
        },
    )
    pipe.callback(rec)
    assert state.get(rec.sid)["redactions"][0]["recording_sid"] == rec.sid
    pipe.run_tasks()
    d = pipe.assert_delivered(rec, 4000)
    got = b""
    for c in pipe.comments(d["target"]):
        for a in c["attachments"]:
            got += requests.get(a["content_url"], timeout=10).content
    assert len(got) == 5 * 1000
    for k in (2, 3, 4):
        assert second_marker(k) not in got
    for k in (0, 1, 5, 6, 7):
        assert second_marker(k) in got


def test_access_needs_a_crm_key_and_is_audited(pipe: Pipeline, suite: Any) -> None:
    from core import clients

    rec = pipe.record(2, 1500)
    pipe.fault("zendesk", "tickets", [{"kind": "status", "status": 503}], method="PUT")
    pipe.callback(rec)
    pipe.run_round()
    pipe.purge()  # stored, not yet delivered
    c = pipe.client
    assert c.get(f"/recordings/{rec.sid}/url").status_code == 401
    assert c.get(f"/recordings/{rec.sid}/url", headers={"X-CRM-Key": "nope"}).status_code == 401
    r = c.get(f"/recordings/{rec.sid}/url", headers={"X-CRM-Key": "local-crm-key"})
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert body["mode"] == "function" and body["expires_at"] <= time.time() + 300
    path = body["url"].removeprefix("https://functions.test")
    media = c.get(path)
    assert media.status_code == 200
    from emulators.standins.twilio_server import expected_media

    assert media.get_data() == expected_media(rec.sid, [0, 1], 1500)
    assert c.get(path.replace("sig=", "sig=0")).status_code == 403
    exp = int(path.split("exp=")[1].split("&")[0])
    assert c.get(path.replace(f"exp={exp}", f"exp={exp + 1}")).status_code == 403
    other = "RE" + "0" * 32
    assert (
        c.get(f"/recordings/{other}/url", headers={"X-CRM-Key": "local-crm-key"}).status_code == 404
    )
    audit = [d.to_dict() for d in clients.firestore().collection("recording_access").stream()]
    actions = sorted(a["action"] for a in audit if a["recording_sid"] == rec.sid)
    assert actions == ["media_read", "url_issued"]
    assert all("local-crm-key" not in str(a) for a in audit)


def test_expired_function_url_is_refused(pipe: Pipeline) -> None:
    from recordings import access

    sid = "RE" + "1" * 32
    exp = int(time.time()) - 1
    r = pipe.client.get(f"/recordings/{sid}/media?exp={exp}&sig={access._sig(sid, exp)}")
    assert r.status_code == 403 and r.get_json()["error"]["field"] == "exp"
