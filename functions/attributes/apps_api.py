"""Apps API: GET / PATCH /apps/api/v1/{calls|chats}/{id}/customer_flag (HTTP Basic).

Order of checks: credentials (401), rate limit per customer (429, Retry-After), body
(400 naming the field; unknown keys rejected), then the session (404; a call id on the
chats route is unknown there too).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from attributes import flags
from core import rate_limit
from core.auth.apps_basic import verify_apps_api
from core.errors import bad_request, not_found
from core.http import parse_body
from core.settings import settings

KINDS = {"calls": "call", "chats": "chat"}
_SESSION_ID = re.compile(r"^(?!__)[A-Za-z0-9_-]{1,128}$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


class CustomerFlagPatch(BaseModel):
    """The documented body; `repeat_customers` is the documented spelling variant."""

    model_config = ConfigDict(extra="forbid")
    verified_customer: StrictBool | None = None
    bad_actor: StrictBool | None = None
    repeat_customer: StrictBool | None = None
    repeat_customers: StrictBool | None = Field(None, description="accepted variant")

    @model_validator(mode="after")
    def _one_meaning(self) -> CustomerFlagPatch:
        if (
            self.repeat_customer is not None
            and self.repeat_customers is not None
            and self.repeat_customer != self.repeat_customers
        ):
            raise ValueError("repeat_customer and repeat_customers disagree")
        return self

    def values(self) -> dict[str, bool]:
        out = {
            k: v
            for k, v in (
                ("verified_customer", self.verified_customer),
                ("bad_actor", self.bad_actor),
                (
                    "repeat_customer",
                    self.repeat_customer
                    if self.repeat_customer is not None
                    else self.repeat_customers,
                ),
            )
            if v is not None
        }
        return out


def _kind(collection: str, session_id: str) -> str:
    if collection not in KINDS or not _SESSION_ID.match(session_id):
        raise not_found("session")
    return KINDS[collection]


def _admit(request: flask.Request) -> str:
    customer = verify_apps_api(request)
    # Per customer per second, across instances; wrong credentials never spend it.
    rate_limit.check("apps", customer, settings().apps_api_rate_limit)
    return customer


def _answer(doc: dict[str, Any], collection: str) -> dict[str, Any]:
    key = "call" if collection == "calls" else "chat"
    return {key: {"id": doc["id"], "customer_flag": flags.public_profile(doc)}}


def get_flag(request: flask.Request, collection: str, session_id: str) -> dict[str, Any]:
    _admit(request)
    kind = _kind(collection, session_id)
    return _answer(flags.current(session_id, kinds=(kind,)), collection)


def patch_flag(request: flask.Request, collection: str, session_id: str) -> dict[str, Any]:
    _admit(request)
    body = parse_body(request, CustomerFlagPatch)
    values = body.values()
    if not values:
        raise bad_request(
            "body", "give at least one of verified_customer, bad_actor, repeat_customer"
        )
    kind = _kind(collection, session_id)
    idem = request.headers.get("Idempotency-Key")
    if idem is not None and not _IDEMPOTENCY_KEY.match(idem):
        raise bad_request("Idempotency-Key", "1-128 printable ASCII characters")
    key = f"apps:{idem}" if idem else f"apps:{uuid.uuid4().hex}"
    doc, _ = flags.apply(session_id, values, source="apps_api", key=key, kinds=(kind,))
    return _answer(doc, collection)
