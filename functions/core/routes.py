"""What a route declares, once: the one record the Router serves and the docs are built from.

`Router.route(...)` in `<capability>/http.py` is the only place a route is written. From
it come the dispatch table, the OpenAPI description (`scripts/openapi_check.py`), the
caller column of the authorization matrix and the README's route table.

Handlers and models are named as "package.module:name" and imported on first use, so a
function pays at cold start only for the modules of the routes it serves.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

JSON = "application/json"
TWIML = "text/xml"

# Request bodies that are not one pydantic model.
FORM = "form"  # carrier webhook, application/x-www-form-urlencoded (Twilio-signed)
BINARY = "binary"  # raw bytes (uploads, config files)
MERGE_PATCH = "merge-patch"  # a JSON object merged into the resource (RFC 7386)
BODY_KINDS = (FORM, BINARY, MERGE_PATCH)


@dataclass(frozen=True)
class Caller:
    label: str  # who, for the README's route table
    # How it authenticates, as an OpenAPI security scheme (None: the URL itself carries the
    # authorization, or the route is public).
    scheme: dict[str, str] | None


# Caller types: who may call a route and how it authenticates (docs/openapi/README.md).
CALLERS: dict[str, Caller] = {
    "twilio": Caller(
        "carrier (Twilio-signed)",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-Twilio-Signature",
            "description": "HMAC-SHA1 (base64) of the configured public URL plus the sorted "
            "form parameters, keyed with the Twilio auth token.",
        },
    ),
    "sdk": Caller(
        "SDK end user (end-user JWT or visitor token)",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "End-user JWT (HS256, company secret; claims iat, exp, identifier) "
            "or a visitor token issued by POST /sdk/visitors.",
        },
    ),
    "apps": Caller(
        "back office (Apps API Basic: subdomain / API token)",
        {
            "type": "http",
            "scheme": "basic",
            "description": "Apps API: username = company subdomain, password = API token.",
        },
    ),
    "portal": Caller(
        "portal user (Identity Platform or service-account ID token)",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Identity Platform ID token of a person, or a Google "
            "service-account ID token (audience: this function's URL) of automation "
            "(docs/signin.md); the verified email names a config user, whose roles, "
            "permissions and teams come from the applied config.",
        },
    ),
    "cx": Caller(
        "Dialogflow CX (webhook secret)",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-Webhook-Secret",
            "description": "Shared secret configured on the Dialogflow CX webhook.",
        },
    ),
    "crm_key": Caller(
        "CRM (key + TOTP second factor)",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-CRM-Key",
            "description": "A key from RECORDINGS_CRM_KEYS (the CRM reading recordings), "
            "always with its second factor: X-CRM-TOTP (RFC 6238 code of the key's enrolled "
            "secret, usable once) on POST /recordings/session, and the session it returns in "
            "X-CRM-Session on GET /recordings/{sid}/url.",
        },
    ),
    "task": Caller(
        "Cloud Tasks (OIDC token + signed body)",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-Recording-Task-Signature",
            "description": "HMAC-SHA256 of the task body (Cloud Tasks calls only).",
        },
    ),
    "viewer": Caller(
        "chat viewer token",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Chat viewer token from POST /chats/{session_id}/view.",
        },
    ),
    "signed_url": Caller("signed URL (the URL is the authorization)", None),
    "public": Caller("anyone", None),
}


def resolve(ref: str) -> Any:
    """The object a "package.module:name" reference names."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the werkzeug rule, e.g. /calls/<session_id>
    handler: str  # "package.module:function", called as fn(request, **path params, **args)
    caller: str  # a key of CALLERS
    summary: str
    body: str | None = None  # "package.module:Model", or one of BODY_KINDS
    query: str | None = None  # "package.module:Model" whose fields are the query parameters
    response: str | None = None  # "package.module:Model" of the success body
    params: tuple[str, ...] = ()  # further optional string query parameters
    headers: tuple[str, ...] = ()  # optional request headers the route reads
    ok: tuple[int, ...] = (200,)
    produces: str = JSON
    limited: str | None = None  # what a 429 (with Retry-After) counts, if the route has one
    errors: tuple[int, ...] = ()  # refusals beyond those the caller type and inputs imply
    args: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.caller not in CALLERS:
            raise ValueError(f"{self.method} {self.path}: unknown caller type {self.caller!r}")
        for what, ref in (("handler", self.handler), ("query", self.query)):
            if ref is not None and ":" not in ref:
                raise ValueError(f"{self.method} {self.path}: {what} must be 'module:name'")
        if self.body is not None and self.body not in BODY_KINDS and ":" not in self.body:
            raise ValueError(f"{self.method} {self.path}: body must be 'module:Model' or a kind")
        object.__setattr__(self, "args", MappingProxyType(dict(self.args)))

    @property
    def json_api(self) -> bool:
        """A JSON route (what schemathesis fuzzes): JSON in (or nothing) and JSON out."""
        return self.produces == JSON and self.body not in (FORM, BINARY)

    def target(self) -> Callable[..., Any]:
        fn = resolve(self.handler)
        if not callable(fn):
            raise TypeError(f"{self.handler} is not callable")
        return fn
