"""Lists of live (queued / connected) calls and chats, scoped to the caller's teams.

A page reads the live-sessions projection of its kind (monitoring.live: a fixed number of
documents, whatever the filter) and filters, scopes, searches, sorts and pages in memory.
Search terms are resolved against the config (agent names, queue paths) or matched
exactly (session id, end-user id / name / phone / email); any may match. Sorted by age:
oldest first; keyset cursors on (created_at, id).

The ETag covers what the page shows apart from the clocks derived from it (ages, waits),
so a console polling every second gets 304 with If-None-Match while nothing changed.
"""

from __future__ import annotations

import heapq
import re
import time
from bisect import bisect_right
from collections.abc import Callable
from itertools import islice
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from core.auth.portal import Principal
from core.config.store import get_view
from core.config.view import CenterView
from core.errors import bad_request
from core.http import conditional_json, parse_query
from core.sessions.model import CHAT_CHANNELS
from monitoring import access, cursor, live, views

SORT_FIELD = "created_at"
_SESSION_ID = re.compile(r"^(CA|CH)[0-9a-fA-F]{32}$")
_PHONE = re.compile(r"^\+[0-9]{6,15}$")

Row = dict[str, Any]


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


def _search(
    view: CenterView, text: str, allowed: set[str] | None, agent: str | None
) -> Callable[[Row], bool]:
    """A predicate for a search string: any alternative may match."""
    text = text.strip()
    needle = text.casefold()
    # Exact end-user matches, only on the fields the text can be.
    if _SESSION_ID.match(text):
        fields = ["id", "end_user.id"]
    elif _PHONE.match(text):
        fields = ["end_user.phone", "end_user.id"]
    elif "@" in text:
        fields = ["end_user.email", "end_user.id"]
    else:
        fields = ["end_user.id", "end_user.name"]
    agents = {
        uid
        for uid, u in view.cfg.users.items()
        if needle in uid.casefold() or needle in u.name.casefold()
    }
    pinned = agent is not None and agent in agents  # the agent filter already pins it
    if agent is not None:
        agents = set()
    queues = {qid for qid, node in view.queues.items() if needle in node.path.casefold()}
    if allowed is not None:
        queues &= allowed

    def value(row: Row, field: str) -> Any:
        if field.startswith("end_user."):
            return (row.get("end_user") or {}).get(field.removeprefix("end_user."))
        return row.get(field)

    def match(row: Row) -> bool:
        return (
            pinned
            or any(value(row, f) == text for f in fields)
            or row.get("agent_id") in agents
            or row.get("queue_id") in queues
        )

    return match


def matcher(
    kind: str, who: Principal, view: CenterView, q: ListQuery, now: float
) -> Callable[[Row], bool] | None:
    """The predicate of a page's rows (None: nothing can match)."""
    if q.channel is not None:
        ok = q.channel == "voice" if kind == "call" else q.channel in CHAT_CHANNELS
        if not ok:
            raise bad_request("query.channel", f"not a {kind} channel")
    if q.agent is not None and q.agent not in view.cfg.users:
        raise bad_request("query.agent", "unknown user")
    allowed = allowed_queues(who, view, q)
    if allowed is not None and not allowed:
        return None
    cutoff = None if q.older_than_minutes is None else now - q.older_than_minutes * 60
    search = None if q.q is None else _search(view, q.q, allowed, q.agent)

    def match(row: Row) -> bool:
        return (
            row.get("kind") == kind
            and (q.status is None or row.get("status") == q.status)
            and (q.channel is None or row.get("channel") == q.channel)
            and (q.agent is None or row.get("agent_id") == q.agent)
            and (allowed is None or row.get("queue_id") in allowed)
            and (cutoff is None or float(row.get(SORT_FIELD) or 0) <= cutoff)
            and (search is None or search(row))
        )

    return match


def page(
    sorted_shards: list[list[tuple[live.Key, Row]]],
    match: Callable[[Row], bool],
    limit: int,
    after: str | None,
) -> tuple[list[Row], str | None]:
    """The `limit` oldest matching rows after the cursor, and the next cursor: each shard
    from the cursor on (a bisection), merged in order, read until limit + 1 match."""
    start = cursor.decode(after) if after else None
    streams = [
        islice(rows, bisect_right(rows, start, key=lambda kr: kr[0]) if start else 0, None)
        for rows in sorted_shards
    ]
    hits: list[tuple[live.Key, Row]] = []
    for kr in heapq.merge(*streams, key=lambda kr: kr[0]):
        if match(kr[1]):
            hits.append(kr)
            if len(hits) > limit:
                break
    out = hits[:limit]
    nxt = cursor.encode(*out[-1][0]) if len(hits) > limit and out else None
    return [row for _, row in out], nxt


def list_sessions(request: flask.Request, kind: str) -> flask.Response:
    who = access.caller(request, access.MONITOR)
    q = parse_query(request, ListQuery)
    view = get_view()
    now = time.time()
    match = matcher(kind, who, view, q, now)
    rows, nxt = ([], None) if match is None else page(live.shards(kind), match, q.limit, q.cursor)
    items = [views.row(d, who, view, now) for d in rows]
    body = {"items": items, "next_cursor": nxt}
    # The console polls every second with If-None-Match: unchanged rows answer 304.
    tag = {"items": views.without_clocks(items), "next_cursor": nxt}
    return conditional_json(request, body, tag)
