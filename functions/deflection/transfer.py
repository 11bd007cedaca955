"""Queues an agent may transfer a contact to right now, on one channel.

SPEC rules, for each leaf queue taking the channel:
- in hours: yes;
- a 24/7 virtual agent answers: yes;
- out of hours with a virtual agent limited to queue hours: never;
- out of hours otherwise, only when center.deflection.allow_transfer_to_after_hours
  [channel] is on, and then: deflection on for this channel -> yes; no deflection but the
  queue is active with a logged-in agent -> yes; else no.
The answer lists the excluded queues with their reason too, so an agent (or a test) can
see why a queue is missing.
"""

from __future__ import annotations

from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from core.auth.portal import authenticate
from core.config.schema.common import Channel
from core.config.store import get_view
from core.config.view import CenterView
from core.decisions import messages, policy
from core.http import parse_query
from deflection import clock, presence


class TargetsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    language: str | None = Field(None, max_length=35)
    at: str | None = None


def targets(
    view: CenterView, channel: str, language: str | None, at: Any, online: set[str] | None
) -> dict[str, Any]:
    allow = view.center.deflection.allow_transfer_to_after_hours.get(channel, False)
    included: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for qid, node in view.queues.items():
        if not node.is_leaf or channel not in view.channels(qid):
            continue
        state = policy.hours_state(view, qid, channel, language, at)
        va = node.cfg.virtual_agent
        if state.open:
            reason, ok = "in_hours", True
        elif va is not None and va.availability == "24/7":
            reason, ok = "virtual_agent_24_7", True
        elif va is not None:
            reason, ok = "virtual_agent_limited_to_queue_hours", False
        elif not allow:
            reason, ok = "after_hours_transfers_off", False
        elif policy.deflection_enabled(view, qid, channel):
            reason, ok = "after_hours_with_deflection", True
        elif not node.cfg.active:
            reason, ok = "after_hours_inactive", False
        else:
            if online is None:
                online = presence.online_users()
            agents = [a for a in view.agents_of_queue(qid) if a in online]
            reason, ok = (
                ("after_hours_agent_logged_in", True)
                if agents
                else ("after_hours_no_agent_logged_in", False)
            )
        item = {"queue_id": qid, "path": node.path, "open": state.open, "reason": reason}
        (included if ok else excluded).append(item)
    return {
        "channel": channel,
        "at": at.isoformat(),
        "allow_transfer_to_after_hours": allow,
        "targets": included,
        "excluded": excluded,
    }


def handle_targets(request: flask.Request) -> dict[str, Any]:
    authenticate(request)  # any signed-in portal user (agents transfer)
    q = parse_query(request, TargetsQuery)
    view = get_view()
    at = clock.now(q.at, "query.at")
    language = messages.language_code(view, q.language)
    return targets(view, q.channel, language, at, None)
