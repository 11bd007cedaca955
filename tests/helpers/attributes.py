"""Helpers of the attributes tests (plain functions, constants and classes; the fixtures
are in tests/attributes/conftest.py)."""

from __future__ import annotations

import base64
import copy
import os
import secrets
from collections.abc import Callable
from typing import Any

import requests
import yaml

from tests.helpers.common import DEMO_CONFIG

REDIRECTION = {
    "option": "sip",
    "sip": {
        "uri": "sip:overflow@pbx.partner.example",
        "data_parameters_enabled": True,
        "data_parameters": [
            {
                "field": "verified_customer",
                "type": "dynamic",
                "source": "sip_header",
                "source_field": "X-Verified",
            },
            {
                "field": "bad_actor",
                "type": "dynamic",
                "source": "sip_header",
                "source_field": "X-Fraud-Flag",
            },
            {
                "field": "repeat_customer",
                "type": "dynamic",
                "source": "ujet_metadata",
                "source_field": "Repeat Customer",
            },
        ],
        "data_records": {"in_metadata": True, "in_crm_record": True},
    },
}


def demo_dict() -> dict[str, Any]:
    return yaml.safe_load(DEMO_CONFIG.read_text())


def with_redirection(timezone: str | None = None) -> dict[str, Any]:
    """Demo config; the Billing tree redirects over SIP (children inherit it)."""
    cfg = copy.deepcopy(demo_dict())
    for q in cfg["queues"]:
        if q["id"] == "billing":
            q["redirection"] = copy.deepcopy(REDIRECTION)
        if q["id"] == "support":
            for c in q["children"]:
                if c["id"] == "support-mobile":
                    c["virtual_agent"]["data_parameters"] = [
                        {
                            "field": "caller_verified",
                            "type": "dynamic",
                            "source": "session_metadata",
                            "source_field": "Verified Customer",
                        }
                    ]
    if timezone:
        cfg["center"]["timezone"] = timezone
    return cfg


def basic(user: str = "demo", password: str | None = None) -> dict[str, str]:
    # The suite's token: the local one, or a random one with SUITE_MODE=cloud.
    password = password or os.environ.get("APPS_API_TOKENS", "local-apps-token").split(",")[0]
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def call_sid() -> str:
    return "CA" + secrets.token_hex(16)


def make_call(queue_id: str = "billing-refunds", sid: str | None = None) -> str:
    """A queued call session as the IVR leaves it."""
    from core.config.store import get_view
    from core.sessions import store

    sid = sid or call_sid()
    node = get_view().queue(queue_id)
    store.ensure(
        sid,
        "queued",
        {
            "channel": "voice",
            "queue_id": queue_id,
            "queue_path": node.path if node else None,
            "end_user": {
                "id": "+14155550123",
                "name": None,
                "email": None,
                "phone": "+14155550123",
                "anonymous": True,
            },
        },
    )
    return sid


def start_chat(client: Any, token: str, queue_id: str = "billing-refunds", **extra: Any) -> Any:
    return client.post(
        "/sdk/chats",
        json={"queue_id": queue_id, **extra},
        headers={"Authorization": f"Bearer {token}"},
    )


def zendesk(suite: Any, path: str) -> Any:
    return requests.get(f"{suite.url('zendesk')}/_control/{path}", timeout=10).json()


def profile_notes(ticket: dict[str, Any]) -> list[str]:
    """The CRM writes of profile changes on a ticket (one private note each)."""
    return [c["body"] for c in ticket.get("comments", []) if "Customer profile:" in c["body"]]


def wait_ticket(
    suite: Any, session_id: str, ready: Callable[[dict[str, Any]], bool], timeout: float = 60.0
) -> dict[str, Any]:
    """The session's one ticket once `ready` (the CRM consumer works after the request)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        found = [t for t in zendesk(suite, "tickets")["tickets"] if t["external_id"] == session_id]
        assert len(found) <= 1, "one ticket per session"
        if found and ready(found[0]):
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"ticket of {session_id} never ready: {found}")
        time.sleep(0.3)
