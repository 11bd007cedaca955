"""The Agents monitoring page: agents of the caller's teams, their presence and current
sessions, and monitoring an agent's current call from there (the seed's "에이전트
모니터링 페이지": filter, search or scroll to an agent, then Monitor).

Agents are the active users of at least one team; a manager or supervisor sees the agents
who share a team with them, an admin every agent. Presence comes from `core.presence`
(written by the agent's own `PUT /agent/presence`); current sessions are the connected
sessions assigned to the agent, read with one indexed query per 30 agents.
"""

from __future__ import annotations

from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from core import clients, presence
from core.auth.portal import Principal
from core.config.store import get_view
from core.config.view import CenterView
from core.errors import ApiError, bad_request, not_found
from core.http import conditional_json, parse_query
from core.sessions.store import COLLECTION
from monitoring import access, bodies, listen, paging

Activity = Literal["on_call", "on_chat", "idle"]


class AgentsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["online", "offline"] | None = Field(None, description="presence")
    activity: Activity | None = Field(
        None, description="on_call / on_chat: has a connected call / chat; idle: neither"
    )
    team: str | None = Field(None, min_length=1, max_length=128)
    queue: str | None = Field(
        None, min_length=1, max_length=128, description="agents whose teams cover this queue"
    )
    q: str | None = Field(
        None, min_length=1, max_length=200, description="part of the name, email or user id"
    )
    limit: int = Field(100, ge=1, le=500)
    cursor: str | None = Field(None, min_length=1, max_length=128, description="last user id")


def _visible_agents(who: Principal, view: CenterView) -> list[str]:
    out = []
    for uid, user in view.cfg.users.items():
        if not user.active or not user.teams:
            continue
        if who.all_queues or set(user.teams) & who.teams:
            out.append(uid)
    return out


def _current_sessions(agent_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Connected sessions assigned to each agent (one query per 30 agents)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    out: dict[str, list[dict[str, Any]]] = {a: [] for a in agent_ids}
    col = clients.firestore().collection(COLLECTION)
    for chunk in paging.chunks(agent_ids):
        q = col.where(filter=FieldFilter("status", "==", "connected")).where(
            filter=FieldFilter("agent_id", "in", chunk)
        )
        for snap in q.stream():
            doc = snap.to_dict() or {}
            out.setdefault(doc["agent_id"], []).append(doc)  # the query selects by agent_id
    return out


def _session_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "kind": doc.get("kind"),
        "channel": doc.get("channel"),
        "queue_id": doc.get("queue_id"),
        "queue_path": doc.get("queue_path"),
        "connected_at": doc.get("connected_at"),
    }


def _activity(sessions: list[dict[str, Any]]) -> str:
    if any(s.get("kind") == "call" for s in sessions):
        return "on_call"
    return "on_chat" if sessions else "idle"


def _current_call(who: Principal, sessions: list[dict[str, Any]]) -> dict[str, Any] | None:
    calls = [s for s in sessions if s.get("kind") == "call" and who.can_see_queue(s["queue_id"])]
    return max(calls, key=lambda s: s.get("connected_at") or 0) if calls else None


def _row(
    who: Principal, view: CenterView, uid: str, pres: dict[str, Any], sessions: list[dict]
) -> dict[str, Any]:
    user = view.cfg.users[uid]
    # Sessions in queues outside the caller's teams count toward activity only.
    visible = [s for s in sessions if who.can_see_queue(s.get("queue_id"))]
    call = _current_call(who, sessions)
    actions = ["details"]
    if call is not None and who.has(access.MONITOR):
        actions += [a for a in access.actions_for(who, call) if a != "details"]
    return {
        "id": uid,
        "name": user.name,
        "email": user.email,
        "teams": sorted(user.teams),
        "status": pres["status"],
        "status_updated_at": pres["updated_at"],
        "activity": _activity(sessions),
        "current_call": _session_view(call) if call else None,
        "current_sessions": [_session_view(s) for s in visible],
        "actions": actions,
    }


def list_agents(request: flask.Request) -> flask.Response:
    """GET /agents: sorted by name, filtered, searched, paged by user id."""
    who = access.caller(request, access.MONITOR)
    q = parse_query(request, AgentsQuery)
    view = get_view()
    ids = _visible_agents(who, view)
    if q.team is not None:
        if q.team not in view.cfg.teams:
            raise bad_request("query.team", "unknown team")
        ids = [u for u in ids if q.team in view.cfg.users[u].teams]
    if q.queue is not None:
        if view.queue(q.queue) is None:
            raise bad_request("query.queue", "unknown queue id")
        covering = set(view.agents_of_queue(q.queue))
        ids = [u for u in ids if u in covering]
    if q.q is not None:
        needle = q.q.strip().lower()
        ids = [
            u
            for u in ids
            if needle in u.lower()
            or needle in view.cfg.users[u].name.lower()
            or needle in (view.cfg.users[u].email or "").lower()
        ]
    ids.sort(key=lambda u: (view.cfg.users[u].name.lower(), u))
    pres = presence.of_users(ids)
    sessions = _current_sessions(ids)
    rows = [_row(who, view, u, pres[u], sessions.get(u, [])) for u in ids]
    if q.status is not None:
        rows = [r for r in rows if r["status"] == q.status]
    if q.activity is not None:
        rows = [r for r in rows if r["activity"] == q.activity]
    if q.cursor is not None:
        after = [i for i, r in enumerate(rows) if r["id"] == q.cursor]
        if not after:
            raise bad_request("query.cursor", "not an agent of this list")
        rows = rows[after[0] + 1 :]
    page = rows[: q.limit]
    more = len(rows) > q.limit
    body = {"agents": page, "next_cursor": page[-1]["id"] if more and page else None}
    return conditional_json(request, body)  # the console polls with If-None-Match


def monitor_agent(request: flask.Request, agent_id: str) -> Any:
    """POST /agents/<id>/monitor: start (or switch) monitoring the agent's current call."""
    who = access.caller(request, access.MONITOR)
    body = bodies.optional_body(request, bodies.StartMonitor)
    if body.mode:
        access.require_mode(who, body.mode)
    view = get_view()
    if agent_id not in _visible_agents(who, view):
        raise not_found("agent")  # another team's agent looks missing
    call = _current_call(who, _current_sessions([agent_id]).get(agent_id, []))
    if call is None:
        raise ApiError(
            409, "no_current_call", "the agent is not on a call you can monitor", field="agent_id"
        )
    return listen.begin(who, call, body.to, body.mode, body.reason)
