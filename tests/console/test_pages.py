"""The other supervisor pages: a chat's live read-only transcript, the Agents page (and
monitoring from it), the audit log's filters, times in the viewer's and the queue's zone,
and paging through more rows than one page holds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.helpers import console_calls as calls
from tests.helpers.console import sign_in


def _chat(functions: Any, sdk_token: Callable[..., str], who: str, queue: str) -> str:
    r = requests.post(
        f"{functions.function_url('sessions_http')}/sdk/chats",
        json={"channel": "web", "queue_id": queue},
        headers={"Authorization": f"Bearer {sdk_token(who, name='Kim Lee')}"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["session"]["id"])


def _say(functions: Any, sdk_token: Callable[..., str], who: str, chat: str, text: str) -> None:
    r = requests.post(
        f"{functions.function_url('sessions_http')}/sdk/chats/{chat}/messages",
        json={"text": text},
        headers={"Authorization": f"Bearer {sdk_token(who)}"},
        timeout=30,
    )
    assert r.status_code == 201, r.text


def test_chat_transcript_follows_live_read_only(
    functions: Any, console: str, page: Any, sdk_token: Callable[..., str]
) -> None:
    chat = _chat(functions, sdk_token, "kim-1", "billing-refunds")
    _say(functions, sdk_token, "kim-1", chat, "My refund is late")
    sign_in(page, console, "mona")
    page.get_by_test_id("nav-chats").click()
    row = page.get_by_test_id(f"row-{chat}")
    row.wait_for()
    assert row.get_by_test_id("cell-end-user").inner_text() == "Kim Lee"
    assert row.get_by_test_id("cell-channel").inner_text() == "Web chat"
    row.get_by_test_id(f"open-{chat}").click()
    page.get_by_test_id(f"action-view-{chat}").click()
    page.get_by_test_id("transcript-message").first.wait_for()
    assert "My refund is late" in page.get_by_test_id("transcript").inner_text()
    _say(functions, sdk_token, "kim-1", chat, "Order 1234")
    page.get_by_test_id("transcript-message").nth(1).wait_for(timeout=3000)
    assert "Order 1234" in page.get_by_test_id("transcript").inner_text()
    # Read-only: there is nowhere to type; viewing shows in the session's viewers.
    assert (
        page.locator(
            "[data-testid='transcript'] ~ textarea, [data-testid='transcript'] input"
        ).count()
        == 0
    )
    page.get_by_test_id(f"action-stop_viewing-{chat}").wait_for()
    assert "Mona Manager" in page.get_by_test_id("field-monitors").inner_text()


def test_agents_page_monitors_an_agents_call(functions: Any, console: str, page: Any) -> None:
    call = calls.incoming(functions, "billing-refunds")
    calls.assign(functions, call, agent="alex")
    sign_in(page, console, "mona")
    page.get_by_test_id("nav-agents").click()
    alex = page.get_by_test_id("agent-alex")
    alex.wait_for()
    assert page.get_by_test_id("agent-bea").count() == 0  # another team's agent
    assert alex.get_by_test_id("cell-activity").inner_text() == "On a call"
    assert "Billing > Refunds" in alex.get_by_test_id("cell-current").inner_text()
    page.get_by_test_id("action-monitor-agent-alex").click()
    page.get_by_test_id("agent-result-alex").wait_for()
    assert page.get_by_test_id("agent-result-alex").inner_text().strip() == "Monitoring started"
    # The current session links to its details, which now list Mona as a monitor.
    alex.get_by_role("link").first.click()
    page.get_by_test_id("field-monitors").wait_for()
    assert "Mona Manager (listening)" in page.get_by_test_id("field-monitors").inner_text()
    page.get_by_test_id(f"action-stop_monitoring-{call.call_sid}").wait_for()


def test_audit_log_filters(
    functions: Any, console: str, page: Any, signed_in: Callable[[str], str]
) -> None:
    mon = functions.function_url("monitoring_http")
    made = []
    for _ in range(2):
        call = calls.incoming(functions, "billing-refunds")
        calls.assign(functions, call)
        made.append(call)
    ends = [("mona", made[0]), ("ada", made[1])]
    for user, call in ends:
        token = signed_in(user)
        r = requests.post(
            f"{mon}/calls/{call.call_sid}/monitor",
            json={"mode": "listen"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert r.status_code in (200, 201), r.text
        r = requests.post(
            f"{mon}/calls/{call.call_sid}/end",
            json={"reason": f"ended by {user}"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert r.status_code == 200, r.text
    sign_in(page, console, "ada")
    page.get_by_test_id("nav-audit").click()
    rows = page.locator(".audit-row")
    expect(rows).to_have_count(4)
    page.get_by_test_id("filter-actor").fill("mona")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id(f"audit-{made[0].call_sid}-session.end")).to_be_visible()
    page.get_by_test_id("filter-action").select_option("session.end")
    expect(rows).to_have_count(1)
    assert "ended by mona" in rows.first.inner_text()
    page.get_by_test_id("filter-actor").fill("")
    page.get_by_test_id("filter-action").select_option("")
    page.get_by_test_id("filter-session").fill(made[1].call_sid)
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id(f"audit-{made[1].call_sid}-monitor.start")).to_be_visible()
    # A time window that ends before anything happened shows nothing.
    page.get_by_test_id("filter-until").fill("2020-01-01T00:00")
    expect(rows).to_have_count(0)
    page.get_by_test_id("filter-until").fill("")
    page.get_by_test_id("filter-since").fill("2020-01-01T00:00")
    expect(rows).to_have_count(2)


def test_times_in_the_viewers_and_the_queues_zone(
    functions: Any, console: str, new_page: Callable[..., Any]
) -> None:
    call = calls.incoming(functions, "billing-refunds")
    page = new_page(locale="en-US", timezone="Asia/Seoul")
    sign_in(page, console, "mona")
    cell = page.get_by_test_id(f"row-{call.call_sid}").get_by_test_id("cell-started")
    cell.wait_for()
    text = cell.inner_text()
    # The viewer's zone (Seoul) first, then the queue's (New York).
    assert "GMT+9" in text and ("EST" in text or "EDT" in text), text


def test_paging_through_more_rows_than_a_page(functions: Any, console: str, page: Any) -> None:
    made = [calls.incoming(functions, "billing-payments", f"+1415555{i:04d}") for i in range(27)]
    sign_in(page, console, "mona")
    rows = page.locator("[data-testid^='row-']")
    expect(rows).to_have_count(25)
    expect(page.get_by_test_id(f"row-{made[0].call_sid}")).to_be_visible()
    page.get_by_test_id("page-next").click()
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id(f"row-{made[26].call_sid}")).to_be_visible()
    assert page.get_by_test_id("page-number").inner_text() == "Page 2"
    page.get_by_test_id("page-prev").click()
    expect(rows).to_have_count(25)
    page.get_by_test_id("filter-q").fill("+14155550026")
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id(f"row-{made[26].call_sid}")).to_be_visible()


@pytest.mark.slow
def test_ten_thousand_live_sessions_in_scope(functions: Any, console: str, page: Any) -> None:
    import random

    from bench.monitoring_list import seed
    from monitoring import live

    seed(10_000, random.Random(3))
    # Seeded straight into Firestore (no events): the live-list projection is built as on a
    # first deploy (`python -m monitoring.live`); from then on the event consumer keeps it.
    live.rebuild()
    statuses: list[int] = []
    page.on(
        "response",
        lambda r: statuses.append(r.status) if "/calls?" in r.url else None,
    )
    sign_in(page, console, "ada")
    rows = page.locator("[data-testid^='row-']")
    # One page is fetched and rendered, not 5,000 calls. (The emulator has no indexes: it
    # scans every session per query, so its answers take seconds under load.)
    expect(rows).to_have_count(25, timeout=30_000)
    # Polling an unchanged page costs a 304 each time, no body.
    for _ in range(60):
        if statuses.count(304) >= 2:
            break
        page.wait_for_timeout(500)
    assert statuses.count(304) >= 2, statuses
    # The page itself stays responsive: its main thread answers at once while it polls.
    t0 = time.monotonic()
    page.evaluate("() => document.querySelectorAll('tr').length")
    assert time.monotonic() - t0 < 0.5
    first = rows.first.get_attribute("data-testid")
    page.get_by_test_id("page-next").click()
    expect(rows.first).not_to_have_attribute("data-testid", first or "", timeout=30_000)
    expect(rows).to_have_count(25)
    page.get_by_test_id("filter-q").fill("User 4243")
    expect(rows).to_have_count(1, timeout=30_000)
    assert "User 4243" in rows.first.inner_text()
