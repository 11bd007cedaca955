"""The live pages end to end: a carrier's signed IVR webhook makes a call appear within
2 s on the manager's page and never on another team's; she monitors it and ends it from
the page, it leaves the list and enters the audit log. Supervisors and agents are offered
only what their roles allow."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.helpers import console_calls as calls
from tests.helpers.console import sign_in


def test_a_call_reaches_its_team_only_is_monitored_and_ended(
    functions: Any, console: str, new_page: Callable[..., Any]
) -> None:
    mona, sam = new_page(), new_page()
    sign_in(mona, console, "mona")
    sign_in(sam, console, "sam")
    for p in (mona, sam):
        p.get_by_test_id("live-table").wait_for()
        p.wait_for_timeout(1500)  # a few polls of an empty page: the ETag is settled

    call = calls.incoming(functions, "billing-refunds")
    row = mona.get_by_test_id(f"row-{call.call_sid}")
    # Within 2 s of the carrier getting its answer (the call is queued), without a reload.
    row.wait_for(timeout=2000)
    assert time.time() - call.answered_at < 2.0
    assert row.get_attribute("data-status") == "queued"
    assert row.get_by_test_id("cell-queue").inner_text() == "Billing > Refunds"
    assert row.get_by_test_id("cell-end-user").inner_text() == "+14155550123"
    assert row.get_by_test_id("cell-channel").inner_text() == "Voice"
    # The wait clock ticks without a reload.
    first = row.get_by_test_id("cell-clock").inner_text()
    mona.wait_for_timeout(2100)
    assert row.get_by_test_id("cell-clock").inner_text() != first
    # Queued: nothing to listen to yet, but a manager may end it.
    assert row.get_by_test_id(f"action-monitor-{call.call_sid}").count() == 0
    assert row.get_by_test_id(f"action-end-{call.call_sid}").count() == 1

    # Routing connects it to Alex; the row turns connected and offers monitoring.
    calls.assign(functions, call)
    monitor = mona.get_by_test_id(f"action-monitor-{call.call_sid}")
    monitor.wait_for(timeout=3000)
    assert row.get_attribute("data-status") == "connected"
    assert row.get_by_test_id("cell-agent").inner_text() == "Alex Agent"
    for action in ("coach", "barge"):  # a manager may also coach and barge
        assert row.get_by_test_id(f"action-{action}-{call.call_sid}").count() == 1
    monitor.click()
    mona.get_by_test_id(f"action-stop_monitoring-{call.call_sid}").wait_for(timeout=3000)
    assert "Mona Manager (listening)" in row.get_by_test_id("cell-monitors").inner_text()

    # End it with a reason, through the confirmation dialog.
    row.get_by_test_id(f"action-end-{call.call_sid}").click()
    dialog = mona.get_by_test_id("end-dialog")
    assert mona.get_by_test_id("end-confirm").is_disabled()  # a reason is required
    mona.get_by_test_id("end-reason").fill("stuck after transfer")
    mona.get_by_test_id("end-confirm").click()
    row.wait_for(state="detached", timeout=3000)
    assert not dialog.is_visible()

    # Sam (supervisor of another team) never saw it.
    assert sam.get_by_test_id(f"row-{call.call_sid}").count() == 0
    assert sam.get_by_test_id("live-error").count() == 0

    # Ada (admin, audit.read) finds both actions in the audit log.
    ada = new_page()
    sign_in(ada, console, "ada")
    ada.get_by_test_id("nav-audit").click()
    ada.get_by_test_id("filter-session").fill(call.call_sid)
    end = ada.get_by_test_id(f"audit-{call.call_sid}-session.end")
    end.wait_for(timeout=5000)
    assert "Mona Manager" in end.inner_text() and "stuck after transfer" in end.inner_text()
    assert ada.get_by_test_id(f"audit-{call.call_sid}-monitor.start").count() == 1


def test_roles_are_offered_only_what_they_may_do(
    functions: Any, console: str, new_page: Callable[..., Any]
) -> None:
    call = calls.incoming(functions, "support-mobile")
    calls.assign(functions, call, agent="bea")
    # Sam supervises the support team: listen and coach, but neither barge nor end.
    sam = new_page()
    sign_in(sam, console, "sam")
    row = sam.get_by_test_id(f"row-{call.call_sid}")
    row.wait_for(timeout=5000)
    assert row.get_by_test_id(f"action-monitor-{call.call_sid}").count() == 1
    assert row.get_by_test_id(f"action-coach-{call.call_sid}").count() == 1
    assert row.get_by_test_id(f"action-barge-{call.call_sid}").count() == 0
    assert row.get_by_test_id(f"action-end-{call.call_sid}").count() == 0
    # The details page offers the same, and shows the session.
    row.get_by_test_id(f"open-{call.call_sid}").click()
    sam.get_by_test_id("field-agent").wait_for()
    assert sam.get_by_test_id("field-agent").inner_text() == "Bea Agent"
    assert sam.get_by_test_id("field-queue").inner_text() == "Technical Support > Mobile"
    assert sam.get_by_test_id(f"action-barge-{call.call_sid}").count() == 0
    assert sam.get_by_test_id(f"action-end-{call.call_sid}").count() == 0
    assert sam.get_by_test_id("participant-row").count() >= 2

    # Alex (agent) has no supervisor page at all, and typing one in leads back home.
    alex = new_page()
    sign_in(alex, console, "alex")
    assert alex.get_by_test_id("user-roles").inner_text() == "Agent"
    alex.get_by_test_id("account-nothing").wait_for()
    for nav in ("calls", "chats", "agents", "audit", "settings"):
        assert alex.get_by_test_id(f"nav-{nav}").count() == 0, nav
    alex.goto(console + "#/calls")
    alex.get_by_test_id("account-nothing").wait_for()
    assert alex.get_by_test_id("live-table").count() == 0
    assert alex.locator("[data-testid^='action-']").count() == 0


def test_a_refused_action_shows_the_apis_message(
    functions: Any, console: str, new_page: Callable[..., Any], apply_config: Any
) -> None:
    import yaml

    from tests.helpers.common import DEMO_CONFIG

    call = calls.incoming(functions, "billing-refunds")
    calls.assign(functions, call)
    mona = new_page()
    sign_in(mona, console, "mona")
    end = mona.get_by_test_id(f"action-end-{call.call_sid}")
    end.wait_for(timeout=5000)
    end.click()
    mona.get_by_test_id("end-reason").fill("test")
    # While she confirms, an admin takes ending away from managers: the API refuses with
    # its own message, shown in the dialog; the next poll stops offering the action.
    cfg = yaml.safe_load(DEMO_CONFIG.read_text())
    cfg["roles"]["manager"] = {"name": "Manager", "permissions": ["monitor"], "scope": "teams"}
    apply_config(cfg)
    mona.get_by_test_id("end-confirm").click()
    err = mona.get_by_test_id("end-error")
    err.wait_for(timeout=5000)
    assert "Monitor-Chats-Edit" in err.inner_text()
    mona.get_by_test_id("end-cancel").click()
    end.wait_for(state="detached", timeout=5000)
