"""CRM contacts and session tickets (Zendesk): find-or-create by external id, merge one
end user into another, list and create the tickets a contact requested, and set the
profile-flag tags / notes on a ticket.

Every write here is safe to repeat: users are matched on `external_id` (create_or_update),
a session's ticket carries the session id as its `external_id` and is looked up among the
requester's tickets before one is created.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from core.crm import zendesk_http
from core.crm.errors import Permanent

FLAG_TAGS = {
    "verified_customer": "cc_verified_customer",
    "bad_actor": "cc_bad_actor",
    "repeat_customer": "cc_repeat_customer",
}


def upsert_contact(
    external_id: str,
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    tags: list[str] | None = None,
) -> dict[str, Any]:
    """Create the end user with this external id, or update its name / email / phone."""
    user: dict[str, Any] = {"external_id": external_id, "name": name, "role": "end-user"}
    if email:
        user["email"] = email
    if phone:
        user["phone"] = phone
    if tags is not None:
        user["tags"] = tags
    return zendesk_http.call("POST", "/api/v2/users/create_or_update.json", json={"user": user})[
        "user"
    ]


def find_contact(external_id: str) -> dict[str, Any] | None:
    users = (
        zendesk_http.call(
            "GET", "/api/v2/users/search.json", params={"external_id": external_id}
        ).get("users")
        or []
    )
    active = [u for u in users if u.get("active", True)]
    return active[0] if active else None


def get_contact(user_id: int) -> dict[str, Any] | None:
    try:
        return zendesk_http.call("GET", f"/api/v2/users/{int(user_id)}.json")["user"]
    except Permanent as exc:
        if exc.status == 404:
            return None
        raise


def merge_contacts(source_id: int, target_id: int) -> dict[str, Any]:
    """Merge end user `source_id` into `target_id` (its tickets move to the target)."""
    return zendesk_http.call(
        "PUT", f"/api/v2/users/{int(source_id)}/merge.json", json={"user": {"id": int(target_id)}}
    )["user"]


def requested_tickets(user_id: int) -> list[dict[str, Any]]:
    return (
        zendesk_http.call("GET", f"/api/v2/users/{int(user_id)}/tickets/requested.json").get(
            "tickets"
        )
        or []
    )


def ensure_session_ticket(
    session_id: str, requester_id: int, subject: str, body: str
) -> dict[str, Any]:
    """The session's ticket, created once: a retry finds it by external_id first."""
    for t in requested_tickets(requester_id):
        if t.get("external_id") == session_id:
            return t
    ticket = {
        "subject": subject,
        "external_id": session_id,
        "requester_id": int(requester_id),
        "comment": {"body": body, "public": False},
    }
    return zendesk_http.call("POST", "/api/v2/tickets.json", json={"ticket": ticket})["ticket"]


def write_flags(ticket_id: int, profile: dict[str, Any], note: str | None) -> dict[str, Any]:
    """Make the ticket's flag tags equal the profile (idempotent), with an optional note."""
    add = [tag for f, tag in FLAG_TAGS.items() if profile.get(f)]
    remove = [tag for f, tag in FLAG_TAGS.items() if not profile.get(f)]
    ticket: dict[str, Any] = {"additional_tags": add, "remove_tags": remove}
    if note:
        ticket["comment"] = {"body": note, "public": False}
    return zendesk_http.call(
        "PUT", f"/api/v2/tickets/{int(ticket_id)}.json", json={"ticket": ticket}
    )["ticket"]


def add_note(ticket_id: int, note: str) -> dict[str, Any]:
    return zendesk_http.call(
        "PUT",
        f"/api/v2/tickets/{int(ticket_id)}.json",
        json={"ticket": {"comment": {"body": note, "public": False}}},
    )["ticket"]


def ticket_url(ticket_id: int) -> str:
    from core.settings import settings

    return f"{settings().zendesk_base_url.rstrip('/')}/agent/tickets/{quote(str(ticket_id))}"
