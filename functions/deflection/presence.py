"""Agent presence: who is logged in to take contacts (transfer targets need it).

The stored form and its reads live in `core.presence` (the monitoring Agents page reads it
too); this module is the agent's own GET / PUT.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict

from core import clients
from core.auth.portal import authenticate
from core.http import parse_body
from core.presence import COLLECTION, PRESENCE_TTL, online_users
from core.presence import public as _public

__all__ = ["COLLECTION", "PRESENCE_TTL", "get", "online_users", "put"]


class PresenceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["online", "offline"]


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
