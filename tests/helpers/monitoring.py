"""Helpers of the monitoring tests (plain functions, constants and classes; the fixtures
are in tests/monitoring/conftest.py)."""

from __future__ import annotations

import secrets
import time
from typing import Any

import requests

QUEUE_PATHS = {
    "billing-refunds": "Billing > Refunds",
    "billing-payments": "Billing > Payments",
    "support-internet": "Technical Support > Internet",
    "support-mobile": "Technical Support > Mobile",
    "sales-general": "Sales > General",
    "sales-spanish": "Sales > Ventas",
}


TEAM_OF = {"billing": "billing-team", "support": "support-team", "sales": "sales-team"}


def sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def session_doc(
    session_id: str,
    *,
    channel: str = "voice",
    status: str = "connected",
    queue_id: str = "billing-refunds",
    agent_id: str | None = "alex",
    created_at: float | None = None,
    **fields: Any,
) -> dict[str, Any]:
    from core.sessions.model import new_session

    now = time.time()
    created = created_at if created_at is not None else now - 60
    doc = new_session(
        session_id,
        channel,
        status,
        created,
        queue_id=queue_id,
        queue_path=QUEUE_PATHS.get(queue_id),
        team_ids=[TEAM_OF[queue_id.split("-")[0]]] if queue_id else [],
        agent_id=agent_id if status == "connected" else None,
        queued_at=created,
        updated_at=created,
    )
    if status == "connected":
        doc["connected_at"] = created + 30
        doc["status_history"].append({"status": "connected", "at": created + 30})
    doc.update(fields)
    return doc


class Served:
    """HTTP calls to the served functions (functions-framework processes), as a user."""

    def __init__(self, suite: Any) -> None:
        self.suite = suite

    def call(
        self, fn: str, method: str, path: str, user: str | None = None, **kw: Any
    ) -> requests.Response:
        from tests.helpers.common import person_token

        headers = kw.pop("headers", {})
        if user:
            audience = self.suite.function_url(fn)  # for a service user's ID token
            headers["Authorization"] = f"Bearer {person_token(user, audience=audience)}"
        url = self.suite.function_url(fn) + path
        return requests.request(method, url, headers=headers, timeout=30, **kw)

    def mon(self, method: str, path: str, user: str, **kw: Any) -> requests.Response:
        return self.call("monitoring_http", method, path, user, **kw)
