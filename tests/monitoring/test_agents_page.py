"""The Agents monitoring page through the served functions: agents of the caller's teams
with presence (set through deflection's `/agent/presence`) and current session, filters
and search, and monitoring an agent's current call from there (Twilio stand-in)."""

from __future__ import annotations

from tests.monitoring.test_call_monitoring import monitors_of


def _ids(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [a["id"] for a in r.json()["agents"]]


def test_agents_page_lists_presence_and_current_call_and_monitors_from_there(
    served, live_call, put_session, participants, leg_of, audit_entries
) -> None:
    # alex logs in through his adapter; bea never does.
    r = served.call("deflection_http", "PUT", "/agent/presence", "alex", json={"status": "online"})
    assert r.status_code == 200, r.text
    call = live_call("billing-refunds")  # alex is on this call
    chat = put_session(channel="chat", queue_id="support-internet", agent_id="bea")

    # mona (billing) sees her team's people only; an admin sees every team member.
    mona_view = served.mon("GET", "/agents", "mona")
    assert _ids(mona_view) == ["alex", "mona"]  # sorted by name: Alex Agent, Mona Manager
    alex = mona_view.json()["agents"][0]
    assert alex["name"] == "Alex Agent" and alex["teams"] == ["billing-team"]
    assert alex["status"] == "online" and alex["activity"] == "on_call"
    assert alex["current_call"]["id"] == call["id"]
    assert alex["current_call"]["queue_path"] == "Billing > Refunds"
    assert [s["id"] for s in alex["current_sessions"]] == [call["id"]]
    assert {"monitor", "coach", "barge"} <= set(alex["actions"])
    assert set(_ids(served.mon("GET", "/agents", "ada"))) == {
        "alex",
        "bea",
        "max",
        "mona",
        "sam",
        "quinn",
    }
    assert _ids(served.mon("GET", "/agents", "sam")) == ["bea", "max", "sam"]

    # Filters and search.
    bea = served.mon("GET", "/agents?q=bea", "ada").json()["agents"]
    assert [a["id"] for a in bea] == ["bea"]
    assert bea[0]["status"] == "offline" and bea[0]["activity"] == "on_chat"
    assert bea[0]["current_call"] is None and bea[0]["current_sessions"][0]["id"] == chat["id"]
    assert _ids(served.mon("GET", "/agents?status=online", "ada")) == ["alex"]
    assert _ids(served.mon("GET", "/agents?activity=on_call", "ada")) == ["alex"]
    assert _ids(served.mon("GET", "/agents?activity=idle", "ada")) == [
        "max",
        "mona",
        "quinn",
        "sam",
    ]
    assert _ids(served.mon("GET", "/agents?team=support-team", "ada")) == ["bea", "max", "sam"]
    assert _ids(served.mon("GET", "/agents?queue=billing-refunds", "ada")) == ["alex", "mona"]
    # Email (every demo person has one: it is how they sign in), case-insensitive.
    assert _ids(served.mon("GET", "/agents?q=MONA%40ACME-TELECOM", "ada")) == ["mona"]
    page = served.mon("GET", "/agents?limit=2", "ada").json()
    assert len(page["agents"]) == 2 and page["next_cursor"] == page["agents"][1]["id"]
    rest = _ids(served.mon("GET", f"/agents?limit=2&cursor={page['next_cursor']}", "ada"))
    assert rest and not set(rest) & {a["id"] for a in page["agents"]}
    for query, field in (
        ("team=nope", "query.team"),
        ("queue=nope", "query.queue"),
        ("status=busy", "query.status"),
        ("colour=red", "query.colour"),
        ("cursor=nobody", "query.cursor"),
    ):
        r = served.mon("GET", f"/agents?{query}", "ada")
        assert r.status_code == 400 and r.json()["error"]["field"] == field, (query, r.text)
    assert served.mon("GET", "/agents", "alex").status_code == 403

    # Monitor alex's current call from the Agents page.
    r = served.mon("POST", "/agents/alex/monitor", "mona", json={"reason": "qa"})
    assert r.status_code == 201, r.text
    leg = r.json()["monitor"]["participant_call_sid"]
    conf = call["_twilio"]["conference_sid"]
    assert [p["call_sid"] for p in monitors_of(participants(conf))] == [leg]
    assert leg_of(conf, leg)["muted"] is True
    details = served.mon("GET", f"/calls/{call['id']}", "mona").json()["session"]
    assert [m["user_id"] for m in details["monitors"]] == ["mona"]
    # The same button again, now barging: the same leg switches, nobody is re-dialled.
    r = served.mon("POST", "/agents/alex/monitor", "mona", json={"mode": "barge"})
    assert r.status_code == 200 and r.json()["monitor"]["mode"] == "barge"
    assert [p["call_sid"] for p in monitors_of(participants(conf))] == [leg]
    assert leg_of(conf, leg)["muted"] is False
    assert sorted(e["action"] for e in audit_entries(call["id"])) == [
        "monitor.mode",
        "monitor.start",
    ]
    row = served.mon("GET", "/agents?q=alex", "mona").json()["agents"][0]
    assert "stop_monitoring" in row["actions"] and "listen" in row["actions"]

    # No call to monitor, another team's agent, an unknown agent, no permission.
    r = served.mon("POST", "/agents/bea/monitor", "ada")
    assert r.status_code == 409 and r.json()["error"]["field"] == "agent_id"
    assert served.mon("POST", "/agents/alex/monitor", "sam").status_code == 404
    assert served.mon("POST", "/agents/nobody/monitor", "ada").status_code == 404
    assert served.mon("POST", "/agents/alex/monitor", "alex").status_code == 403
    r = served.mon("POST", "/agents/alex/monitor", "sam", json={"mode": "barge"})
    assert r.status_code == 403 and r.json()["error"]["field"] == "mode"
