"""A delivery worker in its own process, fed task lines on stdin (for the benches, which
kill it at random points). Each input line: {"recording_sid": ..., "gen": ...}; each
output line: the run's outcome, or {"peak_rss_kib": n} when asked with {"rss": true};
{"warm": true} imports and builds the clients first (a warm function instance)."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]


def _rss_kib() -> int:
    """Resident memory now (VmRSS), to compare with the peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


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
                "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "rss_kib": _rss_kib(),
            }
        else:
            out = worker.run(task["recording_sid"], int(task["gen"]))
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
