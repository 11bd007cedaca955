"""Every endpoint x every role, table-driven: 401 / 403 / 404 / 2xx as the rules say.

Permission is checked before the object (403), scope on the object (404, so a manager
never learns another team's session exists). Each role runs the whole table against
fresh sessions in the target team's queue; the end actions come last.
"""

from __future__ import annotations

import pytest

QUEUE_OF_TEAM = {
    "billing": "billing-refunds",
    "support": "support-internet",
    "sales": "sales-general",
}

# caller label -> (user or None / "bad", team whose sessions are targeted)
CALLERS = {
    "admin": ("ada", "billing"),
    "manager_own_team": ("mona", "billing"),
    "manager_other_team": ("mona", "support"),
    "supervisor_own_team": ("sam", "support"),
    "supervisor_other_team": ("sam", "billing"),
    "qa_lead_own_team": ("quinn", "sales"),
    "qa_lead_other_team": ("quinn", "billing"),
    "agent": ("alex", "billing"),
    "no_token": (None, "billing"),
    "bad_token": ("bad", "billing"),
}

# (method, path, body) in the order they run; {call} / {chat} are the target sessions.
ENDPOINTS = [
    ("GET", "/calls", None),
    ("GET", "/chats", None),
    ("GET", "/calls/{call}", None),
    ("GET", "/chats/{chat}", None),
    ("POST", "/calls/{call}/monitor", {}),
    ("POST", "/calls/{call}/monitor/stop", {}),
    ("POST", "/chats/{chat}/view", {}),
    ("GET", "/chats/{chat}/transcript", None),  # a portal token is never a viewer token
    ("POST", "/chats/{chat}/view/stop", {}),
    ("GET", "/audit", None),
    ("POST", "/calls/{call}/end", {"reason": "authz table"}),
    ("POST", "/chats/{chat}/end", {"reason": "authz table"}),
]

AUDITED = {
    "/calls/{call}/monitor": "monitor.start",
    "/calls/{call}/monitor/stop": "monitor.stop",
    "/chats/{chat}/view": "chat_view.start",
    "/chats/{chat}/view/stop": "chat_view.stop",
    "/calls/{call}/end": "session.end",
    "/chats/{chat}/end": "session.end",
}
EXPECTED: dict[str, list[int]] = {
    #                      lists     details   mon  stop view  tr   stop audit end  end
    "admin": [200, 200, 200, 200, 201, 200, 201, 401, 200, 200, 200, 200],
    "manager_own_team": [200, 200, 200, 200, 201, 200, 201, 401, 200, 403, 200, 200],
    "manager_other_team": [200, 200, 404, 404, 404, 404, 404, 401, 404, 403, 404, 404],
    "supervisor_own_team": [200, 200, 200, 200, 201, 200, 201, 401, 200, 403, 403, 403],
    "supervisor_other_team": [200, 200, 404, 404, 404, 404, 404, 401, 404, 403, 403, 403],
    "qa_lead_own_team": [200, 200, 200, 200, 201, 200, 201, 401, 200, 200, 200, 200],
    "qa_lead_other_team": [200, 200, 404, 404, 404, 404, 404, 401, 404, 200, 404, 404],
    "agent": [403, 403, 403, 403, 403, 403, 403, 401, 403, 403, 403, 403],
    "no_token": [401] * 12,
    "bad_token": [401] * 12,
}


@pytest.mark.parametrize("label", list(CALLERS))
def test_every_endpoint_for_role(
    label, mon, portal_token, live_call, put_session, audit_entries
) -> None:
    user, team = CALLERS[label]
    queue = QUEUE_OF_TEAM[team]
    call = live_call(queue)
    chat = put_session(channel="chat", queue_id=queue)
    if user is None:
        headers = {}
    elif user == "bad":
        headers = {"Authorization": "Bearer not.a.token"}
    else:
        headers = {"Authorization": f"Bearer {portal_token(user)}"}

    got = []
    for method, path, body in ENDPOINTS:
        url = path.format(call=call["id"], chat=chat["id"])
        kw = {"headers": headers} | ({"json": body} if body is not None else {})
        r = mon.open(url, method=method, **kw)
        assert r.is_json, (url, r.data[:200])  # every answer is JSON, never a bare 500
        got.append(r.status_code)
    table = [
        f"{m} {p}: expected {e}, got {g}"
        for (m, p, _), e, g in zip(ENDPOINTS, EXPECTED[label], got, strict=True)
        if e != g
    ]
    assert not table, f"{label}:\n" + "\n".join(table)

    # Exactly the allowed actions were audited, each once.
    expected = sorted(
        AUDITED[p]
        for (_, p, _), s in zip(ENDPOINTS, EXPECTED[label], strict=True)
        if s in (200, 201) and p in AUDITED
    )
    assert sorted(e["action"] for e in audit_entries()) == expected


def test_audit_log_is_readable_with_audit_read_and_scoped(
    mon, auth, live_call, put_session
) -> None:
    billing = live_call("billing-refunds")
    sales = live_call("sales-general")
    for c in (billing, sales):
        assert (
            mon.post(
                f"/calls/{c['id']}/monitor", json={"reason": "qa"}, headers=auth("ada")
            ).status_code
            == 201
        )
    assert (
        mon.post(
            f"/calls/{sales['id']}/end", json={"reason": "done"}, headers=auth("quinn")
        ).status_code
        == 200
    )

    r = mon.get("/audit", headers=auth("ada"))
    assert r.status_code == 200
    entries = r.get_json()["entries"]
    assert [(e["action"], e["session_id"]) for e in entries] == [
        ("session.end", sales["id"]),
        ("monitor.start", sales["id"]),
        ("monitor.start", billing["id"]),
    ]  # newest first
    first = entries[0]
    assert first["actor"] == {"type": "user", "id": "quinn", "name": "Quinn QA"}
    assert first["reason"] == "done" and first["at"] > 0

    # quinn (custom role with audit.read) sees her team's queues only.
    quinn = mon.get("/audit", headers=auth("quinn")).get_json()["entries"]
    assert {e["session_id"] for e in quinn} == {sales["id"]}
    # Filters and paging.
    mine = mon.get("/audit?actor=quinn", headers=auth("ada")).get_json()["entries"]
    assert [e["action"] for e in mine] == ["session.end"]
    one = mon.get(
        f"/audit?session_id={billing['id']}&action=monitor.start", headers=auth("ada")
    ).get_json()["entries"]
    assert len(one) == 1
    page = mon.get("/audit?limit=2", headers=auth("ada")).get_json()
    rest = mon.get(f"/audit?limit=2&cursor={page['next_cursor']}", headers=auth("ada")).get_json()
    assert [e["id"] for e in page["entries"] + rest["entries"]] == [e["id"] for e in entries]
    assert rest["next_cursor"] is None
    r = mon.get("/audit?action=delete", headers=auth("ada"))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "query.action"
    # Append-only: no route writes or deletes audit records.
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert mon.open("/audit", method=method, headers=auth("ada")).status_code == 405
