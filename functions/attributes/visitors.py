"""Unauthenticated consumers: temporary ids, their CRM contacts, and the merge at login.

- POST /sdk/visitors {channel, device_id, visitor_token?}: register the SDK. A valid
  token of the same device keeps its temporary id (the token is refreshed); otherwise a
  new random id is issued. Stateless until the visitor starts a session.
- First session of a visitor: `visitors/{id}` records when it was first seen and the
  name of its CRM contact, `Web User - MM/DD HH:MM` / `Mobile User - MM/DD HH:MM` in the
  contact center's time zone at that moment (external_id = the temporary id). Starting a
  chat makes no CRM call (anyone can get a visitor token, so an anonymous flood must not
  spend the CRM's API limit): the contact and the session's ticket are made when the
  session first needs a CRM record (`crm_sync.ensure_crm_record`: an agent is assigned, a flag
  or note is written, or the chat ends with something in it).
- POST /sdk/visitors/merge {visitor_token} with the signed-in user's end-user JWT: the
  visitor's contact (and so its tickets) is merged into the real identity in the CRM and
  our sessions are re-attributed. The visitor document is the lock: a merge is bound to
  the first identity that starts it, so a replay by that identity answers the same
  result and any other identity gets 409; holding the visitor's signed token is the
  proof, knowing its id is not.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, Literal
from zoneinfo import ZoneInfo

import flask
from pydantic import BaseModel, ConfigDict, Field

from core import clients, logs, throttle
from core.auth import sdk_jwt, visitor_token
from core.config.store import get_view
from core.crm import choice
from core.crm.errors import CrmError, RateLimited
from core.crm.records import CrmId
from core.errors import ApiError, bad_request, conflict
from core.http import parse_body
from core.sessions import store

log = logs.get("attributes.visitors")
COLLECTION = "visitors"
MERGE_LEASE = 120.0


class Register(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Literal["web", "mobile"]
    device_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    visitor_token: str | None = Field(None, max_length=4096)


class Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")
    visitor_token: str = Field(min_length=1, max_length=4096)


def contact_name(channel: str, first_seen: float, timezone: str) -> str:
    """`Web User - 10/05 10:15`: month/day and 24-hour time in the center's zone."""
    local = dt.datetime.fromtimestamp(first_seen, ZoneInfo(timezone))
    kind = "Mobile User" if channel == "mobile" else "Web User"
    return f"{kind} - {local:%m/%d %H:%M}"


def _ref(vid: str) -> Any:
    return clients.firestore().collection(COLLECTION).document(vid)


# -- registration ---------------------------------------------------------------------
def register(request: flask.Request) -> tuple[dict[str, Any], int]:
    body = parse_body(request, Register)
    vid = None
    if body.visitor_token:
        v = visitor_token.verify(body.visitor_token, field="visitor_token")
        if v.device_id == body.device_id and v.channel == body.channel:
            vid = v.id
    created = vid is None
    if created:
        throttle.new_visitor(request)  # 429 before an id is issued
    vid = vid or visitor_token.new_id()
    token = visitor_token.issue(vid, body.channel, body.device_id)
    return {
        "visitor_id": vid,
        "visitor_token": token,
        "expires_in": visitor_token.LIFETIME,
    }, 201 if created else 200


# -- first contact ---------------------------------------------------------------------
def _ensure_visitor(user: sdk_jwt.EndUser) -> dict[str, Any]:
    """The visitor document, made at its first session (Firestore only, no CRM call)."""
    from google.cloud import firestore

    ref = _ref(user.identifier)
    extra = user.model_extra or {}
    timezone = get_view().center.timezone

    @firestore.transactional
    def txn(t: Any) -> dict[str, Any]:
        snap = ref.get(transaction=t)
        if snap.exists:
            return snap.to_dict()
        now = time.time()
        channel = extra.get("channel")
        doc = {
            "id": user.identifier,
            "state": "active",
            "channel": channel,
            "device_id": extra.get("device_id"),
            "first_seen": now,
            "crm_contact_id": None,
            # Named now, so the name tells when the visitor first wrote, however late
            # the CRM contact is made.
            "contact_name": contact_name(channel or "web", now, timezone),
        }
        t.set(ref, doc)
        return doc

    return txn(clients.firestore().transaction())


def on_session_start(session_id: str, user: sdk_jwt.EndUser) -> dict[str, Any] | None:
    """Name the anonymous session's end user after its visitor; the CRM contact and ticket
    come later, on first need (`crm_contact`)."""
    visitor = _ensure_visitor(user)
    name = visitor.get("contact_name") or contact_name(
        visitor.get("channel") or "web", visitor["first_seen"], get_view().center.timezone
    )
    fields: dict[str, Any] = {"end_user": {"name": name}}
    if visitor.get("crm_contact_id"):
        fields["crm"] = {"contact_id": visitor["crm_contact_id"]}
    store.set_fields(session_id, fields)
    return store.get(session_id)


def crm_contact(doc: dict[str, Any]) -> CrmId | None:
    """The CRM contact of an anonymous session's visitor, made on first need and kept on
    the visitor; None when the session's end user is not a visitor. Raises CrmError."""
    user = doc.get("end_user") or {}
    if not user.get("anonymous") or not user.get("id"):
        return None
    vid = str(user["id"])
    snap = _ref(vid).get()
    if not snap.exists:
        return None  # an anonymous caller (phone), not an SDK visitor
    visitor = snap.to_dict()
    if visitor.get("crm_contact_id"):
        return visitor["crm_contact_id"]
    name = (
        visitor.get("contact_name")
        or user.get("name")
        or contact_name(
            visitor.get("channel") or "web", visitor["first_seen"], get_view().center.timezone
        )
    )
    contact = choice.records("customers").upsert_contact(vid, name, tags=["cc_anonymous"])
    _ref(vid).update({"crm_contact_id": contact["id"], "contact_name": name})
    return contact["id"]


