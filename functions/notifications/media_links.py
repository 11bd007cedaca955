"""Short-lived playable links to objects in the media bucket, served by this function.

A link is our public URL + /media/<object>?exp=<unix>&sig=<HMAC>. The carrier (<Play>) and
a browser can fetch it without credentials until it expires; nothing else can. Signing
here, rather than with a service-account key, works the same on the emulators and in the
cloud, and the bucket itself stays private.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

import flask

from core import clients
from core.errors import ApiError, not_found
from core.settings import settings

PREVIEW_SECONDS = 15 * 60


def _key() -> bytes:
    # Derived, so a leaked media link key could never mint portal tokens.
    return hmac.new(
        settings().portal_token_secret.encode(), b"notifications-media-link", hashlib.sha256
    ).digest()


def _sig(obj: str, exp: int) -> str:
    return hmac.new(_key(), f"{obj}\n{exp}".encode(), hashlib.sha256).hexdigest()


def sign(obj: str, ttl: int = PREVIEW_SECONDS, now: float | None = None) -> tuple[str, int]:
    """(URL, expiry) for an object of the media bucket."""
    exp = int((now or time.time()) + ttl)
    base = settings().public_url.rstrip("/")
    return f"{base}/media/{quote(obj)}?exp={exp}&sig={_sig(obj, exp)}", exp


def serve(request: flask.Request, obj: str) -> flask.Response:
    try:
        exp = int(request.args.get("exp", ""))
    except ValueError:
        raise ApiError(403, "bad_link", "missing or bad `exp`", field="exp") from None
    sig = request.args.get("sig", "")
    if not hmac.compare_digest(sig, _sig(obj, exp)):
        raise ApiError(403, "bad_link", "the link signature is invalid", field="sig")
    if exp < time.time():
        raise ApiError(403, "link_expired", "the link has expired; ask for a new one", field="exp")
    blob = clients.storage_client().bucket(settings().media_bucket).get_blob(obj)
    if blob is None:
        raise not_found("media")
    data = blob.download_as_bytes()
    return flask.Response(
        data,
        mimetype=blob.content_type or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=60"},
    )
