"""Routes of the monitoring_http function (portal users; viewer tokens for transcripts):
live lists and details, listen / coach / barge, the Agents page, read-only chat views,
ending sessions, and the audit log.

Each `route(...)` is the whole declaration of a route (core/routes.py): the OpenAPI
description, the README route table and the authorization matrix are generated from it.
"""

from __future__ import annotations

import flask

from core.http import Router

router = Router("monitoring_http")
route = router.route
POLL = ("If-None-Match",)  # lists the console polls every second

route(
    "GET",
    "/calls",
    "monitoring.listing:list_sessions",
    caller="portal",
    summary="Live calls (ETag; 304 when unchanged since If-None-Match)",
    headers=POLL,
    ok=(200, 304),
    query="monitoring.listing:ListQuery",
    args={"kind": "call"},
    response="monitoring.responses:SessionList",
)
route(
    "GET",
    "/chats",
    "monitoring.listing:list_sessions",
    caller="portal",
    summary="Live chats (ETag; 304 when unchanged since If-None-Match)",
    headers=POLL,
    ok=(200, 304),
    query="monitoring.listing:ListQuery",
    args={"kind": "chat"},
    response="monitoring.responses:SessionList",
)
route(
    "GET",
    "/calls/<session_id>",
    "monitoring.details:details",
    caller="portal",
    summary="Call details",
    args={"kind": "call"},
    response="monitoring.responses:SessionDetails",
)
route(
    "GET",
    "/chats/<session_id>",
    "monitoring.details:details",
    caller="portal",
    summary="Chat details",
    args={"kind": "chat"},
    response="monitoring.responses:SessionDetails",
)
route(
    "POST",
    "/calls/<session_id>/monitor",
    "monitoring.listen:start",
    caller="portal",
    summary="Start monitoring (listen, coach or barge) on your own softphone or profile phone",
    body="monitoring.bodies:StartMonitor",
    ok=(200, 201),
    response="monitoring.responses:MonitorAnswer",
)
route(
    "POST",
    "/calls/<session_id>/monitor/stop",
    "monitoring.listen:stop",
    caller="portal",
    summary="Stop monitoring",
    body="monitoring.bodies:Reason",
    response="monitoring.responses:Stopped",
)
route(
    "POST",
    "/calls/<session_id>/monitor/mode",
    "monitoring.listen:switch",
    caller="portal",
    summary="Switch your monitoring leg between listen, coach and barge (no re-dial)",
    body="monitoring.bodies:MonitorMode",
    response="monitoring.responses:MonitorAnswer",
)
route(
    "GET",
    "/agents",
    "monitoring.agents:list_agents",
    caller="portal",
    summary="The Agents page: presence and current session (ETag, If-None-Match)",
    headers=POLL,
    ok=(200, 304),
    query="monitoring.agents:AgentsQuery",
    response="monitoring.responses:AgentList",
)
route(
    "POST",
    "/agents/<agent_id>/monitor",
    "monitoring.agents:monitor_agent",
    caller="portal",
    summary="Monitor an agent's current call",
    body="monitoring.bodies:StartMonitor",
    ok=(200, 201),
    response="monitoring.responses:MonitorAnswer",
)
route(
    "POST",
    "/chats/<session_id>/view",
    "monitoring.chat_view:start",
    caller="portal",
    summary="Start a read-only chat view",
    body="monitoring.bodies:Reason",
    ok=(200, 201),
    response="monitoring.responses:ChatViewer",
)
route(
    "POST",
    "/chats/<session_id>/view/stop",
    "monitoring.chat_view:stop",
    caller="portal",
    summary="Stop viewing a chat",
    body="monitoring.bodies:Reason",
    response="monitoring.responses:ViewStopped",
)
route(
    "GET",
    "/chats/<session_id>/transcript",
    "monitoring.chat_view:transcript",
    caller="viewer",
    summary="Chat messages after a cursor",
    query="monitoring.chat_view:TranscriptQuery",
    response="monitoring.responses:Transcript",
)
route(
    "POST",
    "/calls/<session_id>/end",
    "monitoring.ending:end",
    caller="portal",
    summary="End a call",
    body="monitoring.bodies:EndSession",
    args={"kind": "call"},
    response="monitoring.responses:Ended",
)
route(
    "POST",
    "/chats/<session_id>/end",
    "monitoring.ending:end",
    caller="portal",
    summary="End a chat",
    body="monitoring.bodies:EndSession",
    args={"kind": "chat"},
    response="monitoring.responses:Ended",
)
route(
    "GET",
    "/audit",
    "monitoring.audit:read",
    caller="portal",
    summary="The audit log (ETag; 304 when unchanged since If-None-Match)",
    headers=POLL,
    ok=(200, 304),
    query="monitoring.audit:AuditQuery",
    response="monitoring.responses:AuditPage",
)
route(
    "GET",
    "/me",
    "monitoring.me:me",
    caller="portal",
    summary="The caller's roles, permissions, teams and queues",
)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
