"""Routes of the sessions_http function.

Each `route(...)` is the whole declaration of a route (core/routes.py): the OpenAPI
description, the README route table and the authorization matrix are generated from it.
"""

from __future__ import annotations

import flask

from core.http import Router
from core.routes import FORM, TWIML

router = Router("sessions_http")
route = router.route

route(
    "POST",
    "/twilio/call-status",
    "sessions.carrier_status:handle_call_status",
    caller="twilio",
    summary="Carrier call-status callback",
    body=FORM,
    ok=(200, 204),
    produces=TWIML,
)
route(
    "POST",
    "/sdk/chats",
    "sessions.chats:start",
    caller="sdk",
    summary="Start a chat session",
    body="sessions.chats:StartChat",
    ok=(201,),
    limited="anonymous starts per client address and per visitor, a minute",
    response="sessions.responses:SessionAnswer",
)
route(
    "POST",
    "/sdk/chats/<session_id>/messages",
    "sessions.chats:end_user_message",
    caller="sdk",
    summary="End user posts a message",
    body="sessions.chats:PostMessage",
    ok=(201,),
    response="sessions.responses:MessageAnswer",
)
route(
    "POST",
    "/sdk/chats/<session_id>/end",
    "sessions.chats:end_user_end",
    caller="sdk",
    summary="End user ends the chat",
    response="sessions.responses:SessionAnswer",
)
route(
    "POST",
    "/agent/chats/<session_id>/messages",
    "sessions.chats:agent_message",
    caller="portal",
    summary="Assigned agent posts a message",
    body="sessions.chats:PostMessage",
    ok=(201,),
    response="sessions.responses:MessageAnswer",
)
route(
    "POST",
    "/agent/sessions/<session_id>/assign",
    "sessions.chats:assign",
    caller="portal",
    summary="Connect a queued session to an agent (sessions.assign: routing, admins)",
    body="sessions.chats:Assign",
    response="sessions.responses:SessionAnswer",
)
route(
    "POST",
    "/agent/sessions/<session_id>/transfer",
    "sessions.transfer:transfer",
    caller="portal",
    summary="Record a transfer routing carried out: to another queue or another agent "
    "(sessions.assign)",
    body="sessions.transfer:Transfer",
    response="sessions.responses:TransferAnswer",
)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
