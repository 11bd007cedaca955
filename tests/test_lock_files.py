"""The hash-locked lock files agree with the top-level pins they are resolved from.

`make lock` resolves requirements.txt, requirements-dev.txt and
emulators/requirements-tasks.txt into `.lock` files that setup installs with
--require-hashes. A pin changed without re-running `make lock` fails here, before setup
would install the old version.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")
# Transitive dependencies that must never float (they once did).
TRANSITIVE = ("flask", "werkzeug", "grpcio", "protobuf", "cryptography")

LOCKS = {
    "requirements.lock": "requirements.txt",
    "requirements-dev.lock": "requirements-dev.txt",
    "emulators/requirements-tasks.lock": "emulators/requirements-tasks.txt",
}


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def top_level(path: Path) -> dict[str, str]:
    """name -> version of every pin in a requirements file and the files it includes."""
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            out |= top_level(path.parent / line[3:].strip())
        elif line:
            m = PIN.match(line)
            assert m, f"{path.name}: {line!r} is not pinned with =="
            out[_name(m.group(1))] = m.group(2)
    return out


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of every package in a lock file."""
    out: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text().splitlines():
        m = PIN.match(line)
        if m:
            current = _name(m.group(1))
            assert current not in out, f"{path.name}: {current} locked twice"
            out[current] = (m.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, n = out[current]
            out[current] = (version, n + 1)
    return out


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_top_level_pin_is_locked_at_its_version(lock: str) -> None:
    pins = top_level(ROOT / LOCKS[lock])
    got = locked(ROOT / lock)
    stale = {
        n: (v, got.get(n, ("missing", 0))[0]) for n, v in pins.items() if got.get(n, ("",))[0] != v
    }
    assert not stale, f"{lock} is stale (pin, locked): {stale}; run `make lock`"


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_locked_package_has_hashes(lock: str) -> None:
    got = locked(ROOT / lock)
    assert got, f"{lock} locks nothing"
    unhashed = sorted(n for n, (_, hashes) in got.items() if hashes == 0)
    assert not unhashed, f"{lock}: no hash for {unhashed}"
    assert "make lock" in (ROOT / lock).read_text().split("\n", 3)[1], "not written by make lock"


def test_runtime_and_dev_locks_agree_and_pin_the_transitive_stack() -> None:
    runtime = locked(ROOT / "requirements.lock")
    dev = locked(ROOT / "requirements-dev.lock")
    differ = {
        n: (v, dev.get(n, ("missing",))[0])
        for n, (v, _) in runtime.items()
        if dev.get(n, ("",))[0] != v
    }
    assert not differ, f"requirements-dev.lock disagrees with requirements.lock: {differ}"
    for name in TRANSITIVE:
        assert name in runtime, f"{name} is not pinned by requirements.lock"
    assert "protobuf" in locked(ROOT / "emulators/requirements-tasks.lock")


def test_setup_installs_the_locks_with_hashes() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    assert "--require-hashes" in setup
    for lock in ("requirements-dev.lock", "emulators/requirements-tasks.lock"):
        assert re.search(rf"make_venv \S+ \"[^\"]*\" {re.escape(lock)}\n", setup), lock
