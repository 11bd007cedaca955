"""`make dev` (python -m emulators.dev): comes up, answers its own examples, and Ctrl-C
leaves nothing running."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.helpers.common import ROOT


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.served  # with SUITE_MODE=cloud, `make dev --check` serves cloud-shaped functions
def test_dev_check_runs_every_example() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "emulators.dev", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert out.stdout.count("-> ok") >= 5 and "FAILED" not in out.stdout
    assert "curl -sS" in out.stdout
    assert re.search(r"Console \(supervisors and admins.*\n  http://127\.0\.0\.1:\d+/", out.stdout)


def test_dev_stops_everything_on_ctrl_c() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulators.dev"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 240
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Ready."):
            break
    text = "".join(lines)
    assert "Ready." in text, text[-3000:]
    ports = [int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)", text)]
    assert len(ports) > 10 and all(_listening(p) for p in set(ports))
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "stopped." in rest
    time.sleep(0.5)
    still = [p for p in set(ports) if _listening(p)]
    assert not still, f"ports still open after Ctrl-C: {still}"
