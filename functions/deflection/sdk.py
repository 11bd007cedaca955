"""Mobile / web SDK and chat deflection decisions (end-user JWT), as JSON."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from core.auth.sdk_jwt import EndUser, verify_end_user
from core.config.store import get_view
from core.decisions import decide, messages
from core.decisions.policy import queue_or_400
from core.errors import bad_request
from core.http import parse_body
from core.sessions.marks import Mark, record
from deflection import clock
from deflection.routing import check_query


class SdkDeflectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    queue_id: str = Field(min_length=1, max_length=63)
    platform: Literal["mobile", "web"]
    language: str | None = Field(None, max_length=35)
    app_version: str | None = Field(None, max_length=64)  # mobile only
    device_type: str | None = Field(None, max_length=64)  # mobile only


class ChatDeflectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    queue_id: str = Field(min_length=1, max_length=63)
    language: str | None = Field(None, max_length=35)


def _end_user(user: EndUser) -> dict[str, Any]:
    return {
        "id": user.identifier,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
        "anonymous": False,
    }


def sdk_decision(request: flask.Request) -> dict[str, Any]:
    user = verify_end_user(request)
    check_query(request.args, frozenset({"at"}))
    body = parse_body(request, SdkDeflectionRequest)
    if body.platform == "web":
        for name in ("app_version", "device_type"):
            if getattr(body, name) is not None:
                raise bad_request(name, "only sent by the mobile SDK")
    view = get_view()
    node = queue_or_400(view, body.queue_id, "queue_id")
    if body.platform not in view.channels(node.id):
        raise bad_request("platform", f"queue {node.id!r} does not take {body.platform}")
    language = messages.language_code(view, body.language)
    at = clock.now(request.args.get("at"))
    d = decide.sdk(view, node.id, body.platform, language, at, body.app_version, body.device_type)
    out = d.as_dict() | {"session_id": None, "language": language}
    if d.deflected:
        sid = uuid.uuid4().hex
        record(
            Mark(
                sid,
                "deflected",
                {
                    "channel": body.platform,
                    "queue_id": node.id,
                    "queue_path": node.path,
                    "language": language,
                    "end_user": _end_user(user),
                },
                {
                    "deflection": {
                        "reason": d.reason,
                        "option": "options" if d.options else "queue",
                        "options": [o["type"] for o in d.options],
                        "target": (d.deflect_to_queue or {}).get("queue_id"),
                        "policy_source": d.policy_source,
                        "hours_id": d.hours.hours_id,
                        "decided_at": at.isoformat(),
                        "app_version": body.app_version,
                        "device_type": body.device_type,
                    }
                },
            )
        )
        out["session_id"] = sid
    return out


def chat_decision(request: flask.Request) -> dict[str, Any]:
    user = verify_end_user(request)
    check_query(request.args, frozenset({"at"}))
    body = parse_body(request, ChatDeflectionRequest)
    view = get_view()
    node = queue_or_400(view, body.queue_id, "queue_id")
    if "chat" not in view.channels(node.id):
        raise bad_request("queue_id", f"queue {node.id!r} does not take chats")
    language = messages.language_code(view, body.language)
    at = clock.now(request.args.get("at"))
    out = decide.chat(view, node.id, language, at) | {"session_id": None, "language": language}
    if out["deflected"]:
        sid = uuid.uuid4().hex
        record(
            Mark(
                sid,
                "deflected",
                {
                    "channel": "chat",
                    "queue_id": node.id,
                    "queue_path": node.path,
                    "language": language,
                    "end_user": _end_user(user),
                },
                {
                    "deflection": {
                        "reason": "after_hours",
                        "option": "email",
                        "hours_id": out["hours_id"],
                        "decided_at": at.isoformat(),
                    }
                },
            )
        )
        out["session_id"] = sid
    return out
