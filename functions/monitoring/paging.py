"""Keyset paging over one or more Firestore queries merged on one sort key.

Firestore caps `in` filters at 30 values, so a scope or search may become several
queries; each is read from the cursor with limit+1 and the results are merged, so a
page costs at most (queries x (limit+1)) indexed reads, never a scan.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from monitoring import cursor as cursors

MAX_IN = 30  # Firestore's limit on values of one `in` filter (and disjunctions)
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    # Several queries of one page run side by side; one small pool per instance.
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="page")
    return _pool


@dataclass
class Page:
    rows: list[dict[str, Any]]
    next_cursor: str | None


def chunks(values: Iterable[str], size: int = MAX_IN) -> list[list[str]]:
    items = sorted(set(values))
    return [items[i : i + size] for i in range(0, len(items), size)]


def fetch(
    queries: list[Any], field: str, *, descending: bool, limit: int, after: str | None
) -> Page:
    from google.cloud import firestore

    direction = firestore.Query.DESCENDING if descending else firestore.Query.ASCENDING
    start = cursors.decode(after) if after else None

    def read(q: Any) -> list[dict[str, Any]]:
        q = q.order_by(field, direction=direction).order_by("__name__", direction=direction)
        if start is not None:
            q = q.start_after({field: start[0], "__name__": start[1]})
        return [d.to_dict() | {"_id": d.id} for d in q.limit(limit + 1).stream()]

    if len(queries) == 1:
        streams = [read(queries[0])]
    else:
        streams = list(_executor().map(read, queries))
    if len(streams) == 1:
        merged = streams[0]
    else:
        merged = list(
            heapq.merge(*streams, key=lambda d: (d.get(field), d["_id"]), reverse=descending)
        )
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    for d in merged:  # a doc can match several queries (search); keep it once
        if d["_id"] not in seen:
            seen.add(d["_id"])
            rows.append(d)
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = cursors.encode(rows[-1][field], rows[-1]["_id"]) if more and rows else None
    for d in rows:
        d.pop("_id")
    return Page(rows, nxt)
