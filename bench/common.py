"""Shared benchmark helpers: serving a function, load generation, stats, memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from emulators.ports import free_port, wait_tcp  # noqa: E402


@dataclass
class Stats:
    n: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    rps: float
    errors: int

    def line(self, label: str) -> str:
        return (
            f"{label:28s} n={self.n:6d}  p50={self.p50_ms:7.2f} ms  p99={self.p99_ms:7.2f} ms"
            f"  mean={self.mean_ms:7.2f} ms  {self.rps:8.1f} req/s  errors={self.errors}"
        )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summarize(latencies: list[float], elapsed: float, errors: int) -> Stats:
    return Stats(
        len(latencies),
        percentile(latencies, 50) * 1000,
        percentile(latencies, 99) * 1000,
        (statistics.fmean(latencies) * 1000) if latencies else float("nan"),
        len(latencies) / elapsed if elapsed else 0.0,
        errors,
    )


def load(call: Callable[[requests.Session, int], bool], n: int, concurrency: int) -> Stats:
    """Run `call(session, i)` n times over `concurrency` threads; latency per call."""
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(n))

    def worker() -> None:
        nonlocal errors
        s = requests.Session()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            t0 = time.perf_counter()
            ok = call(s, i)
            dt = time.perf_counter() - t0
            with lock:
                lat.append(dt)
                errors += not ok

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summarize(lat, time.perf_counter() - t0, errors)


class Served:
    """A function served by functions-framework (gunicorn, as in production)."""

    def __init__(
        self, target: str, source: Path, env: dict[str, str] | None = None, wait: bool = True
    ) -> None:
        from core.manifest import manifest

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {
            **os.environ,
            # The runtime environment every deployed function gets (functions/manifest.json).
            **manifest().runtime.env,
            **(env or {}),
            "PORT": str(self.port),
            "PUBLIC_URL": self.url,
            "FUNCTION_TARGET": target,  # as the runtime sets it
            "PYTHONPATH": str(ROOT / "functions"),
        }
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "functions_framework",
                "--source",
                str(source),
                "--target",
                target,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if wait:
            wait_tcp(self.port, 60, self.proc, target)

    def peak_rss_mib(self) -> float:
        return process_tree_peak_mib(self.proc.pid)

    def stop(self) -> None:
        import signal

        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=15)


def process_tree_peak_mib(pid: int) -> float:
    """Peak resident memory of a process tree (gunicorn master + worker), from VmHWM."""
    return sum(_vm_hwm_kib(p) for p in [pid, *_children(pid)]) / 1024


def process_tree_pss_mib(pid: int) -> float:
    """Memory of a process tree now, as the instance's limit sees it: anonymous pages
    proportionally (a page the gunicorn master and its forked worker still share counts
    once; summing each process's peak RSS counts it twice), plus the file-backed pages
    (shared libraries) of the process mapping the most, once. Pages of the libraries that
    other processes on this machine share are not discounted."""
    anon = 0
    files = 0
    for p in [pid, *_children(pid)]:
        try:
            f = {
                k: int(v.split()[0])
                for k, _, v in (
                    line.partition(":")
                    for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()[1:]
                )
            }
        except (OSError, ValueError):
            continue
        anon += f.get("Pss_Anon", 0)
        files = max(files, f.get("Rss", 0) - f.get("Anonymous", 0))
    return (anon + files) / 1024


class PeakMemory:
    """Samples a process tree's proportional memory (every `every` s) and keeps the peak."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.pid, self.every, self.peak_mib = pid, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mib = max(self.peak_mib, process_tree_pss_mib(self.pid))
            self._stop.wait(self.every)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mib


def _children(pid: int) -> list[int]:
    try:
        out = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    kids = [int(x) for x in out]
    for k in list(kids):
        kids += _children(k)
    return kids


def _vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


BARE_SOURCE = ROOT / "bench" / "bare_function.py"
MAIN_SOURCE = ROOT / "functions" / "main.py"


def with_suite(
    run: Callable[[], int], *, standins: tuple[str, ...] = (), provision: bool = True
) -> int:
    """Run `run()` against the emulators: the ones named by FIRESTORE_EMULATOR_HOST if set,
    else a suite started (and stopped) for this benchmark."""
    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        return run()
    from emulators.suite import Suite

    suite = Suite(standins=standins)
    suite.start()
    try:
        if provision:
            suite.provision()
        os.environ.update(suite.env())
        return run()
    finally:
        suite.cleanup()


# -- results as JSON ---------------------------------------------------------------------
# Every bench writes {"bench": name, "figures": {figure: {...}}} to RESULTS_DIR/<name>.json
# (BENCH_RESULTS_DIR overrides the directory, e.g. for the CI-sized runs); the charts and
# bench/RESULTS.md are made from these files.
RESULTS_DIR = ROOT / "bench" / "results"


def figure(
    value: float,
    *,
    baseline: float | None = None,
    target: float | None = None,
    on: str = "ratio",
    better: str = "lower",
    unit: str = "",
) -> dict[str, object]:
    """One figure: its value, the same-run baseline and their ratio, and whether the target
    (on the "ratio" or on the "value"; "lower" or "higher" is better) is met."""
    ratio = value / baseline if baseline else None
    judged = ratio if on == "ratio" else value
    met = None
    if target is not None and judged is not None:
        met = judged <= target if better == "lower" else judged >= target
    return {
        "value": round(value, 4),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 4),
        "ratio": None if ratio is None else round(ratio, 4),
        "target": target,
        "target_on": on,
        "better": better,
        "met": met,
    }


