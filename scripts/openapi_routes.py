"""The routes of every HTTP function, read from their Routers (each `router.route(...)` in
functions/<capability>/http.py declares a route once), and the OpenAPI security scheme of
each caller type. `scripts/openapi_check.py` and the hostile tests read them.
"""

from __future__ import annotations

from typing import Any

# Caller types -> OpenAPI security scheme (None: the URL itself carries the authorization,
# or the route is public).
AUTH: dict[str, dict[str, str] | None] = {
    "twilio": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Twilio-Signature",
        "description": "HMAC-SHA1 (base64) of the configured public URL plus the "
        "sorted form parameters, keyed with the Twilio auth token.",
    },
    "sdk": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "End-user JWT (HS256, company secret; claims iat, exp, identifier) "
        "or a visitor token issued by POST /sdk/visitors.",
    },
    "apps": {
        "type": "http",
        "scheme": "basic",
        "description": "Apps API: username = company subdomain, password = API token.",
    },
    "portal": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Identity Platform ID token of a person, or a Google service-account "
        "ID token (audience: this function's URL) of automation (docs/signin.md); the verified "
        "email names a config user, whose roles, permissions and teams come from the applied "
        "config.",
    },
    "cx": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Webhook-Secret",
        "description": "Shared secret configured on the Dialogflow CX webhook.",
    },
    "crm_key": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CRM-Key",
        "description": "A key from RECORDINGS_CRM_KEYS (the CRM reading recordings), always "
        "with its second factor: X-CRM-TOTP (RFC 6238 code of the key's enrolled secret, "
        "usable once) on POST /recordings/session, and the session it returns in "
        "X-CRM-Session on GET /recordings/{sid}/url.",
    },
    "task": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Recording-Task-Signature",
        "description": "HMAC-SHA256 of the task body (Cloud Tasks calls only).",
    },
    "viewer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Chat viewer token from POST /chats/{session_id}/view.",
    },
    "signed_url": None,  # exp + sig query parameters, or a signed token in the path
    "public": None,
}


def router_routes(function: str) -> list[tuple[str, str]]:
    """(method, rule) pairs the function's Router really serves."""
    return _router(function).routes()


def _router(function: str) -> Any:
    import importlib

    from core.manifest import manifest

    return importlib.import_module(manifest().function(function).module).router


def declared(function: str) -> list[Any]:
    """Every route of a function as its Router declares it (core/routes.py Route)."""
    return list(_router(function).declared())


def http_functions() -> list[str]:
    from core.manifest import manifest

    return [fn.name for fn in manifest().http]
