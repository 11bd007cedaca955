"""Silent call monitoring and ending calls, end to end on the emulators + Twilio stand-in."""

from __future__ import annotations

import requests

from tests.helpers.common import pull_all


def monitors_of(conference_participants: list[dict]) -> list[dict]:
    return [p for p in conference_participants if (p["label"] or "").startswith("monitor-")]


def test_two_supervisors_listen_one_stops_the_other_still_listens(
    suite, mon, auth, live_call, participants, audit_entries, subscribe
) -> None:
    from core.sessions import store

    events = subscribe("session-events")
    call = live_call("support-internet")  # sam supervises support; ada is an admin
    cid, conf = call["id"], call["_twilio"]["conference_sid"]

    r_sam = mon.post(f"/calls/{cid}/monitor", json={"reason": "coaching"}, headers=auth("sam"))
    assert r_sam.status_code == 201, r_sam.get_json()
    r_ada = mon.post(f"/calls/{cid}/monitor", headers=auth("ada"))
    assert r_ada.status_code == 201, r_ada.get_json()
    sam_leg = r_sam.get_json()["monitor"]["participant_call_sid"]
    ada_leg = r_ada.get_json()["monitor"]["participant_call_sid"]
    assert sam_leg != ada_leg

    listeners = monitors_of(participants(conf))
    assert {p["call_sid"] for p in listeners} == {sam_leg, ada_leg}
    for p in listeners:  # silent: muted, no join beep, never ends the conference
        assert p["muted"] is True and p["beep"] == "false"
        assert p["end_conference_on_exit"] is False and not p["removed"]
    assert {p["params"]["To"] for p in listeners} == {"client:sam", "client:ada"}

    # A second click by the same supervisor is the same listener: no second leg.
    again = mon.post(f"/calls/{cid}/monitor", headers=auth("sam"))
    assert again.status_code == 200 and again.get_json()["changed"] is False
    assert len(monitors_of(participants(conf))) == 2

    stop = mon.post(f"/calls/{cid}/monitor/stop", json={"reason": "done"}, headers=auth("sam"))
    assert stop.status_code == 200 and stop.get_json()["changed"] is True
    by_leg = {p["call_sid"]: p for p in participants(conf)}
    assert by_leg[sam_leg]["removed"] is True
    assert by_leg[ada_leg]["removed"] is False and by_leg[ada_leg]["muted"] is True
    # The customer and the agent are untouched; the conference goes on.
    assert not by_leg[call["_twilio"]["call_sid"]]["removed"]
    assert not by_leg[call["_twilio"]["agent_call_sid"]]["removed"]
    confs = requests.get(f"{suite.url('twilio')}/_control/conferences", timeout=5).json()
    assert {c["sid"]: c["status"] for c in confs["conferences"]}[conf] == "in-progress"

    doc = store.get(cid)
    assert [m["user_id"] for m in doc["monitors"]] == ["ada"]
    # Stopping twice changes nothing and writes no second audit entry.
    again = mon.post(f"/calls/{cid}/monitor/stop", headers=auth("sam"))
    assert again.status_code == 200 and again.get_json()["changed"] is False

    details = mon.get(f"/calls/{cid}", headers=auth("ada")).get_json()["session"]
    assert [m["user_id"] for m in details["monitors"]] == ["ada"]
    assert "stop_monitoring" in details["actions"]

    actions = sorted((e["action"], e["actor"]["id"]) for e in audit_entries(cid))
    assert actions == [("monitor.start", "ada"), ("monitor.start", "sam"), ("monitor.stop", "sam")]
    reasons = {(e["action"], e["actor"]["id"]): e["reason"] for e in audit_entries(cid)}
    assert reasons[("monitor.start", "sam")] == "coaching"
    # The agent's side is never told: monitoring publishes no event of this session (an
    # earlier test's late, asynchronous publish may still land on the subscription).
    mine = [m for m in pull_all(suite, events, timeout=1.5) if m.attributes["session_id"] == cid]
    assert mine == []


def test_monitor_needs_a_connected_call_with_a_conference(
    mon, auth, put_session, audit_entries
) -> None:
    queued = put_session(status="queued")
    r = mon.post(f"/calls/{queued['id']}/monitor", headers=auth("ada"))
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "status"
    bare = put_session(status="connected")  # no conference recorded
    r = mon.post(f"/calls/{bare['id']}/monitor", headers=auth("ada"))
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "carrier.conference_sid"
    r = mon.post(f"/calls/{bare['id']}/monitor", json={"to": "12345"}, headers=auth("ada"))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "to"
    r = mon.post(f"/calls/{bare['id']}/monitor", json={"volume": 3}, headers=auth("ada"))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "volume"
    assert audit_entries() == []


