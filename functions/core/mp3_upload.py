"""An uploaded MP3: read no more than the limit, then check it by content."""

from __future__ import annotations

import flask

from core import mp3
from core.errors import ApiError
from core.http import read_capped


def too_large(limit: int, size: int | None) -> ApiError:
    """413; `size` is None when the upload was cut off unread (no Content-Length)."""
    return ApiError(
        413,
        "too_large",
        f"file: the file is {size} bytes; the limit is {limit}"
        if size is not None
        else f"file: the file is larger than the limit of {limit} bytes",
        field="file",
        errors=[{"field": "file", "problem": f"larger than {limit} bytes"}],
    )


def read_body(request: flask.Request, limit: int = mp3.MAX_BYTES) -> bytes:
    """The raw body; 413 as soon as it proves longer than `limit`, with or without
    Content-Length (a chunked upload is refused before the rest of it is read)."""
    data = read_capped(request, limit)
    if data is None:
        raise too_large(limit, request.content_length)
    return data


def check(data: bytes, limit: int = mp3.MAX_BYTES) -> mp3.Mp3Info:
    """413 over the limit, 415 `not_mp3` unless the bytes are MP3 frames."""
    if len(data) > limit:
        raise too_large(limit, len(data))
    try:
        return mp3.inspect(data, max_bytes=limit)
    except mp3.Mp3Error as exc:
        raise ApiError(
            415,
            "not_mp3",
            f"file: not a valid MP3: {exc}",
            field="file",
            errors=[{"field": "file", "problem": f"not a valid MP3: {exc}"}],
        ) from None
