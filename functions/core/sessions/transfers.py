"""Transfers of a session: each move to another queue or agent, as call details show it.

An entry is derived from the placement before and after a routing or carrier event (a
re-queue to another queue, a re-assignment to another agent, an agent sending the contact
back to a queue), never written by hand: `core.sessions.store` appends it in the same
commit as the move itself, so the record and the move cannot disagree.
"""

from __future__ import annotations

from typing import Any

# Who caused a transfer when the caller does not say (an automatic routing decision).
SYSTEM = {"type": "system", "id": "routing"}


def _place(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "queue_id": doc.get("queue_id"),
        "queue_path": doc.get("queue_path"),
        "agent_id": doc.get("agent_id") if doc.get("status") == "connected" else None,
    }


def entry(
    before: dict[str, Any],
    after: dict[str, Any],
    at: float,
    by: dict[str, Any] | None = None,
    reason: str | None = None,
) -> dict[str, Any] | None:
    """The transfer from `before` to `after`, or None if the contact did not move.

    A first queue or a first agent is routing, not a transfer: only a move away from a
    queue or an agent the contact already had counts.
    """
    src, dst = _place(before), _place(after)
    queue_moved = bool(src["queue_id"] and dst["queue_id"] and src["queue_id"] != dst["queue_id"])
    agent_moved = bool(src["agent_id"] and src["agent_id"] != dst["agent_id"])
    if not (queue_moved or agent_moved):
        return None
    kind = "agent" if dst["agent_id"] and agent_moved else "queue"
    n = len(before.get("transfers") or []) + 1
    return {
        "id": f"{before['id']}:transfer:{n}",
        "seq": n,
        "at": at,
        "kind": kind,
        "from": src,
        "to": dst,
        "by": dict(by or SYSTEM),
        "reason": reason,
    }


def append(
    before: dict[str, Any],
    after: dict[str, Any],
    at: float,
    by: dict[str, Any] | None = None,
    reason: str | None = None,
) -> dict[str, Any] | None:
    """Append the transfer (if any) to `after` in place; returns it."""
    t = entry(before, after, at, by, reason)
    if t is not None:
        after["transfers"] = [*(before.get("transfers") or []), t]
    return t
