"""Request lifecycle endpoints: the agent asks and reads, the end user answers."""

from __future__ import annotations

from typing import Any

import flask

from core.http import parse_body
from smartactions import access, actions, verification, views


def agent_create(request: flask.Request, session_id: str) -> tuple[dict[str, Any], int]:
    who, doc = access.agent(request, session_id)
    body = parse_body(request, actions.CreateRequest)
    access.require_request_kind(doc, body.kind)
    access.require_connected(doc)
    req, created = actions.create(session_id, who.user_id, body)
    return {"request": views.for_agent(req)}, 201 if created else 200


def agent_list(request: flask.Request, session_id: str) -> dict[str, Any]:
    _, doc = access.agent(request, session_id)
    doc = actions.expire_due(session_id, doc)
    reqs = sorted(actions.requests_of(doc).values(), key=lambda r: r["created_at"])
    return {"requests": [views.for_agent(r) for r in reqs]}


def agent_get(request: flask.Request, session_id: str, rid: str) -> dict[str, Any]:
    _, doc = access.agent(request, session_id)
    doc = actions.expire_due(session_id, doc)
    return {"request": views.for_agent(actions.find(doc, rid))}


def sdk_list(request: flask.Request, session_id: str) -> dict[str, Any]:
    _, doc = access.end_user(request, session_id)
    doc = actions.expire_due(session_id, doc)
    reqs = sorted(actions.requests_of(doc).values(), key=lambda r: r["created_at"])
    return {"requests": [views.for_end_user(r) for r in reqs]}


def sdk_fulfil(request: flask.Request, session_id: str, rid: str) -> dict[str, Any]:
    _, doc = access.end_user(request, session_id)
    body = parse_body(request, actions.Fulfil)
    req = actions.find(doc, rid)
    actions.expire_due(session_id, doc)
    verified = None
    if body.verification is not None and req["kind"] == "verification":
        verified = verification.verify(
            body.verification,
            session_id=session_id,
            request_id=rid,
            end_user=doc.get("end_user") or {},
        )
    return {"request": views.for_end_user(actions.fulfil(session_id, rid, body, verified))}


def sdk_decline(request: flask.Request, session_id: str, rid: str) -> dict[str, Any]:
    _, doc = access.end_user(request, session_id)
    body = parse_body(request, actions.Decline)
    actions.find(doc, rid)
    actions.expire_due(session_id, doc)
    return {"request": views.for_end_user(actions.decline(session_id, rid, body))}
