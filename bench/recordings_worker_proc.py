"""A delivery worker in its own process, fed task lines on stdin (for the benches, which
kill it at random points). Each input line: {"recording_sid": ..., "gen": ...}; each
output line: the run's outcome, or {"peak_rss_kib": n} when asked with {"rss": true};
{"warm": true} imports and builds the clients first (a warm function instance)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _rss_kib() -> int:
    """Resident memory now (VmRSS), to compare with the peak."""
    return _status_kib("VmRSS")


def _peak_rss_kib() -> int:
    """This process's own peak (VmHWM). Not getrusage's ru_maxrss: Linux carries the
    parent's peak over into it across the fork and exec that started this worker (the
    bench process, far larger), so it reported the bench's size, not the worker's."""
    return _status_kib("VmHWM")


def main() -> None:
    from recordings import worker

    for line in sys.stdin:
        task = json.loads(line)
        if task.get("warm"):  # a warm instance: clients built, modules imported
            from core import clients

            clients.firestore(), clients.storage_client(), clients.tasks()
            worker.run("RE" + "0" * 32, 0)  # unknown recording: a read, nothing else
            out = {"warm": True, "rss_kib": _rss_kib()}
        elif task.get("rss"):
            out = {
                "peak_rss_kib": _peak_rss_kib(),
                "rss_kib": _rss_kib(),
            }
        else:
            out = worker.run(task["recording_sid"], int(task["gen"]))
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
