"""Append-only audit log of monitoring and end-session actions (who, what, when, why).

Records are written in the commit of the session change they describe, with an
id derived from the action, so each action appears exactly once. Nothing in the code base
updates or deletes them; the API only reads.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from core import clients
from core.auth.portal import Principal
from core.http import conditional_json, parse_query
from core.sessions.store import AlsoWrite
from monitoring import access, paging

COLLECTION = "audit"
Action = Literal[
    "monitor.start",
    "monitor.mode",
    "monitor.stop",
    "chat_view.start",
    "chat_view.stop",
    "session.end",
]


def actor_of(who: Principal) -> dict[str, Any]:
    return {"type": "user", "id": who.user_id, "name": who.name}


def entry(
    action: str,
    actor: dict[str, Any],
    session: dict[str, Any],
    key: str,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: float | None = None,
) -> dict[str, Any]:
    return {
        # One id per (session, action, key): a retried change rewrites the same record.
        "id": hashlib.sha256(f"{session['id']}|{action}|{key}".encode()).hexdigest()[:32],
        "at": at or time.time(),
        "action": action,
        "actor": actor,
        "actor_id": actor["id"],  # flat copy: an equality filter with an index
        "session_id": session["id"],
        "session_kind": session.get("kind"),
        "channel": session.get("channel"),
        "queue_id": session.get("queue_id"),
        "reason": reason,
        "details": details or {},
    }


def writer(record: dict[str, Any]) -> AlsoWrite:
    """An `also` hook for core.sessions.store: writes the record in the session's commit."""

    def write(batch: Any, _doc: dict[str, Any]) -> None:
        ref = clients.firestore().collection(COLLECTION).document(record["id"])
        batch.set(ref, record)

    return write


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str | None = Field(None, min_length=1, max_length=128)
    actor: str | None = Field(None, min_length=1, max_length=128)
    action: Action | None = None
    since: float | None = Field(None, ge=0, description="entries at or after (epoch seconds)")
    until: float | None = Field(None, ge=0, description="entries before (epoch seconds)")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=512)


def read(request: flask.Request) -> flask.Response:
    """GET /audit: newest first, scoped to the reader's queues (all for admins)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    who = access.caller(request, access.AUDIT_READ)
    q = parse_query(request, AuditQuery)
    base: Any = clients.firestore().collection(COLLECTION)  # then a query, filter by filter
    for field, value in (("session_id", q.session_id), ("actor_id", q.actor), ("action", q.action)):
        if value is not None:
            base = base.where(filter=FieldFilter(field, "==", value))
    if q.since is not None:
        base = base.where(filter=FieldFilter("at", ">=", q.since))
    if q.until is not None:
        base = base.where(filter=FieldFilter("at", "<", q.until))
    if who.all_queues:
        queries = [base]
    else:
        queries = [
            base.where(filter=FieldFilter("queue_id", "in", chunk))
            for chunk in paging.chunks(who.team_queues)
        ]
    if not queries:
        return conditional_json(request, {"entries": [], "next_cursor": None})
    page = paging.fetch(queries, "at", descending=True, limit=q.limit, after=q.cursor)
    return conditional_json(request, {"entries": page.rows, "next_cursor": page.next_cursor})