def test_end_call_with_and_without_permission(
    suite, mon, auth, live_call, participants, audit_entries
) -> None:
    from core.sessions import store

    billing = live_call("billing-refunds")
    support = live_call("support-internet")
    bid = billing["id"]

    # sam may monitor but not end; mona manages billing only (support looks missing).
    r = mon.post(f"/calls/{support['id']}/end", json={"reason": "x"}, headers=auth("sam"))
    assert r.status_code == 403
    r = mon.post(f"/calls/{support['id']}/end", json={"reason": "x"}, headers=auth("mona"))
    assert r.status_code == 404
    r = mon.post(f"/calls/{bid}/end", json={}, headers=auth("mona"))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    r = mon.post(f"/calls/{bid}/end", json={"reason": "  "}, headers=auth("mona"))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    assert store.get(bid)["status"] == "connected"

    # A listener is on the call when it ends: it is released with the conference.
    assert mon.post(f"/calls/{bid}/monitor", headers=auth("ada")).status_code == 201
    r = mon.post(f"/calls/{bid}/end", json={"reason": "abusive caller"}, headers=auth("mona"))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["changed"] is True and body["session"]["status"] == "ended"
    ended_by = body["session"]["ended_by"]
    assert (ended_by["id"], ended_by["reason"], ended_by["via"]) == (
        "mona",
        "abusive caller",
        "monitoring",
    )

    calls = requests.get(f"{suite.url('twilio')}/_control/calls", timeout=5).json()["calls"]
    status = {c["sid"]: c["status"] for c in calls}
    assert status[billing["_twilio"]["call_sid"]] == "completed"
    assert status[support["_twilio"]["call_sid"]] == "in-progress"
    update = [
        h
        for c in calls
        if c["sid"] == billing["_twilio"]["call_sid"]
        for h in c["history"]
        if h.get("status") == "completed"
    ]
    assert update and update[0]["reason"] == "api"  # hung up through the REST API
    assert all(p["removed"] for p in participants(billing["_twilio"]["conference_sid"]))

    # Idempotent: a retry answers with the record, hangs nothing up, audits nothing new.
    r = mon.post(f"/calls/{bid}/end", json={"reason": "again"}, headers=auth("ada"))
    assert r.status_code == 200 and r.get_json()["changed"] is False
    assert r.get_json()["session"]["ended_by"]["id"] == "mona"
    ends = [e for e in audit_entries(bid) if e["action"] == "session.end"]
    assert len(ends) == 1 and ends[0]["reason"] == "abusive caller"
    assert ends[0]["details"]["released_monitors"] == ["ada"]
    assert store.get(bid)["monitors"] == []


def test_qa_lead_custom_role_ends_a_sales_call(mon, auth, live_call) -> None:
    call = live_call("sales-general")
    r = mon.post(f"/calls/{call['id']}/end", json={"reason": "test call"}, headers=auth("quinn"))
    assert r.status_code == 200 and r.get_json()["session"]["ended_by"]["id"] == "quinn"


def test_carrier_failure_writes_nothing(suite, mon, auth, live_call, audit_entries) -> None:
    from core.sessions import store

    call = live_call("billing-payments")
    requests.post(
        f"{suite.url('twilio')}/_control/faults",
        json={"route": "calls", "method": "POST", "faults": [{"kind": "status", "status": 503}]},
        timeout=5,
    ).raise_for_status()
    r = mon.post(f"/calls/{call['id']}/end", json={"reason": "stuck"}, headers=auth("ada"))
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert store.get(call["id"])["status"] == "connected"
    assert audit_entries(call["id"]) == []
    # The retry goes through.
    r = mon.post(f"/calls/{call['id']}/end", json={"reason": "stuck"}, headers=auth("ada"))
    assert r.status_code == 200 and store.get(call["id"])["status"] == "ended"
    assert len(audit_entries(call["id"])) == 1


def test_a_double_click_leaves_one_listener(
    mon, auth, live_call, participants, audit_entries
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    call = live_call("billing-refunds")
    headers = auth("mona")
    with ThreadPoolExecutor(4) as pool:
        codes = list(
            pool.map(
                lambda _: mon.post(f"/calls/{call['id']}/monitor", headers=headers).status_code,
                range(4),
            )
        )
    assert sorted(codes)[-1] == 201 and set(codes) <= {200, 201}
    live = [
        p for p in monitors_of(participants(call["_twilio"]["conference_sid"])) if not p["removed"]
    ]
    assert len(live) == 1
    assert [e["action"] for e in audit_entries(call["id"])] == ["monitor.start"]
