"""What a CRM offers for customer records (core/crm/choice.py picks one per use):
end-user contacts, their merge at sign-in, a ticket / case per session with the profile
flags and notes on it, and a ticket / case per after-hours voicemail with its audio.

Ids are the CRM's own: integers in Zendesk, 18-character strings in Salesforce; callers
store and pass them back as they came.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

CrmId = int | str


class CrmRecords(Protocol):
    name: str

    def upsert_contact(
        self,
        external_id: str,
        name: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        tags: list[str] | None = None,
    ) -> dict[str, Any]:
        """Create or update the contact with this external id; returns it with its `id`."""

    def find_contact(self, external_id: str) -> dict[str, Any] | None:
        """The active contact with this external id, if any."""

    def get_contact(self, contact_id: CrmId) -> dict[str, Any] | None:
        """The contact (`active` false once merged away), None if it does not exist."""

    def merge_contacts(self, source_id: CrmId, target_id: CrmId) -> None:
        """Merge `source_id` into `target_id`: its tickets / cases move to the target."""

    def requested_tickets(self, contact_id: CrmId) -> list[dict[str, Any]]:
        """The contact's tickets / cases (`id`, `external_id`: the session id)."""

    def ensure_session_ticket(
        self, session_id: str, requester_id: CrmId, subject: str, body: str
    ) -> dict[str, Any]:
        """The session's ticket / case, created once (a retry finds it)."""

    def write_flags(self, ticket_id: CrmId, profile: dict[str, Any], note: str | None) -> None:
        """Make the ticket's flags equal the profile (repeatable), with an optional note."""

    def add_note(self, ticket_id: CrmId, note: str) -> None:
        """An internal note on the ticket / case."""

    def ticket_url(self, ticket_id: CrmId) -> str:
        """Where an agent opens the ticket / case."""

    def ensure_voicemail_ticket(
        self,
        external_id: str,
        subject: str,
        body: str,
        audio: Callable[[], bytes],
        filename: str,
        content_type: str,
    ) -> CrmId:
        """A ticket / case with the voicemail attached, created once (a retry finds it;
        `audio` is read only when it still has to be attached)."""
