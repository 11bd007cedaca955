"""Routes of the sessions_http function."""

from __future__ import annotations

import flask

from core.http import Router, lazy_modules

carrier_status, chats, transfer = lazy_modules("sessions", "carrier_status", "chats", "transfer")

router = Router("sessions_http")
router.route("/twilio/call-status", ["POST"])(
    lambda request: carrier_status.handle_call_status(request)
)
router.route("/sdk/chats", ["POST"])(lambda request: chats.start(request))
router.route("/sdk/chats/<session_id>/messages", ["POST"])(
    lambda request, session_id: chats.end_user_message(request, session_id)
)
router.route("/sdk/chats/<session_id>/end", ["POST"])(
    lambda request, session_id: chats.end_user_end(request, session_id)
)
router.route("/agent/chats/<session_id>/messages", ["POST"])(
    lambda request, session_id: chats.agent_message(request, session_id)
)
router.route("/agent/sessions/<session_id>/assign", ["POST"])(
    lambda request, session_id: chats.assign(request, session_id)
)
router.route("/agent/sessions/<session_id>/transfer", ["POST"])(
    lambda request, session_id: transfer.transfer(request, session_id)
)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
