"""Agent presence: who is logged in to take contacts (transfer targets need it).

One document per user, `agent_presence/{user_id}`; a login older than PRESENCE_TTL without
a refresh counts as logged out (an agent who closed the laptop does not stay "online").
"""

from __future__ import annotations

import time
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict

from core import clients
from core.auth.portal import authenticate
from core.http import parse_body

COLLECTION = "agent_presence"
PRESENCE_TTL = 12 * 3600


class PresenceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["online", "offline"]


def _public(user_id: str, doc: dict[str, Any] | None, now: float) -> dict[str, Any]:
    online = bool(
        doc and doc.get("status") == "online" and doc.get("updated_at", 0) > now - PRESENCE_TTL
    )
    return {
        "user_id": user_id,
        "status": "online" if online else "offline",
        "updated_at": doc.get("updated_at") if doc else None,
    }


def put(request: flask.Request) -> dict[str, Any]:
    who = authenticate(request)
    body = parse_body(request, PresenceBody)
    now = time.time()
    doc = {"user_id": who.user_id, "status": body.status, "updated_at": now}
    clients.firestore().collection(COLLECTION).document(who.user_id).set(doc)
    return _public(who.user_id, doc, now)


def get(request: flask.Request) -> dict[str, Any]:
    who = authenticate(request)
    snap = clients.firestore().collection(COLLECTION).document(who.user_id).get()
    return _public(who.user_id, snap.to_dict() if snap.exists else None, time.time())


def online_users() -> set[str]:
    """Users logged in now (one query for every queue of a transfer-target answer)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    cutoff = time.time() - PRESENCE_TTL
    q = (
        clients.firestore()
        .collection(COLLECTION)
        .where(filter=FieldFilter("status", "==", "online"))
    )
    return {d.get("user_id") for d in q.stream() if d.get("updated_at") > cutoff}
