"""`make bench`: every benchmark in one run, each against its own emulator suite.

    python -m bench.run_all            # the full versions (long: includes the 4 GiB recording)
    python -m bench.run_all --no-slow  # the full versions without the slow ones
    python -m bench.run_all --short    # the CI-sized versions (also run by the test suite)

Each benchmark prints its own figures and writes them as JSON (bench.common.Report); this
runner streams the output, renders one PNG chart per bench (bench.charts) and, for a full
run, writes bench/RESULTS.md: the target table and the run's raw output. A short run
writes the same into --out (a temporary directory unless given), never into bench/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"

# (module, full arguments, short arguments or None: not in the short run, slow)
BENCHES: list[tuple[str, list[str], list[str] | None, bool]] = [
    ("bench.cold_start", ["--runs", "5"], ["--runs", "1"], False),
    (
        "bench.deflection_ivr",
        ["--duration", "15"],
        ["--duration", "3", "--rate", "50", "--rounds", "1"],
        False,
    ),
    ("bench.attributes_apps_api", [], ["--requests", "60", "--sessions", "50"], False),
    ("bench.monitoring_list", [], ["--sessions", "500", "--requests", "30"], False),
    ("bench.recordings_pipeline", ["--mib", "1024"], ["--mib", "64"], False),
    ("bench.recordings_pipeline", ["--mib", "4096", "--runs", "1"], None, True),
    ("bench.recordings_chaos", [], ["--short"], False),
    # Needs Debian's chromium (scripts/setup.sh installs it); not in the short run.
    ("bench.console_latency", ["--calls", "50"], None, False),
]

NOTES = """\
Notes:
- Every ratio is to a baseline measured in the same run on the same machine (a bare
  functions-framework handler, or a plain streamed copy for recordings): the emulators,
  the stand-ins, the served functions and the load generator share the cores, so absolute
  times are noisy and only the ratios compare across runs.
- The monitoring list reads the live-sessions projection (monitoring.live): a fixed
  number of shard documents per page, whatever the filter, so its figures do not depend
  on the emulator's missing indexes.
- The Apps API benchmark raises the per-customer rate limit to measure throughput, then
  checks the real limit (10/s) separately; the CRM write runs in attributes_on_event.
- Chaos: 30% 5xx, 10% 429 (half with Retry-After), 5% lost acknowledgements, duplicate task
  deliveries, the worker SIGKILLed at random points.
"""


def _run(argv: list[str], env: dict[str, str], raw: list[str]) -> int:
    """Run one bench, streaming its output and keeping it for RESULTS.md."""
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        print(line, end="", flush=True)
        raw.append(line.rstrip("\n"))
    return proc.wait()


def target_rows(results: Path) -> list[str]:
    rows = ["| bench | figure | measured | baseline | target | met |", "|---|---|---|---|---|---|"]
    for path in sorted(results.glob("*.json")):
        data: dict[str, Any] = json.loads(path.read_text())
        for name, f in data.get("figures", {}).items():
            if f.get("target") is None:
                continue
            unit = f" {f['unit']}" if f.get("unit") else ""
            measured = f"{f['value']:g}{unit}"
            if f.get("target_on") == "ratio" and f.get("ratio") is not None:
                measured += f" (ratio {f['ratio']:.2f})"
            base = "" if f.get("baseline") is None else f"{f['baseline']:g}{unit}"
            per = " x baseline" if f.get("target_on") == "ratio" else unit
            op = ">=" if f.get("better") == "higher" else "<="
            target = f"{op} {f['target']:g}{per}"
            met = "yes" if f.get("met") else "**no**"
            rows.append(f"| {data['bench']} | {name} | {measured} | {base} | {target} | {met} |")
    return rows


def write_results_md(out: Path, results: Path, raw: list[str], charts: list[Path]) -> Path:
    lines = [
        "# Benchmark results",
        "",
        "Latest `make bench` (`python -m bench.run_all`), "
        f"{time.strftime('%Y-%m-%d', time.gmtime())},"
        f" on a {os.cpu_count()}-core {platform.machine()} {platform.system()} machine"
        f" (Python {platform.python_version()}), everything on loopback.",
        "Where the time and memory go, and how the figures moved: [PROFILES.md](PROFILES.md).",
        "",
        "## Targets",
        "",
        *target_rows(results),
        "",
        "## Charts",
        "",
        *[f"![{p.stem}]({p.name})" for p in charts],
        "",
        "## Raw output",
        "",
        "```",
        *raw,
        "```",
        "",
        NOTES,
    ]
    path = out / "RESULTS.md"
    path.write_text("\n".join(lines))
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="make bench")
    ap.add_argument("--short", action="store_true", help="CI-sized runs")
    ap.add_argument("--no-slow", action="store_true", help="leave out the slow runs")
    ap.add_argument("--only", action="append", default=[], help="module name filter")
    ap.add_argument("--skip", action="append", default=[], help="module names to leave out")
    ap.add_argument("--out", type=Path, help="where RESULTS.md, charts and JSON go")
    args = ap.parse_args(argv)
    if args.out is not None:
        out = args.out
    elif args.short:
        out = Path(tempfile.mkdtemp(prefix="bench-short-"))
    else:
        out = BENCH_DIR
    results = out / "results"
    results.mkdir(parents=True, exist_ok=True)
    for stale in results.glob("*.json"):
        stale.unlink()
    env = dict(os.environ) | {"BENCH_RESULTS_DIR": str(results), "MPLBACKEND": "Agg"}
    failed, raw = [], []
    for module, full, short, slow in BENCHES:
        if args.only and not any(o in module for o in args.only):
            continue
        if (args.short and short is None) or any(k in module for k in args.skip):
            continue
        if slow and args.no_slow:
            continue
        argv_ = [sys.executable, "-m", module, *(short if args.short else full)]
        header = f"=== {module} {' '.join(argv_[3:])}"
        print("\n" + header, flush=True)
        raw.append(header)
        t0 = time.monotonic()
        rc = _run(argv_, env, raw)
        footer = f"=== {module}: exit {rc} in {time.monotonic() - t0:.0f} s"
        print(footer, flush=True)
        raw.append(footer)
        if rc:
            failed.append(module)
    from bench import charts

    made = charts.render_all(results, out)
    md = write_results_md(out, results, raw, made)
    print(f"\n{len(made)} charts and {md} written")
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
