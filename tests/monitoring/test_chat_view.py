"""Read-only live chat view and ending chats, end to end with the sessions function."""

from __future__ import annotations

from tests.helpers.common import pull_all


def start_chat(
    app_client, sdk_token, portal_token, queue_id: str = "billing-refunds", agent: str = "alex"
) -> tuple[object, str, dict, dict]:
    """A chat started by an end user (SDK) and assigned to an agent."""
    sessions = app_client("sessions_http")
    user = {"Authorization": f"Bearer {sdk_token('cust-42', name='Kim Lee')}"}
    r = sessions.post("/sdk/chats", json={"channel": "web", "queue_id": queue_id}, headers=user)
    assert r.status_code == 201, r.get_json()
    chat_id = r.get_json()["session"]["id"]
    agent_h = {"Authorization": f"Bearer {portal_token(agent)}"}
    routing = {"Authorization": f"Bearer {portal_token('router')}"}
    r = sessions.post(
        f"/agent/sessions/{chat_id}/assign", json={"agent_id": agent}, headers=routing
    )
    assert r.status_code == 200, r.get_json()
    return sessions, chat_id, user, agent_h


def test_viewer_reads_live_transcript_and_cannot_write(
    suite, app_client, demo, sdk_token, portal_token, auth, audit_entries, subscribe
) -> None:
    sessions, chat_id, user, agent_h = start_chat(app_client, sdk_token, portal_token)
    mon = app_client("monitoring_http")
    assert (
        sessions.post(
            f"/sdk/chats/{chat_id}/messages", json={"text": "my bill is wrong"}, headers=user
        ).status_code
        == 201
    )
    assert (
        sessions.post(
            f"/agent/chats/{chat_id}/messages", json={"text": "let me check"}, headers=agent_h
        ).status_code
        == 201
    )
    events = subscribe("session-events")
    # The emulator may still fan out what was published just before subscribing: drain it.
    pull_all(suite, events, timeout=1.0)

    r = mon.post(f"/chats/{chat_id}/view", json={"reason": "QA"}, headers=auth("mona"))
    assert r.status_code == 201, r.get_json()
    view = r.get_json()
    token = {"Authorization": f"Bearer {view['token']}"}
    assert view["read_only"] is True

    r = mon.get(f"/chats/{chat_id}/transcript", headers=token)
    assert r.status_code == 200, r.get_json()
    first = r.get_json()
    assert [m["text"] for m in first["messages"]] == ["my bill is wrong", "let me check"]
    assert [m["sender"]["role"] for m in first["messages"]] == ["end_user", "agent"]

    # Live: the next read with the cursor returns only what came after.
    sessions.post(f"/sdk/chats/{chat_id}/messages", json={"text": "thanks"}, headers=user)
    r = mon.get(f"/chats/{chat_id}/transcript?after={first['cursor']}", headers=token)
    assert [m["text"] for m in r.get_json()["messages"]] == ["thanks"]
    r = mon.get(f"/chats/{chat_id}/transcript?after=garbage", headers=token)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "query.after"

    # Read-only: the viewer token is no portal token, anywhere.
    r = sessions.post(f"/agent/chats/{chat_id}/messages", json={"text": "hi"}, headers=token)
    assert r.status_code == 401
    for path in (f"/chats/{chat_id}/end", f"/chats/{chat_id}/view", f"/chats/{chat_id}"):
        method = mon.get if path == f"/chats/{chat_id}" else mon.post
        assert method(path, json={"reason": "x"}, headers=token).status_code == 401, path
    # ... and a portal token is no viewer token (viewing must go through the audited start).
    assert mon.get(f"/chats/{chat_id}/transcript", headers=auth("mona")).status_code == 401
    # A viewer token works for its own chat only.
    _, other_id, _, _ = start_chat(app_client, sdk_token, portal_token)
    assert mon.get(f"/chats/{other_id}/transcript", headers=token).status_code == 403

    # The agent's side shows nothing: no event, nothing in the agent-facing session view.
    mine = [
        m for m in pull_all(suite, events, timeout=1.5) if m.attributes["session_id"] == chat_id
    ]
    assert mine == [], [m.attributes["type"] for m in mine]
    r = sessions.post(f"/agent/chats/{chat_id}/messages", json={"text": "done"}, headers=agent_h)
    assert r.status_code == 201 and "monitors" not in str(r.get_json())

    # Starting again is the same view (fresh token, no second audit entry).
    again = mon.post(f"/chats/{chat_id}/view", headers=auth("mona"))
    assert again.status_code == 200 and again.get_json()["viewer"]["id"] == view["viewer"]["id"]

    # Stopping revokes the token at once.
    stop = mon.post(f"/chats/{chat_id}/view/stop", headers=auth("mona"))
    assert stop.status_code == 200 and stop.get_json()["changed"] is True
    assert mon.get(f"/chats/{chat_id}/transcript", headers=token).status_code == 403

    acts = sorted(e["action"] for e in audit_entries(chat_id))
    assert acts == ["chat_view.start", "chat_view.stop"]


