"""Settings > Changes: the settings audit shows who changed what; the settings file is
exported, and an import is reviewed (dry run) and applied only onto the reviewed version."""

from __future__ import annotations

import json
from typing import Any

import requests

from tests.helpers.console import axe_violations, sign_in

# Each function answers its first request after a cold start (imports), which on a
# loaded CI machine takes seconds: the first wait of a page allows for it.
SLOW = 60_000


def _patch_center(functions: Any, token: str, body: dict[str, Any]) -> None:
    url = functions.function_url("settings_http") + "/settings/center"
    auth = {"Authorization": f"Bearer {token}"}
    etag = requests.get(url, headers=auth, timeout=30).headers["ETag"]
    r = requests.patch(
        url,
        data=json.dumps(body),
        headers=auth | {"If-Match": etag, "Content-Type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 200, r.text


def _center(functions: Any, token: str) -> dict[str, Any]:
    url = functions.function_url("settings_http") + "/settings/center"
    return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).json()[
        "data"
    ]


def test_audit_export_and_an_import_applied_only_onto_the_reviewed_version(
    page: Any, console: str, functions: Any, signed_in: Any
) -> None:
    token = signed_in("ada")
    _patch_center(functions, token, {"name": "Acme Telecom Care"})
    page.set_default_timeout(SLOW)
    sign_in(page, console, "ada")
    page.goto(console + "#/settings/history")
    row = page.locator("[data-testid='history-row'][data-resource='center']").first
    row.wait_for()
    assert "Ada Admin" in row.inner_text() and "Acme Telecom Care" in row.inner_text()
    assert axe_violations(page) == []

    page.get_by_test_id("history-export").click()
    link = page.get_by_test_id("history-download")
    link.wait_for()
    exported = page.evaluate("url => fetch(url).then(r => r.text())", link.get_attribute("href"))
    assert "Acme Telecom Care" in exported
    edited = exported.replace("support@acme-telecom.example", "care@acme-telecom.example")
    assert edited != exported
    upload = {"name": "center.yaml", "mimeType": "application/yaml", "buffer": edited.encode()}

    # Reviewed, then someone else saves before it is applied: the import is refused.
    page.get_by_test_id("history-import").set_input_files(upload)
    review = page.get_by_test_id("history-review")
    review.wait_for()
    assert "Applying this file would change" in review.inner_text()
    _patch_center(functions, token, {"stuck_session_hours": {"voice": 6, "chat": 5}})
    page.get_by_test_id("history-apply").click()
    error = page.get_by_test_id("history-file-error")
    error.wait_for()
    assert "changed since your review" in error.inner_text()
    assert _center(functions, token)["support_email"] == "support@acme-telecom.example"

    # Reviewed again, applied: the file's settings are the center's now.
    page.get_by_test_id("history-import").set_input_files([])
    page.get_by_test_id("history-import").set_input_files(upload)
    page.get_by_test_id("history-review").wait_for()
    page.get_by_test_id("history-apply").click()
    page.get_by_test_id("history-status").get_by_text("Applied.").wait_for()
    center = _center(functions, token)
    assert center["support_email"] == "care@acme-telecom.example"
    assert center["stuck_session_hours"] == {"voice": 5.0, "chat": 5.0}  # as in the file
