"""Helpers of the console's browser tests (tests/console), the latency bench and the
screenshots: Chromium's launch arguments, signing in through the page, axe-core."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from emulators.signin import DEMO_PASSWORD
from tests.helpers.common import DEMO_CONFIG

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"


def email_of(user_id: str) -> str:
    import yaml

    return str(yaml.safe_load(DEMO_CONFIG.read_text())["users"][user_id]["email"])


def sign_in(page: Any, url: str, user_id: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the page's form, as a person does, and wait for the shell."""
    page.goto(url)
    page.get_by_test_id("signin-email").fill(email_of(user_id))
    page.get_by_test_id("signin-password").fill(password)
    page.get_by_test_id("signin-submit").click()
    page.get_by_test_id("user-name").wait_for()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core (the npm devDependency) injected into the page; WCAG 2.x A/AA rules."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
              runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            });
            return r.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return list(result)