def test_chat_details_show_agent_end_user_issue_and_ticket(
    app_client, demo, sdk_token, portal_token, auth
) -> None:
    from core.sessions import store

    _, chat_id, _, _ = start_chat(app_client, sdk_token, portal_token)
    store.update(
        chat_id,
        lambda d: {"crm": {"ticket_id": "981", "url": None, "contact_id": None}},
        "session.crm_linked",
        {"ticket_id": "981"},
        f"{chat_id}:crm",
    )
    mon = app_client("monitoring_http")
    r = mon.get(f"/chats/{chat_id}", headers=auth("mona"))
    assert r.status_code == 200, r.get_json()
    s = r.get_json()["session"]
    assert s["agent"] == {"id": "alex", "name": "Alex Agent"}
    assert s["end_user"]["display"] == "Kim Lee" and s["end_user"]["id"] == "cust-42"
    assert s["issue"] == "Billing > Refunds"
    assert s["crm"]["ticket_id"] == "981" and s["crm"]["url"].endswith("/agent/tickets/981")
    assert set(s["actions"]) == {"details", "view", "end"}
    # A chat is not a call: the call routes do not find it.
    assert mon.get(f"/calls/{chat_id}", headers=auth("mona")).status_code == 404


def test_end_chat_with_and_without_permission(
    app_client, demo, sdk_token, portal_token, auth, audit_entries
) -> None:
    from core.sessions import store

    sessions, chat_id, user, _ = start_chat(app_client, sdk_token, portal_token)
    mon = app_client("monitoring_http")
    assert mon.post(f"/chats/{chat_id}/view", headers=auth("ada")).status_code == 201
    # sam: no end right; quinn: has it, but billing is not her team's (404, not 403).
    assert (
        mon.post(f"/chats/{chat_id}/end", json={"reason": "x"}, headers=auth("sam")).status_code
        == 403
    )
    assert (
        mon.post(f"/chats/{chat_id}/end", json={"reason": "x"}, headers=auth("quinn")).status_code
        == 404
    )
    assert (
        mon.post(
            f"/chats/{chat_id}/end", json={"reason": "x", "force": True}, headers=auth("mona")
        ).status_code
        == 400
    )
    r = mon.post(f"/chats/{chat_id}/end", json={"reason": "spam"}, headers=auth("mona"))
    assert r.status_code == 200, r.get_json()
    doc = store.get(chat_id)
    assert doc["status"] == "ended" and doc["ended_by"]["id"] == "mona"
    assert doc["ended_by"]["reason"] == "spam" and doc["monitors"] == []
    # The chat is closed for the end user too.
    r = sessions.post(f"/sdk/chats/{chat_id}/messages", json={"text": "hello?"}, headers=user)
    assert r.status_code == 409
    r = mon.post(f"/chats/{chat_id}/end", json={"reason": "again"}, headers=auth("mona"))
    assert r.status_code == 200 and r.get_json()["changed"] is False
    acts = sorted(e["action"] for e in audit_entries(chat_id))
    assert acts == ["chat_view.start", "session.end"]
