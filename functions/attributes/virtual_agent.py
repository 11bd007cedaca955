"""Dialogflow CX webhook: the virtual agent tells us the caller is a verified customer.

CX sends a WebhookRequest (`sessionInfo.parameters`, `fulfillmentInfo.tag`,
`detectIntentResponseId`, optional `payload`); we answer a WebhookResponse whose
`sessionInfo.parameters` carry the resulting profile so the flow can branch on it.
Authentication: the shared secret in `X-Webhook-Secret` (CX webhook custom headers).
Our session id travels as `payload.session_id`, the CX parameter `cc_session_id`, or
the CX session id itself (we start CX sessions named after our session).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from attributes import flags, sip
from core.config.store import get_view
from core.errors import ApiError, bad_request, not_found
from core.http import parse_body
from core.settings import settings

_SESSION_ID = re.compile(r"^(?!__)[A-Za-z0-9_-]{1,128}$")
DEFAULT_PARAMETER = "verified_customer"


class SessionInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    session: str = Field("", max_length=1000)
    parameters: dict[str, Any] = Field(default_factory=dict)


class FulfillmentInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    tag: str = Field("", max_length=200)


class WebhookRequest(BaseModel):
    # CX adds fields over time (intentInfo, pageInfo, messages, ...): accept and ignore
    # them; this is a read-only view of Google's request, not a write API of ours.
    model_config = ConfigDict(extra="allow")
    detectIntentResponseId: str | None = Field(None, max_length=200)  # noqa: N815
    sessionInfo: SessionInfo = Field(default_factory=SessionInfo)  # noqa: N815
    fulfillmentInfo: FulfillmentInfo = Field(default_factory=FulfillmentInfo)  # noqa: N815
    payload: dict[str, Any] = Field(default_factory=dict)
    languageCode: str | None = None  # noqa: N815


def _authenticate(request: flask.Request) -> None:
    got = request.headers.get("X-Webhook-Secret", "").encode()
    if not hmac.compare_digest(got, settings().cx_webhook_secret.get_secret_value().encode()):
        raise ApiError(
            401, "unauthorized", "missing or wrong X-Webhook-Secret", field="X-Webhook-Secret"
        )


def _session_id(body: WebhookRequest) -> str:
    for candidate in (
        body.payload.get("session_id"),
        body.sessionInfo.parameters.get("cc_session_id"),
        body.sessionInfo.session.rsplit("/", 1)[-1] or None,
    ):
        if candidate is not None:
            if not isinstance(candidate, str) or not _SESSION_ID.match(candidate):
                raise bad_request("sessionInfo.session", "not one of our session ids")
            return candidate
    raise bad_request("sessionInfo.session", "no session id")


def _parameter_names(queue_id: str | None) -> list[str]:
    node = get_view().queue(queue_id) if queue_id else None
    va = node.cfg.virtual_agent if node else None
    names = [p.field for p in va.data_parameters] if va and va.data_parameters else []
    return names or [DEFAULT_PARAMETER]


def _as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and (parsed := sip.parse_bool(value)) is not None:
        return parsed
    raise bad_request(f"sessionInfo.parameters.{name}", "must be true or false")


def webhook(request: flask.Request) -> dict[str, Any]:
    _authenticate(request)
    body = parse_body(request, WebhookRequest)
    sid = _session_id(body)
    doc = flags.current(sid)
    params = body.sessionInfo.parameters
    names = _parameter_names(doc.get("queue_id"))
    present = [n for n in names if n in params and params[n] is not None]
    if present:
        value = _as_bool(params[present[0]], present[0])
        turn = (
            body.detectIntentResponseId
            or hashlib.sha256(
                json.dumps(body.model_dump(mode="json"), sort_keys=True, default=str).encode()
            ).hexdigest()[:32]
        )
        doc, _ = flags.apply(
            sid,
            {"verified_customer": value},
            source="virtual_agent",
            key=f"cx:{turn}",
            detail={"tag": body.fulfillmentInfo.tag, "parameter": present[0]},
        )
    elif doc is None:
        raise not_found("session")
    profile = flags.public_profile(doc)
    return {
        "sessionInfo": {
            "parameters": {
                names[0]: profile["verified_customer"],
                "cc_bad_actor": profile["bad_actor"],
                "cc_repeat_customer": profile["repeat_customer"],
                "cc_profile_label": profile["label"],
            }
        }
    }
