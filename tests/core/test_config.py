"""Config-as-code: validation errors name the path; apply is idempotent."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
import yaml

from core.config.loader import ConfigError, load_file, parse
from tests.helpers.common import DEMO_CONFIG, ROOT


def demo_dict() -> dict:
    return yaml.safe_load(DEMO_CONFIG.read_text())


def problems(data: dict) -> dict[str, str]:
    with pytest.raises(ConfigError) as exc:
        parse(data)
    return dict(exc.value.problems)


def test_demo_file_is_valid() -> None:
    cfg = load_file(DEMO_CONFIG)
    assert cfg.center.timezone == "America/New_York"
    assert {q.id for _, q, _ in cfg.walk_queues()} >= {"billing-refunds", "sales-general"}


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (
            lambda d: d["center"].update(timezone="Mars/Olympus"),
            "center.timezone",
            "unknown IANA time zone",
        ),
        (
            lambda d: d["hours"]["business"]["weekly"].update(mon=["9-5"]),
            "hours.business.weekly.mon[0]",
            "HH:MM",
        ),
        (
            lambda d: d["queues"][0]["children"][0].update(colour="red"),
            "queues[0].children[0].colour",
            "Extra inputs",
        ),
        (
            lambda d: d["queues"][1]["children"][0]["deflection"]["voice"].update(phone="555"),
            "queues[1].children[0].deflection.voice.phone",
            "E.164",
        ),
        (
            lambda d: d["queues"][0]["children"][0]["deflection"]["voice"].update(queue="nope"),
            "queues[0].children[0].deflection.voice.queue",
            "unknown queue 'nope'",
        ),
        (
            lambda d: d["queues"][1]["children"][1]["deflection"]["mobile"].update(
                options=["email"]
            ),
            "queues[1].children[1].deflection.mobile",
            "never both",
        ),
        (
            lambda d: d["users"]["ada"].update(roles=["wizard"]),
            "users.ada.roles[0]",
            "unknown role 'wizard'",
        ),
        (
            lambda d: d["teams"]["billing-team"].update(queues=["ghost"]),
            "teams.billing-team.queues[0]",
            "unknown queue 'ghost'",
        ),
        (
            lambda d: d["queues"][2]["children"].append({"id": "billing", "name": "Dup"}),
            "queues[2].children[2].id",
            "duplicate queue id",
        ),
        (
            lambda d: d["hours"]["business"]["exceptions"].append({"date": "2026-07-04"}),
            "hours.business.exceptions[2]",
            "exactly one",
        ),
        (
            lambda d: d["center"]["hours"].update(default="missing"),
            "center.hours.default",
            "unknown hours id",
        ),
        (
            lambda d: d["roles"]["qa-lead"].update(permissions=["fly"]),
            "roles.qa-lead.permissions[0]",
            "unknown permission",
        ),
        (
            lambda d: d["users"]["sam"].update(email="Mona@Acme-Telecom.example"),
            "users.sam.email",
            "the same email as user 'mona'",
        ),
        (
            lambda d: d["users"]["ci"].pop("email"),
            "users.ci.email",
            "needs its service account's email",
        ),
        (
            lambda d: d["users"]["ci"].update(kind="robot"),
            "users.ci.kind",
            "'person' or 'service'",
        ),
    ],
)
def test_validation_names_the_path(mutate, path: str, fragment: str) -> None:
    d = demo_dict()
    mutate(d)
    found = problems(d)
    assert path in found, found
    assert fragment in found[path]


def test_cli_validate_reports_file_paths(tmp_path) -> None:
    d = demo_dict()
    d["center"]["support_email"] = "not-an-email"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(d))
    out = subprocess.run(
        [sys.executable, "-m", "core.config", "validate", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT / "functions",
    )
    assert out.returncode == 1
    assert "center.support_email" in out.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("center: [unclosed\n")
    out = subprocess.run(
        [sys.executable, "-m", "core.config", "validate", str(broken)],
        capture_output=True,
        text=True,
        cwd=ROOT / "functions",
    )
    assert out.returncode == 1 and "line" in out.stderr


def test_apply_twice_changes_nothing_and_removals_are_removed(suite, apply_config) -> None:
    from core import clients
    from core.config.store import get_view

    first = apply_config()
    assert first.changed and not first.deleted
    assert "cc_queues/billing-refunds" in first.created
    second = apply_config()
    assert not second.changed and second.unchanged == first.unchanged + len(first.created)

    d = demo_dict()
    d["queues"][0]["children"] = [
        c for c in d["queues"][0]["children"] if c["id"] != "billing-refunds"
    ]
    d["users"].pop("bea")
    d["center"]["support_email"] = "help@acme-telecom.example"
    third = apply_config(copy.deepcopy(d))
    assert sorted(third.deleted) == ["cc_queues/billing-refunds", "cc_users/bea"]
    assert third.updated == ["cc_center/center"] or "cc_center/center" in third.updated
    db = clients.firestore()
    assert not db.collection("cc_queues").document("billing-refunds").get().exists
    assert get_view().center.support_email == "help@acme-telecom.example"
    assert get_view().queue("billing-refunds") is None
    assert not apply_config(copy.deepcopy(d)).changed


def test_cli_apply_is_idempotent(suite) -> None:
    import json
    import os

    env = {**os.environ}
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "core.config", "apply", str(DEMO_CONFIG)],
        capture_output=True,
        text=True,
        cwd=ROOT / "functions",
        env=env,
    )
    first = run()
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["changed"] is True
    second = run()
    assert json.loads(second.stdout)["changed"] is False


def test_view_inheritance_and_hours_resolution(demo) -> None:
    from core.config.store import get_view

    v = get_view()
    assert v.queue("billing-refunds").path == "Billing > Refunds"
    assert v.channels("billing-refunds") == ["voice", "mobile", "web", "chat", "sms"]
    assert v.hours_id("support-internet", "voice", None) == (
        "late-night",
        "queue:support-internet.default",
    )
    assert v.hours_id("billing-refunds", "chat", None)[0] == "chat-extended"
    assert v.hours_id("sales-spanish", "voice", "es-US")[0] == "spanish-desk"
    assert v.hours_id("sales-spanish", "voice", "en-US")[0] == "business"
    base = v.center.notifications.calls.model_dump(exclude_none=True)
    eff = v.effective("billing-refunds", lambda q: q.notifications and q.notifications.calls, base)
    assert eff["whisper"] == {
        "enabled": True,
        "type": "tts",
        "speed": 1.0,
        "text": "Billing customer, check the payment history first",
    }
    assert eff["countdown"] == {"enabled": True, "seconds": 3}
    assert sorted(v.agents_of_queue("billing-refunds")) == ["alex", "mona"]
