"""Fixtures for the monitoring tests: sessions on the emulator, calls on the Twilio stand-in."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest
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


@pytest.fixture
def put_session(suite: Any) -> Callable[..., dict[str, Any]]:
    """Write a session document as the sessions capability would leave it."""
    from core import clients
    from core.sessions.store import COLLECTION

    def _put(session_id: str | None = None, **kw: Any) -> dict[str, Any]:
        channel = kw.get("channel", "voice")
        session_id = session_id or sid("CA" if channel == "voice" else "CH")
        doc = session_doc(session_id, **kw)
        clients.firestore().collection(COLLECTION).document(session_id).set(doc)
        return doc

    return _put


@pytest.fixture
def twilio_call(suite: Any) -> Callable[..., dict[str, str]]:
    """A live customer call and its agent in one conference on the Twilio stand-in."""
    base = suite.url("twilio")

    def _call() -> dict[str, str]:
        conference = sid("CF")
        customer = requests.post(
            f"{base}/_control/calls",
            json={
                "status": "in-progress",
                "conference_sid": conference,
                "label": "customer",
                "from": "+14155550123",
            },
            timeout=5,
        ).json()["sid"]
        agent = requests.post(
            f"{base}/_control/calls",
            json={
                "status": "in-progress",
                "conference_sid": conference,
                "label": "agent",
                "to": "client:alex",
            },
            timeout=5,
        ).json()["sid"]
        return {"conference_sid": conference, "call_sid": customer, "agent_call_sid": agent}

    return _call


@pytest.fixture
def live_call(
    put_session: Callable[..., dict[str, Any]], twilio_call: Callable[..., dict[str, str]]
) -> Callable[..., dict[str, Any]]:
    """A connected call session backed by a real conference on the stand-in."""

    def _live(queue_id: str = "billing-refunds", **kw: Any) -> dict[str, Any]:
        t = twilio_call()
        return put_session(
            t["call_sid"],
            queue_id=queue_id,
            carrier={
                "call_sid": t["call_sid"],
                "conference_sid": t["conference_sid"],
                "from": "+14155550123",
                "to": "+18005550000",
            },
            **{
                "participants": [
                    {"role": "customer", "call_sid": t["call_sid"]},
                    {"role": "agent", "id": "alex", "call_sid": t["agent_call_sid"]},
                ]
            }
            | kw,
        ) | {"_twilio": t}

    return _live


@pytest.fixture
def participants(suite: Any) -> Callable[[str], list[dict[str, Any]]]:
    """Everyone who ever joined a conference on the stand-in (with Beep and removal)."""

    def _get(conference_sid: str) -> list[dict[str, Any]]:
        r = requests.get(
            f"{suite.url('twilio')}/_control/conferences/{conference_sid}/participants", timeout=5
        )
        r.raise_for_status()
        return r.json()["participants"]

    return _get


@pytest.fixture
def mon(app_client: Callable[..., Any], demo: Any) -> Any:
    """The monitoring function in-process, with the demo center applied."""
    return app_client("monitoring_http")


@pytest.fixture
def auth(portal_token: Callable[[str], str]) -> Callable[[str], dict[str, str]]:
    return lambda user: {"Authorization": f"Bearer {portal_token(user)}"}


@pytest.fixture
def audit_entries(suite: Any) -> Callable[..., list[dict[str, Any]]]:
    def _read(session_id: str | None = None) -> list[dict[str, Any]]:
        from core import clients

        docs = [d.to_dict() for d in clients.firestore().collection("audit").stream()]
        return [d for d in docs if session_id is None or d["session_id"] == session_id]

    return _read


class Served:
    """HTTP calls to the served functions (functions-framework processes), as a user."""

    def __init__(self, suite: Any) -> None:
        self.suite = suite

    def call(
        self, fn: str, method: str, path: str, user: str | None = None, **kw: Any
    ) -> requests.Response:
        from core.auth.portal import issue

        headers = kw.pop("headers", {})
        if user:
            headers["Authorization"] = f"Bearer {issue(user)}"
        url = self.suite.function_url(fn) + path
        return requests.request(method, url, headers=headers, timeout=30, **kw)

    def mon(self, method: str, path: str, user: str, **kw: Any) -> requests.Response:
        return self.call("monitoring_http", method, path, user, **kw)


@pytest.fixture
def served(functions: Any, demo: Any) -> Served:
    return Served(functions)


@pytest.fixture
def leg_of(suite: Any) -> Callable[[str, str], dict[str, Any]]:
    """One conference participant on the stand-in, with its parameters and updates."""

    def _get(conference_sid: str, call_sid: str) -> dict[str, Any]:
        r = requests.get(
            f"{suite.url('twilio')}/_control/conferences/{conference_sid}/participants", timeout=5
        )
        r.raise_for_status()
        return next(p for p in r.json()["participants"] if p["call_sid"] == call_sid)

    return _get
