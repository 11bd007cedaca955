"""Agent presence, as stored: one document per user, `agent_presence/{user_id}`.

Deflection writes it (`PUT /agent/presence`); transfer targets and the monitoring Agents
page read it through here, so no capability imports another. A login older than
PRESENCE_TTL without a refresh counts as logged out (an agent who closed the laptop does
not stay "online").
"""

from __future__ import annotations

import time
from typing import Any

from core import clients

COLLECTION = "agent_presence"
PRESENCE_TTL = 12 * 3600


def public(user_id: str, doc: dict[str, Any] | None, now: float) -> dict[str, Any]:
    online = bool(
        doc and doc.get("status") == "online" and doc.get("updated_at", 0) > now - PRESENCE_TTL
    )
    return {
        "user_id": user_id,
        "status": "online" if online else "offline",
        "updated_at": doc.get("updated_at") if doc else None,
    }


def online_users() -> set[str]:
    """Users logged in now (one query, whatever the number of queues asking)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    cutoff = time.time() - PRESENCE_TTL
    q = (
        clients.firestore()
        .collection(COLLECTION)
        .where(filter=FieldFilter("status", "==", "online"))
    )
    return {d.get("user_id") for d in q.stream() if d.get("updated_at") > cutoff}


def of_users(user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Presence of each user (offline when never seen), in one batched read."""
    db = clients.firestore()
    now = time.time()
    refs = [db.collection(COLLECTION).document(u) for u in user_ids]
    docs = {s.id: s.to_dict() for s in db.get_all(refs) if s.exists} if refs else {}
    return {u: public(u, docs.get(u), now) for u in user_ids}
