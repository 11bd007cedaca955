"""The emulator fallback for signed URLs: this function checks the token and streams.

Only used when signing mode is "function" (see signing.py); in the cloud the URLs go to
Cloud Storage directly and these routes answer 404.
"""

from __future__ import annotations

from collections.abc import Iterator

import flask

from core.errors import ApiError, not_found
from smartactions import media, signing
from smartactions.uploads import content_length

READ_CHUNK = 1024 * 1024


def _require_mode() -> None:
    if signing.mode() != "function":
        raise not_found("URL")


def download(request: flask.Request, token: str) -> flask.Response:
    _require_mode()
    claims = signing.check_token(token, "GET")
    from google.api_core.exceptions import NotFound

    blob = media.bucket().blob(claims["o"])
    try:
        blob.reload()
    except NotFound:
        raise not_found("object") from None

    def body() -> Iterator[bytes]:
        with blob.open("rb", chunk_size=READ_CHUNK) as fh:
            while chunk := fh.read(READ_CHUNK):
                yield chunk

    return flask.Response(
        body(),
        mimetype=blob.content_type or "application/octet-stream",
        headers={"Content-Length": str(blob.size or 0), "Cache-Control": "private, no-store"},
    )


def upload(request: flask.Request, token: str) -> flask.Response:
    """PUT as to a V4 signed URL: content type and size bound by the token, create-only."""
    _require_mode()
    claims = signing.check_token(token, "PUT")
    if request.headers.get("Content-Type") != claims["ct"]:
        raise ApiError(
            403,
            "bad_signature",
            f"this URL requires Content-Type {claims['ct']}",
            field="Content-Type",
        )
    size = content_length(request)
    if size > int(claims["max"]):
        raise media.too_large("body", int(claims["max"]))
    if media.exists(claims["o"]):
        raise ApiError(412, "precondition_failed", "the object was already uploaded", field="token")
    from google.api_core.exceptions import PreconditionFailed

    try:
        media.put(
            request.stream,
            size,
            b"",
            claims["ct"],
            claims["o"],
            int(claims["max"]),
            dict(claims.get("meta") or {}),
            retention=False,
        )
    except PreconditionFailed:
        raise ApiError(
            412, "precondition_failed", "the object was already uploaded", field="token"
        ) from None
    return flask.Response(status=200)
