"""Settings > Support center details in the browser: an admin adds an hours exception, sees
the 14-day preview, saves, and "what happens at..." (deflection's /explain) agrees, in the
page and through the API; a save that conflicts with another writer shows the conflict."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import requests

from tests.helpers.console import axe_violations, sign_in

NY = ZoneInfo("America/New_York")

# Each function answers its first request after a cold start (imports), which on a
# loaded CI machine takes seconds: the first wait of a page allows for it.
SLOW = 60_000


def _closing_day() -> dt.date:
    """A weekday 2 to 13 days ahead on which the `business` schedule is open as usual (not
    a New York public holiday nor one of the demo's exceptions), so closing it changes
    decisions inside the preview's 14 days."""
    import holidays

    today = dt.datetime.now(NY).date()
    public = holidays.country_holidays("US", subdiv="NY", years=[today.year, today.year + 1])
    demo_exceptions = {(12, 24), (12, 27)}
    for n in range(2, 14):
        day = today + dt.timedelta(days=n)
        if day.weekday() < 5 and day not in public and (day.month, day.day) not in demo_exceptions:
            return day
    raise AssertionError("no ordinary weekday in the next two weeks")


def _api(functions: Any, token: str, fn: str, path: str, **kw: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} | kw.pop("headers", {})
    return requests.request(
        kw.pop("method", "GET"),
        functions.function_url(fn) + path,
        headers=headers,
        timeout=30,
        **kw,
    )


def _open_schedule(page: Any, console: str, schedule: str = "business") -> None:
    page.goto(console + "#/settings/center")
    page.get_by_test_id("hours-schedule").select_option(schedule)
    page.get_by_test_id("hours-form").wait_for()
    page.get_by_test_id("hours-day-mon").wait_for()


def test_hours_exception_preview_save_and_explain_agree(
    page: Any, console: str, functions: Any, signed_in: Any
) -> None:
    day = _closing_day()
    opens = dt.datetime.combine(day, dt.time(9, 0), NY).astimezone(dt.UTC)
    page.set_default_timeout(SLOW)
    sign_in(page, console, "ada")
    _open_schedule(page, console)
    before = len(page.locator("[data-testid^='hours-exception-'][data-testid$='-date']").all())

    # A new exception: closed all day for staff training.
    page.get_by_test_id("hours-exception-add").click()
    row = f"hours-exception-{before}"
    page.get_by_test_id(f"{row}-date").fill(day.isoformat())
    page.get_by_test_id(f"{row}-name").fill("Staff training")
    assert page.get_by_test_id(f"{row}-closed").is_checked()
    # Save waits for a preview of exactly this form.
    assert page.get_by_test_id("hours-save").is_disabled()

    page.get_by_test_id("hours-preview").click()
    page.get_by_test_id("settings-preview").wait_for()
    at = opens.isoformat().replace("+00:00", "Z")
    changed = page.locator(
        f"[data-testid='settings-preview-row'][data-queue='billing-payments']"
        f"[data-channel='voice'][data-at='{at}']"
    )
    changed.first.wait_for()
    cells = changed.first.locator("td").all_inner_texts()
    assert cells[-2].startswith("Open") and cells[-1].startswith("Closed"), cells
    # The chat channel runs on its own schedule (chat-extended): the exception leaves it be.
    assert page.locator("[data-testid='settings-preview-row'][data-channel='chat']").count() == 0
    assert page.get_by_test_id("settings-preview-summary").inner_text().split()[0].isdigit()
    assert axe_violations(page) == []

    # Editing after the preview makes it stale: save is disabled until previewed again.
    page.get_by_test_id(f"{row}-name").fill("Staff training day")
    assert page.get_by_test_id("hours-save").is_disabled()
    page.get_by_test_id("hours-preview").click()
    page.get_by_test_id("hours-save").click()
    page.get_by_test_id("hours-status").get_by_text("Saved.").wait_for()

    token = signed_in("ada")
    saved = _api(functions, token, "settings_http", "/settings/hours/business").json()["data"]
    assert {"date": day.isoformat(), "name": "Staff training day", "closed": True} in [
        {k: e[k] for k in ("date", "name", "closed")} for e in saved["exceptions"]
    ]

    # What happens at noon that day, asked in the page...
    page.get_by_test_id("explain-queue").select_option("billing-payments")
    page.get_by_test_id("explain-channel").select_option("voice")
    page.get_by_test_id("explain-at").fill(f"{day.isoformat()}T12:00")
    page.get_by_test_id("explain-run").click()
    page.get_by_test_id("explain-result").wait_for()
    assert page.get_by_test_id("explain-open").get_attribute("data-open") == "false"
    assert page.get_by_test_id("explain-rule").get_attribute("data-rule") == "exception"
    assert "Staff training day" in page.get_by_test_id("explain-rule").inner_text()
    assert page.get_by_test_id("explain-schedule").inner_text().startswith("business")

    # ...and through the API: the same answer, and the day before is open as usual.
    noon = dt.datetime.combine(day, dt.time(12, 0), NY).astimezone(dt.UTC)
    for when, is_open, rule in (
        (noon, False, "exception"),
        (noon - dt.timedelta(days=1), None, None),
    ):
        r = _api(
            functions,
            token,
            "deflection_http",
            "/explain",
            params={"queue": "billing-payments", "channel": "voice", "at": when.isoformat()},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        if rule:
            assert body["hours"]["rule"]["open"] is is_open
            assert body["hours"]["rule"]["rule"] == rule
            assert body["hours"]["rule"]["name"] == "Staff training day"
            assert body["decision"]["open"] is False
        else:
            assert body["hours"]["rule"]["rule"] != "exception"


def test_a_conflicting_save_shows_theirs_and_mine_instead_of_overwriting(
    page: Any, console: str, functions: Any, signed_in: Any
) -> None:
    token = signed_in("ada")
    page.set_default_timeout(SLOW)
    sign_in(page, console, "ada")
    _open_schedule(page, console)
    assert page.get_by_test_id("hours-sat-0").input_value() == "10:00-14:00"
    page.get_by_test_id("hours-sat-0").fill("10:00-15:00")

    # Another writer changes the same schedule through the API in between.
    path = "/settings/hours/business"
    etag = _api(functions, token, "settings_http", path).headers["ETag"]
    r = _api(
        functions,
        token,
        "settings_http",
        path,
        method="PATCH",
        data=json.dumps({"weekly": {"sat": ["11:00-13:00"]}}),
        headers={"If-Match": etag, "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text

    page.get_by_test_id("hours-preview").click()
    page.get_by_test_id("settings-preview").wait_for()
    page.get_by_test_id("hours-save").click()
    conflict = page.get_by_test_id("settings-conflict")
    conflict.wait_for()
    rows = {
        r.locator("th").inner_text(): (
            r.get_by_test_id("settings-conflict-theirs").inner_text(),
            r.get_by_test_id("settings-conflict-mine").inner_text(),
        )
        for r in conflict.get_by_test_id("settings-conflict-row").all()
    }
    assert rows == {"weekly.sat": ('["11:00-13:00"]', '["10:00-15:00"]')}, rows
    assert axe_violations(page) == []
    # Nothing was overwritten.
    assert _api(functions, token, "settings_http", path).json()["data"]["weekly"]["sat"] == [
        "11:00-13:00"
    ]

    # Keep theirs: the form shows their hours; a new edit then saves over them cleanly.
    page.get_by_test_id("settings-conflict-keep-theirs").click()
    assert page.get_by_test_id("settings-conflict").count() == 0
    assert page.get_by_test_id("hours-sat-0").input_value() == "11:00-13:00"
    page.get_by_test_id("hours-sat-0").fill("11:00-16:00")
    page.get_by_test_id("hours-preview").click()
    page.get_by_test_id("hours-save").click()
    page.get_by_test_id("hours-status").get_by_text("Saved.").wait_for()
    assert _api(functions, token, "settings_http", path).json()["data"]["weekly"]["sat"] == [
        "11:00-16:00"
    ]


def test_a_conflict_on_center_details_can_be_overwritten_on_purpose(
    page: Any, console: str, functions: Any, signed_in: Any
) -> None:
    token = signed_in("ada")
    page.set_default_timeout(SLOW)
    sign_in(page, console, "ada")
    page.goto(console + "#/settings/center")
    page.get_by_test_id("center-name").fill("Acme Support (page)")
    path = "/settings/center"
    etag = _api(functions, token, "settings_http", path).headers["ETag"]
    r = _api(
        functions,
        token,
        "settings_http",
        path,
        method="PATCH",
        data=json.dumps({"support_email": "help@acme-telecom.example"}),
        headers={"If-Match": etag, "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    page.get_by_test_id("center-save").click()
    page.get_by_test_id("settings-conflict").wait_for()
    texts = page.get_by_test_id("settings-conflict").inner_text()
    assert "support_email" in texts and "name" in texts
    page.get_by_test_id("settings-conflict-overwrite").click()
    page.get_by_test_id("center-status").get_by_text("Saved.").wait_for()
    data = _api(functions, token, "settings_http", path).json()["data"]
    # "Save mine over theirs" is an explicit choice: the whole form as the admin saw it.
    assert data["name"] == "Acme Support (page)"
    assert data["support_email"] == "support@acme-telecom.example"
