"""Signing in to the console: email / password on the Auth emulator, the person's name,
roles and teams shown, signing out."""

from __future__ import annotations

from typing import Any

from tests.console.conftest import email_of, sign_in


def test_admin_signs_in_sees_who_she_is_and_signs_out(page: Any, console: str) -> None:
    page.goto(console)
    page.get_by_test_id("signin-email").fill(email_of("ada"))
    page.get_by_test_id("signin-password").fill("not-the-password")
    page.get_by_test_id("signin-submit").click()
    assert "Wrong email or password" in page.get_by_test_id("signin-error").inner_text()

    sign_in(page, console, "ada")
    assert page.get_by_test_id("user-name").inner_text() == "Ada Admin"
    assert page.get_by_test_id("user-roles").inner_text() == "Admin"
    assert page.get_by_test_id("user-teams").inner_text() == "All teams"
    for nav in ("calls", "chats", "agents", "audit", "settings"):
        assert page.get_by_test_id(f"nav-{nav}").is_visible(), nav
    # The first page of an admin is the live calls list.
    page.get_by_test_id("live-table").wait_for()
    assert page.url.endswith("#/calls")

    page.get_by_test_id("signout").click()
    page.get_by_test_id("signin-form").wait_for()


def test_manager_sees_her_team(page: Any, console: str) -> None:
    sign_in(page, console, "mona")
    assert page.get_by_test_id("user-roles").inner_text() == "Manager"
    assert page.get_by_test_id("user-teams").inner_text() == "Billing team"
    assert page.get_by_test_id("nav-settings").count() == 0
