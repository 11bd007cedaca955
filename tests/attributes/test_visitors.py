"""Unauthenticated consumers: temporary ids, contact naming, and the merge at login."""

from __future__ import annotations

import datetime as dt

from tests.helpers.attributes import start_chat, with_redirection, zendesk

PUBLIC = "https://attributes.example.test"


def _ts(year: int, month: int, day: int, hour: int, minute: int, tz: str) -> float:
    from zoneinfo import ZoneInfo

    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz)).timestamp()


def test_contact_names_in_the_center_time_zone() -> None:
    from attributes.visitors import contact_name

    utc = dt.datetime(2026, 10, 5, 1, 15, tzinfo=dt.UTC).timestamp()
    assert contact_name("web", utc, "Asia/Seoul") == "Web User - 10/05 10:15"
    assert contact_name("mobile", utc, "UTC") == "Mobile User - 10/05 01:15"
    # New York on the DST dates: 2026-03-08 (spring forward) and 2026-11-01 (fall back).
    spring = dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC).timestamp()  # 03:30 EDT
    assert contact_name("web", spring, "America/New_York") == "Web User - 03/08 03:30"
    before = dt.datetime(2026, 3, 8, 6, 59, tzinfo=dt.UTC).timestamp()  # 01:59 EST
    assert contact_name("web", before, "America/New_York") == "Web User - 03/08 01:59"
    fall_a = dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC).timestamp()  # 01:30 EDT
    fall_b = dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC).timestamp()  # 01:30 EST
    assert contact_name("web", fall_a, "America/New_York") == "Web User - 11/01 01:30"
    assert contact_name("web", fall_b, "America/New_York") == "Web User - 11/01 01:30"
    # Across midnight and the year end in Seoul (UTC+9).
    nye = dt.datetime(2026, 12, 31, 15, 0, tzinfo=dt.UTC).timestamp()
    assert contact_name("mobile", nye, "Asia/Seoul") == "Mobile User - 01/01 00:00"


def _register(client, channel: str, device: str, token: str | None = None):
    body = {"channel": channel, "device_id": device}
    if token:
        body["visitor_token"] = token
    return client.post("/sdk/visitors", json=body)


def _assign(sessions, portal_token, sid: str, agent: str = "alex"):
    """Routing (the ACD's service user) connects the chat to an agent."""
    return sessions.post(
        f"/agent/sessions/{sid}/assign",
        json={"agent_id": agent},
        headers={"Authorization": f"Bearer {portal_token('router')}"},
    )


