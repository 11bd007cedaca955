"""Queues an agent may transfer a contact to right now, on one channel.

Source-document rules, for each leaf queue taking the channel:
- in hours: yes;
- out of hours: only when center.deflection.allow_transfer_to_after_hours[channel] is on
  (the seed lists every out-of-hours case, the 24/7 virtual agent included, under that
  checkbox; with it off no out-of-hours queue is offered), and then:
  a virtual agent limited to queue hours -> never; a 24/7 virtual agent -> yes;
  deflection on for this channel -> yes; no deflection but the queue is active with a
  logged-in agent -> yes; else no.
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


def rule(
    view: CenterView,
    qid: str,
    channel: Channel,
    language: str | None,
    at: Any,
    online: set[str] | None,
) -> tuple[str, bool, bool]:
    """(reason, offered, open) for one leaf queue; `online` is looked up only if needed."""
    allow = view.center.deflection.allow_transfer_to_after_hours.get(channel, False)
    node = view.queues[qid]
    state = policy.hours_state(view, qid, channel, language, at)
    va = node.cfg.virtual_agent
    if state.open:
        return "in_hours", True, True
    if not allow:
        return "after_hours_transfers_off", False, False
    if va is not None and va.availability == "24/7":
        return "virtual_agent_24_7", True, False
    if va is not None:
        return "virtual_agent_limited_to_queue_hours", False, False
    if policy.deflection_enabled(view, qid, channel):
        return "after_hours_with_deflection", True, False
    if not node.cfg.active:
        return "after_hours_inactive", False, False
    if online is None:
        online = presence.online_users()
    if any(a in online for a in view.agents_of_queue(qid)):
        return "after_hours_agent_logged_in", True, False
    return "after_hours_no_agent_logged_in", False, False


def targets(
    view: CenterView, channel: Channel, language: str | None, at: Any, online: set[str] | None
) -> dict[str, Any]:
    allow = view.center.deflection.allow_transfer_to_after_hours.get(channel, False)
    included: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for qid, node in view.queues.items():
        if not node.is_leaf or channel not in view.channels(qid):
            continue
        reason, ok, is_open = rule(view, qid, channel, language, at, online)
        item = {"queue_id": qid, "path": node.path, "open": is_open, "reason": reason}
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
