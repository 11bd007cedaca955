"""The short versions of the benchmarks run in CI: each must finish, print its figures,
write them as JSON in the common shape (bench.common.Report), and `make bench`'s runner
must render a chart per bench and a RESULTS.md with the targets and the raw output.

(The recordings chaos run has its own short test in tests/recordings.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.common import ROOT

FIGURE_KEYS = {"value", "baseline", "ratio", "target", "met", "unit", "target_on", "better"}


# Five benches, each with its own emulator suite: longer than the default test timeout on
# a loaded 2-core machine.
@pytest.mark.timeout(1500)
def test_short_benchmarks_run_and_print_figures(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.run_all", "--short", "--skip", "chaos", "--out", tmp_path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1400,
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

    results = {p.stem: json.loads(p.read_text()) for p in (tmp_path / "results").glob("*.json")}
    for name in ("attributes_apps_api", "monitoring_list", "recordings_pipeline-64mib"):
        data = results[name]
        assert data["bench"] == name
        assert data["figures"], name
        for fig in data["figures"].values():
            assert set(fig) == FIGURE_KEYS, (name, fig)
            if fig["target"] is not None:
                assert isinstance(fig["met"], bool), (name, fig)
        png = tmp_path / f"chart-{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    # The figures the issue names, measured against their same-run baselines.
    apps = results["attributes_apps_api"]["figures"]["PATCH p50 / bare p50"]
    # value and baseline are stored rounded: their quotient may differ in the last digit.
    assert apps["baseline"] > 0
    assert apps["ratio"] == pytest.approx(apps["value"] / apps["baseline"], rel=1e-3)
    assert any(k.endswith(": p99") for k in results["monitoring_list"]["figures"])
    rec = results["recordings_pipeline-64mib"]["figures"]
    assert rec["worker peak RSS"]["unit"] == "MiB" and rec["worker peak RSS"]["value"] > 0

    md = (tmp_path / "RESULTS.md").read_text()
    assert "| bench | figure | measured | baseline | target | met |" in md
    assert "PATCH p50 / bare p50" in md
    assert "=== bench.monitoring_list" in md  # the raw output
    assert "](chart-monitoring_list.png)" in md
