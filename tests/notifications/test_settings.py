"""Notification settings: inheritance across a three-level tree, overrides through the API,
validation, authorization, and agreement with the config store."""

from __future__ import annotations

import json


def _get(client, auth, path, user="ada"):
    r = client.get(path, headers=auth(user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _patch(client, auth, path, body, user="ada", method="PATCH", headers=None):
    return client.open(
        path,
        method=method,
        data=json.dumps(body),
        content_type="application/json",
        headers=auth(user) | (headers or {}),
    )


def test_inheritance_and_override_across_three_levels(suite, tree, client, auth) -> None:
    fiber = _get(client, auth, "/notifications/queues/fiber/settings")
    eff, src = fiber["effective"]["calls"], fiber["sources"]["calls"]
    assert fiber["path"] == "Support > Internet > Fiber"
    assert eff["whisper"] == {
        "enabled": True,
        "type": "tts",
        "text": "Internet outage line",
        "speed": 1.5,
    }
    assert src["whisper.enabled"] == "center"
    assert src["whisper.speed"] == "queue:support"
    assert src["whisper.type"] == src["whisper.text"] == "queue:internet"
    assert eff["countdown"] == {"enabled": False, "seconds": 3}
    assert src["countdown.enabled"] == "queue:fiber" and src["countdown.seconds"] == "center"
    assert eff["tones"]["incoming_call"] == {"builtin": "digital"}
    assert eff["frequency"] == {"mode": "repeat", "every_seconds": 10, "until": "answered"}
    assert eff["sms_on_incoming_call"] is True
    assert fiber["settings"] == {
        "calls": {"countdown": {"enabled": False}, "sms_on_incoming_call": True}
    }
    # The sibling leaf inherits the middle level but not Fiber's own overrides.
    dsl = _get(client, auth, "/notifications/queues/dsl/settings")["effective"]["calls"]
    assert dsl["countdown"]["enabled"] is True and dsl["sms_on_incoming_call"] is False
    assert dsl["whisper"]["text"] == "Internet outage line"
    # Another branch sees only the center.
    sales = _get(client, auth, "/notifications/queues/sales/settings")["effective"]["calls"]
    assert sales["whisper"] == {"enabled": True, "type": "queue_name", "speed": 1.0}
    assert sales["tones"]["incoming_call"] == {"builtin": "classic-ring"}

    # Override in the middle: both leaves follow; Fiber keeps what it set itself.
    r = _patch(
        client,
        auth,
        "/notifications/queues/internet/settings",
        {"calls": {"whisper": {"speed": 0.75}, "countdown": {"seconds": 5, "enabled": False}}},
    )
    assert r.status_code == 200, r.get_json()
    dsl = _get(client, auth, "/notifications/queues/dsl/settings")
    assert dsl["effective"]["calls"]["whisper"]["speed"] == 0.75
    assert dsl["sources"]["calls"]["whisper.speed"] == "queue:internet"
    assert dsl["effective"]["calls"]["countdown"] == {"enabled": False, "seconds": 5}
    fiber = _get(client, auth, "/notifications/queues/fiber/settings")["effective"]["calls"]
    assert fiber["countdown"] == {"enabled": False, "seconds": 5}

    # null removes an override: the queue inherits again (from the top level).
    r = _patch(
        client,
        auth,
        "/notifications/queues/internet/settings",
        {"calls": {"whisper": {"speed": None}, "countdown": None}},
    )
    assert r.status_code == 200, r.get_json()
    dsl = _get(client, auth, "/notifications/queues/dsl/settings")
    assert dsl["effective"]["calls"]["whisper"]["speed"] == 1.5
    assert dsl["effective"]["calls"]["countdown"] == {"enabled": True, "seconds": 3}

    # A global change reaches every queue that does not override it.
    r = _patch(client, auth, "/notifications/settings", {"calls": {"countdown": {"seconds": 4}}})
    assert r.status_code == 200, r.get_json()
    assert (
        _get(client, auth, "/notifications/queues/dsl/settings")["effective"]["calls"]["countdown"][
            "seconds"
        ]
        == 4
    )
    assert (
        _get(client, auth, "/notifications/queues/sales/settings")["effective"]["calls"][
            "countdown"
        ]["seconds"]
        == 4
    )


def test_a_tone_slot_is_replaced_whole(suite, tree, client, auth) -> None:
    r = _patch(
        client,
        auth,
        "/notifications/queues/dsl/settings",
        {"chats": {"tones": {"new_chat": {"builtin": "soft-bell"}}}},
    )
    assert r.status_code == 200, r.get_json()
    chats = r.get_json()["effective"]["chats"]
    assert chats["tones"]["new_chat"] == {"builtin": "soft-bell"}
    assert chats["tones"]["new_message"] == {"builtin": "pop"}  # untouched slot inherits


def test_updates_go_through_the_config_store(suite, tree, client, auth, apply_config) -> None:
    from core.config.store import load_config

    before = _get(client, auth, "/notifications/settings")["version"]
    r = _patch(
        client,
        auth,
        "/notifications/queues/sales/settings",
        {"calls": {"whisper": {"type": "tts", "text": "Sales lead"}}},
        headers={"If-Match": f'"{before}"'},
    )
    assert r.status_code == 200, r.get_json()
    cfg, version = load_config()
    sales = next(q for q in cfg.queues if q.id == "sales")
    assert sales.notifications.calls.whisper.text == "Sales lead"
    assert r.headers["ETag"] == f'"{version}"' and version != before
    # The exported config re-applied is a no-op: file and API agree.
    again = apply_config(cfg.model_dump(mode="json"))
    assert not again.changed
    # A stale If-Match is refused and changes nothing.
    r = _patch(
        client,
        auth,
        "/notifications/queues/sales/settings",
        {"calls": {"whisper": {"text": "Other"}}},
        headers={"If-Match": f'"{before}"'},
    )
    assert r.status_code == 412 and r.get_json()["error"]["field"] == "If-Match"
    assert load_config()[1] == version


def test_put_replaces_the_queue_overrides(suite, tree, client, auth) -> None:
    r = _patch(
        client,
        auth,
        "/notifications/queues/internet/settings",
        {"calls": {"whisper": {"speed": 2.0}}},
        method="PUT",
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["settings"] == {"calls": {"whisper": {"speed": 2.0}}}
    assert body["effective"]["calls"]["whisper"]["type"] == "queue_name"  # tts override gone
    assert body["effective"]["calls"]["tones"]["incoming_call"] == {"builtin": "classic-ring"}


def test_bad_updates_name_the_field_and_change_nothing(suite, tree, client, auth) -> None:
    from core.config.store import load_config

    version = load_config()[1]
    cases = [
        ({"calls": {"whisper": {"sped": 1.2}}}, "calls.whisper.sped"),
        ({"calls": {"whisper": {"sped": None}}}, "calls.whisper.sped"),
        ({"voice": {}}, "voice"),
        ({"calls": {"whisper": {"speed": 9}}}, "calls.whisper.speed"),
        (
            {"calls": {"tones": {"incoming_call": {"builtin": "air-horn"}}}},
            "calls.tones.incoming_call",
        ),
        (
            {"calls": {"tones": {"incoming_call": {"custom": "t_doesnotexist"}}}},
            "calls.tones.incoming_call.custom",
        ),
        ({"calls": {"whisper": {"type": "audio", "audio": "w_nothere"}}}, "calls.whisper.audio"),
        ({"calls": {"whisper": {"type": "tts", "text": None}}}, "calls.whisper.text"),
        ({"calls": {"countdown": {"seconds": "three"}}}, "calls.countdown.seconds"),
    ]
    for body, field in cases:
        r = _patch(client, auth, "/notifications/queues/internet/settings", body)
        assert r.status_code == 400, (body, r.get_json())
        assert r.get_json()["error"]["field"] == field, (body, r.get_json())
    # Repeating needs an interval: Sales inherits none (Internet would inherit Support's).
    for body, field in [
        (
            {"calls": {"frequency": {"mode": "repeat", "until": "answered"}}},
            "calls.frequency.every_seconds",
        ),
        ({"calls": {"frequency": {"mode": "repeat", "every_seconds": 5}}}, "calls.frequency.until"),
    ]:
        r = _patch(client, auth, "/notifications/queues/sales/settings", body)
        assert r.status_code == 400, (body, r.get_json())
        assert r.get_json()["error"]["field"] == field, (body, r.get_json())
    # A global change that leaves a descendant unplayable names the queue it breaks.
    r = _patch(client, auth, "/notifications/settings", {"calls": {"whisper": {"type": "tts"}}})
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["field"] == "calls.whisper.text"
    assert any("queue sales" in e["problem"] for e in err["errors"])
    assert not any("queue dsl" in e["problem"] for e in err["errors"])  # Internet has text
    r = client.patch(
        "/notifications/settings", data="[1]", content_type="application/json", headers=auth("ada")
    )
    assert r.status_code == 400
    assert load_config()[1] == version


def test_who_may_read_and_edit(suite, tree, client, auth) -> None:
    assert client.get("/notifications/settings").status_code == 401
    # Managers lack settings.edit.
    r = client.get("/notifications/queues/fiber/settings", headers=auth("mona"))
    assert r.status_code == 403
    # A team-scoped settings editor edits their queues, not others, not the global level.
    assert (
        client.get("/notifications/queues/fiber/settings", headers=auth("sue")).status_code == 200
    )
    assert (
        client.get("/notifications/queues/sales/settings", headers=auth("sue")).status_code == 404
    )
    assert client.get("/notifications/settings", headers=auth("sue")).status_code == 403
    r = _patch(
        client,
        auth,
        "/notifications/queues/dsl/settings",
        {"calls": {"countdown": {"seconds": 2}}},
        user="sue",
    )
    assert r.status_code == 200
    assert client.get("/notifications/queues/nope/settings", headers=auth("ada")).status_code == 404
