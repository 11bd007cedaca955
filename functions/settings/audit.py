"""GET /settings/audit: who changed which setting when, with the diff before -> after.

Entries are written by the config store in the same transaction as the change. A
team-scoped reader sees the changes of their teams' queues only.
"""

from __future__ import annotations

from typing import Any

import flask
from pydantic import Field

from core import clients
from core.config.schema.common import Strict
from core.config.store import AUDIT_COLLECTION
from core.http import json_response, parse_query
from settings import access

SCAN = 1000  # entries read per request at most, whatever the filters


class AuditQuery(Strict):
    resource: str | None = Field(None, max_length=200, description="prefix, e.g. queues/billing")
    actor: str | None = Field(None, max_length=100, description="user id (or `cli`)")
    before: float | None = Field(None, description="only entries older than this (cursor)")
    limit: int = Field(50, ge=1, le=200)


def _visible(who: Any, entry: dict[str, Any]) -> bool:
    if who.all_queues:
        return True
    qid = entry.get("queue_id")
    return qid is not None and who.can_see_queue(qid)


def list_entries(request: flask.Request) -> flask.Response:
    who = access.auditor(request)
    q = parse_query(request, AuditQuery)
    from google.cloud import firestore

    query = (
        clients.firestore()
        .collection(AUDIT_COLLECTION)
        .order_by("at", direction=firestore.Query.DESCENDING)
    )
    if q.before is not None:
        query = query.where(filter=firestore.FieldFilter("at", "<", q.before))
    out: list[dict[str, Any]] = []
    last: float | None = None
    scanned = 0
    for doc in query.limit(SCAN).stream():
        scanned += 1
        entry = doc.to_dict() or {}
        last = entry["at"]
        actor = entry.get("actor") or {}
        if q.actor and q.actor not in (actor.get("id"), actor.get("type")):
            continue
        if q.resource and not str(entry.get("resource", "")).startswith(q.resource):
            continue
        if not _visible(who, entry):
            continue
        out.append({"id": doc.id, **entry})
        if len(out) == q.limit:
            break
    more = len(out) == q.limit or scanned == SCAN
    return json_response({"entries": out, "next_before": last if more else None})
