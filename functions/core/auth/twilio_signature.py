"""Carrier webhooks: X-Twilio-Signature over the configured public URL."""

from __future__ import annotations

import hmac

import flask
from twilio.request_validator import RequestValidator

from core.caches import cached
from core.errors import ApiError
from core.http import form_params
from core.settings import settings


@cached
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


def public_url_of(request: flask.Request) -> str:
    """The URL Twilio called: our configured public base + path + query string.

    Never derived from Host / X-Forwarded-* headers, which a caller controls.
    """
    url = settings().public_url.rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


def verify_twilio(request: flask.Request) -> dict[str, str]:
    """Return the form params if the signature is valid, else raise 403."""
    signature = request.headers.get("X-Twilio-Signature", "")
    params = form_params(request) if request.method == "POST" else {}
    if not signature or not _valid(
        _validator(settings().twilio_auth_token.get_secret_value()),
        public_url_of(request),
        params,
        signature,
    ):
        raise ApiError(
            403,
            "bad_signature",
            "X-Twilio-Signature is missing or invalid",
            field="X-Twilio-Signature",
        )
    return params


def _valid(v: RequestValidator, url: str, params: dict[str, str], signature: str) -> bool:
    # Twilio signs the URL exactly as configured on the number, which is our public URL:
    # one HMAC, compared in constant time. The library's full check (the URL with and
    # without its default port) runs only when that one does not match.
    if hmac.compare_digest(v.compute_signature(url, params).encode(), signature.encode()):
        return True
    return bool(v.validate(url, params, signature))


def sign(url: str, params: dict[str, str], token: str | None = None) -> str:
    """Compute a signature as Twilio would (used by tests and the local stand-in)."""
    return _validator(token or settings().twilio_auth_token.get_secret_value()).compute_signature(
        url, params
    )
