"""Fixtures for the monitoring tests: sessions on the emulator, calls on the Twilio stand-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.helpers.monitoring import Served, session_doc, sid


@pytest.fixture
def put_session(suite: Any) -> Callable[..., dict[str, Any]]:
    """Write a session document as the sessions capability would leave it."""
    from core import clients
    from core.sessions.store import COLLECTION
    from monitoring import live

    def _put(session_id: str | None = None, **kw: Any) -> dict[str, Any]:
        channel = kw.get("channel", "voice")
        session_id = session_id or sid("CA" if channel == "voice" else "CH")
        doc = session_doc(session_id, **kw)
        clients.firestore().collection(COLLECTION).document(session_id).set(doc)
        # What the session's event does through monitoring_on_event: the live lists' row.
        live.refresh(session_id)
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
