"""Deliveries from Google's own services: Pub/Sub push and Cloud Tasks.

Both present `Authorization: Bearer <OIDC ID token>` minted by Google for a service
account (Pub/Sub: the push account of the subscription; Cloud Tasks: the account of the
task). The receiver checks, with google-auth, the signature against Google's certificates
(OIDC_CERTS_URL: Google's in the cloud, the suite's local issuer on the emulators), the
issuer, the audience (this function's own PUBLIC_URL) and the account's email. The code
is the same in both places; only the certificates URL differs.

No token, or one that does not verify: 401. A valid token for another audience or
another account: 403.

Event functions are plain HTTP functions that take the Pub/Sub push envelope
({"message": {"data", "attributes", "messageId", "publishTime"}, "subscription"}) on
`/`, hand the handler an event with `.data` and `["id"]` (the shape the handlers read
through core.sessions.events.decode_message) and answer 204 (ack) or 5xx (redeliver).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flask

from core import logs
from core.errors import ApiError, bad_request, forbidden, unauthorized
from core.http import error_response, json_response
from core.settings import settings

log = logs.get("push")
ISSUERS = ("https://accounts.google.com", "accounts.google.com")


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def verify(request: flask.Request, service_account: str | None, what: str) -> dict[str, Any]:
    """Claims of the caller's Google-signed ID token, or ApiError 401 / 403.

    `service_account`: the one account allowed to call (None refuses everything: a
    function that was not told who may call it lets no one in)."""
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized(f"{what}: a Google-signed bearer token is required")
    from google.oauth2 import id_token

    from core.auth.cached_certs import request as certs_request

    s = settings()
    try:
        # The audience is compared below, so a valid token for another function is a 403.
        claims = id_token.verify_token(
            token.strip(), certs_request(), audience=None, certs_url=s.oidc_certs_url
        )
    except Exception as exc:  # noqa: BLE001 - google-auth raises several types for bad tokens
        log.warning("%s: token refused: %s", what, type(exc).__name__)
        raise unauthorized(f"{what}: the bearer token does not verify") from None
    if claims.get("iss") not in ISSUERS:
        raise unauthorized(f"{what}: the token is not issued by Google")
    if not _same_url(str(claims.get("aud", "")), s.public_url):
        raise forbidden(f"{what}: the token is for another audience")
    if (
        not service_account
        or claims.get("email") != service_account
        or claims.get("email_verified") is not True
    ):
        raise forbidden(f"{what}: the token's account may not call this")
    return dict(claims)


def authenticate(request: flask.Request, service_account: str | None, what: str) -> None:
    """verify(), except on the emulator suite with its explicit switch on and no token."""
    if settings().allow_unauthenticated_push and not request.headers.get("Authorization"):
        return
    verify(request, service_account, what)


@dataclass
class PushEvent:
    """A Pub/Sub push delivery in the shape the handlers read (like a CloudEvent)."""

    data: dict[str, Any]
    attributes: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.attributes[key]


def _envelope(request: flask.Request) -> PushEvent:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request("message", "the body must be a Pub/Sub push envelope (JSON)")
    msg = body.get("message")
    if not isinstance(msg, dict):
        raise bad_request("message", "is required and must be an object")
    mid = msg.get("messageId") or msg.get("message_id")
    if not isinstance(mid, str) or not mid:
        raise bad_request("message.messageId", "is required")
    if not isinstance(msg.get("data", ""), str):
        raise bad_request("message.data", "must be base64 text")
    if not isinstance(msg.get("attributes") or {}, dict):
        raise bad_request("message.attributes", "must be an object")
    sub = body.get("subscription")
    return PushEvent(
        data={"message": msg, "subscription": sub},
        attributes={
            "id": mid,
            "type": "google.cloud.pubsub.topic.v1.messagePublished",
            "source": str(sub or ""),
        },
    )


def serve(request: flask.Request, name: str, handler: Callable[[Any], Any]) -> flask.Response:
    """The HTTP entry of an event function: authenticate, unwrap, run, ack or retry."""
    from core.manifest import manifest

    logs.configure(settings().log_level)
    oidc = manifest().oidc
    if not _same_url(request.path, oidc.push_path):
        return error_response(ApiError(404, "not_found", f"no route {request.path}"))
    if request.method != "POST":
        return error_response(
            ApiError(405, "method_not_allowed", "use POST", headers={"Allow": "POST"})
        )
    try:
        authenticate(request, settings().push_service_account, "Pub/Sub push")
        event = _envelope(request)
    except ApiError as err:
        return error_response(err)
    try:
        handler(event)
    except Exception:  # noqa: BLE001 - a 5xx makes Pub/Sub redeliver (then dead-letter)
        log.exception("%s failed on message %s", name, event["id"])
        return json_response({"error": {"code": "internal", "message": "will retry"}}, 500)
    return flask.Response(status=204)
