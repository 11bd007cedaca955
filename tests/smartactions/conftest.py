"""SmartActions fixtures: live SDK sessions, media samples, an injectable clock."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

SA = "smartactions_http"


def png_bytes(extra: int = 0) -> bytes:
    """A real 1x1 PNG (optionally padded with a private chunk)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", ihdr)
    if extra:
        body += chunk(b"prVt", b"\x01" * extra)
    body += chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def jpeg_bytes() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\x11" * 200
        + b"\xff\xd9"
    )


def mp4_bytes(payload: int = 2048) -> bytes:
    ftyp = struct.pack(">I", 24) + b"ftyp" + b"isom" + struct.pack(">I", 0x200) + b"isomiso2"
    mdat = struct.pack(">I", 8 + payload) + b"mdat" + b"\x42" * payload
    return ftyp + mdat


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """SmartActions' notion of now, moved by tests (expiry, URL lifetimes, retention)."""
    import time

    from smartactions import clock as sa_clock

    class Clock:
        offset = 0.0

        def advance(self, seconds: float) -> None:
            self.offset += seconds

        def now(self) -> float:
            return time.time() + self.offset

    c = Clock()
    monkeypatch.setattr(sa_clock, "now", c.now)
    return c


@pytest.fixture(autouse=True)
def _fresh_sa_settings() -> Iterator[None]:
    from core import caches

    caches.reset()
    yield
    caches.reset()


@pytest.fixture
def sa(app_client: Callable[[str], Any]) -> Any:
    return app_client(SA)


MOBILE_CALL = "mobile_call"  # live_session(channel=...): a call placed by the mobile SDK
OPEN = "2026-06-01T16:00:00Z"  # a Monday noon in the demo center: billing is open


def start_sdk_call(
    suite: Any, app_client: Callable[[str], Any], token: str, queue_id: str = "billing-refunds"
) -> tuple[str, str]:
    """A mobile SDK call as the app places it: POST /sdk/calls, then the Voice SDK's leg
    (a live call on the Twilio stand-in) reaches the TwiML App, signed. (session, CallSid)"""
    import requests

    from tests.conftest import twilio_signed

    deflection = app_client("deflection_http")
    r = deflection.post(
        "/sdk/calls",
        query_string={"at": OPEN},
        json={"queue_id": queue_id},
        headers=bearer(token),
    )
    assert r.status_code == 201, r.get_json()
    params = r.get_json()["call"]["params"]
    call = requests.post(
        f"{suite.url('twilio')}/_control/calls",
        json={"status": "in-progress", "from": "client:app-user"},
        timeout=10,
    ).json()
    form = {"CallSid": call["sid"], "From": "client:app-user", "To": "", **params}
    url = "https://functions.test/twilio/sdk-calls/voice"
    r = deflection.post("/twilio/sdk-calls/voice", data=form, headers=twilio_signed(url, form))
    assert r.status_code == 200, r.data
    return params["session_id"], call["sid"]


@pytest.fixture
def live_session(
    suite: Any,
    demo: Any,
    app_client: Callable[[str], Any],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> Callable[..., str]:
    """Start an SDK chat (or, channel "mobile_call", a mobile SDK call) as an end user and
    assign it to an agent; returns its id."""

    def _make(
        identifier: str = "cust-1",
        channel: str = "mobile",
        queue_id: str = "billing-refunds",
        agent: str = "alex",
    ) -> str:
        sessions = app_client("sessions_http")
        if channel == MOBILE_CALL:
            sid, _ = start_sdk_call(suite, app_client, sdk_token(identifier), queue_id)
        else:
            r = sessions.post(
                "/sdk/chats",
                json={"channel": channel, "queue_id": queue_id},
                headers=bearer(sdk_token(identifier)),
            )
            assert r.status_code == 201, r.get_json()
            sid = r.get_json()["session"]["id"]
        r = sessions.post(
            f"/agent/sessions/{sid}/assign",
            json={"agent_id": agent},
            headers=bearer(portal_token("router")),  # routing assigns
        )
        assert r.status_code == 200, r.get_json()
        return sid

    return _make


def signed_result(session_id: str, request_id: str, **kw: Any) -> str:
    """A verification result signed as the company backend signs it."""
    from smartactions.verification import issue

    return issue(session_id, request_id, **kw)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def local_path(url: str) -> str:
    """Path + query of a URL this function issued (the in-process client takes paths)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def bucket_names(prefix: str) -> list[str]:
    from core import clients
    from core.settings import settings

    return [
        b.name for b in clients.storage_client().list_blobs(settings().media_bucket, prefix=prefix)
    ]


def events_of(session_id: str) -> list[dict[str, Any]]:
    """The session's staged events (the outbox), oldest first."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from core import clients

    q = (
        clients.firestore()
        .collection("session_events")
        .where(filter=FieldFilter("session_id", "==", session_id))
    )
    return sorted((d.to_dict() for d in q.stream()), key=lambda e: e["at"])
