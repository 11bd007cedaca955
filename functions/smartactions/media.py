"""Media objects in the media bucket: streamed in, checked by content, kept for a while.

Objects live under sessions/{session_id}/..., carry their session / request in metadata
and their retention (metadata retain_until + custom_time for the bucket lifecycle rule).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import IO, Any

from core import clients
from core.errors import ApiError
from core.settings import settings
from smartactions import clock
from smartactions.config import sa_settings
from smartactions.sniff import HEAD_BYTES, MediaType, describe, sniff

CHUNK = 8 * 1024 * 1024  # resumable chunk size (a multiple of 256 KiB)


def bucket() -> Any:
    return clients.storage_client().bucket(settings().media_bucket)


def object_name(session_id: str, group: str, ext: str) -> str:
    return f"sessions/{session_id}/{group}/{secrets.token_hex(12)}.{ext}"


def retain_until(now: float) -> float:
    return now + sa_settings().media_retention_days * 86400


def retention_metadata(now: float) -> tuple[dict[str, str], datetime]:
    until = retain_until(now)
    return (
        {"retain_until": datetime.fromtimestamp(until, UTC).isoformat()},
        datetime.fromtimestamp(now, UTC),
    )


class TooLarge(Exception):
    pass


class CheckedReader:
    """Replays the sniffed head, then the request stream; counts, hashes and stops at limit."""

    def __init__(self, head: bytes, stream: IO[bytes], limit: int) -> None:
        self._head = head
        self._stream = stream
        self._limit = limit
        self.count = 0
        self.sha = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        out = b""
        if self._head:
            take = len(self._head) if n < 0 else min(n, len(self._head))
            out, self._head = self._head[:take], self._head[take:]
            if n >= 0:
                n -= len(out)
        if n != 0:
            out += self._stream.read(n) if n > 0 else self._stream.read()
        self.count += len(out)
        if self.count > self._limit:
            raise TooLarge
        self.sha.update(out)
        return out


def read_head(stream: IO[bytes]) -> bytes:
    head = b""
    while len(head) < HEAD_BYTES:
        piece = stream.read(HEAD_BYTES - len(head))
        if not piece:
            break
        head += piece
    return head


def check_type(head: bytes, allowed: tuple[MediaType, ...], field: str) -> MediaType:
    mt = sniff(head)
    if mt is None or mt not in allowed:
        names = ", ".join(m.name.upper() for m in allowed)
        what = mt.name.upper() if mt else describe(head)
        raise ApiError(
            415,
            "unsupported_media",
            f"{field}: content is {what}; only {names} accepted (judged by content)",
            field=field,
            errors=[{"field": field, "problem": f"content is {what}"}],
        )
    return mt


def too_large(field: str, limit: int) -> ApiError:
    return ApiError(
        413,
        "too_large",
        f"{field}: larger than {limit} bytes",
        field=field,
        errors=[{"field": field, "problem": f"larger than {limit} bytes"}],
    )


def put(
    stream: IO[bytes],
    size: int,
    head: bytes,
    content_type: str,
    name: str,
    limit: int,
    meta: dict[str, str],
    *,
    retention: bool = True,
    field: str = "body",
) -> dict[str, Any]:
    """Stream a new object into the bucket; nothing remains if it turns out bad.

    `if_generation_match=0` makes it create-only, so a replayed upload never overwrites.
    """
    now = clock.now()
    blob = bucket().blob(name, chunk_size=CHUNK)
    rmeta, custom_time = retention_metadata(now)
    # custom_time always: the lifecycle rule also removes uploads never verified.
    blob.custom_time = custom_time
    blob.metadata = meta | rmeta if retention else dict(meta)
    reader = CheckedReader(head, stream, limit)
    try:
        blob.upload_from_file(reader, size=size, content_type=content_type, if_generation_match=0)
    except TooLarge:
        delete(name)
        raise too_large(field, limit) from None
    except Exception as exc:
        from google.api_core.exceptions import PreconditionFailed

        if not isinstance(exc, PreconditionFailed):  # that object is someone else's: keep it
            delete(name)
        raise
    if reader.count != size:
        delete(name)
        raise ApiError(
            400,
            "length_mismatch",
            f"{field}: got {reader.count} bytes, Content-Length said {size}",
            field=field,
        )
    return {
        "object": name,
        "content_type": content_type,
        "size": size,
        "sha256": reader.sha.hexdigest(),
        "md5": blob.md5_hash,
        "uploaded_at": now,
        "retain_until": retain_until(now),
    }


def inspect(name: str) -> tuple[bytes, int, dict[str, str], str | None] | None:
    """(head bytes, size, metadata, md5) of an object, or None when it does not exist."""
    from google.api_core.exceptions import NotFound

    blob = bucket().blob(name)
    try:
        blob.reload()
        head = blob.download_as_bytes(start=0, end=HEAD_BYTES - 1) if blob.size else b""
    except NotFound:
        return None
    return head, int(blob.size or 0), dict(blob.metadata or {}), blob.md5_hash


def finalize(name: str, meta: dict[str, str], now: float) -> None:
    """Stamp retention on an object uploaded through a signed URL, once verified."""
    blob = bucket().blob(name)
    rmeta, custom_time = retention_metadata(now)
    blob.metadata = meta | rmeta
    blob.custom_time = custom_time
    blob.patch()


def delete(name: str) -> None:
    from google.api_core.exceptions import NotFound

    try:
        bucket().blob(name).delete()
    except NotFound:
        pass


def exists(name: str) -> bool:
    return bool(bucket().blob(name).exists())


def list_names(prefix: str) -> list[str]:
    return [
        b.name for b in clients.storage_client().list_blobs(settings().media_bucket, prefix=prefix)
    ]
