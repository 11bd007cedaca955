"""POST /settings/preview: for the next 14 days, every decision a proposed change would
alter (queue, channel, language, instant, before -> after), and nothing else."""

from __future__ import annotations

import json

from tests.helpers.settings import version

START = "2026-06-01T00:00:00Z"  # Sunday 20:00 in New York


def _preview(api, changes: list[dict], user: str = "ada", **extra):
    return api.client.post(
        "/settings/preview",
        data=json.dumps({"changes": changes, "start": START} | extra),
        content_type="application/json",
        headers=api.headers(user),
    )


def test_hours_change_shows_every_decision_it_alters(suite, demo, api) -> None:
    before = version()
    r = _preview(
        api,
        [
            {
                "method": "PATCH",
                "path": "/settings/queues/billing-payments",
                "body": {"hours": {"default": "always"}},
            }
        ],
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["from"] == START and body["until"] == "2026-06-15T00:00:00Z"
    diffs = body["differences"]
    assert diffs and {d["queue_id"] for d in diffs} == {"billing-payments"}
    assert {d["channel"] for d in diffs} == {"voice", "mobile", "web", "chat", "sms"}
    # Monday: business hours close at 18:00 EDT (22:00Z) and open at 09:00 (13:00Z).
    monday_night = next(
        d
        for d in diffs
        if d["channel"] == "voice"
        and d["language"] == "en-US"
        and d["at"] == "2026-06-01T22:00:00Z"
    )
    assert monday_night["until"] == "2026-06-02T13:00:00Z"
    assert monday_night["before"] == {
        "open": False,
        "action": "message",
        "target": None,
        "reason": "after_hours",
    }
    assert monday_night["after"]["open"] is True and monday_night["after"]["action"] == "enqueue"
    # During business hours nothing changes: no difference covers Monday noon.
    noon = "2026-06-01T16:00:00Z"
    assert not [
        d
        for d in diffs
        if d["channel"] == "voice" and d["language"] == "en-US" and d["at"] <= noon < d["until"]
    ]
    sms = next(d for d in diffs if d["channel"] == "sms" and d["language"] == "en-US")
    assert sms["before"]["text"].startswith("Payments desk is closed")
    assert sms["after"] == {"open": True, "deflected": False, "reason": "open", "text": None}
    assert version() == before  # a preview writes nothing


def test_deflection_change_reaches_the_queues_that_inherit_it(suite, demo, api) -> None:
    r = _preview(
        api,
        [
            {
                "method": "PATCH",
                "path": "/settings/deflection",
                "body": {"voice": {"option": "message"}},
            }
        ],
    )
    assert r.status_code == 200, r.get_json()
    diffs = r.get_json()["differences"]
    assert {d["channel"] for d in diffs} == {"voice"}
    assert {d["queue_id"] for d in diffs} == {
        "billing",
        "support",
        "support-mobile",
        "sales",
        "sales-spanish",
    }
    assert all(
        d["before"]["action"] == "voicemail" and d["after"]["action"] == "message" for d in diffs
    )
    # Nothing differs for a change that changes nothing.
    r = _preview(api, [{"method": "PATCH", "path": "/settings/deflection", "body": {}}])
    assert r.status_code == 200 and r.get_json()["differences"] == []


def test_preview_checks_the_change_and_the_caller(suite, demo, api) -> None:
    r = _preview(
        api,
        [
            {
                "method": "PATCH",
                "path": "/settings/queues/billing",
                "body": {"hours": {"default": "nope"}},
            }
        ],
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "queues[0].hours.default"
    r = _preview(api, [{"method": "PATCH", "path": "/settings/nowhere", "body": {}}])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "changes[0].path"
    r = _preview(api, [{"method": "PATCH", "path": "/settings/queues/billing"}])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "changes[0].body"
    assert _preview(api, [], days=14).status_code == 400
    # max (support team) may preview his queues, sees only them, not center-wide changes.
    r = _preview(api, [{"method": "PATCH", "path": "/settings/deflection", "body": {}}], user="max")
    assert r.status_code == 403
    r = _preview(
        api, [{"method": "PATCH", "path": "/settings/queues/billing", "body": {}}], user="max"
    )
    assert r.status_code == 404
    r = _preview(
        api,
        [
            {
                "method": "PATCH",
                "path": "/settings/queues/support-internet",
                "body": {"hours": {"default": "business"}},
            }
        ],
        user="max",
    )
    assert r.status_code == 200, r.get_json()
    diffs = r.get_json()["differences"]
    assert diffs and {d["queue_id"] for d in diffs} == {"support-internet"}
    assert api.get("/settings/preview", user="mona").status_code == 405
    assert (
        _preview(
            api, [{"method": "DELETE", "path": "/settings/hours/always"}], user="mona"
        ).status_code
        == 403
    )
