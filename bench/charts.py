"""Small PNG charts of bench results (the JSON each bench writes; bench.common.Report).

One chart per bench: latency percentiles (p50, p99) of each case beside its baseline,
and peak memory where the bench measured it, so the gap shows at a glance.

    python -m bench.charts RESULTS_DIR OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def render(result: dict[str, Any], out: Path) -> Path | None:
    """Write `out` (PNG) for one bench's results; None when there is nothing to draw."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    lat: dict[str, Any] = result.get("latency") or {}
    mem: dict[str, Any] = result.get("memory") or {}
    figs = {k: f for k, f in (result.get("figures") or {}).items() if f.get("target") is not None}
    panels = [p for p, has in (("latency", lat), ("memory", mem), ("targets", figs)) if has]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.2), squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=True):
        if panel == "latency":
            labels = list(lat)
            xs = range(len(labels))
            colors = ["#999999" if lat[k].get("baseline") else "#1f77b4" for k in labels]
            ax.bar([x - 0.2 for x in xs], [lat[k]["p50_ms"] for k in labels], 0.4,
                   color=colors, label="p50")  # fmt: skip
            ax.bar([x + 0.2 for x in xs], [lat[k]["p99_ms"] for k in labels], 0.4,
                   color=colors, alpha=0.55, label="p99")  # fmt: skip
            ax.set_xticks(list(xs), [_short(k) for k in labels], rotation=30, ha="right",
                          fontsize=7)  # fmt: skip
            ax.set_ylabel("ms")
            ax.set_title("latency p50 / p99 (grey: baseline)", fontsize=8)
            ax.legend(fontsize=7)
        elif panel == "memory":
            labels = list(mem)
            colors = ["#999999" if mem[k].get("baseline") else "#2ca02c" for k in labels]
            ax.bar(range(len(labels)), [mem[k]["mib"] for k in labels], color=colors)
            ax.set_xticks(range(len(labels)), [_short(k) for k in labels], rotation=30,
                          ha="right", fontsize=7)  # fmt: skip
            ax.set_ylabel("MiB")
            ax.set_title("peak RSS (grey: baseline)", fontsize=8)
        else:
            labels = list(figs)
            judged = [_judged(figs[k]) for k in labels]
            targets = [float(figs[k]["target"]) for k in labels]
            # figure / target, so 1.0 is the line (targets of 0 show the figure itself)
            rel = [j / t if t else j for j, t in zip(judged, targets, strict=True)]
            colors = ["#2ca02c" if figs[k]["met"] else "#d62728" for k in labels]
            ax.barh(range(len(labels)), rel, color=colors)
            ax.axvline(1.0, color="black", lw=0.8)
            ax.set_yticks(range(len(labels)), [_short(k) for k in labels], fontsize=7)
            ax.set_xlabel("figure / target (green: met)", fontsize=7)
            ax.set_title("targets", fontsize=8)
    fig.suptitle(result.get("bench", out.stem), fontsize=9)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=80)
    plt.close(fig)
    return out


def _judged(f: dict[str, Any]) -> float:
    v = f.get("ratio") if f.get("target_on") == "ratio" else f.get("value")
    return float(v or 0.0)


def _short(label: str, n: int = 24) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def render_all(results: Path, out_dir: Path) -> list[Path]:
    made = []
    for path in sorted(results.glob("*.json")):
        png = render(json.loads(path.read_text()), out_dir / f"chart-{path.stem}.png")
        if png is not None:
            made.append(png)
    return made


if __name__ == "__main__":
    for p in render_all(Path(sys.argv[1]), Path(sys.argv[2])):
        print(p)