def test_anonymous_chat_gets_contact_in_seoul_time(
    suite, apply_config, app_client, portal_token
) -> None:
    from core import clients
    from core.sessions import store

    apply_config(with_redirection(timezone="Asia/Seoul"))
    attrs = app_client("attributes_http", PUBLIC)
    sessions = app_client("sessions_http", PUBLIC)
    r = _register(attrs, "mobile", "ios-device-1")
    assert r.status_code == 201
    vid, token = r.get_json()["visitor_id"], r.get_json()["visitor_token"]
    # Stable for this device: registering again with its token keeps the id.
    again = _register(attrs, "mobile", "ios-device-1", token)
    assert again.status_code == 200 and again.get_json()["visitor_id"] == vid
    # Another device presenting this token gets a new id, not this one.
    other = _register(attrs, "mobile", "ios-device-2", token)
    assert other.get_json()["visitor_id"] != vid

    chat = start_chat(sessions, token)
    assert chat.status_code == 201, chat.get_json()
    sid = chat.get_json()["session"]["id"]
    doc = store.get(sid)
    assert doc["end_user"]["id"] == vid and doc["end_user"]["anonymous"] is True
    first_seen = clients.firestore().collection("visitors").document(vid).get().get("first_seen")
    from attributes.visitors import contact_name

    expected = contact_name("mobile", first_seen, "Asia/Seoul")
    assert expected.startswith("Mobile User - ")
    assert doc["end_user"]["name"] == expected
    # Starting the chat made no CRM record (anyone can start one)...
    assert not [u for u in zendesk(suite, "users")["users"] if u["external_id"] == vid]
    assert not [t for t in zendesk(suite, "tickets")["tickets"] if t["external_id"] == sid]
    # ...the agent taking it does, named for when the visitor first came.
    assert _assign(sessions, portal_token, sid).status_code == 200
    users = [u for u in zendesk(suite, "users")["users"] if u["external_id"] == vid]
    assert len(users) == 1 and users[0]["name"] == expected
    assert "cc_anonymous" in users[0].get("tags", [])
    t = [t for t in zendesk(suite, "tickets")["tickets"] if t["external_id"] == sid]
    assert len(t) == 1 and t[0]["requester_id"] == users[0]["id"]
    assert store.get(sid)["crm"]["ticket_id"] == t[0]["id"]
    # The visitor can write in its own chat with the same token.
    msg = sessions.post(
        f"/sdk/chats/{sid}/messages",
        json={"text": "hi"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert msg.status_code == 201


def test_merge_once_replay_and_wrong_visitor(
    suite, demo, app_client, sdk_token, portal_token
) -> None:
    from core.sessions import store

    attrs = app_client("attributes_http", PUBLIC)
    sessions = app_client("sessions_http", PUBLIC)
    token = _register(attrs, "web", "browser-a").get_json()["visitor_token"]
    vid = attrs.post(
        "/sdk/visitors", json={"channel": "web", "device_id": "browser-a", "visitor_token": token}
    ).get_json()["visitor_id"]
    s1 = start_chat(sessions, token).get_json()["session"]["id"]
    s2 = start_chat(sessions, token, queue_id="support-internet").get_json()["session"]["id"]
    other_token = _register(attrs, "web", "browser-b").get_json()["visitor_token"]
    s3 = start_chat(sessions, other_token).get_json()["session"]["id"]
    # s1 and s3 reached an agent (so they have tickets); s2 is still waiting (none yet).
    assert _assign(sessions, portal_token, s1).status_code == 200
    assert _assign(sessions, portal_token, s3).status_code == 200
    before = {t["external_id"]: t for t in zendesk(suite, "tickets")["tickets"]}
    assert {s1, s3} <= set(before) and s2 not in before

    alice = {"Authorization": f"Bearer {sdk_token('alice', name='Alice', email='a@x.example')}"}
    # Proof is the signed token: an id alone, a forged token, or a visitor token used as
    # the signed-in identity are all refused.
    assert (
        attrs.post("/sdk/visitors/merge", json={"visitor_id": vid}, headers=alice).status_code
        == 400
    )
    assert (
        attrs.post(
            "/sdk/visitors/merge", json={"visitor_token": token[:-4] + "AAAA"}, headers=alice
        ).status_code
        == 401
    )
    r = attrs.post(
        "/sdk/visitors/merge",
        json={"visitor_token": token},
        headers={"Authorization": f"Bearer {other_token}"},
    )
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "sign_in_required"

    r = attrs.post("/sdk/visitors/merge", json={"visitor_token": token}, headers=alice)
    assert r.status_code == 200, r.get_json()
    m = r.get_json()["merge"]
    assert m["replayed"] is False and m["merged_into"] == "alice"
    assert m["sessions"] == sorted([s1, s2])
    assert m["tickets"] == [before[s1]["id"]]

    users = {u["external_id"]: u for u in zendesk(suite, "users")["users"]}
    real = users["alice"]
    assert users[vid]["active"] is False and users[vid]["merged_into"] == real["id"]
    # s2's ticket, made after the merge (its agent takes it), is the real identity's.
    assert _assign(sessions, portal_token, s2, agent="bea").status_code == 200
    after = {t["external_id"]: t for t in zendesk(suite, "tickets")["tickets"]}
    assert after[s1]["requester_id"] == real["id"] == after[s2]["requester_id"]
    assert after[s3]["requester_id"] != real["id"]  # the other visitor is untouched
    for sid in (s1, s2):
        eu = store.get(sid)["end_user"]
        assert eu["id"] == "alice" and eu["anonymous"] is False and eu["merged_from"] == vid
    assert store.get(s3)["end_user"]["anonymous"] is True

    # Replay by the same identity: same answer, no second CRM merge.
    n_users = len(zendesk(suite, "users")["users"])
    again = attrs.post("/sdk/visitors/merge", json={"visitor_token": token}, headers=alice)
    assert again.status_code == 200 and again.get_json()["merge"]["replayed"] is True
    assert again.get_json()["merge"]["tickets"] == m["tickets"]
    assert len(zendesk(suite, "users")["users"]) == n_users
    # Another signed-in user holding the same visitor token cannot take it.
    bob = {"Authorization": f"Bearer {sdk_token('bob')}"}
    r = attrs.post("/sdk/visitors/merge", json={"visitor_token": token}, headers=bob)
    assert r.status_code == 409
    assert all(
        t["requester_id"] != users.get("bob", {}).get("id")
        for t in zendesk(suite, "tickets")["tickets"]
    )


def test_merge_survives_a_lost_crm_acknowledgement(
    suite, demo, app_client, sdk_token, portal_token
) -> None:
    """The CRM merges but its answer is lost: we answer 503, the retry completes the
    merge on our side without a second CRM merge."""
    import requests

    from core.sessions import store

    attrs = app_client("attributes_http", PUBLIC)
    sessions = app_client("sessions_http", PUBLIC)
    token = _register(attrs, "web", "browser-c").get_json()["visitor_token"]
    sid = start_chat(sessions, token).get_json()["session"]["id"]
    assert _assign(sessions, portal_token, sid).status_code == 200  # a contact to merge
    zd = suite.url("zendesk")
    requests.post(
        f"{zd}/_control/faults",
        json={
            "route": "/api/v2/users/*/merge*",
            "method": "PUT",
            "faults": [{"kind": "drop_ack", "status": 502}],
        },
        timeout=5,
    ).raise_for_status()
    carol = {"Authorization": f"Bearer {sdk_token('carol')}"}
    r = attrs.post("/sdk/visitors/merge", json={"visitor_token": token}, headers=carol)
    assert r.status_code == 503 and "Retry-After" in r.headers
    assert store.get(sid)["end_user"]["anonymous"] is True  # our side not yet moved
    r = attrs.post("/sdk/visitors/merge", json={"visitor_token": token}, headers=carol)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["merge"]["sessions"] == [sid]
    merges = [
        q
        for q in requests.get(f"{zd}/_control/requests", timeout=5).json()["requests"]
        if q.get("method") == "PUT" and q.get("path", "").endswith("/merge.json")
    ]
    assert len(merges) == 1
    assert store.get(sid)["end_user"]["id"] == "carol"


def test_anonymous_chat_reaches_the_crm_only_when_needed(
    suite, demo, app_client, monkeypatch
) -> None:
    """An empty, unanswered chat never reaches the CRM; one that ends with a message gets
    its contact and ticket then; with no CRM budget left the record is deferred (the end
    still succeeds) and made at the next need (here: the end repeated)."""
    from core.sessions import store
    from core.settings import reset_settings

    attrs = app_client("attributes_http", PUBLIC)
    sessions = app_client("sessions_http", PUBLIC)

    def chat(device: str, text: str | None) -> tuple[str, str, dict]:
        reg = _register(attrs, "web", device).get_json()
        auth = {"Authorization": f"Bearer {reg['visitor_token']}"}
        sid = start_chat(sessions, reg["visitor_token"]).get_json()["session"]["id"]
        if text:
            msg = sessions.post(f"/sdk/chats/{sid}/messages", json={"text": text}, headers=auth)
            assert msg.status_code == 201
        assert sessions.post(f"/sdk/chats/{sid}/end", headers=auth).status_code == 200
        return reg["visitor_id"], sid, auth

    def crm_of(vid: str, sid: str) -> tuple[list, list]:
        users = [u for u in zendesk(suite, "users")["users"] if u["external_id"] == vid]
        tickets = [t for t in zendesk(suite, "tickets")["tickets"] if t["external_id"] == sid]
        return users, tickets

    vid, sid, _ = chat("quiet", None)
    assert crm_of(vid, sid) == ([], [])

    vid, sid, _ = chat("talker", "my router is down")
    users, tickets = crm_of(vid, sid)
    assert len(users) == 1 and users[0]["name"].startswith("Web User - ")
    assert len(tickets) == 1 and tickets[0]["requester_id"] == users[0]["id"]

    monkeypatch.setenv("CRM_RECORDING_RESERVE", "1.0")  # nothing left for anyone else
    reset_settings()
    vid, sid, auth = chat("deferred", "hello?")
    assert crm_of(vid, sid) == ([], [])
    assert store.get(sid)["crm_sync"]["state"] == "pending"
    monkeypatch.setenv("CRM_RECORDING_RESERVE", "0.3")
    reset_settings()
    assert sessions.post(f"/sdk/chats/{sid}/end", headers=auth).status_code == 200
    users, tickets = crm_of(vid, sid)
    assert len(users) == 1 and len(tickets) == 1
    assert store.get(sid)["crm_sync"]["state"] == "ok"
