"""The two Zendesk calls voicemail delivery needs (upload, ticket), made idempotent by
the ticket's external_id: before creating, we look for a ticket already carrying it, so
a retry after an unknown outcome never opens a second ticket."""

from __future__ import annotations

from typing import Any

from core.crm.zendesk_http import call, send


def find_ticket(external_id: str) -> dict[str, Any] | None:
    found = call("GET", "/api/v2/tickets.json", params={"external_id": external_id})
    tickets = found.get("tickets") or []
    return tickets[0] if tickets else None


def upload(filename: str, data: bytes, content_type: str) -> str:
    body = send(
        "POST",
        "/api/v2/uploads.json",
        params={"filename": filename},
        data=data,
        headers={"Content-Type": content_type},
    )
    return str(body["upload"]["token"])


def create_ticket(ticket: dict[str, Any]) -> dict[str, Any]:
    return call("POST", "/api/v2/tickets.json", json={"ticket": ticket})["ticket"]
