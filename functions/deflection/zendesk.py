"""The two Zendesk calls voicemail delivery needs (upload, ticket), made idempotent by
the ticket's external_id: before creating, we look for a ticket already carrying it, so
a retry after an unknown outcome never opens a second ticket."""

from __future__ import annotations

from typing import Any

import requests

from core.crm.errors import Permanent, RateLimited, Transient
from core.settings import settings

TIMEOUT = 30


def _auth() -> tuple[str, str]:
    s = settings()
    return f"{s.zendesk_email}/token", s.zendesk_api_token


def _url(path: str) -> str:
    return settings().zendesk_base_url.rstrip("/") + path


def _check(resp: requests.Response) -> dict[str, Any]:
    if resp.status_code == 429:
        ra = resp.headers.get("Retry-After")
        raise RateLimited(float(ra) if ra and ra.replace(".", "", 1).isdigit() else None)
    if resp.status_code >= 500:
        raise Transient(f"zendesk {resp.status_code}")
    if resp.status_code >= 400:
        raise Permanent(resp.status_code, resp.text[:300])
    return resp.json() if resp.content else {}


def _call(method: str, path: str, **kw: Any) -> dict[str, Any]:
    try:
        resp = requests.request(method, _url(path), auth=_auth(), timeout=TIMEOUT, **kw)
    except requests.RequestException as exc:
        raise Transient(str(exc)) from exc
    return _check(resp)


def find_ticket(external_id: str) -> dict[str, Any] | None:
    found = _call("GET", "/api/v2/tickets.json", params={"external_id": external_id})
    tickets = found.get("tickets") or []
    return tickets[0] if tickets else None


def upload(filename: str, data: bytes, content_type: str) -> str:
    body = _call("POST", "/api/v2/uploads.json", params={"filename": filename}, data=data,
                 headers={"Content-Type": content_type})
    return str(body["upload"]["token"])


def create_ticket(ticket: dict[str, Any]) -> dict[str, Any]:
    return _call("POST", "/api/v2/tickets.json", json={"ticket": ticket})["ticket"]
