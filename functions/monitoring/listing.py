"""Lists of live (queued / connected) calls and chats, scoped to the caller's teams.

Every filter becomes an indexed Firestore filter (infra/firestore.indexes.json); search
terms are resolved against the config (agent names, queue paths) or matched exactly
(session id, end-user id / name / phone / email), each a separate indexed query merged
on the sort key. Sorted by age: oldest first.
"""

from __future__ import annotations

import re
import time
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from core import clients
from core.auth.portal import Principal
from core.config.store import get_view
from core.config.view import CenterView
from core.errors import bad_request
from core.http import conditional_json, parse_query
from core.sessions.model import CHAT_CHANNELS
from core.sessions.store import COLLECTION
from monitoring import access, paging, views

SORT_FIELD = "created_at"
_SESSION_ID = re.compile(r"^(CA|CH)[0-9a-fA-F]{32}$")
_PHONE = re.compile(r"^\+[0-9]{6,15}$")


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["queued", "connected"] | None = None
    q: str | None = Field(None, min_length=1, max_length=200)
    queue: str | None = Field(None, min_length=1, max_length=128)
    agent: str | None = Field(None, min_length=1, max_length=128)
    team: str | None = Field(None, min_length=1, max_length=128)
    channel: Literal["voice", "chat", "web", "mobile", "sms"] | None = None
    older_than_minutes: float | None = Field(None, ge=0, le=60 * 24 * 30)
    limit: int = Field(25, ge=1, le=100)
    cursor: str | None = Field(None, max_length=512)


def allowed_queues(who: Principal, view: CenterView, q: ListQuery) -> set[str] | None:
    """Queue ids the page may contain (None: any queue, including none)."""
    allowed: set[str] | None = None if who.all_queues else set(who.team_queues)
    if q.queue is not None:
        if view.queue(q.queue) is None:
            raise bad_request("query.queue", "unknown queue id")
        sub = set(view.descendants(q.queue))  # a parent queue covers its sub-queues
        allowed = sub if allowed is None else allowed & sub
    if q.team is not None:
        if q.team not in view.cfg.teams:
            raise bad_request("query.team", "unknown team")
        sub = set(view.team_queues(frozenset([q.team])))
        allowed = sub if allowed is None else allowed & sub
    return allowed


def _search_terms(
    view: CenterView, text: str, allowed: set[str] | None, agent: str | None
) -> list[tuple[str, str, list[str]]]:
    """(field, op, values) alternatives for a search string; any may match."""
    text = text.strip()
    needle = text.casefold()
    # Exact end-user matches, only on the fields the text can be (fewer queries per page).
    if _SESSION_ID.match(text):
        fields = ["id", "end_user.id"]
    elif _PHONE.match(text):
        fields = ["end_user.phone", "end_user.id"]
    elif "@" in text:
        fields = ["end_user.email", "end_user.id"]
    else:
        fields = ["end_user.id", "end_user.name"]
    alts: list[tuple[str, str, list[str]]] = [(f, "==", [text]) for f in fields]
    agents = [
        uid
        for uid, u in view.cfg.users.items()
        if needle in uid.casefold() or needle in u.name.casefold()
    ]
    if agent is not None:  # the agent filter already pins agent_id
        agents = [agent] if agent in agents else []
        if agents:
            alts.append(("agent_id", "pinned", agents))
    elif agents:
        alts.append(("agent_id", "in", agents))
    queues = [qid for qid, node in view.queues.items() if needle in node.path.casefold()]
    if allowed is not None:
        queues = [qid for qid in queues if qid in allowed]
    if queues:
        alts.append(("queue_id", "in", queues))
    return alts


def build_queries(
    kind: str, who: Principal, view: CenterView, q: ListQuery, now: float
) -> list[Any]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    if q.channel is not None:
        ok = q.channel == "voice" if kind == "call" else q.channel in CHAT_CHANNELS
        if not ok:
            raise bad_request("query.channel", f"not a {kind} channel")
    if q.agent is not None and q.agent not in view.cfg.users:
        raise bad_request("query.agent", "unknown user")
    allowed = allowed_queues(who, view, q)
    if allowed is not None and not allowed:
        return []

    base = clients.firestore().collection(COLLECTION).where(filter=FieldFilter("kind", "==", kind))
    # One equality query per status (not `status in`): each is a plain composite-index
    # range, the queries run side by side, and a queue `in` filter keeps all 30 values.
    statuses = [q.status] if q.status is not None else ["queued", "connected"]
    if q.channel is not None:
        base = base.where(filter=FieldFilter("channel", "==", q.channel))
    if q.agent is not None:
        base = base.where(filter=FieldFilter("agent_id", "==", q.agent))
    if q.older_than_minutes is not None:
        base = base.where(filter=FieldFilter(SORT_FIELD, "<=", now - q.older_than_minutes * 60))
    per_chunk = paging.MAX_IN  # Firestore allows at most 30 disjunctions per query

    def scoped(query: Any, queues: set[str] | None) -> list[Any]:
        by_status = [query.where(filter=FieldFilter("status", "==", st)) for st in statuses]
        if queues is None:
            return by_status
        return [
            sq.where(filter=FieldFilter("queue_id", "in", chunk))
            for sq in by_status
            for chunk in paging.chunks(queues, per_chunk)
        ]

    if q.q is None:
        return scoped(base, allowed)
    out: list[Any] = []
    for field, op, values in _search_terms(view, q.q, allowed, q.agent):
        if op == "pinned":
            out += scoped(base, allowed)
        elif field == "queue_id":
            out += scoped(base, set(values))  # already intersected with `allowed`
        elif op == "in":
            for chunk in paging.chunks(values, per_chunk):
                out += scoped(base.where(filter=FieldFilter(field, "in", chunk)), allowed)
        else:
            out += scoped(base.where(filter=FieldFilter(field, "==", values[0])), allowed)
    return out


def list_sessions(request: flask.Request, kind: str) -> flask.Response:
    who = access.caller(request, access.MONITOR)
    q = parse_query(request, ListQuery)
    view = get_view()
    now = time.time()
    queries = build_queries(kind, who, view, q, now)
    if not queries:
        return conditional_json(request, {"items": [], "next_cursor": None})
    page = paging.fetch(queries, SORT_FIELD, descending=False, limit=q.limit, after=q.cursor)
    items = [views.row(d, who, view, now) for d in page.rows]
    body = {"items": items, "next_cursor": page.next_cursor}
    # The console polls every second with If-None-Match: unchanged rows answer 304.
    tag = {"items": views.without_clocks(items), "next_cursor": page.next_cursor}
    return conditional_json(request, body, tag)
