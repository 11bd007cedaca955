"""GET /settings/audit: one entry per change (who, when, resource, diff before -> after),
newest first, filtered, paged, and scoped to the reader's teams."""

from __future__ import annotations


def test_audit_lists_each_change_with_its_diff(suite, demo, api) -> None:
    assert (
        api.patch("/settings/queues/support-internet", {"active": False}, user="max").status_code
        == 200
    )
    assert api.patch("/settings/queues/sales-general", {"name": "General sales"}).status_code == 200
    assert api.patch("/settings/center", {"name": "Acme"}).status_code == 200
    # A no-op write changes nothing and is not audited.
    assert api.patch("/settings/center", {"name": "Acme"}).status_code == 200

    entries = api.ok("/settings/audit?actor=ada")["entries"]
    assert [e["resource"] for e in entries] == ["center", "queues/sales-general"]
    center = entries[0]
    assert center["actor"] == {"type": "user", "id": "ada", "name": "Ada Admin"}
    assert center["changes"] == [
        {"path": "name", "before": '"Acme Telecom Support"', "after": '"Acme"'}
    ]
    assert center["version_after"] != center["version_before"]
    everything = api.ok("/settings/audit")["entries"]
    assert [e["actor"].get("id") for e in everything] == ["ada", "ada", "max", None]
    assert everything[-1]["actor"] == {"type": "cli"}  # the demo file applied
    assert [e["resource"] for e in api.ok("/settings/audit?resource=queues/")["entries"]] == [
        "queues/sales-general",
        "queues/support-internet",
    ]
    page = api.ok("/settings/audit?limit=1")
    assert len(page["entries"]) == 1 and page["next_before"] is not None
    rest = api.ok(f"/settings/audit?limit=200&before={page['next_before']}")["entries"]
    assert [e["id"] for e in rest] == [e["id"] for e in everything[1:]]

    # Team-scoped readers see their teams' queues only.
    assert [e["resource"] for e in api.ok("/settings/audit", user="max")["entries"]] == [
        "queues/support-internet"
    ]
    assert [e["resource"] for e in api.ok("/settings/audit", user="quinn")["entries"]] == [
        "queues/sales-general"
    ]
    for user in ("mona", "sam", "alex"):
        assert api.get("/settings/audit", user=user).status_code == 403
    assert api.get("/settings/audit", user=None).status_code == 401
    assert api.get("/settings/audit?limit=0").status_code == 400
