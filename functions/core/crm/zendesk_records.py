"""Customer records in Zendesk: end users found or created by external id, merged at
sign-in, tickets per session (and per voicemail) with the profile-flag tags and notes.

Every write here is safe to repeat: users are matched on `external_id` (create_or_update),
a session's ticket carries the session id as its `external_id` and is looked up among the
requester's tickets before one is created, a voicemail's ticket is looked up by its
`external_id` before the audio is uploaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from core.crm import zendesk_http
from core.crm.errors import Permanent
from core.crm.records import CrmId

FLAG_TAGS = {
    "verified_customer": "cc_verified_customer",
    "bad_actor": "cc_bad_actor",
    "repeat_customer": "cc_repeat_customer",
}


class ZendeskRecords:
    name = "zendesk"

    def upsert_contact(
        self,
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
        return zendesk_http.call(
            "POST", "/api/v2/users/create_or_update.json", json={"user": user}
        )["user"]

    def find_contact(self, external_id: str) -> dict[str, Any] | None:
        users = (
            zendesk_http.call(
                "GET", "/api/v2/users/search.json", params={"external_id": external_id}
            ).get("users")
            or []
        )
        active = [u for u in users if u.get("active", True)]
        return active[0] if active else None

    def get_contact(self, contact_id: CrmId) -> dict[str, Any] | None:
        try:
            return zendesk_http.call("GET", f"/api/v2/users/{int(contact_id)}.json")["user"]
        except Permanent as exc:
            if exc.status == 404:
                return None
            raise

    def merge_contacts(self, source_id: CrmId, target_id: CrmId) -> None:
        """Merge end user `source_id` into `target_id` (its tickets move to the target)."""
        zendesk_http.call(
            "PUT",
            f"/api/v2/users/{int(source_id)}/merge.json",
            json={"user": {"id": int(target_id)}},
        )

    def requested_tickets(self, contact_id: CrmId) -> list[dict[str, Any]]:
        return (
            zendesk_http.call("GET", f"/api/v2/users/{int(contact_id)}/tickets/requested.json").get(
                "tickets"
            )
            or []
        )

    def ensure_session_ticket(
        self, session_id: str, requester_id: CrmId, subject: str, body: str
    ) -> dict[str, Any]:
        """The session's ticket, created once: a retry finds it by external_id first."""
        for t in self.requested_tickets(requester_id):
            if t.get("external_id") == session_id:
                return t
        ticket = {
            "subject": subject,
            "external_id": session_id,
            "requester_id": int(requester_id),
            "comment": {"body": body, "public": False},
        }
        return zendesk_http.call("POST", "/api/v2/tickets.json", json={"ticket": ticket})["ticket"]

    def write_flags(self, ticket_id: CrmId, profile: dict[str, Any], note: str | None) -> None:
        """Make the ticket's flag tags equal the profile (idempotent), with an optional note."""
        add = [tag for f, tag in FLAG_TAGS.items() if profile.get(f)]
        remove = [tag for f, tag in FLAG_TAGS.items() if not profile.get(f)]
        ticket: dict[str, Any] = {"additional_tags": add, "remove_tags": remove}
        if note:
            ticket["comment"] = {"body": note, "public": False}
        zendesk_http.call("PUT", f"/api/v2/tickets/{int(ticket_id)}.json", json={"ticket": ticket})

    def add_note(self, ticket_id: CrmId, note: str) -> None:
        zendesk_http.call(
            "PUT",
            f"/api/v2/tickets/{int(ticket_id)}.json",
            json={"ticket": {"comment": {"body": note, "public": False}}},
        )

    def ticket_url(self, ticket_id: CrmId) -> str:
        from core.settings import settings

        base = settings().zendesk_base_url.rstrip("/")
        return f"{base}/agent/tickets/{quote(str(ticket_id))}"

    def ensure_voicemail_ticket(
        self,
        external_id: str,
        subject: str,
        body: str,
        audio: Callable[[], bytes],
        filename: str,
        content_type: str,
    ) -> CrmId:
        """A ticket with the voicemail attached, found by its external_id before anything
        is uploaded, so a retry after an unknown outcome never opens a second one."""
        found = zendesk_http.call(
            "GET", "/api/v2/tickets.json", params={"external_id": external_id}
        )
        tickets = found.get("tickets") or []
        if tickets:
            return tickets[0]["id"]
        up = zendesk_http.send(
            "POST",
            "/api/v2/uploads.json",
            params={"filename": filename},
            data=audio(),
            headers={"Content-Type": content_type},
        )
        ticket = {
            "subject": subject,
            "external_id": external_id,
            "tags": ["voicemail", "after_hours"],
            "comment": {"body": body, "uploads": [str(up["upload"]["token"])], "public": False},
        }
        return zendesk_http.call("POST", "/api/v2/tickets.json", json={"ticket": ticket})["ticket"][
            "id"
        ]
