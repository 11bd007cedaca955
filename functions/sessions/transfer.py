"""Routing transfers a live session to another queue or another agent.

The ACD / agent adapter (a `sessions.assign` holder) reports each transfer it carries
out: a queued contact moved to another queue, a connected contact sent back to a queue,
or a connected call handed to another agent (whose carrier leg is checked with the
carrier, as on assignment). The session store records the transfer (from / to queue or
agent, time, who) in the same commit as the move; call details show it.
"""

from __future__ import annotations

from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from core.auth import portal
from core.config.store import get_view
from core.errors import bad_request
from core.http import parse_body
from core.sessions import store
from sessions import carrier_refs
from sessions.chats import ASSIGN, public_view


class Transfer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_queue_id: str | None = Field(None, min_length=1, max_length=128)
    to_agent_id: str | None = Field(None, min_length=1, max_length=128)
    agent_call_sid: str | None = Field(
        None,
        pattern=r"^CA[0-9a-fA-F]{32}$",
        description="the new agent's leg, a participant of the call's conference",
    )
    reason: str | None = Field(None, max_length=500)


def transfer(request: flask.Request, session_id: str) -> dict[str, Any]:
    who = portal.authenticate(request)
    who.require(ASSIGN)
    body = parse_body(request, Transfer)
    if (body.to_queue_id is None) == (body.to_agent_id is None):
        raise bad_request("to_queue_id", "give exactly one of to_queue_id or to_agent_id")
    if body.agent_call_sid and not body.to_agent_id:
        raise bad_request("agent_call_sid", "only with to_agent_id")
    doc = store.require(session_id)
    who.require_queue(doc.get("queue_id"))
    view = get_view()
    to_queue = None
    if body.to_queue_id is not None:
        node = view.queue(body.to_queue_id)
        if node is None or not who.can_see_queue(body.to_queue_id):
            raise bad_request("to_queue_id", "unknown queue")
        to_queue = (node.id, node.path)
    elif body.to_agent_id not in view.cfg.users:
        raise bad_request("to_agent_id", "unknown user")
    store.require_live(doc)
    if body.agent_call_sid:
        carrier_refs.verify(doc, None, body.agent_call_sid)
    by = {"type": "user", "id": who.user_id, "name": who.name}
    new, made = store.transfer(
        session_id,
        by=by,
        to_queue=to_queue,
        to_agent=body.to_agent_id,
        agent_leg=body.agent_call_sid,
        reason=body.reason,
    )
    return {"session": public_view(new), "transfer": made, "changed": made is not None}
