"""The carrier's copy of a recording: stream its media, delete it once our copy is verified.

URLs are built from our configured API base and the recording sid, never taken from the
callback, so a forged or odd RecordingUrl cannot make us fetch from elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core import carrier


class CarrierError(Exception):
    """The carrier did not answer usefully (transient: retry later)."""


class CarrierGone(Exception):
    """The carrier has no such recording (deleted, or never existed)."""


def media_url(sid: str) -> str:
    return carrier.api_url(f"Recordings/{sid}.wav")


@contextmanager
def open_media(sid: str, timeout: float, start: int = 0) -> Iterator[tuple[Any, int, str]]:
    """(raw stream from byte `start`, total size, content type) of the recording's media.

    From a later byte, a Range request: a run resumes an ingest the previous one stopped.
    """
    import requests

    headers = {"Range": f"bytes={start}-"} if start else {}
    try:
        resp = requests.get(
            media_url(sid),
            auth=carrier.basic_auth(),
            headers=headers,
            stream=True,
            timeout=(3.05, timeout),
        )
    except requests.RequestException as exc:
        raise CarrierError(f"media: {exc.__class__.__name__}") from None
    try:
        if resp.status_code == 404:
            raise CarrierGone(sid)
        if start and resp.status_code == 206:
            # Content-Range: bytes START-END/TOTAL, and it must start where we asked.
            rng = resp.headers.get("Content-Range", "")
            first, _, total = rng.removeprefix("bytes ").partition("/")
            if not total.isdigit() or first.partition("-")[0] != str(start):
                raise CarrierError(f"media: unexpected Content-Range {rng!r}")
            size = int(total)
        elif resp.status_code == 200 and not start:
            length = resp.headers.get("Content-Length")
            if length is None or not length.isdigit():
                raise CarrierError("media: no Content-Length")
            size = int(length)
        else:
            raise CarrierError(f"media: HTTP {resp.status_code}")
        resp.raw.decode_content = True
        yield resp.raw, size, resp.headers.get("Content-Type", "audio/x-wav")
    finally:
        resp.close()


def delete(sid: str, timeout: float) -> bool:
    """Delete the carrier's copy; False if it was already gone."""
    import requests

    try:
        resp = requests.delete(
            carrier.api_url(f"Recordings/{sid}.json"),
            auth=carrier.basic_auth(),
            timeout=(3.05, timeout),
        )
    except requests.RequestException as exc:
        raise CarrierError(f"delete: {exc.__class__.__name__}") from None
    if resp.status_code == 404:
        return False
    if resp.status_code not in (200, 204):
        raise CarrierError(f"delete: HTTP {resp.status_code}")
    return True
