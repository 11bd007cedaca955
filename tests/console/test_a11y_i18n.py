"""Every page passes axe-core's WCAG 2.1 A / AA checks, in English and Korean; the
language switch turns the console Korean (with a CJK font actually drawing the glyphs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import console_calls as calls
from tests.helpers.console import axe_violations, sign_in

PAGES = ["calls", "chats", "agents", "audit", "settings", "account"]


def _clean(page: Any, where: str) -> None:
    bad = axe_violations(page)
    assert not bad, f"{where}: {bad}"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_page_passes_axe(
    functions: Any, console: str, new_page: Callable[..., Any], lang: str
) -> None:
    call = calls.incoming(functions, "billing-refunds")
    calls.assign(functions, call)
    page = new_page(locale="ko-KR" if lang == "ko" else "en-US")
    page.goto(console)
    page.get_by_test_id("signin-form").wait_for()
    assert page.evaluate("document.documentElement.lang") == lang
    _clean(page, f"sign-in ({lang})")
    sign_in(page, console, "ada")
    for name in PAGES:
        page.get_by_test_id(f"nav-{name}").click()
        if name in ("calls",):
            page.get_by_test_id(f"row-{call.call_sid}").wait_for()
        page.wait_for_timeout(300)
        _clean(page, f"{name} ({lang})")
    page.goto(console + f"#/calls/{call.call_sid}")
    page.get_by_test_id("field-agent").wait_for()
    _clean(page, f"call details ({lang})")
    page.get_by_test_id(f"action-end-{call.call_sid}").click()
    page.get_by_test_id("end-dialog").wait_for()
    _clean(page, f"end dialog ({lang})")


def test_korean_renders_with_a_cjk_font(console: str, new_page: Callable[..., Any]) -> None:
    page = new_page(locale="en-US")
    sign_in(page, console, "mona")
    assert page.get_by_test_id("nav-calls").inner_text() == "Calls"
    page.get_by_test_id("lang-switch").select_option("ko")
    assert page.get_by_test_id("nav-calls").inner_text() == "통화"
    assert page.get_by_test_id("signout").inner_text() == "로그아웃"
    assert page.evaluate("document.documentElement.lang") == "ko"
    # Drawn with a real CJK font: Hangul is as wide as the font's CJK glyphs, unlike the
    # fallback boxes of characters no installed font has.
    widths = page.evaluate(
        """() => {
            const c = document.createElement("canvas").getContext("2d");
            c.font = getComputedStyle(document.body).fontSize + " " +
                getComputedStyle(document.body).fontFamily;
            const w = (s) => c.measureText(s).width;
            return [w("통화통화"), w("\\u0378\\u0378\\u0378\\u0378")];
        }"""
    )
    assert widths[0] > 0 and widths[0] != widths[1], widths
    # The choice is kept: a reload stays Korean.
    page.reload()
    page.get_by_test_id("nav-calls").wait_for()
    assert page.get_by_test_id("nav-calls").inner_text() == "통화"
