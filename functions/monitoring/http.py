"""Routes of the monitoring_http function (portal users; viewer tokens for transcripts).

GET  /calls, /chats                       live lists (search, filters, cursor paging)
GET  /calls/<id>, /chats/<id>             details
POST /calls/<id>/monitor[/stop]           monitoring (Twilio conference participant)
POST /calls/<id>/monitor/mode             switch listen / coach / barge, no re-dial
GET  /agents                              the Agents page: status, current session
POST /agents/<id>/monitor                 monitor an agent's current call
POST /chats/<id>/view[/stop]              read-only transcript view (viewer token)
GET  /chats/<id>/transcript               messages after a cursor (viewer token)
POST /calls/<id>/end, /chats/<id>/end     end with a reason (Monitor-Chats-Edit)
GET  /audit                               the audit log (audit.read)
GET  /me                                  the caller's roles, permissions, teams, queues
"""

from __future__ import annotations

from typing import Any

import flask

from core.http import Router, lazy_modules

access, agents, audit, chat_view, ending, listen, listing, me, views = lazy_modules(
    "monitoring",
    "access",
    "agents",
    "audit",
    "chat_view",
    "ending",
    "listen",
    "listing",
    "me",
    "views",
)

router = Router("monitoring_http")


def _details(request: flask.Request, session_id: str, kind: str) -> dict[str, Any]:
    from core.config.store import get_view

    who = access.caller(request, access.MONITOR)
    doc = access.session_for(who, session_id, kind)
    render = views.call_details if kind == "call" else views.chat_details
    return {"session": render(doc, who, get_view())}


router.route("/calls", ["GET"])(lambda request: listing.list_sessions(request, "call"))
router.route("/chats", ["GET"])(lambda request: listing.list_sessions(request, "chat"))
router.route("/calls/<session_id>", ["GET"])(
    lambda request, session_id: _details(request, session_id, "call")
)
router.route("/chats/<session_id>", ["GET"])(
    lambda request, session_id: _details(request, session_id, "chat")
)
router.route("/calls/<session_id>/monitor", ["POST"])(listen.start)
router.route("/calls/<session_id>/monitor/stop", ["POST"])(listen.stop)
router.route("/calls/<session_id>/monitor/mode", ["POST"])(listen.switch)
router.route("/agents", ["GET"])(agents.list_agents)
router.route("/agents/<agent_id>/monitor", ["POST"])(agents.monitor_agent)
router.route("/chats/<session_id>/view", ["POST"])(chat_view.start)
router.route("/chats/<session_id>/view/stop", ["POST"])(chat_view.stop)
router.route("/chats/<session_id>/transcript", ["GET"])(chat_view.transcript)
router.route("/calls/<session_id>/end", ["POST"])(
    lambda request, session_id: ending.end(request, session_id, "call")
)
router.route("/chats/<session_id>/end", ["POST"])(
    lambda request, session_id: ending.end(request, session_id, "chat")
)
router.route("/audit", ["GET"])(audit.read)
router.route("/me", ["GET"])(me.me)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
