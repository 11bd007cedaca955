"""Write profile flags (and redirection notes) to the session's CRM record.

Runs after the Firestore change committed. The CRM write sets the ticket's flag tags to
the session's *current* profile, so repeating it is harmless and a failed write is made
good by the next one; the outcome is kept on the session as `crm_sync`.
"""

from __future__ import annotations

import time
from typing import Any

from attributes import visitors
from attributes.profile import public_profile
from core import logs
from core.crm import choice, session_ticket
from core.crm.errors import CrmError
from core.crm.records import CrmId
from core.sessions import store

log = logs.get("attributes.crm")


def _crm() -> choice.CrmRecords:
    return choice.records("customers")


def contact_for(doc: dict[str, Any]) -> CrmId:
    """The CRM contact of the session's end user (created on first need)."""
    crm = doc.get("crm") or {}
    if crm.get("contact_id"):
        return crm["contact_id"]
    visitor_contact = visitors.crm_contact(doc)  # an anonymous visitor's named contact
    if visitor_contact is not None:
        store.set_fields(doc["id"], {"crm": {"contact_id": visitor_contact}})
        return visitor_contact
    user = doc.get("end_user") or {}
    ext = str(user.get("id") or doc["id"])
    name = user.get("name") or user.get("phone") or ext
    contact = _crm().upsert_contact(ext, name, email=user.get("email"), phone=user.get("phone"))
    store.set_fields(doc["id"], {"crm": {"contact_id": contact["id"]}})
    return contact["id"]


def ticket_for(doc: dict[str, Any]) -> CrmId:
    """The session's ticket, created once (core/crm/session_ticket.py)."""
    crm = doc.get("crm") or {}
    if crm.get("ticket_id"):
        return crm["ticket_id"]
    sid = doc["id"]

    def known() -> CrmId | None:
        return ((store.get(sid) or {}).get("crm") or {}).get("ticket_id")

    return session_ticket.once(sid, lambda: _create_ticket(store.get(sid) or doc), known)


def _create_ticket(doc: dict[str, Any]) -> CrmId:
    requester = contact_for(doc)
    kind = "Call" if doc.get("kind") == "call" else "Chat"
    subject = f"{kind} {doc['id']}" + (f" - {doc['queue_path']}" if doc.get("queue_path") else "")
    crm_records = _crm()
    ticket = crm_records.ensure_session_ticket(
        doc["id"], requester, subject, f"{kind} session {doc['id']} ({doc.get('channel')})"
    )
    store.set_fields(
        doc["id"],
        {
            "crm": {
                "ticket_id": ticket["id"],
                "contact_id": requester,
                "url": crm_records.ticket_url(ticket["id"]),
            }
        },
    )
    return ticket["id"]


def write_profile(doc: dict[str, Any], source: str) -> bool:
    profile = public_profile(doc)
    note = (
        f"Customer profile: {', '.join(profile['labels'])} "
        f"(verified_customer={profile['verified_customer']}, "
        f"bad_actor={profile['bad_actor']}, repeat_customer={profile['repeat_customer']};"
        f" source: {source})"
    )
    try:
        tid = ticket_for(doc)
        _crm().write_flags(tid, profile, note)
    except CrmError as exc:
        log.warning("CRM flag write for %s failed: %s", doc["id"], exc)
        store.set_fields(
            doc["id"],
            {"crm_sync": {"state": "pending", "error": str(exc)[:300], "at": time.time()}},
        )
        return False
    store.set_fields(doc["id"], {"crm_sync": {"state": "ok", "ticket_id": tid, "at": time.time()}})
    return True


def write_note(doc: dict[str, Any], note: str) -> bool:
    try:
        _crm().add_note(ticket_for(doc), note)
    except CrmError as exc:
        log.warning("CRM note for %s failed: %s", doc["id"], exc)
        return False
    return True


def ensure_crm_record(session_id: str, *, ending: bool = False) -> None:
    """Make the contact and ticket of an anonymous session if it needs them now. CRM
    trouble (including a spent CRM budget) never fails the caller: the session is marked
    `crm_sync: pending` and the next need (assignment, a flag, its end) tries again."""
    doc = store.get(session_id)
    if doc is None or not visitors.needs_crm_record(doc, ending=ending):
        return
    try:
        tid = ticket_for(doc)
    except CrmError as exc:
        log.warning("CRM record for anonymous session %s deferred: %s", session_id, exc)
        store.set_fields(
            session_id,
            {"crm_sync": {"state": "pending", "error": str(exc)[:300], "at": time.time()}},
        )
        return
    store.set_fields(session_id, {"crm_sync": {"state": "ok", "ticket_id": tid}})
