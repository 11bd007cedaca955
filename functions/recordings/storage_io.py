"""Streaming in and out of the recordings bucket, never holding a recording in memory.

In: a resumable upload session (official client), fed chunk by chunk from the carrier's
response as it is read; the session URL and the bytes persisted survive a run, so the next
run resumes there. Out: one ranged download per worker run, fed by a thread
through a small bounded queue, so memory stays at a few MiB whatever the file size.
"""

from __future__ import annotations

import functools
import queue
import threading
from typing import Any, BinaryIO

from core import clients
from core.crm.streams import Readable
from core.settings import settings

CHUNK = 1 << 18  # bytes per queued block
DEPTH = 4  # queued blocks (bounds memory: DEPTH * CHUNK)


class StorageError(Exception):
    """The bucket did not take or give the bytes (transient: retry later)."""


@functools.cache
def _http() -> Any:
    """One pooled session per instance for the upload PUTs, reading bodies in large
    blocks (core/streaming.py)."""
    from core import streaming

    return streaming.session()


def object_name(sid: str) -> str:
    return f"recordings/{sid}"


def blob(sid: str) -> Any:
    return clients.storage_client().bucket(settings().recordings_bucket).blob(object_name(sid))


class Limited:
    """Exactly `size` bytes of `source`, as a body requests can stream (has __len__)."""

    def __init__(self, source: Readable, size: int, tick: Any = None) -> None:
        self._src, self._left, self._size, self._tick = source, size, size, tick
        self.sent = 0

    def __len__(self) -> int:
        return self._size

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        n = self._left if n is None or n < 0 else min(n, self._left)
        data = self._src.read(n)
        if not data:
            raise OSError(f"source ended {self._left} bytes early")
        self._left -= len(data)
        self.sent += len(data)
        if self._tick is not None:
            self._tick(self.sent)
        return data


class Corrupt(StorageError):
    """Our copy is not what the carrier sent (size or bytes): ingest it again."""


def crc32c() -> Any:
    """A CRC32C checksum, the one Cloud Storage keeps for every object (MD5 is missing on
    composite objects) and the cheapest to take: C code, ~30 times faster than MD5."""
    import google_crc32c

    return google_crc32c.Checksum()


def crc32c_b64(checksum: Any) -> str:
    """As the object resource carries it: base64 of the big-endian 4 bytes."""
    import base64

    return base64.b64encode(checksum.digest()).decode()


class Hashing:
    """Passes reads through, hashing what passed (what we streamed is what we check): the
    CRC32C to compare with the bucket's, the SHA-256 kept as the recording's fingerprint."""

    def __init__(self, source: Readable) -> None:
        import hashlib

        self._src = source
        self.crc32c, self.sha256, self.size = crc32c(), hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self._src.read(n)
        self.crc32c.update(data)
        self.sha256.update(data)
        self.size += len(data)
        return data

    def crc32c_hex(self) -> str:
        """The CRC32C of the bytes so far, as a stretch notes it."""
        return str(self.crc32c.hexdigest().decode())

    def skip(self, n: int) -> None:
        """Read and hash `n` bytes without passing them on, a block at a time."""
        while n > 0:
            data = self.read(min(CHUNK, n))
            if not data:
                raise OSError(f"source ended {n} bytes early")
            n -= len(data)


def _reload(sid: str, timeout: float) -> Any:
    b = blob(sid)
    try:
        b.reload(timeout=timeout)
    except Exception as exc:
        if exc.__class__.__module__.startswith(("google.", "requests")):
            raise StorageError(f"verify: {exc.__class__.__name__}: {exc}") from None
        raise
    return b


def verify(sid: str, size: int, crc32c_sent: str, timeout: float) -> dict[str, Any]:
    """Read the object's metadata back: it must be complete (size) and byte-identical
    (the bucket's own CRC32C of what it stored against ours of what we sent)."""
    b = _reload(sid, timeout)
    if int(b.size or 0) != size:
        raise Corrupt(f"verify: stored {b.size} bytes, expected {size}")
    if size and b.crc32c != crc32c_sent:
        raise Corrupt("verify: the stored object's CRC32C differs from what we sent")
    return {"generation": b.generation, "crc32c": b.crc32c}


