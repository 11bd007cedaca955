"""Who gets Settings, and accessibility of every settings page: an admin gets every section;
a team-scoped settings editor (manager of one team with the queue-admin role) gets only
their team's queues; a manager without `settings.edit` and an agent get no Settings. axe-core
finds no violations on any settings page, in English and Korean."""

from __future__ import annotations

import json
from typing import Any

import requests

from tests.helpers.console import axe_violations, sign_in

SECTIONS = ("center", "deflection", "queues", "languages", "notifications", "people", "history")
SUPPORT = ["support", "support-internet", "support-mobile"]

# Each function answers its first request after a cold start (imports), which on a
# loaded CI machine takes seconds: the first wait of a page allows for it.
SLOW = 60_000


def test_admin_gets_every_section_and_axe_finds_nothing(page: Any, console: str) -> None:
    page.set_default_timeout(SLOW)
    sign_in(page, console, "ada")
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("settings-page").wait_for()
    for section in SECTIONS:
        assert page.get_by_test_id(f"settings-tab-{section}").is_visible(), section
    checked = {}
    for section in SECTIONS:
        page.get_by_test_id(f"settings-tab-{section}").click()
        page.get_by_test_id(f"settings-{section}").wait_for()
        if section == "center":
            page.get_by_test_id("hours-day-mon").wait_for()
            page.get_by_test_id("explain-run").click()
            page.get_by_test_id("explain-result").wait_for()
        if section == "queues":
            page.get_by_test_id("queue-form").wait_for()
        if section == "languages":
            page.get_by_test_id("language-form").wait_for()
        if section == "notifications":
            page.locator("[data-testid='tone-row']").first.wait_for()
        if section == "people":
            page.locator("[data-testid='people-row'][data-id='ada']").click()
            page.get_by_test_id("users-form").wait_for()
        if section == "history":
            page.get_by_test_id("history-export").wait_for()
        checked[section] = axe_violations(page)
    assert checked == {s: [] for s in SECTIONS}


def test_korean_settings_pages_pass_axe(new_page: Any, console: str) -> None:
    page = new_page(locale="ko-KR", timezone="Asia/Seoul")
    page.set_default_timeout(SLOW)
    sign_in(page, console, "ada")
    page.goto(console + "#/settings/center")
    page.get_by_test_id("hours-day-mon").wait_for()
    assert page.get_by_test_id("settings-tab-center").inner_text() == "지원 센터 세부정보"
    assert page.locator("html").get_attribute("lang") == "ko"
    assert axe_violations(page) == []
    page.get_by_test_id("settings-tab-deflection").click()
    page.get_by_test_id("settings-deflection").wait_for()
    assert "근무 시간 외 전환" in page.get_by_test_id("settings-deflection").inner_text()
    assert axe_violations(page) == []


def test_team_scoped_editor_sees_only_their_teams_queues(
    page: Any, console: str, functions: Any, signed_in: Any
) -> None:
    page.set_default_timeout(SLOW)
    sign_in(page, console, "max")  # manager + queue-admin (settings.edit, scope teams)
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("settings-team-scoped").wait_for()
    for section in SECTIONS:
        visible = page.get_by_test_id(f"settings-tab-{section}").count() == 1
        assert visible == (section in ("queues", "notifications", "history")), section
    page.get_by_test_id("queue-form").wait_for()
    ids = [r.get_attribute("data-queue-id") for r in page.get_by_test_id("queue-row").all()]
    assert ids == SUPPORT
    assert axe_violations(page) == []

    # Editing one of them works; the IVR override's target list holds only their queues.
    page.locator("[data-testid='queue-row'][data-queue-id='support-mobile']").click()
    page.locator("[data-testid='queue-form'][data-queue-id='support-mobile']").wait_for()
    page.get_by_test_id("queue-voice-override").check()
    options = page.get_by_test_id("queue-voice-option")
    options.select_option("queue")
    targets = page.get_by_test_id("queue-voice-queue").locator("option").all_inner_texts()
    assert not [t for t in targets if "Billing" in t or "Sales" in t], targets
    page.get_by_test_id("queue-voice-queue").select_option("support-internet")
    page.get_by_test_id("queue-save").click()
    page.get_by_test_id("queue-status").get_by_text("Saved.").wait_for()
    token = signed_in("ada")
    r = requests.get(
        functions.function_url("settings_http") + "/settings/queues/support-mobile",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.json()["data"]["deflection"]["voice"] == {
        "enabled": True,
        "option": "queue",
        "queue": "support-internet",
    }

    # Notifications: their queues only, no global settings.
    page.get_by_test_id("settings-tab-notifications").click()
    page.get_by_test_id("notifications-form").wait_for()
    scopes = page.get_by_test_id("notifications-scope").locator("option")
    assert [o.get_attribute("value") for o in scopes.all()] == SUPPORT
    assert axe_violations(page) == []

    # Changes: their queue's change is listed, the settings file is not offered.
    page.get_by_test_id("settings-tab-history").click()
    page.locator("[data-testid='history-row'][data-resource='queues/support-mobile']").wait_for()
    assert page.get_by_test_id("history-file").count() == 0
    resources = {r.get_attribute("data-resource") for r in page.get_by_test_id("history-row").all()}
    assert resources == {"queues/support-mobile"}, resources

    # A queue of another team is not there even when asked for by URL (the API says 404).
    mine = signed_in("max")
    r = requests.put(
        functions.function_url("settings_http") + "/settings/queues/billing-payments",
        data=json.dumps({"name": "Hijacked"}),
        headers={"Authorization": f"Bearer {mine}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 404


def test_people_without_settings_edit_get_no_settings(new_page: Any, console: str) -> None:
    for user in ("alex", "mona"):  # an agent; a manager whose roles lack settings.edit
        page = new_page()
        page.set_default_timeout(SLOW)
        sign_in(page, console, user)
        assert page.get_by_test_id("nav-settings").count() == 0, user
        page.goto(console + "#/settings/center")
        page.wait_for_function("() => !location.hash.startsWith('#/settings')")
        assert page.get_by_test_id("settings-page").count() == 0, user
        assert page.get_by_test_id("hours-form").count() == 0, user
