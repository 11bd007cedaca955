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
from dataclasses import dataclass
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


@dataclass
class Search:
    """What a search string may match; any alternative will do."""

    exact: list[tuple[str, str]]  # (row field, value): session id, end-user id / name / ...
    agents: set[str]  # agents whose id or name contains the text
    queues: set[str]  # queues whose path contains it (within scope)
    pinned: bool  # the agent filter names a matching agent: every row of theirs matches

    def __call__(self, row: Row) -> bool:
        return (
            self.pinned
            or any(live.field_of(row, f) == v for f, v in self.exact)
            or row.get("agent_id") in self.agents
            or row.get("queue_id") in self.queues
        )

    def only_exact(self) -> bool:
        """True when only exact matches can match: the shards' indexes answer it."""
        return not (self.pinned or self.agents or self.queues)


def _search(view: CenterView, text: str, allowed: set[str] | None, agent: str | None) -> Search:
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
    return Search([(f, text) for f in fields], agents, queues, pinned)


@dataclass
class Filter:
    """A page's filters and scope (without the search)."""

    kind: str
    q: ListQuery
    allowed: set[str] | None
    cutoff: float | None
    search: Search | None

    def __call__(self, row: Row) -> bool:
        q = self.q
        return (
            row.get("kind") == self.kind
            and (q.status is None or row.get("status") == q.status)
            and (q.channel is None or row.get("channel") == q.channel)
            and (q.agent is None or row.get("agent_id") == q.agent)
            and (self.allowed is None or row.get("queue_id") in self.allowed)
            and (self.cutoff is None or float(row.get(SORT_FIELD) or 0) <= self.cutoff)
            and (self.search is None or self.search(row))
        )


def matcher(kind: str, who: Principal, view: CenterView, q: ListQuery, now: float) -> Filter | None:
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
    return Filter(kind, q, allowed, cutoff, search)


def _candidates(shard: live.Shard, match: Filter) -> list[live.Entry]:
    """The shard's rows that may match, sorted: an exact-only search reads the index."""
    s = match.search
    if s is None or not s.only_exact():
        return shard.rows
    hits = {e[1]["id"]: e for f, v in s.exact for e in shard.exact(f, v)}
    return sorted(hits.values(), key=lambda e: e[0])


def page(
    shards: list[live.Shard], match: Filter, limit: int, after: str | None
) -> tuple[list[Row], str | None]:
    """The `limit` oldest matching rows after the cursor, and the next cursor: each shard
    from the cursor on (a bisection), merged in order, read until limit + 1 match."""
    start = cursor.decode(after) if after else None
    streams = []
    for shard in shards:
        rows = _candidates(shard, match)
        first = bisect_right(rows, start, key=lambda e: e[0]) if start else 0
        streams.append(islice(rows, first, None))
    hits: list[live.Entry] = []
    for entry in heapq.merge(*streams, key=lambda e: e[0]):
        if match(entry[1]):
            hits.append(entry)
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