def read_back(
    sid: str, size: int, stretches: list[dict[str, Any]], timeout: float
) -> dict[str, Any]:
    """Stream the stored object once (bounded memory) and check it: `size` bytes, each
    stretch [start, end) with the CRC32C (hex) noted when it was streamed in, and the whole
    with the bucket's own CRC32C (so what was read is what is stored). Returns the object's
    generation, its CRC32C (base64) and the SHA-256 (hex) of its bytes."""
    import hashlib

    b = _reload(sid, timeout)
    if int(b.size or 0) != size:
        raise Corrupt(f"verify: stored {b.size} bytes, expected {size}")
    whole, sha = crc32c(), hashlib.sha256()
    reader = RangeReader(sid, 0, size, timeout)
    try:
        for st in stretches:
            part, left = crc32c(), int(st["end"]) - int(st["start"])
            while left > 0:
                data = reader.read(min(CHUNK, left))
                if not data:
                    raise StorageError(f"verify: the object ended {left} bytes early")
                part.update(data)
                whole.update(data)
                sha.update(data)
                left -= len(data)
            if part.hexdigest().decode() != st.get("crc32c"):
                raise Corrupt(
                    f"verify: bytes {st['start']}-{int(st['end']) - 1} differ from those streamed"
                )
    except OSError as exc:
        raise StorageError(f"verify: {exc}") from None
    finally:
        reader.close()
    crc = crc32c_b64(whole)
    if size and b.crc32c != crc:
        raise StorageError("verify: what was read differs from the bucket's own CRC32C")
    return {"generation": b.generation, "crc32c": crc, "sha256": sha.hexdigest()}


def upload(
    sid: str,
    source: BinaryIO,
    size: int,
    content_type: str,
    metadata: dict[str, str],
    timeout: float,
    tick: Any = None,
) -> dict[str, Any]:
    """Stream `size` bytes from source into the object; returns the object resource."""
    import requests

    b = blob(sid)
    b.metadata = metadata
    try:
        session_url = b.create_resumable_upload_session(
            content_type=content_type, size=size, timeout=timeout
        )
        # The session URL authorizes the upload by itself: no credentials on this PUT.
        rng = f"bytes 0-{size - 1}/{size}" if size else "bytes */0"
        resp = _http().put(
            session_url,
            data=Limited(source, size, tick) if size else b"",
            headers={"Content-Range": rng, "Content-Type": content_type},
            timeout=(3.05, timeout),
        )
    except requests.RequestException as exc:
        raise StorageError(f"upload: {exc.__class__.__name__}: {exc}") from None
    except Exception as exc:  # google.api_core errors while opening the session
        if exc.__class__.__module__.startswith(("google.", "requests")):
            raise StorageError(f"upload session: {exc}") from None
        raise
    if resp.status_code not in (200, 201):
        raise StorageError(f"upload: HTTP {resp.status_code}: {resp.text[:200]}")
    out = resp.json() if resp.content else {}
    if int(out.get("size", size)) != size:
        raise StorageError(f"upload: stored {out.get('size')} bytes, expected {size}")
    return out


class OffsetRefused(StorageError):
    """The session refused a chunk starting where it said it had persisted up to. The
    storage emulator answers a session holding nothing with "bytes=0-0", which in Cloud
    Storage's terms is one byte: the chunk after it is refused. Start a new session."""


class SessionGone(StorageError):
    """The resumable upload session is unknown or expired (a week): start a new one."""


def start_session(
    sid: str, size: int, content_type: str, metadata: dict[str, str], timeout: float
) -> str:
    """A resumable upload session for the object (its URL authorizes the upload by itself,
    so it is kept on the recording's document, never logged)."""
    b = blob(sid)
    b.metadata = metadata
    try:
        return str(
            b.create_resumable_upload_session(content_type=content_type, size=size, timeout=timeout)
        )
    except Exception as exc:  # google.api_core / requests errors while opening the session
        if exc.__class__.__module__.startswith(("google.", "requests")):
            raise StorageError(f"upload session: {exc}") from None
        raise


def _progress(resp: Any, size: int) -> tuple[int, dict[str, Any] | None]:
    """(bytes the bucket has, the object once complete) from a resumable upload answer."""
    if resp.status_code in (200, 201):
        out = resp.json() if resp.content else {}
        if int(out.get("size", size)) != size:
            raise StorageError(f"upload: stored {out.get('size')} bytes, expected {size}")
        return size, out
    if resp.status_code == 308:  # Resume Incomplete: Range says what was persisted
        rng = resp.headers.get("Range", "")
        if not rng:
            return 0, None
        last = rng.rpartition("-")[2]
        if not last.isdigit():
            raise StorageError(f"upload: unreadable Range {rng!r}")
        return int(last) + 1, None
    if resp.status_code in (404, 410):
        raise SessionGone(f"upload session: HTTP {resp.status_code}")
    raise StorageError(f"upload: HTTP {resp.status_code}: {resp.text[:200]}")


