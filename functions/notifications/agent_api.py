"""The announcement of an assigned session, for the agent adapters.

- GET /agent/sessions/<id>/announcement (portal token): JSON with signed audio URLs and
  the TwiML; `?format=twiml` answers TwiML only.
- POST /twilio/agent-announcement/<id> (carrier-signed): TwiML for the agent's call leg;
  the carrier fetches it when the agent's leg is answered, so it also marks the answer.
- GET /agent/sessions/<id>/alert (the assigned agent): ring now, wait, or stop.
- POST /agent/sessions/<id>/answer (the assigned agent): the agent took the contact.
"""

from __future__ import annotations

from typing import Any

import flask

from core.auth import portal, twilio_signature
from core.errors import ApiError, not_found
from core.http import xml_response
from core.sessions import store
from notifications import alert, announcement, on_event


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


def _own_session(request: flask.Request, session_id: str) -> tuple[Any, dict[str, Any]]:
    """Only the assigned agent is alerted; everyone else sees no such session."""
    who = portal.authenticate(request)
    doc = store.get(session_id)
    if doc is None:
        raise not_found("session")
    who.require_queue(doc.get("queue_id"))
    if doc.get("agent_id") != who.user_id:
        raise not_found("session")
    return who, doc


def get_alert(request: flask.Request, session_id: str) -> Any:
    _own_session(request, session_id)
    if request.args:
        name = sorted(request.args)[0]
        raise ApiError(400, "unknown_field", f"{name}: unknown parameter", field=name)
    ann = _announcement(session_id)
    d = alert.poll(session_id, chat=ann.get("kind") == "chats")
    slot = "incoming_call" if ann.get("kind") == "calls" else "new_chat"
    tone = (ann.get("tones") or {}).get(slot)
    out = d | {"repeat": ann.get("repeat"), "tone": None}
    if d["action"] == "ring" and tone:
        out["tone"] = announcement.with_url(tone)
    return {"alert": out}


def answer(request: flask.Request, session_id: str) -> Any:
    who, doc = _own_session(request, session_id)
    if request.get_data():
        raise ApiError(400, "unknown_field", "body: this request takes no body", field="body")
    if doc.get("status") != "connected":
        raise ApiError(409, "session_not_live", f"session is {doc['status']}", field="status")
    doc = alert.mark_answered(session_id, who.user_id, "agent")
    return {"session_id": session_id, "answered_at": doc["answered_at"]}


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
    doc = store.get(session_id)
    if doc is None:
        raise not_found("session")
    ann = _announcement(session_id)
    if doc.get("status") == "connected" and doc.get("agent_id") == ann.get("agent_id"):
        alert.mark_answered(session_id, ann["agent_id"], "carrier")  # the agent leg picked up
    return xml_response(announcement.playable(ann)["twiml"])
