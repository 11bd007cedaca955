"""Helpers of the smartactions tests (plain functions, constants and classes; the fixtures
are in tests/smartactions/conftest.py)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

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


MOBILE_CALL = "mobile_call"  # live_session(channel=...): a call placed by the mobile SDK


OPEN = "2026-06-01T16:00:00Z"  # a Monday noon in the demo center: billing is open


def start_sdk_call(
    suite: Any, app_client: Callable[[str], Any], token: str, queue_id: str = "billing-refunds"
) -> tuple[str, str]:
    """A mobile SDK call as the app places it: POST /sdk/calls, then the Voice SDK's leg
    (a live call on the Twilio stand-in) reaches the TwiML App, signed. (session, CallSid)"""
    import requests

    from tests.helpers.common import twilio_signed

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