def upload_status(session_url: str, size: int, timeout: float) -> tuple[int, dict[str, Any] | None]:
    """Ask the session how far it got: (bytes persisted, object if complete)."""
    import requests

    try:
        resp = _http().put(
            session_url, data=b"", headers={"Content-Range": f"bytes */{size}"},
            timeout=(3.05, timeout),
        )  # fmt: skip
    except requests.RequestException as exc:
        raise StorageError(f"upload status: {exc.__class__.__name__}") from None
    return _progress(resp, size)


def upload_chunk(
    session_url: str,
    source: Readable,
    start: int,
    length: int,
    size: int,
    content_type: str,
    timeout: float,
    tick: Any = None,
) -> tuple[int, dict[str, Any] | None]:
    """Stream `length` bytes of `source` as [start, start + length) of the object:
    (bytes the bucket has now, the object once the last chunk is in)."""
    import requests

    if length <= 0:
        return upload_status(session_url, size, timeout)
    try:
        resp = _http().put(
            session_url,
            data=Limited(source, length, tick),
            headers={
                "Content-Range": f"bytes {start}-{start + length - 1}/{size}",
                "Content-Type": content_type,
            },
            timeout=(3.05, timeout),
        )
    except requests.RequestException as exc:
        raise StorageError(f"upload chunk: {exc.__class__.__name__}: {exc}") from None
    if resp.status_code == 400 and start > 0:
        raise OffsetRefused(f"upload: chunk at byte {start} refused: {resp.text[:200]}")
    return _progress(resp, size)


def delete(sid: str) -> bool:
    """Delete the object; False if it was already gone."""
    from google.api_core.exceptions import NotFound

    try:
        blob(sid).delete()
        return True
    except NotFound:
        return False


def exists(sid: str) -> bool:
    return bool(blob(sid).exists())


class _Writer:
    """The download thread's side: gathers small writes into CHUNK blocks."""

    def __init__(self, q: queue.Queue[Any], closed: threading.Event) -> None:
        self._q, self._closed, self._buf = q, closed, bytearray()

    def write(self, data: bytes) -> int:
        self._buf += data
        if len(self._buf) >= CHUNK:
            self._put(bytes(self._buf))
            self._buf.clear()
        return len(data)

    def flush(self) -> None:
        if self._buf:
            self._put(bytes(self._buf))
            self._buf.clear()

    def _put(self, item: Any) -> None:
        while True:
            if self._closed.is_set():
                raise OSError("reader closed")  # stops the download
            try:
                self._q.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


class RangeReader:
    """Bytes [start, end) of the object, read sequentially (file-like `read`)."""

    def __init__(self, sid: str, start: int, end: int, timeout: float) -> None:
        self.pos, self.end = start, end
        self._q: queue.Queue[Any] = queue.Queue(maxsize=DEPTH)
        self._closed = threading.Event()
        self._cur = memoryview(b"")
        self._eof = start >= end
        if not self._eof:
            self._thread = threading.Thread(
                target=self._pump, args=(sid, start, end, timeout), daemon=True
            )
            self._thread.start()

    def _pump(self, sid: str, start: int, end: int, timeout: float) -> None:
        w = _Writer(self._q, self._closed)
        try:
            blob(sid).download_to_file(
                w, start=start, end=end - 1, checksum=None, raw_download=True, timeout=timeout
            )
            w.flush()
            w._put(None)
        except BaseException as exc:  # handed to the reader, which raises it
            if not self._closed.is_set():
                try:
                    w._put(exc)
                except OSError:
                    pass

    def read(self, n: int = -1) -> bytes:
        want = (self.end - self.pos) if n is None or n < 0 else n
        out = bytearray()
        while len(out) < want:
            if not len(self._cur):
                if self._eof:
                    break
                try:
                    item = self._q.get(timeout=120)
                except queue.Empty:
                    raise OSError("storage read stalled") from None
                if item is None:
                    self._eof = True
                    break
                if isinstance(item, BaseException):
                    self._eof = True
                    raise OSError(f"storage read failed: {item}") from item
                self._cur = memoryview(item)
            take = min(want - len(out), len(self._cur))
            out += self._cur[:take]
            self._cur = self._cur[take:]
        self.pos += len(out)
        return bytes(out)

    def close(self) -> None:
        self._closed.set()
        try:  # unblock a writer waiting on a full queue
            while True:
                self._q.get_nowait()
        except queue.Empty:
            pass
