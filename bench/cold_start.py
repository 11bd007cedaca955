"""Cold start: process start to first answer, per HTTP function, vs a bare handler.

Each function is started fresh N times, in rounds that start the bare handler and every
function once each; the first request goes through the lazy import of
its module and its router (an unknown path answers 404 JSON without touching the
emulators), so the figure is the import + framework cost a new instance pays.
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests

from bench.common import BARE_SOURCE, MAIN_SOURCE, Served, figure, write_results


def first_answer(target: str, source: object, path: str) -> float:
    t0 = time.perf_counter()
    srv = Served(target, source, wait=False)  # type: ignore[arg-type]
    try:
        while time.perf_counter() - t0 < 60:
            try:
                requests.get(srv.url + path, timeout=10)
                return time.perf_counter() - t0
            except requests.ConnectionError:
                time.sleep(0.005)
        raise TimeoutError(f"{target} did not answer in 60 s")
    finally:
        srv.stop()


def main(argv: list[str] | None = None) -> int:
    from core.manifest import manifest

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    # Round robin, the bare handler in every round: a machine that slows down or speeds
    # up during the run (other load, caches, clock) moves the baseline with the functions
    # instead of favouring whichever was measured first.
    targets = [("bare", BARE_SOURCE, "/")] + [
        (ep.name, MAIN_SOURCE, "/__cold_start_probe") for ep in manifest().http
    ]
    times: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    for _ in range(args.runs):
        for name, source, path in targets:
            times[name].append(first_answer(name, source, path))
    bare_med = statistics.median(times["bare"])
    print(f"cold start (median of {args.runs}, round robin), process start -> first answer")
    print(f"  {'bare functions-framework':32s} {bare_med * 1000:7.0f} ms")
    worst = 0.0
    figures = {}
    for ep in manifest().http:
        med = statistics.median(times[ep.name])
        worst = max(worst, med / bare_med)
        print(f"  {ep.name:32s} {med * 1000:7.0f} ms  ratio {med / bare_med:4.2f}")
        figures[ep.name] = figure(med * 1000, baseline=bare_med * 1000, target=1.5, unit="ms")
    print(f"worst ratio to bare: {worst:.2f}")
    write_results("cold_start", figures, runs=args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
