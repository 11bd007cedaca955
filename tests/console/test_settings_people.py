"""Settings > Users & teams: an admin adds a team, a custom role and a person in that team
with that role; the config holds exactly what the page saved."""

from __future__ import annotations

from typing import Any

import requests

from tests.helpers.console import sign_in

# Each function answers its first request after a cold start (imports), which on a
# loaded CI machine takes seconds: the first wait of a page allows for it.
SLOW = 60_000


def _create(page: Any, kind: str, new_id: str) -> None:
    page.get_by_test_id(f"people-tab-{kind}").click()
    page.get_by_test_id(f"people-{kind}-new-id").fill(new_id)
    page.get_by_test_id(f"people-{kind}-create").click()
    page.locator(f"[data-testid='{kind}-form'][data-id='{new_id}']").wait_for()


def test_admin_adds_a_team_a_role_and_a_person(
    page: Any, console: str, functions: Any, signed_in: Any
) -> None:
    page.set_default_timeout(SLOW)
    sign_in(page, console, "ada")
    page.goto(console + "#/settings/people")
    page.locator("[data-testid='people-row'][data-id='ada']").wait_for()

    _create(page, "teams", "night-desk")
    page.get_by_test_id("teams-form-name").fill("Night desk")
    page.get_by_test_id("teams-form-queues-support-internet").check()
    page.get_by_test_id("teams-form-save").click()
    page.get_by_test_id("teams-form-status").get_by_text("Saved.").wait_for()

    _create(page, "roles", "night-lead")
    page.get_by_test_id("roles-form-name").fill("Night lead")
    for permission in ("monitor", "Monitor-Chats-Edit"):
        page.get_by_test_id(f"roles-form-permissions-{permission}").check()
    page.get_by_test_id("roles-form-mfa").check()
    page.get_by_test_id("roles-form-save").click()
    page.get_by_test_id("roles-form-status").get_by_text("Saved.").wait_for()

    _create(page, "users", "nina")
    page.get_by_test_id("users-form-name").fill("Nina Night")
    page.get_by_test_id("users-form-email").fill("nina@acme-telecom.example")
    page.get_by_test_id("users-form-roles-night-lead").check()
    page.get_by_test_id("users-form-teams-night-desk").check()
    page.get_by_test_id("users-form-save").click()
    page.get_by_test_id("users-form-status").get_by_text("Saved.").wait_for()

    # A refusal is shown as the API words it: an email another user already has.
    page.get_by_test_id("users-form-email").fill("ada@acme-telecom.example")
    page.get_by_test_id("users-form-save").click()
    error = page.get_by_test_id("users-form-error")
    error.wait_for()
    assert "the same email as user 'ada'" in error.inner_text()

    token = signed_in("ada")
    base = functions.function_url("settings_http")

    def data(path: str) -> dict[str, Any]:
        r = requests.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    assert data("/settings/teams/night-desk") == {
        "name": "Night desk",
        "queues": ["support-internet"],
    }
    role = data("/settings/roles/night-lead")
    assert role["name"] == "Night lead" and role["mfa_required"] is True
    assert sorted(role["permissions"]) == ["Monitor-Chats-Edit", "monitor"]
    user = data("/settings/users/nina")
    assert (user["name"], user["email"], user["roles"], user["teams"]) == (
        "Nina Night",
        "nina@acme-telecom.example",
        ["night-lead"],
        ["night-desk"],
    )