def write_results(bench: str, figures: dict[str, dict[str, object]], **extra: object) -> Path:
    import json

    out_dir = Path(os.environ.get("BENCH_RESULTS_DIR") or RESULTS_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{bench}.json"
    body = {"bench": bench, "figures": figures, **extra}
    path.write_text(json.dumps(body, indent=2, sort_keys=False) + "\n")
    missed = [k for k, f in figures.items() if f.get("met") is False]
    print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", end="")
    print(f"  (targets missed: {', '.join(missed)})" if missed else "  (every target met)")
    return path


class Report:
    """One bench's figures, written as JSON for `make bench` (table, charts):

    the `write_results` shape, {"bench": name, "figures": {name: figure(...)}}, plus
    "latency": {label: {"p50_ms", "p99_ms", "rps", "baseline"}} and
    "memory": {label: {"mib", "baseline"}} for the charts (bench.charts).

    `op` "<=" (lower is better) or ">="; the target applies to the ratio (value /
    baseline) when `on="ratio"`, else to the value.
    """

    def __init__(self, bench: str) -> None:
        self.bench = bench
        self.figures: dict[str, dict[str, object]] = {}
        self.latencies: dict[str, dict[str, object]] = {}
        self.memories: dict[str, dict[str, object]] = {}

    def figure(
        self,
        name: str,
        value: float,
        *,
        baseline: float | None = None,
        target: float | None = None,
        op: str = "<=",
        on: str = "value",
        unit: str = "",
    ) -> dict[str, object]:
        better = "lower" if op == "<=" else "higher"
        fig = figure(value, baseline=baseline, target=target, on=on, better=better, unit=unit)
        self.figures[name] = fig
        return fig

    def latency(self, label: str, stats: Stats, *, baseline: bool = False) -> None:
        self.latencies[label] = {
            "p50_ms": round(stats.p50_ms, 3),
            "p99_ms": round(stats.p99_ms, 3),
            "rps": round(stats.rps, 1),
            "baseline": baseline,
        }

    def memory(self, label: str, mib: float, *, baseline: bool = False) -> None:
        self.memories[label] = {"mib": round(mib, 1), "baseline": baseline}

    def write(self) -> Path:
        return write_results(self.bench, self.figures, latency=self.latencies, memory=self.memories)
