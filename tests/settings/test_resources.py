"""Settings API resources: ETags and If-Match, merge patch and PUT, validation with the
config file's paths (nothing written on a 4xx), team scope, audit entries."""

from __future__ import annotations

from typing import Any

from tests.helpers.settings import version


def _audit() -> list[dict[str, Any]]:
    from core import clients
    from core.config.store import AUDIT_COLLECTION

    docs = [d.to_dict() for d in clients.firestore().collection(AUDIT_COLLECTION).stream()]
    # Changes through the API (applying the demo file is audited as the CLI's).
    return sorted((d for d in docs if d["actor"]["type"] == "user"), key=lambda d: d["at"])


def test_center_details_need_the_current_etag(suite, demo, api) -> None:
    got = api.ok("/settings/center")
    assert got["data"]["name"] == "Acme Telecom Support"
    assert set(got["data"]) <= {
        "name",
        "timezone",
        "support_email",
        "default_language",
        "stuck_session_hours",
    }
    body = {"support_email": "help@acme-telecom.example"}
    r = api.write("PATCH", "/settings/center", body)
    assert r.status_code == 428 and r.get_json()["error"]["field"] == "If-Match"
    assert r.headers["ETag"] == f'"{got["etag"]}"'
    r = api.write("PATCH", "/settings/center", body, etag="0" * 32)
    assert r.status_code == 412 and r.headers["ETag"] == f'"{got["etag"]}"'
    before = version()
    r = api.write("PATCH", "/settings/center", body, etag=got["etag"])
    assert r.status_code == 200, r.get_json()
    after = r.get_json()
    assert after["data"]["support_email"] == "help@acme-telecom.example"
    assert after["data"]["name"] == "Acme Telecom Support"  # merge patch keeps the rest
    assert after["etag"] != got["etag"] and after["version"] == version() != before
    from core.config.store import get_view

    assert get_view().center.support_email == "help@acme-telecom.example"
    # The old ETag is now stale.
    r = api.write("PATCH", "/settings/center", {"name": "X"}, etag=got["etag"])
    assert r.status_code == 412
    # One audit entry: who, what, before -> after.
    entries = _audit()
    assert len(entries) == 1
    e = entries[0]
    assert e["actor"] == {"type": "user", "id": "ada", "name": "Ada Admin"}
    assert e["resource"] == "center" and e["action"] == "PATCH"
    assert e["changes"] == [
        {
            "path": "support_email",
            "before": '"support@acme-telecom.example"',
            "after": '"help@acme-telecom.example"',
        }
    ]
    assert e["version_before"] == before and e["version_after"] == version()


def test_errors_name_the_place_in_the_file_and_write_nothing(suite, demo, api) -> None:
    before = version()
    cases = [
        (
            "/settings/queues/billing-refunds",
            {"deflection": {"voice": {"queue": "nope"}}},
            "queues[0].children[0].deflection.voice.queue",
        ),
        (
            "/settings/queues/billing-refunds",
            {"deflection": {"voic": None}},
            "queues[0].children[0].deflection.voic",
        ),
        ("/settings/hours/business", {"weekly": {"mon": ["9-5"]}}, "hours.business.weekly.mon[0]"),
        ("/settings/center", {"timezone": "Mars/Olympus"}, "center.timezone"),
        ("/settings/center/hours", {"default": "no-such-hours"}, "center.hours.default"),
        (
            "/settings/deflection",
            {"web": {"options": ["phone"]}},
            "center.deflection",
        ),
        ("/settings/users/mona", {"teams": ["ghost-team"]}, "users.mona.teams[0]"),
        ("/settings/roles/qa-lead", {"permissions": ["fly"]}, "roles.qa-lead.permissions[0]"),
        (
            "/settings/languages/en-US",
            {"after_hours_message": {"text": None}},
            "languages.en-US.after_hours_message",
        ),
    ]
    for path, body, field in cases:
        r = api.patch(path, body)
        assert r.status_code == 400, (path, r.get_json())
        assert r.get_json()["error"]["field"] == field, (path, r.get_json())
    # Deleting what others refer to names every reference.
    etag = api.ok("/settings/hours/late-night")["etag"]
    r = api.write("DELETE", "/settings/hours/late-night", etag=etag)
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == "queues[1].children[0].hours.default"
    r = api.write("PUT", "/settings/roles/admin", {"permissions": []})
    assert r.status_code == 400
    assert version() == before and _audit() == []


