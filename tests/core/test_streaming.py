"""Streamed request bodies (recording ingest, CRM part uploads) are read in large blocks,
not urllib3's 16 KiB: a GiB is 4,096 passes through the Python layers feeding the body
instead of 65,536 (core/streaming.py)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest


class _Sink(http.server.BaseHTTPRequestHandler):
    def do_PUT(self) -> None:  # noqa: N802 - http.server's name
        left = int(self.headers["Content-Length"])
        while left:
            left -= len(self.rfile.read(min(left, 1 << 20)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sink() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/upload"
    finally:
        srv.shutdown()


class _Source:
    """A body that records how much each read asked for."""

    def __init__(self, size: int) -> None:
        self.left, self.asked = size, []

    def read(self, n: int = -1) -> bytes:
        self.asked.append(n)
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return b"\0" * n


def test_the_upload_sessions_read_bodies_in_blocks(sink: str) -> None:
    from core import streaming
    from core.crm import salesforce_http, zendesk_http
    from recordings import storage_io

    size = 4 * streaming.BLOCK
    sessions = {
        "storage_io": storage_io._http(),
        "zendesk": zendesk_http._session(),
        "salesforce": salesforce_http._session(),
    }
    for name, sess in sessions.items():
        src = _Source(size)
        r = sess.put(sink, data=storage_io.Limited(src, size), timeout=10)
        assert r.status_code == 200, name
        assert src.left == 0 and max(src.asked) == streaming.BLOCK, (name, src.asked[:3])
        assert len(src.asked) == 4, (name, len(src.asked))
    # Blocks no larger than the download queue's: memory stays flat.
    assert streaming.BLOCK <= storage_io.CHUNK