def started_anonymous(doc: dict[str, Any]) -> bool:
    """A session an SDK visitor started (still anonymous, or merged since); an anonymous
    carrier caller (a phone number) is not one."""
    user = doc.get("end_user") or {}
    if user.get("merged_from"):
        return True
    return bool(user.get("anonymous")) and visitor_token.is_visitor_id(str(user.get("id") or ""))


def needs_crm_record(doc: dict[str, Any], *, ending: bool = False) -> bool:
    """A session a visitor started (still anonymous, or merged since) needs its ticket once
    an agent has it, or when it ends with something in it; an unanswered, empty chat
    never reaches the CRM."""
    if not started_anonymous(doc) or (doc.get("crm") or {}).get("ticket_id"):
        return False
    if doc.get("agent_id"):
        return True
    if not ending:
        return False
    msgs = (
        clients.firestore()
        .collection(store.COLLECTION)
        .document(doc["id"])
        .collection("messages")
        .limit(1)
        .get()
    )
    return bool(msgs)


# -- merge ------------------------------------------------------------------------------
def _claim(vid: str, identity: str) -> tuple[str, dict[str, Any]]:
    """('run' | 'done', visitor doc) or 409. Binds the merge to `identity` for good."""
    from google.cloud import firestore

    ref = _ref(vid)
    now = time.time()

    @firestore.transactional
    def txn(t: Any) -> tuple[str, dict[str, Any]]:
        snap = ref.get(transaction=t)
        doc: dict[str, Any] = (
            (snap.to_dict() or {})
            if snap.exists
            else {"id": vid, "state": "active", "first_seen": now, "crm_contact_id": None}
        )
        state, owner = doc.get("state"), doc.get("merged_into")
        if state in ("merging", "merged") and owner != identity:
            raise conflict("this visitor was already merged into another identity")
        if state == "merged":
            return "done", doc
        if state == "merging" and doc.get("lease_until", 0) > now:
            raise ApiError(
                409,
                "merge_in_progress",
                "a merge of this visitor is running; retry shortly",
                headers={"Retry-After": "2"},
            )
        doc |= {"state": "merging", "merged_into": identity, "lease_until": now + MERGE_LEASE}
        t.set(ref, doc)
        return "run", doc

    return txn(clients.firestore().transaction())


def _move_sessions(vid: str, user: sdk_jwt.EndUser, contact_id: CrmId) -> list[str]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    q = (
        clients.firestore()
        .collection(store.COLLECTION)
        .where(filter=FieldFilter("end_user.id", "==", vid))
    )
    moved = []
    for snap in q.stream():
        sid = snap.id

        def changes(cur: dict[str, Any]) -> dict[str, Any]:
            return {
                "end_user": {
                    "id": user.identifier,
                    "name": user.name,
                    "email": user.email,
                    "phone": user.phone,
                    "anonymous": False,
                    "merged_from": vid,
                },
                "crm": dict(cur.get("crm") or {}) | {"contact_id": contact_id},
            }

        store.update(
            sid,
            changes,
            "session.identity_merged",
            {"visitor_id": vid, "identifier": user.identifier, "contact_id": contact_id},
            key=f"{sid}:merge:{vid}",
        )
        moved.append(sid)
    return sorted(moved)


def merge(request: flask.Request) -> dict[str, Any]:
    user = sdk_jwt.verify_end_user(request, allow_visitor=False)
    body = parse_body(request, Merge)
    visitor = visitor_token.verify(body.visitor_token, field="visitor_token")
    if visitor.id == user.identifier:
        raise bad_request("visitor_token", "is the caller's own identity")
    state, doc = _claim(visitor.id, user.identifier)
    if state == "done":
        return {"merge": doc.get("result", {}) | {"replayed": True}}
    try:
        crm = choice.records("customers")
        real = crm.upsert_contact(
            user.identifier, user.name or user.identifier, email=user.email, phone=user.phone
        )
        anon_id = doc.get("crm_contact_id")
        if anon_id is None:  # e.g. its first session could not reach the CRM
            found = crm.find_contact(visitor.id)
            anon_id = found["id"] if found else None
        tickets: list[CrmId] = []
        if anon_id is not None:
            tickets = [t["id"] for t in crm.requested_tickets(anon_id)]
            anon = crm.get_contact(anon_id)
            if anon is not None and anon.get("active", True):
                crm.merge_contacts(anon_id, real["id"])
            # Inactive: an earlier attempt of this same merge got this far, then died.
    except CrmError as exc:
        _ref(visitor.id).update({"lease_until": 0})  # let the retry run at once
        retry = exc.retry_after if isinstance(exc, RateLimited) and exc.retry_after else 5
        raise ApiError(
            503,
            "crm_unavailable",
            f"the CRM did not complete the merge: {exc}",
            headers={"Retry-After": str(int(retry))},
        ) from None
    sessions = _move_sessions(visitor.id, user, real["id"])
    result = {
        "visitor_id": visitor.id,
        "merged_into": user.identifier,
        "contact_id": real["id"],
        "anonymous_contact_id": anon_id,
        "tickets": sorted(tickets),
        "sessions": sessions,
        "at": time.time(),
    }
    _ref(visitor.id).update({"state": "merged", "result": result, "lease_until": 0})
    log.info("visitor %s merged into %s (%d tickets)", visitor.id, user.identifier, len(tickets))
    return {"merge": result | {"replayed": False}}
