"""`make bench`: every benchmark in one run, each against its own emulator suite.

    python -m bench.run_all            # the full versions (several minutes)
    python -m bench.run_all --short    # the CI-sized versions (also run by the test suite)

Each benchmark prints its own figures; this runner streams them and says which failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (module, full arguments, short arguments or None: not in the short run)
BENCHES: list[tuple[str, list[str], list[str] | None]] = [
    ("bench.cold_start", ["--runs", "5"], ["--runs", "1"]),
    ("bench.deflection_ivr", ["--duration", "15"], ["--duration", "3", "--rate", "50"]),
    ("bench.attributes_apps_api", [], ["--requests", "60", "--sessions", "10"]),
    ("bench.monitoring_list", [], ["--sessions", "500", "--requests", "30"]),
    ("bench.recordings_pipeline", ["--mib", "1024"], ["--mib", "64"]),
    ("bench.recordings_chaos", [], ["--short"]),
    # Needs Debian's chromium (scripts/setup.sh installs it); not in the short run.
    ("bench.console_latency", ["--calls", "50"], None),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="make bench")
    ap.add_argument("--short", action="store_true", help="CI-sized runs")
    ap.add_argument("--only", action="append", default=[], help="module name filter")
    ap.add_argument("--skip", action="append", default=[], help="module names to leave out")
    args = ap.parse_args(argv)
    failed = []
    for module, full, short in BENCHES:
        if args.only and not any(o in module for o in args.only):
            continue
        if (args.short and short is None) or any(k in module for k in args.skip):
            continue
        argv_ = [sys.executable, "-m", module, *(short if args.short else full)]
        print(f"\n=== {module} {' '.join(argv_[3:])}", flush=True)
        t0 = time.monotonic()
        rc = subprocess.call(argv_, cwd=ROOT)
        print(f"=== {module}: exit {rc} in {time.monotonic() - t0:.0f} s", flush=True)
        if rc:
            failed.append(module)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
