#!/usr/bin/env python3
"""Draw the cost curve from bench/results/*.json and print it as a Markdown table.

    .venv/bin/python bench/plot.py [--results DIR] [--baseline DIR] [--out docs/performance-curve.png]

Needs matplotlib (bench/requirements.txt), which is not a dependency of the generator.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {100_000: 20.0, 1_000_000: 180.0}  # issue 8: full build wall time, seconds
MEMORY_TARGET_MIB = 2048  # at 1,000,000 records


def load(folder: Path) -> list[dict[str, Any]]:
    runs = []
    for path in sorted(folder.glob("*.json")):
        if path.stem.isdigit():
            runs.append(json.loads(path.read_text("utf-8")))
    return sorted(runs, key=lambda r: r["records"])


def table(runs: list[dict[str, Any]], label: str) -> str:
    lines = [
        f"| {label} | records | wall s | CPU s (user + sys) | µs CPU per record | peak RSS, largest "
        "process MiB | peak PSS, all processes MiB | files | bytes per record | load average |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        b = r["build"]
        pss = b.get("peak_tree_pss_mib")
        lines.append(
            f"| {r['records_requested']:,} | {r['records']:,} | {b['wall_s']:.1f} | {b['cpu_s']:.1f} "
            f"| {b['cpu_s'] / r['records'] * 1e6:,.0f} | {b['peak_rss_mib']:,.0f} "
            f"| {f'{pss:,.0f}' if pss else '—'} | {r['output']['files']:,} "
            f"| {r['output']['bytes_per_record']:,} "
            f"| {' / '.join(f'{x:.1f}' for x in r['load_average']['before'])} |"
        )
    return "\n".join(lines)


def plot(runs: list[dict[str, Any]], baseline: list[dict[str, Any]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (time_ax, mem_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    for series, style, name in ((baseline, "--", "before"), (runs, "-", "now")):
        if not series:
            continue
        n = [r["records"] for r in series]
        time_ax.plot(n, [r["build"]["wall_s"] for r in series], "o" + style, label=f"wall, {name}")
        time_ax.plot(n, [r["build"]["cpu_s"] for r in series], "s" + style, label=f"CPU, {name}")
        # PSS of all processes; a run without it (one process, before --jobs) has its RSS.
        memory = [r["build"].get("peak_tree_pss_mib") or r["build"]["peak_rss_mib"] for r in series]
        kind = "PSS, all processes" if series[0]["build"].get("peak_tree_pss_mib") else "RSS"
        mem_ax.plot(n, memory, "o" + style, label=f"{kind}, {name}")
    if runs:
        first = runs[0]
        n = [r["records"] for r in runs]
        per_record = first["build"]["wall_s"] / first["records"]
        time_ax.plot(n, [x * per_record for x in n], ":", color="grey", label="linear from 10k")
    for records, seconds in TARGETS.items():
        time_ax.plot([records], [seconds], "r*", markersize=12)
    time_ax.plot([], [], "r*", label="target (wall)")
    mem_ax.axhline(MEMORY_TARGET_MIB, color="r", linestyle=":", label="2 GB target at 1M")
    for ax, title, unit in (
        (time_ax, "Full build time", "seconds"),
        (mem_ax, "Peak memory", "MiB"),
    ):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("records")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("credit-portal build, 2-core machine shared with other work (see load averages)")
    fig.tight_layout()
    fig.savefig(out, dpi=110, metadata={"Software": None})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--baseline", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance-curve.png")
    args = parser.parse_args(argv)
    runs = load(args.results)
    baseline = load(args.baseline) if args.baseline else []
    if not runs:
        print(f"no results in {args.results}; run bench/run.py N first", file=sys.stderr)
        return 1
    if baseline:
        print(table(baseline, "before"))
        print()
    print(table(runs, "now"))
    plot(runs, baseline, args.out)
    print(f"\nplot: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