def test_named_resources_and_queues_are_created_changed_and_deleted(suite, demo, api) -> None:
    r = api.write("PUT", "/settings/hours/weekend", {"weekly": {"sat": ["10:00-16:00"]}})
    assert r.status_code == 201, r.get_json()
    weekend = r.get_json()["data"]
    assert weekend["weekly"]["sat"] == ["10:00-16:00"] and weekend["weekly"]["mon"] == []
    assert weekend["always_open"] is False  # the resource shows defaults as the config has them
    # Creating over an existing one needs its ETag like any write.
    r = api.write("PUT", "/settings/hours/weekend", {"always_open": True})
    assert r.status_code == 428
    r = api.write(
        "POST",
        "/settings/queues",
        {
            "id": "billing-disputes",
            "name": "Disputes",
            "parent": "billing",
            "hours": {"default": "weekend"},
        },
    )
    assert r.status_code == 201, r.get_json()
    q = r.get_json()
    assert q["path"] == "Billing > Disputes" and q["parent"] == "billing"
    assert q["data"]["hours"]["default"] == "weekend"
    r = api.write("POST", "/settings/queues", {"id": "billing-disputes", "name": "Again"})
    assert r.status_code == 409
    from core.config.store import get_view

    assert get_view().hours_id("billing-disputes", "voice", None)[0] == "weekend"
    # PUT replaces the queue's own settings; its place in the tree stays.
    r = api.write(
        "PUT", "/settings/queues/billing-disputes", {"name": "Disputes desk"}, etag=q["etag"]
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["data"] == {
        "name": "Disputes desk",
        "channels": [],
        "active": True,
        "crm_on_no_agents": True,
    }
    assert get_view().hours_id("billing-disputes", "voice", None)[0] == "business"
    r = api.write(
        "DELETE", "/settings/queues/billing", etag=api.ok("/settings/queues/billing")["etag"]
    )
    assert r.status_code == 409  # it has sub-queues
    r = api.write(
        "DELETE",
        "/settings/queues/billing-disputes",
        etag=api.ok("/settings/queues/billing-disputes")["etag"],
    )
    assert r.status_code == 204
    assert get_view().queue("billing-disputes") is None
    assert api.get("/settings/queues/billing-disputes").status_code == 404
    # People.
    r = api.write(
        "PUT", "/settings/users/zoe", {"name": "Zoe", "roles": ["agent"], "teams": ["sales-team"]}
    )
    assert r.status_code == 201, r.get_json()
    users = api.ok("/settings/users")
    assert "zoe" in [u["id"] for u in users["items"]]
    r = api.patch("/settings/users/zoe", {"active": False})
    assert r.status_code == 200 and r.get_json()["data"]["active"] is False
    assert [e["resource"] for e in _audit()] == [
        "hours/weekend",
        "queues/billing-disputes",
        "queues/billing-disputes",
        "queues/billing-disputes",
        "users/zoe",
        "users/zoe",
    ]


def test_who_may_read_and_edit(suite, demo, api) -> None:
    assert api.get("/settings/center", user=None).status_code == 401
    for user in ("mona", "sam", "alex"):  # manager, supervisor, agent: no settings.edit
        assert api.get("/settings/queues/support", user=user).status_code == 403
        etag = api.ok("/settings/queues/support")["etag"]
        r = api.write("PATCH", "/settings/queues/support", {"active": False}, etag, user=user)
        assert r.status_code == 403
    # max: manager of the support team with a team-scoped settings role.
    assert api.get("/settings/center", user="max").status_code == 403
    assert api.get("/settings/hours", user="max").status_code == 403
    assert api.get("/settings/export", user="max").status_code == 403
    assert api.get("/settings/queues/billing", user="max").status_code == 404
    ids = [q["id"] for q in api.ok("/settings/queues", user="max")["queues"]]
    assert ids == ["support", "support-internet", "support-mobile"]
    r = api.patch("/settings/queues/support-internet", {"active": False}, user="max")
    assert r.status_code == 200, r.get_json()
    r = api.write(
        "POST",
        "/settings/queues",
        {"id": "support-tv", "name": "TV", "parent": "support"},
        user="max",
    )
    assert r.status_code == 201, r.get_json()
    r = api.write("POST", "/settings/queues", {"id": "top", "name": "Top"}, user="max")
    assert r.status_code == 403
    r = api.write(
        "POST",
        "/settings/queues",
        {"id": "billing-x", "name": "X", "parent": "billing"},
        user="max",
    )
    assert r.status_code == 404
    etag = api.ok("/settings/queues/billing")["etag"]
    r = api.write("PATCH", "/settings/queues/billing", {"active": False}, etag, user="max")
    assert r.status_code == 404
    assert [e["actor"]["id"] for e in _audit()] == ["max", "max"]


def test_queues_move_in_the_tree(suite, demo, api) -> None:
    from core.config.store import get_view

    def move(qid: str, body: dict, user: str = "ada", etag: str | None = "current"):
        tag = api.ok(f"/settings/queues/{qid}")["etag"] if etag == "current" else etag
        return api.write("POST", f"/settings/queues/{qid}/move", body, tag, user)

    assert move("sales-spanish", {"parent": "support"}, etag=None).status_code == 428
    assert move("sales-spanish", {"parent": "support"}, etag="0" * 32).status_code == 412
    r = move("sales-spanish", {"parent": "support", "position": 0})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["path"] == "Technical Support > Ventas"
    assert get_view().queue("support").children[0] == "sales-spanish"
    # It now inherits the support queue's channels.
    assert get_view().channels("sales-spanish") == ["voice", "mobile", "web", "chat"]
    r = move("support", {"parent": "sales-spanish"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "parent"
    r = move("billing-refunds", {"parent": None, "position": 0})
    assert r.status_code == 200 and get_view().cfg.queues[0].id == "billing-refunds"
    # max may move within his team's queues, not to the top level or into another team's.
    assert move("support-internet", {"parent": "support-mobile"}, user="max").status_code == 200
    assert move("support-internet", {"parent": None}, user="max").status_code == 403
    assert move("support-internet", {"parent": "billing"}, user="max").status_code == 404
    assert move("billing-payments", {"parent": "support"}, user="max").status_code == 404
    assert [e["action"] for e in _audit()] == ["MOVE", "MOVE", "MOVE"]
    assert _audit()[0]["changes"] == [{"path": "parent", "before": '"sales"', "after": '"support"'}]
