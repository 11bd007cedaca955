"""The short versions of the benchmarks run in CI: each must finish and print its figures.

(The recordings chaos run has its own short test in tests/recordings.)
"""

from __future__ import annotations

import subprocess
import sys

from tests.helpers.common import ROOT


def test_short_benchmarks_run_and_print_figures() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.run_all", "--short", "--skip", "chaos"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-4000:]
    for module in (
        "cold_start",
        "deflection_ivr",
        "attributes_apps_api",
        "monitoring_list",
        "recordings_pipeline",
    ):
        assert f"=== bench.{module}: exit 0" in text, module
    assert "worst ratio to bare" in text
    assert text.count("p99") >= 4
