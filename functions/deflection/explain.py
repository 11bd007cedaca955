"""What would happen for a queue, channel, language and instant, and the rule behind it.

Portal users only, and only for queues their role lets them see (others are 404). `at`
may be any instant (this endpoint decides nothing for a real contact).
"""

from __future__ import annotations

from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from core.auth.portal import authenticate
from core.config.schema.common import Channel
from core.config.store import get_view
from core.decisions import decide, messages, policy
from core.hours import explain as explain_hours
from core.hours import next_close, next_open
from core.http import parse_query
from deflection import clock, transfer


class ExplainQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queue: str = Field(min_length=1, max_length=63)
    channel: Channel
    language: str | None = Field(None, max_length=35)
    at: str | None = None


def _iso(t: Any) -> str | None:
    return t.isoformat() if t is not None else None


def handle(request: flask.Request) -> dict[str, Any]:
    who = authenticate(request)
    q = parse_query(request, ExplainQuery)
    view = get_view()
    who.require_queue(q.queue, "queue")
    node = policy.queue_or_400(view, q.queue, "query.queue")
    at = clock.now(q.at, "query.at", always=True)
    language = messages.language_code(view, q.language)
    state = policy.hours_state(view, node.id, q.channel, language, at)
    hours = {
        "hours_id": state.hours_id,
        "source": state.source,
        "timezone": state.timezone,
        "rule": explain_hours(state.spec, state.timezone, at).as_dict(),
        "next_open": _iso(next_open(state.spec, state.timezone, at, horizon_days=60)),
        "next_close": _iso(next_close(state.spec, state.timezone, at, horizon_days=60)),
    }
    if q.channel == "voice":
        decision = decide.ivr(view, node.id, language, at).as_dict()
    elif q.channel in ("mobile", "web"):
        decision = decide.sdk(view, node.id, q.channel, language, at).as_dict()
    elif q.channel == "chat":
        decision = decide.chat(view, node.id, language, at)
    else:
        decision = decide.sms(view, node.id, language, at)
    # Would an agent be offered this queue as a transfer target, and under which rule.
    if node.is_leaf and q.channel in view.channels(node.id):
        allow = view.center.deflection.allow_transfer_to_after_hours
        reason, offered, _ = transfer.rule(view, node.id, q.channel, language, at, None)
        transfer_target: dict[str, Any] = {
            "offered": offered,
            "rule": reason,
            "allow_transfer_to_after_hours": allow.get(q.channel, False),
        }
    else:
        transfer_target = {"offered": False, "rule": "not_a_leaf_taking_the_channel"}
    return {
        "queue_id": node.id,
        "path": node.path,
        "channel": q.channel,
        "language": language,
        "at": at.isoformat(),
        "channel_served": q.channel in view.channels(node.id),
        "hours": hours,
        "decision": decision,
        "transfer_target": transfer_target,
    }
