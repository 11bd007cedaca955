"""Large transfers stay streamed: the server's RSS must not grow with the body size.

Each server runs as `python -m emulators.standins.<name> --port 0` (which also checks the
entry point and its "ready <url>" line); a sampler thread reads VmRSS from /proc.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emulators.standins.zendesk_server import DEFAULT_API_TOKEN, DEFAULT_EMAIL

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc"),
]

REPO = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
SIZE = 200 * MB
RSS_BUDGET = 100 * MB


class Proc:
    """A stand-in subprocess with an RSS sampler."""

    def __init__(self, module: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.p = subprocess.Popen(
            [sys.executable, "-m", f"emulators.standins.{module}", "--port", "0"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.p.stdout is not None
        line = self.p.stdout.readline().strip()
        assert line.startswith("ready http://127.0.0.1:"), line
        self.url = line.split(" ", 1)[1]
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def rss(self) -> int:
        text = Path(f"/proc/{self.p.pid}/status").read_text()
        m = re.search(r"VmRSS:\s+(\d+) kB", text)
        assert m
        return int(m.group(1)) * 1024

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(0.01)

    def start_sampling(self) -> int:
        base = self.rss()
        self.peak = base
        self._thread.start()
        return base

    def stop_sampling(self) -> int:
        self._stop.set()
        self._thread.join()
        return max(self.peak, self.rss())

    def close(self) -> None:
        self.p.terminate()
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


@pytest.fixture
def proc(request) -> Iterator[Proc]:
    p = Proc(request.param)
    yield p
    p.close()


class GeneratedBody:
    """A file-like body of known length: requests sends Content-Length and streams it."""

    def __init__(self, total: int, head: bytes = b"", tail: bytes = b"") -> None:
        self.block = bytes(range(256)) * (MB // 256)
        self.head, self.tail, self.total = head, tail, total
        self.pos = 0
        self._cached: tuple[int, memoryview] = (-1, memoryview(b""))
        self.digest = hashlib.sha256()  # of the generated payload only

    def __len__(self) -> int:
        return len(self.head) + self.total + len(self.tail)

    def _payload(self, start: int, n: int) -> bytes:
        i, off = divmod(start, MB)
        if self._cached[0] != i:
            self._cached = (i, memoryview(i.to_bytes(4, "big") + self.block[4:]))
        return bytes(self._cached[1][off : off + min(n, MB - off)])

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = MB
        h, t = len(self.head), self.total
        if self.pos < h:
            out = self.head[self.pos : self.pos + n]
        elif self.pos < h + t:
            out = self._payload(self.pos - h, min(n, h + t - self.pos))
            self.digest.update(out)
        else:
            k = self.pos - h - t
            out = self.tail[k : k + n]
        self.pos += len(out)
        return out


@pytest.mark.parametrize("proc", ["zendesk_server"], indirect=True)
def test_zendesk_200mb_upload_keeps_rss_flat(proc):
    auth = (f"{DEFAULT_EMAIL}/token", DEFAULT_API_TOKEN)
    url = f"{proc.url}/api/v2/uploads.json"
    requests.post(url, params={"filename": "warm.wav"}, data=b"x", auth=auth).raise_for_status()
    base = proc.start_sampling()
    body = GeneratedBody(SIZE)
    r = requests.post(
        url,
        params={"filename": "big.wav"},
        data=body,
        headers={"Content-Type": "audio/wav"},
        auth=auth,
    )
    peak = proc.stop_sampling()
    assert r.status_code == 201, r.text
    assert r.json()["upload"]["attachment"]["size"] == SIZE
    uploads = requests.get(f"{proc.url}/_control/uploads").json()["uploads"]
    assert uploads[-1]["attachments"][0]["sha256"] == body.digest.hexdigest()
    assert peak - base < RSS_BUDGET, f"RSS grew by {(peak - base) // MB} MB"


@pytest.mark.parametrize("proc", ["twilio_server"], indirect=True)
def test_twilio_200mb_recording_download_keeps_rss_flat(proc):
    from emulators.standins.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

    rec = requests.post(
        f"{proc.url}/_control/recordings",
        json={"call_sid": "CA" + "9" * 32, "seconds": SIZE // MB, "bytes_per_second": MB},
    ).json()
    media = f"{proc.url}/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/Recordings/{rec['sid']}.wav"
    auth = (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
    requests.get(media, auth=auth, headers={"Range": "bytes=0-10"}).raise_for_status()
    base = proc.start_sampling()
    size = 0
    seen = []
    with requests.get(media, auth=auth, stream=True) as r:
        assert r.headers["Content-Length"] == str(SIZE)
        for chunk in r.iter_content(MB):
            if chunk.startswith(b"SEC:") and size % MB == 0:
                seen.append(int(chunk[4:10]))
            size += len(chunk)
    peak = proc.stop_sampling()
    assert size == SIZE
    assert seen == list(range(SIZE // MB))
    assert peak - base < RSS_BUDGET, f"RSS grew by {(peak - base) // MB} MB"


@pytest.mark.parametrize("proc", ["salesforce_server"], indirect=True)
def test_salesforce_200mb_multipart_keeps_rss_flat(proc):
    from emulators.standins.salesforce_server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    tok = requests.post(
        f"{proc.url}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {tok}"}
    case_id = requests.post(
        f"{proc.url}/services/data/v60.0/sobjects/Case", json={"Subject": "x"}, headers=headers
    ).json()["id"]
    boundary = "boundary_string_7f3a"
    entity = json.dumps({"PathOnClient": "big.wav", "FirstPublishLocationId": case_id})
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="entity_content";\r\n'
        "Content-Type: application/json\r\n\r\n"
        f"{entity}\r\n"
        f"--{boundary}\r\n"
        "Content-Type: application/octet-stream\r\n"
        'Content-Disposition: form-data; name="VersionData"; filename="big.wav"\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = GeneratedBody(SIZE, head, tail)
    base = proc.start_sampling()
    r = requests.post(
        f"{proc.url}/services/data/v60.0/sobjects/ContentVersion",
        data=body,
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    peak = proc.stop_sampling()
    assert r.status_code == 201, r.text
    files = requests.get(f"{proc.url}/_control/cases/{case_id}/files").json()["files"]
    assert files[0]["size"] == SIZE and files[0]["sha256"] == body.digest.hexdigest()
    assert peak - base < RSS_BUDGET, f"RSS grew by {(peak - base) // MB} MB"
