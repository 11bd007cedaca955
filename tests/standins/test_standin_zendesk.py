"""The Zendesk stand-in: uploads, comments with attachments, users, tokens, faults."""

from __future__ import annotations

import hashlib
import time

import pytest
import requests

from emulators.standins.zendesk_server import DEFAULT_API_TOKEN, DEFAULT_EMAIL

AUTH = (f"{DEFAULT_EMAIL}/token", DEFAULT_API_TOKEN)


def upload(zd, name: str, data: bytes, token: str | None = None) -> requests.Response:
    params = {"filename": name}
    if token:
        params["token"] = token
    return requests.post(
        f"{zd.url}/api/v2/uploads.json",
        params=params,
        data=data,
        headers={"Content-Type": "audio/wav"},
        auth=AUTH,
    )


def new_ticket(zd, **extra) -> dict:
    body = {"ticket": {"subject": "Call", "comment": {"body": "call recording"}, **extra}}
    r = requests.post(f"{zd.url}/api/v2/tickets.json", json=body, auth=AUTH)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def comment(zd, ticket_id: int, tokens: list[str], **kw) -> requests.Response:
    body = {"ticket": {"comment": {"body": "part", "public": False, "uploads": tokens}, **kw}}
    return requests.put(f"{zd.url}/api/v2/tickets/{ticket_id}.json", json=body, auth=AUTH)


def control_attachments(zd, ticket_id: int) -> list[dict]:
    return requests.get(f"{zd.url}/_control/tickets/{ticket_id}/attachments").json()["attachments"]


def test_auth(zendesk):
    r = requests.get(f"{zendesk.url}/api/v2/tickets/1.json")
    assert r.status_code == 401
    r = requests.get(
        f"{zendesk.url}/api/v2/tickets/1.json", auth=(DEFAULT_EMAIL, DEFAULT_API_TOKEN)
    )
    assert r.status_code == 401
    assert requests.get(f"{zendesk.url}/api/v2/tickets/1.json", auth=AUTH).status_code == 404


def test_uploads_attach_in_order_with_identical_bytes(zendesk):
    ticket = new_ticket(zendesk)
    part1, part2, part3 = b"a" * 1000, b"b" * 2000, b"c" * 10
    r1 = upload(zendesk, "rec.part1.wav", part1)
    assert r1.status_code == 201
    up = r1.json()["upload"]
    assert set(up) >= {"token", "expires_at", "attachments", "attachment"}
    assert up["attachment"]["file_name"] == "rec.part1.wav"
    assert up["attachment"]["size"] == 1000
    assert up["attachment"]["content_type"] == "audio/wav"
    tok_b = upload(zendesk, "rec.part2.wav", part2).json()["upload"]["token"]
    same = upload(zendesk, "rec.part3.wav", part3, token=tok_b).json()["upload"]
    assert same["token"] == tok_b and len(same["attachments"]) == 2

    r = comment(zendesk, ticket["id"], [tok_b, up["token"]])
    assert r.status_code == 200, r.text
    comments = requests.get(
        f"{zendesk.url}/api/v2/tickets/{ticket['id']}/comments.json", auth=AUTH
    ).json()
    assert comments["count"] == 2
    last = comments["comments"][-1]
    assert last["public"] is False
    assert [a["file_name"] for a in last["attachments"]] == [
        "rec.part2.wav",
        "rec.part3.wav",
        "rec.part1.wav",
    ]
    ctl = control_attachments(zendesk, ticket["id"])
    assert [(a["file_name"], a["size"], a["sha256"]) for a in ctl] == [
        ("rec.part2.wav", 2000, hashlib.sha256(part2).hexdigest()),
        ("rec.part3.wav", 10, hashlib.sha256(part3).hexdigest()),
        ("rec.part1.wav", 1000, hashlib.sha256(part1).hexdigest()),
    ]
    assert requests.get(last["attachments"][2]["content_url"]).content == part1


def test_token_can_be_attached_once(zendesk):
    ticket = new_ticket(zendesk)
    tok = upload(zendesk, "a.wav", b"x").json()["upload"]["token"]
    assert comment(zendesk, ticket["id"], [tok]).status_code == 200
    again = comment(zendesk, ticket["id"], [tok])
    assert again.status_code == 422
    assert again.json()["error"] == "RecordInvalid"
    assert len(control_attachments(zendesk, ticket["id"])) == 1


def test_upload_tokens_expire_after_60_minutes(zendesk):
    ticket = new_ticket(zendesk)
    fresh = upload(zendesk, "a.wav", b"1").json()["upload"]["token"]
    stale = upload(zendesk, "b.wav", b"2").json()["upload"]["token"]
    requests.post(f"{zendesk.url}/_control/clock", json={"offset_seconds": 3590})
    assert comment(zendesk, ticket["id"], [fresh]).status_code == 200
    requests.post(f"{zendesk.url}/_control/clock", json={"offset_seconds": 3601})
    r = comment(zendesk, ticket["id"], [stale])
    assert r.status_code == 422
    assert "expired" in r.json()["details"]["base"][0]["description"]
    r = comment(zendesk, ticket["id"], ["no-such-token"])
    assert r.status_code == 422


