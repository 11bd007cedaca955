"""Reserved attributes the SDK sends during a session, not only at its start.

The end user of the session (end-user JWT) sends signed custom data bound to them; it goes
through the same path as custom data at session start (flags.apply, once per token), so
the agent's profile flags change while the call or chat goes on.
"""

from __future__ import annotations

from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from attributes import flags
from attributes.custom_data import ingest_custom_data, parse
from core.auth import sdk_jwt
from core.errors import not_found
from core.http import parse_body
from core.sessions import store


class SessionCustomData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    custom_data: str = Field(
        min_length=1,
        description="signed JWT with reserved attributes (docs/sdk-tokens.md), bound to "
        "the session's end user",
    )


def post(request: flask.Request, session_id: str) -> dict[str, Any]:
    user = sdk_jwt.verify_end_user(request)
    body = parse_body(request, SessionCustomData)
    doc = store.get(session_id)
    if doc is None or (doc.get("end_user") or {}).get("id") != user.identifier:
        raise not_found("session")  # another user's session looks like no session
    store.require_live(doc)
    data = parse(body.custom_data, for_identifier=user.identifier, signed_in=not user.anonymous)
    new = ingest_custom_data(session_id, data)
    return {
        "session_id": session_id,
        "profile": flags.public_profile(new),
        "custom_data": (new.get("attributes") or {}).get("sdk_custom_data") or {},
    }
