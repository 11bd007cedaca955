"""Listen, coach and barge from call details, through the served monitoring function and
the Twilio stand-in: one participant per supervisor, switched in place, every switch
audited, each mode behind its permission."""

from __future__ import annotations

from tests.monitoring.test_call_monitoring import monitors_of


def test_switch_listen_coach_barge_listen_updates_one_leg_and_audits_each_switch(
    served, live_call, participants, leg_of, audit_entries
) -> None:
    call = live_call("billing-refunds")  # mona manages billing: monitor, coach, barge
    cid, t = call["id"], call["_twilio"]
    conf, agent_leg = t["conference_sid"], t["agent_call_sid"]

    r = served.mon("POST", f"/calls/{cid}/monitor", "mona")
    assert r.status_code == 201, r.text
    leg = r.json()["monitor"]["participant_call_sid"]
    assert r.json()["monitor"]["mode"] == "listen"
    p = leg_of(conf, leg)
    assert p["muted"] is True and p["coaching"] is False and p["beep"] == "false"

    details = served.mon("GET", f"/calls/{cid}", "mona").json()["session"]
    assert details["monitors"][0]["mode"] == "listen"
    assert {"coach", "barge", "stop_monitoring"} <= set(details["actions"])
    assert "monitor" not in details["actions"] and "listen" not in details["actions"]

    # Coach: only the agent hears the supervisor (Coaching + CallSidToCoach, unmuted).
    r = served.mon("POST", f"/calls/{cid}/monitor/mode", "mona", json={"mode": "coach"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["changed"] is True and body["from"] == "listen"
    assert body["monitor"]["mode"] == "coach" and body["monitor"]["participant_call_sid"] == leg
    p = leg_of(conf, leg)
    assert p["muted"] is False and p["coaching"] is True
    assert p["call_sid_to_coach"] == agent_leg
    assert p["updates"][-1] == {"Muted": "false", "Coaching": "true", "CallSidToCoach": agent_leg}

    # Barge: heard by everyone, not coaching.
    r = served.mon(
        "POST", f"/calls/{cid}/monitor/mode", "mona", json={"mode": "barge", "reason": "abuse"}
    )
    assert r.status_code == 200 and r.json()["monitor"]["mode"] == "barge"
    p = leg_of(conf, leg)
    assert p["muted"] is False and p["coaching"] is False

    # And back to silent listening; the same mode twice changes nothing.
    r = served.mon("POST", f"/calls/{cid}/monitor/mode", "mona", json={"mode": "listen"})
    assert r.status_code == 200 and r.json()["changed"] is True
    assert leg_of(conf, leg)["muted"] is True and leg_of(conf, leg)["coaching"] is False
    again = served.mon("POST", f"/calls/{cid}/monitor/mode", "mona", json={"mode": "listen"})
    assert again.status_code == 200 and again.json()["changed"] is False

    # Never re-dialled: one monitoring leg all along, three in-place updates.
    mine = monitors_of(participants(conf))
    assert [m["call_sid"] for m in mine] == [leg] and not mine[0]["removed"]
    assert len(mine[0]["updates"]) == 3
    # The customer and the agent were never touched.
    assert leg_of(conf, t["call_sid"])["updates"] == []
    assert leg_of(conf, agent_leg)["updates"] == []

    entries = sorted(audit_entries(cid), key=lambda e: e["at"])
    assert [e["action"] for e in entries] == ["monitor.start"] + ["monitor.mode"] * 3
    switches = [(e["details"]["from"], e["details"]["to"]) for e in entries[1:]]
    assert switches == [("listen", "coach"), ("coach", "barge"), ("barge", "listen")]
    assert entries[1]["details"]["call_sid_to_coach"] == agent_leg
    assert entries[2]["reason"] == "abuse" and entries[2]["details"]["muted"] is False
    assert all(e["actor"]["id"] == "mona" for e in entries)

    # The audit API filters on the new action too.
    r = served.mon("GET", f"/audit?session_id={cid}&action=monitor.mode", "ada")
    assert r.status_code == 200 and len(r.json()["entries"]) == 3

    stop = served.mon("POST", f"/calls/{cid}/monitor/stop", "mona")
    assert stop.status_code == 200 and stop.json()["changed"] is True
    assert leg_of(conf, leg)["removed"] is True


def test_each_mode_needs_its_permission(
    served, live_call, participants, leg_of, audit_entries
) -> None:
    call = live_call("support-internet")  # sam supervises support: monitor + coach, no barge
    cid, conf = call["id"], call["_twilio"]["conference_sid"]

    r = served.mon("POST", f"/calls/{cid}/monitor", "sam", json={"mode": "barge"})
    assert r.status_code == 403 and r.json()["error"]["field"] == "mode"
    assert monitors_of(participants(conf)) == []  # nobody was dialled

    # Coach from the start: dialled coaching the agent's leg.
    r = served.mon("POST", f"/calls/{cid}/monitor", "sam", json={"mode": "coach"})
    assert r.status_code == 201, r.text
    leg = r.json()["monitor"]["participant_call_sid"]
    p = leg_of(conf, leg)
    assert p["params"]["Coaching"] == "true" and p["params"]["Muted"] == "false"
    assert p["params"]["CallSidToCoach"] == call["_twilio"]["agent_call_sid"]
    assert p["params"]["Beep"] == "false"

    details = served.mon("GET", f"/calls/{cid}", "sam").json()["session"]
    assert "barge" not in details["actions"] and "listen" in details["actions"]

    r = served.mon("POST", f"/calls/{cid}/monitor/mode", "sam", json={"mode": "barge"})
    assert r.status_code == 403 and r.json()["error"]["field"] == "mode"
    assert leg_of(conf, leg)["coaching"] is True and leg_of(conf, leg)["updates"] == []

    # An agent has no monitoring at all; a bad mode or an unknown field is a 400.
    r = served.mon("POST", f"/calls/{cid}/monitor/mode", "alex", json={"mode": "listen"})
    assert r.status_code == 403
    r = served.mon("POST", f"/calls/{cid}/monitor/mode", "sam", json={"mode": "shout"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "mode"
    r = served.mon("POST", f"/calls/{cid}/monitor/mode", "sam", json={"mode": "listen", "x": 1})
    assert r.status_code == 400 and r.json()["error"]["field"] == "x"
    r = served.mon("POST", f"/calls/{cid}/monitor/mode", "sam", json={})
    assert r.status_code == 400 and r.json()["error"]["field"] == "mode"

    # Switching needs a monitoring leg of your own; another team's call looks missing.
    r = served.mon("POST", f"/calls/{cid}/monitor/mode", "ada", json={"mode": "barge"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_monitoring"
    billing = live_call("billing-refunds")
    r = served.mon("POST", f"/calls/{billing['id']}/monitor/mode", "sam", json={"mode": "coach"})
    assert r.status_code == 404

    # Starting again in another mode switches the same leg (a manager's "barge" button).
    r = served.mon("POST", f"/calls/{cid}/monitor", "sam", json={"mode": "listen"})
    assert r.status_code == 200 and r.json()["changed"] is True
    assert r.json()["monitor"]["participant_call_sid"] == leg
    assert leg_of(conf, leg)["muted"] is True and leg_of(conf, leg)["coaching"] is False
    actions = [e["action"] for e in sorted(audit_entries(cid), key=lambda e: e["at"])]
    assert actions == ["monitor.start", "monitor.mode"]


def test_coach_needs_an_agent_leg_and_a_gone_leg_is_a_conflict(
    suite, served, live_call, put_session, leg_of, audit_entries
) -> None:
    import requests

    # A call whose agent leg is unknown: listen and barge work, coach cannot.
    call = live_call("billing-refunds", participants=[])
    cid = call["id"]
    r = served.mon("POST", f"/calls/{cid}/monitor", "ada", json={"mode": "coach"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "carrier.agent_call_sid"
    r = served.mon("POST", f"/calls/{cid}/monitor", "ada", json={"mode": "barge"})
    assert r.status_code == 201
    leg = r.json()["monitor"]["participant_call_sid"]
    conf = call["_twilio"]["conference_sid"]
    assert leg_of(conf, leg)["muted"] is False
    r = served.mon("POST", f"/calls/{cid}/monitor/mode", "ada", json={"mode": "coach"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "carrier.agent_call_sid"

    # The supervisor's leg hung up at the carrier: the switch says so, records nothing.
    from emulators.suite import TWILIO_SID, TWILIO_TOKEN

    requests.delete(
        f"{suite.url('twilio')}/2010-04-01/Accounts/{TWILIO_SID}/Conferences/{conf}"
        f"/Participants/{leg}.json",
        auth=(TWILIO_SID, suite.secret("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)),
        timeout=5,
    ).raise_for_status()
    r = served.mon("POST", f"/calls/{cid}/monitor/mode", "ada", json={"mode": "listen"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "monitor_gone"
    assert [e["action"] for e in audit_entries(cid)] == ["monitor.start"]
