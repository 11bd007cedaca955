"""The announcement of an assigned session, for the agent adapters.

- GET /agent/sessions/<id>/announcement (portal token): JSON with signed audio URLs and
  the TwiML; `?format=twiml` answers TwiML only.
- POST /twilio/agent-announcement/<id> (carrier-signed): TwiML for the agent's call leg.
"""

from __future__ import annotations

from typing import Any

import flask

from core.auth import portal, twilio_signature
from core.errors import ApiError, not_found
from core.http import xml_response
from core.sessions import store
from notifications import announcement, on_event


def _announcement(session_id: str) -> dict[str, Any]:
    ann = on_event.stored(session_id)
    if ann is None:
        raise ApiError(
            404,
            "not_ready",
            "no announcement yet for this session (it is computed when the session is assigned)",
            field="session_id",
            headers={"Retry-After": "1"},
        )
    return ann


def get_for_agent(request: flask.Request, session_id: str) -> Any:
    who = portal.authenticate(request)
    doc = store.get(session_id)
    if doc is None:
        raise not_found("session")
    who.require_queue(doc.get("queue_id"))
    if doc.get("agent_id") != who.user_id and not who.has("monitor"):
        raise not_found("session")  # other agents' sessions look absent
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "twiml"):
        raise ApiError(400, "invalid_field", "format: json or twiml", field="format")
    play = announcement.playable(_announcement(session_id))
    if fmt == "twiml":
        return xml_response(play["twiml"])
    return {"announcement": play}


def twiml_for_carrier(request: flask.Request, session_id: str) -> flask.Response:
    twilio_signature.verify_twilio(request)
    if store.get(session_id) is None:
        raise not_found("session")
    return xml_response(announcement.playable(_announcement(session_id))["twiml"])