def test_fault_queue_is_consumed_in_order(zendesk):
    r = requests.post(
        f"{zendesk.url}/_control/faults",
        json={
            "route": "uploads",
            "faults": [
                {"kind": "status", "status": 429, "retry_after": 2},
                {"kind": "status", "status": 429},
                {"kind": "status", "status": 503},
                {"kind": "delay", "seconds": 0.3},
            ],
        },
    )
    assert r.json()["rules"][0]["queued"] == 4
    first = upload(zendesk, "a.wav", b"x" * 100)
    assert first.status_code == 429 and first.headers["Retry-After"] == "2"
    second = upload(zendesk, "a.wav", b"x" * 100)
    assert second.status_code == 429 and "Retry-After" not in second.headers
    assert upload(zendesk, "a.wav", b"x").status_code == 503
    t0 = time.monotonic()
    assert upload(zendesk, "a.wav", b"x").status_code == 201
    assert time.monotonic() - t0 >= 0.3
    assert upload(zendesk, "a.wav", b"x").status_code == 201
    log = requests.get(f"{zendesk.url}/_control/requests").json()["requests"]
    assert [e["status"] for e in log if e["route"] == "uploads"] == [429, 429, 503, 201, 201]
    uploads = requests.get(f"{zendesk.url}/_control/uploads").json()["uploads"]
    assert len(uploads) == 2


def test_drop_ack_appends_the_comment_but_answers_500(zendesk):
    ticket = new_ticket(zendesk)
    tok = upload(zendesk, "a.wav", b"payload").json()["upload"]["token"]
    requests.post(
        f"{zendesk.url}/_control/faults",
        json={"route": "tickets", "method": "PUT", "faults": [{"kind": "drop_ack"}]},
    )
    assert comment(zendesk, ticket["id"], [tok]).status_code == 500
    assert [a["file_name"] for a in control_attachments(zendesk, ticket["id"])] == ["a.wav"]

    tok2 = upload(zendesk, "b.wav", b"payload2").json()["upload"]["token"]
    requests.post(
        f"{zendesk.url}/_control/faults",
        json={"route": "tickets", "faults": [{"kind": "drop_ack", "mode": "disconnect"}]},
    )
    with pytest.raises(requests.ConnectionError):
        comment(zendesk, ticket["id"], [tok2])
    assert len(control_attachments(zendesk, ticket["id"])) == 2


def test_random_faults_are_reproducible_with_a_seed(zendesk):
    def run() -> list[int]:
        requests.post(f"{zendesk.url}/_control/reset")
        requests.post(
            f"{zendesk.url}/_control/faults",
            json={
                "route": "users",
                "random": {"p_5xx": 0.3, "p_429": 0.3, "p_429_retry_after": 0.5, "seed": 7},
            },
        )
        return [
            requests.get(f"{zendesk.url}/api/v2/users/1.json", auth=AUTH).status_code
            for _ in range(30)
        ]

    first = run()
    assert first == run()
    assert 429 in first and any(s >= 500 for s in first) and 404 in first


def test_users_search_merge_and_requested_tickets(zendesk):
    url = f"{zendesk.url}/api/v2"
    anon = requests.post(
        f"{url}/users.json",
        json={"user": {"name": "Web User - 03/04 10:15", "external_id": "anon-1"}},
        auth=AUTH,
    )
    assert anon.status_code == 201
    anon_id = anon.json()["user"]["id"]
    real = requests.post(
        f"{url}/users/create_or_update.json",
        json={"user": {"name": "Kim", "email": "kim@example.com", "external_id": "cust-9"}},
        auth=AUTH,
    )
    assert real.status_code == 201
    real_id = real.json()["user"]["id"]
    updated = requests.post(
        f"{url}/users/create_or_update.json",
        json={"user": {"external_id": "cust-9", "phone": "+15550001111"}},
        auth=AUTH,
    )
    assert updated.status_code == 200 and updated.json()["user"]["id"] == real_id
    dup = requests.post(
        f"{url}/users.json", json={"user": {"name": "X", "email": "kim@example.com"}}, auth=AUTH
    )
    assert dup.status_code == 422
    found = requests.get(f"{url}/users/search.json", params={"external_id": "anon-1"}, auth=AUTH)
    assert [u["id"] for u in found.json()["users"]] == [anon_id]

    t1 = new_ticket(zendesk, requester_id=anon_id)
    merged = requests.put(
        f"{url}/users/{anon_id}/merge.json", json={"user": {"id": real_id}}, auth=AUTH
    )
    assert merged.status_code == 200 and merged.json()["user"]["id"] == real_id
    requested = requests.get(f"{url}/users/{real_id}/tickets/requested.json", auth=AUTH).json()
    assert [t["id"] for t in requested["tickets"]] == [t1["id"]]
    assert requests.get(f"{url}/users/{anon_id}.json", auth=AUTH).json()["user"]["active"] is False


def test_custom_fields_and_tags_are_stored(zendesk):
    ticket = new_ticket(zendesk, tags=["voice"])
    r = requests.put(
        f"{zendesk.url}/api/v2/tickets/{ticket['id']}.json",
        json={
            "ticket": {
                "custom_fields": [{"id": 111, "value": "verified"}],
                "additional_tags": ["bad_actor"],
                "external_id": "session-42",
            }
        },
        auth=AUTH,
    )
    assert r.status_code == 200
    r = requests.put(
        f"{zendesk.url}/api/v2/tickets/{ticket['id']}.json",
        json={"ticket": {"custom_fields": [{"id": 222, "value": True}]}},
        auth=AUTH,
    )
    got = requests.get(f"{zendesk.url}/api/v2/tickets/{ticket['id']}.json", auth=AUTH).json()
    t = got["ticket"]
    assert t["tags"] == ["bad_actor", "voice"]
    assert t["custom_fields"] == [{"id": 111, "value": "verified"}, {"id": 222, "value": True}]
    assert t["external_id"] == "session-42"
