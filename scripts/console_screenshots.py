"""`make screenshots`: a PNG of each main console page, in English and Korean, into
docs/console/ (<page>.<lang>.png).

Starts the emulator suite with every function, loads the demo center, makes a few live
calls and chats (carrier webhooks, SDK chats, routing's assignments, a monitor), signs
Ada (admin) in to the console in Debian's headless Chromium and visits each page. Pages
are listed in PAGES: (name, route, test id to wait for); add yours there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]
OUT = ROOT / "docs" / "console"

# (file name, route after '#', data-testid that shows the page is ready). "{call}" and
# "{chat}" stand for a live call / chat made by `live_sessions`.
PAGES: list[tuple[str, str, str]] = [
    ("calls", "/calls", "live-table"),
    ("call-details", "/calls/{call}", "field-agent"),
    ("chats", "/chats", "live-table"),
    ("chat-details", "/chats/{chat}", "field-queue"),
    ("agents", "/agents", "agents-table"),
    ("audit", "/audit", "audit-table"),
    ("account", "/account", "account-roles"),
    # The Settings pages (console/src/pages/settings).
    ("settings-center", "/settings/center", "hours-day-mon"),
    ("settings-deflection", "/settings/deflection", "deflection-voice"),
    ("settings-queues", "/settings/queues", "queue-form"),
    ("settings-languages", "/settings/languages", "language-form"),
    ("settings-notifications", "/settings/notifications", "tone-row"),
    ("settings-people", "/settings/people", "people-row"),
    ("settings-history", "/settings/history", "history-export"),
]


def live_sessions(suite: Any, people: dict[str, str]) -> dict[str, str]:
    """A few calls and chats across teams; one connected call monitored by Mona."""
    from tests.helpers import console_calls as calls

    made = []
    for queue, caller, agent in (
        ("billing-refunds", "+14155550123", "alex"),
        ("billing-payments", "+14155550188", None),
        ("support-mobile", "+14155550177", "bea"),
        ("sales-general", "+14155550166", None),
    ):
        call = calls.incoming(suite, queue, caller)
        if agent:
            calls.assign(suite, call, agent)
        made.append(call)
    from core.auth.sdk_jwt import issue

    chats = []
    for who, queue in (("kim-lee", "billing-refunds"), ("jo-park", "support-mobile")):
        r = requests.post(
            f"{suite.function_url('sessions_http')}/sdk/chats",
            json={"channel": "web", "queue_id": queue},
            headers={"Authorization": f"Bearer {issue(who, name=who.replace('-', ' ').title())}"},
            timeout=30,
        )
        r.raise_for_status()
        chats.append(r.json()["session"]["id"])
    token = suite.auth().id_token(people["mona"])
    r = requests.post(
        f"{suite.function_url('monitoring_http')}/calls/{made[0].call_sid}/monitor",
        json={"mode": "listen", "reason": "quality check"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    r.raise_for_status()
    return {"call": made[0].call_sid, "chat": chats[0]}


def main() -> int:
    subprocess.run(["bash", str(ROOT / "scripts" / "build_console.sh")], check=True)
    from emulators.suite import Suite

    suite = Suite()
    suite.start()
    try:
        suite.provision()
        os.environ["CONFIG_CACHE_SECONDS"] = "2"
        suite.start_functions()
        os.environ.update(suite.env())
        return shoot(suite)
    finally:
        suite.cleanup()


def shoot(suite: Any) -> int:
    from playwright.sync_api import sync_playwright

    from core.clients import reset_clients
    from core.config.loader import load_file
    from core.config.store import apply
    from core.settings import reset_settings
    from emulators.signin import seed_people
    from tests.helpers.common import DEMO_CONFIG
    from tests.helpers.console import CHROMIUM, CHROMIUM_ARGS, sign_in

    reset_settings()
    reset_clients()
    apply(load_file(DEMO_CONFIG))
    people = seed_people(suite.auth(), load_file(DEMO_CONFIG))
    ids = live_sessions(suite, people)
    console = suite.function_url("console_http") + "/"
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang, locale in (("en", "en-US"), ("ko", "ko-KR")):
            ctx = browser.new_context(
                locale=locale,
                timezone_id="Asia/Seoul" if lang == "ko" else "America/Los_Angeles",
                viewport={"width": 1440, "height": 900},
            )
            page = ctx.new_page()
            page.set_default_timeout(20_000)
            page.goto(console)
            page.get_by_test_id("signin-form").wait_for()
            written.append(_shot(page, f"signin.{lang}.png"))
            sign_in(page, console, "ada")
            for name, route, ready in PAGES:
                page.goto(console + "#" + route.format(**ids))
                page.get_by_test_id(ready).first.wait_for()
                page.wait_for_timeout(1200)  # a poll or two: rows and clocks settled
                written.append(_shot(page, f"{name}.{lang}.png"))
            ctx.close()
        browser.close()
    for path in written:
        print(path.relative_to(ROOT))
    return 0


def _shot(page: Any, name: str) -> Path:
    path = OUT / name
    page.screenshot(path=str(path), full_page=True)
    return path


if __name__ == "__main__":
    sys.exit(main())
