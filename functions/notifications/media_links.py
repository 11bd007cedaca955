"""Short-lived playable links to objects in the media bucket, served by this function.

A link is our public URL + /media/<object>?exp=<unix>&sig=<HMAC>. The carrier (<Play>) and
a browser can fetch it without credentials until it expires; nothing else can. Signing
here, rather than with a service-account key, works the same on the emulators and in the
cloud, and the bucket itself stays private.
"""

from __future__ import annotations

from urllib.parse import quote

import flask

from core import clients, signing
from core.errors import ApiError, not_found
from core.settings import settings

PREVIEW_SECONDS = 15 * 60


# A key of its own (core.signing derives one per purpose from a root secret), so a leaked
# media link key could never mint portal tokens or other URLs. The root is the portal
# secret: the one secret the notification functions are given (least privilege).
PURPOSE = "notifications-media-link"


def _root() -> str:
    return settings().portal_token_secret.get_secret_value()


def sign(obj: str, ttl: int = PREVIEW_SECONDS, now: float | None = None) -> tuple[str, int]:
    """(URL, expiry) for an object of the media bucket."""
    exp, sig = signing.url_params(PURPOSE, obj, ttl, now, _root())
    base = settings().public_url.rstrip("/")
    return f"{base}/media/{quote(obj)}?exp={exp}&sig={sig}", exp


def serve(request: flask.Request, obj: str) -> flask.Response:
    try:
        signing.verify_expiring(
            PURPOSE, obj, request.args.get("exp"), request.args.get("sig"), root=_root()
        )
    except signing.Expired:
        raise ApiError(
            403, "link_expired", "the link has expired; ask for a new one", field="exp"
        ) from None
    except signing.Malformed as exc:
        if exc.field == "exp":
            raise ApiError(403, "bad_link", "missing or bad `exp`", field="exp") from None
        raise ApiError(403, "bad_link", "the link signature is invalid", field="sig") from None
    except signing.SignatureError:
        raise ApiError(403, "bad_link", "the link signature is invalid", field="sig") from None
    blob = clients.storage_client().bucket(settings().media_bucket).get_blob(obj)
    if blob is None:
        raise not_found("media")
    data = blob.download_as_bytes()
    return flask.Response(
        data,
        mimetype=blob.content_type or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=60"},
    )
