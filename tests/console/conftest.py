"""Browser tests of the web console: Debian's Chromium driven by Playwright for Python,
against the console served by console_http on the running emulator suite.

- `console_build`: builds console/dist when its sources changed (scripts/build_console.sh).
- `browser`: one headless Chromium per session (/usr/bin/chromium; never `playwright install`).
- `console`: the console's URL, with the demo center applied and its people on the Auth
  emulator (password: emulators.signin.DEMO_PASSWORD).
- `page`: a fresh browser context per test (English, New York time unless asked otherwise).
Helpers (`sign_in`, `axe_violations`, Chromium arguments): tests/helpers/console.py; real
calls: tests/helpers/console_calls.py.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.common import DEMO_CONFIG
from tests.helpers.console import CHROMIUM, CHROMIUM_ARGS, ROOT


@pytest.fixture(scope="session")
def console_build() -> Path:
    subprocess.run(["bash", str(ROOT / "scripts" / "build_console.sh")], check=True)
    return ROOT / "console" / "dist"


@pytest.fixture(scope="session")
def browser(console_build: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def console(functions: Any, demo: Any) -> str:
    """The console's URL on the suite, with the demo people able to sign in."""
    from core.config.loader import load_file
    from emulators.signin import seed_people
    from tests.helpers.console_calls import warm_up

    seed_people(functions.auth(), load_file(DEMO_CONFIG))
    warm_up(functions)
    return functions.function_url("console_http") + "/"


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Pages in fresh contexts (own storage: own sign-in); closed after the test."""
    contexts: list[Any] = []

    def _new(locale: str = "en-US", timezone: str = "America/New_York") -> Any:
        ctx = browser.new_context(
            locale=locale, timezone_id=timezone, viewport={"width": 1400, "height": 900}
        )
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _new
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()
