"""How console_http serves the console, and what the API functions do for it: cache
headers, the <base> tag, config.json, CORS for the console's origin only, ETag / 304 on
the polled lists, GET /me."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests


def test_page_assets_and_config(functions: Any, console_build: Path) -> None:
    base = functions.function_url("console_http")
    r = requests.get(base + "/", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert r.headers["Cache-Control"] == "no-cache"
    assert f'<base href="{base}/">' in r.text
    assets = re.findall(r'(?:src|href)="\./(assets/[^"]+)"', r.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for a in assets:
        ar = requests.get(f"{base}/{a}", timeout=30)
        assert ar.status_code == 200, a
        assert ar.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert requests.get(base + "/assets/%2e%2e/index.html", timeout=30).status_code == 404
    assert requests.get(base + "/assets/nope.js", timeout=30).status_code == 404

    cfg = requests.get(base + "/config.json", timeout=30).json()
    assert cfg["firebase"]["projectId"] == functions.project
    # Cloud-shaped functions are never told of the Auth emulator (CLOUD_WITHHELD_ENV).
    emulator = (
        None if functions.cloud else f"http://{functions.env()['FIREBASE_AUTH_EMULATOR_HOST']}"
    )
    assert cfg["authEmulator"] == emulator
    assert cfg["functions"]["monitoring_http"] == functions.function_url("monitoring_http")
    assert cfg["functions"]["console_http"] == base


def test_cors_for_the_console_origin_only(functions: Any) -> None:
    mon = functions.function_url("monitoring_http")
    origin = functions.function_url("console_http")
    pre = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    r = requests.options(f"{mon}/calls", headers={"Origin": origin, **pre}, timeout=30)
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == origin
    assert "If-None-Match" in r.headers["Access-Control-Allow-Headers"]
    # The actual answer (here a 401) is readable by the console, ETag exposed.
    r = requests.get(f"{mon}/calls", headers={"Origin": origin}, timeout=30)
    assert r.status_code == 401 and r.headers["Access-Control-Allow-Origin"] == origin
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    # Any other origin gets no CORS headers (the browser then refuses to read the answer).
    evil = "http://evil.example"
    r = requests.options(f"{mon}/calls", headers={"Origin": evil, **pre}, timeout=30)
    assert "Access-Control-Allow-Origin" not in r.headers and r.status_code == 405
    r = requests.get(f"{mon}/calls", headers={"Origin": evil}, timeout=30)
    assert "Access-Control-Allow-Origin" not in r.headers


def test_lists_answer_304_until_something_changes(
    functions: Any, demo: Any, signed_in: Callable[[str], str], sdk_token: Callable[..., str]
) -> None:
    mon = functions.function_url("monitoring_http")
    auth = {"Authorization": f"Bearer {signed_in('mona')}"}
    first = requests.get(f"{mon}/chats", headers=auth, timeout=30)
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    again = requests.get(
        f"{mon}/chats", headers=auth | {"If-None-Match": first.headers["ETag"]}, timeout=30
    )
    assert again.status_code == 304 and again.content == b""
    # A new chat in Mona's team changes the list: 200 with the row and a new ETag.
    r = requests.post(
        f"{functions.function_url('sessions_http')}/sdk/chats",
        json={"channel": "web", "queue_id": "billing-refunds"},
        headers={"Authorization": f"Bearer {sdk_token('cust-etag')}"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    # The row arrives through the session event (monitoring_on_event): 304 until then.
    deadline = time.monotonic() + 30
    while True:
        changed = requests.get(
            f"{mon}/chats", headers=auth | {"If-None-Match": first.headers["ETag"]}, timeout=30
        )
        if changed.status_code != 304 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert [row["id"] for row in changed.json()["items"]] == [r.json()["session"]["id"]]
    # Its running clock ticks, yet the ETag stays while nothing else changes.
    same = requests.get(
        f"{mon}/chats", headers=auth | {"If-None-Match": changed.headers["ETag"]}, timeout=30
    )
    assert same.status_code == 304


def test_me_says_who_and_what(functions: Any, demo: Any, signed_in: Callable[[str], str]) -> None:
    mon = functions.function_url("monitoring_http")
    r = requests.get(f"{mon}/me", headers={"Authorization": f"Bearer {signed_in('mona')}"})
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["user"]["id"] == "mona" and me["user"]["name"] == "Mona Manager"
    assert [x["id"] for x in me["user"]["roles"]] == ["manager"]
    assert [x["id"] for x in me["user"]["teams"]] == ["billing-team"]
    assert "monitor.barge" in me["user"]["permissions"]
    assert "audit.read" not in me["user"]["permissions"]
    assert {q["id"] for q in me["queues"]} >= {"billing", "billing-refunds"}
    assert all(q["path"].startswith("Billing") for q in me["queues"])
    assert all(q["time_zone"] for q in me["queues"])
    r = requests.get(f"{mon}/me", headers={"Authorization": f"Bearer {signed_in('alex')}"})
    assert r.status_code == 200 and "monitor" not in r.json()["user"]["permissions"]
