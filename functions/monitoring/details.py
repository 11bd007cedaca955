"""GET /calls/<id>, /chats/<id>: one session's details, for those who may monitor it."""

from __future__ import annotations

from typing import Any

import flask

from core.config.store import get_view
from monitoring import access, views


def details(request: flask.Request, session_id: str, kind: str) -> dict[str, Any]:
    who = access.caller(request, access.MONITOR)
    doc = access.session_for(who, session_id, kind)
    render = views.call_details if kind == "call" else views.chat_details
    return {"session": render(doc, who, get_view())}
