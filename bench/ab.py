#!/usr/bin/env python3
"""A/B: the same builds with two versions of the generator, run in turn, on one project of N records.

    .venv/bin/python bench/ab.py N --a REV --b REV [--scenario S] [--runs R] [--work DIR]

On a shared machine one run says little: its load and its disk (a large removal minutes before
slows file creation for minutes; docs/performance.md, "The disk") move a build by more than most
changes do. Runs of A and B in turn, in the same minutes, compare the code and not the moment.

- REV is a git revision (a commit, a branch, HEAD~2) or `.` for the working tree. A revision is
  checked out in `bench/work/ab/code-<commit>` (a git worktree) that uses this checkout's
  `.venv` and `node_modules`; its modules are compiled there as `make` compiles them here
  (scripts/compile_native.py), if they are compiled here. The worktree is kept for the next run.
- The project is `bench/work/<N>` as bench/run.py makes it (generated once, then reused).
- Scenarios, each run a build by `python -m generator build` in A's or B's code:
  - `cold`: into a new, empty output folder (no previous site), without a cache;
  - `cold-cache`: the same, with a new, empty `--cache`;
  - `daily`: into one output folder kept between runs, `--as-of` one day later each run, as a
    publisher's daily CI build on a host that keeps `site/` (one build first, not measured);
  - `daily-cache`: the same with one `--cache` kept between runs;
  - `edit-cache`: one output folder and one `--cache` kept between runs, the same `--as-of`,
    and before each pair of runs 0.1% of the records edited as `bench/run.py --incremental`
    edits them (in a copy of the project's inputs, beside it): issue 8's "0.1% of records
    changed" build, run again and again.
- Before each run the disk is synced and left 3 s, so that no run pays for the last one's
  writes. Nothing is removed between runs: the output folders of a series (`ab/<N>/` beside the
  project) are removed after it.

Writes `bench/results/<N>.ab-<scenario>.json` (every run, and the median of each side) and prints
a table. No timing here is a test.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as harness  # bench/run.py, beside this file

ROOT = harness.ROOT

SCENARIOS = ("cold", "cold-cache", "daily", "daily-cache", "edit-cache")


def code_tree(rev: str, base: Path) -> Path:
    """Where the generator of `rev` is: this checkout for `.`, else a worktree of that commit."""
    if rev == ".":
        return ROOT
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    tree = base / f"code-{commit[:12]}"
    ready = base / f"code-{commit[:12]}.ready"  # written last: a tree half-made by a kill is redone
    if not ready.is_file():
        if tree.exists():
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)],
                           cwd=ROOT, check=False, capture_output=True)  # fmt: skip
            shutil.rmtree(tree, ignore_errors=True)
            subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False)
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
        for name in (".venv", "node_modules"):
            if (ROOT / name).exists():
                (tree / name).symlink_to(ROOT / name)
        if (ROOT / "build" / "native").is_dir():  # compiled here: compiled there too
            subprocess.run(
                [str(harness.python()), "scripts/compile_native.py"], cwd=tree, check=True
            )
        ready.write_text(commit + "\n", "utf-8")
    return tree


def measure(
    code: Path, work: Path, out: Path, as_of: str, cache: Path | None, log: Path
) -> dict[str, Any]:
    timings = log.with_suffix(".timings.json")
    timings.unlink(missing_ok=True)
    cmd = [
        str(harness.python()), "-m", "generator", "build", "--root", str(work), "--out", str(out),
        "--as-of", as_of, "--allow-shrink", "--quiet", "--format", "json",
        "--timings", str(timings),
    ]  # fmt: skip
    if cache is not None:
        cmd += ["--cache", str(cache)]
    subprocess.run(["sync"], check=False)
    time.sleep(3)
    load = os.getloadavg()
    measured = harness.run_build(cmd, log, cwd=code)
    if measured["exit_code"] not in (0, 1):
        raise SystemExit(f"a build failed; see {log}")
    stages = json.loads(timings.read_text("utf-8")) if timings.is_file() else {}
    return {
        **measured,
        "as_of": as_of,
        "load_average": list(load),
        "stages": {k: v["wall_s"] for k, v in stages.get("stages", {}).items()},
        "write": stages.get("write", {}),
    }


def series(args: argparse.Namespace) -> dict[str, Any]:
    base = (ROOT / "bench" / "work" / "ab").resolve()
    base.mkdir(parents=True, exist_ok=True)
    work = (args.work or ROOT / "bench" / "work" / str(args.records)).resolve()
    generated = harness.prepare(work, args.records, args.seed, args.as_of)
    sides = {"a": code_tree(args.a, base), "b": code_tree(args.b, base)}
    scratch = work.parent / "ab" / str(args.records)  # beside the project, on its disk
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    cached = args.scenario.endswith("-cache")
    daily = args.scenario.startswith("daily")
    edit = args.scenario.startswith("edit")
    if edit:  # edited between runs: a copy of the inputs, not the project others measure
        copy = scratch / "project"
        for name in ("catalogue", "content"):
            shutil.copytree(work / name, copy / name)
        shutil.copyfile(work / "site.yaml", copy / "site.yaml")
        work = copy
    day = dt.date.fromisoformat(args.as_of)
    shared = {side: scratch / f"site-{side}" for side in sides}
    runs: list[dict[str, Any]] = []
    try:
        if daily or edit:  # the site (and cache) each side's first measured build starts from
            for side, code in sides.items():
                cache = scratch / f"cache-{side}" if cached else None
                log = scratch / f"{side}-0.log"
                measure(code, work, shared[side], day.isoformat(), cache, log)
        for n in range(1, args.runs + 1):
            # Both sides build the same day: each side's site is a day older than its build.
            as_of = (day + dt.timedelta(days=n)).isoformat() if daily else args.as_of
            if edit:
                harness.edit_records(work / "content" / "lists", args.edit_every)
            for side, code in sides.items():
                kept = daily or edit
                out = shared[side] if kept else scratch / f"site-{side}-{n}"
                cache = None
                if cached:
                    cache = scratch / (f"cache-{side}" if kept else f"cache-{side}-{n}")
                run = measure(code, work, out, as_of, cache,
                              scratch / f"{side}-{n}.log")  # fmt: skip
                runs.append({"side": side, "run": n, **run})
                print(f"{side} {n}: {run['wall_s']:.2f} s wall, {run['cpu_s']:.2f} s CPU, "
                      f"{run['write'].get('written', '?')} written", file=sys.stderr)  # fmt: skip
    finally:
        # After the series: a removal slows the disk for minutes, not a run of this series.
        shutil.rmtree(scratch, ignore_errors=True)
        with contextlib.suppress(OSError):
            scratch.parent.rmdir()  # if no other series is running there
    median = {
        side: {
            key: round(statistics.median(r[key] for r in runs if r["side"] == side), 3)
            for key in ("wall_s", "cpu_s", "user_s", "sys_s")
        }
        for side in sides
    }
    result = {
        "records": generated["records"],
        "scenario": args.scenario,
        "a": {"rev": args.a, "code": str(sides["a"])},
        "b": {"rev": args.b, "code": str(sides["b"])},
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": harness.machine(),
        "runs": runs,
        "median": median,
        "b_over_a": round(median["b"]["wall_s"] / median["a"]["wall_s"], 4),
    }
    results = (args.results or ROOT / "bench" / "results").resolve()
    results.mkdir(parents=True, exist_ok=True)
    out_file = results / f"{args.records}.ab-{args.scenario}.json"
    out_file.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", "utf-8")
    result["results_file"] = str(out_file)
    return result


def table(result: dict[str, Any]) -> str:
    lines = [f"{result['records']:,} records, {result['scenario']}"]
    for side in ("a", "b"):
        walls = ", ".join(f"{r['wall_s']:.2f}" for r in result["runs"] if r["side"] == side)
        m = result["median"][side]
        lines.append(f"{side} ({result[side]['rev']}): median {m['wall_s']:.2f} s wall, "
                     f"{m['cpu_s']:.2f} s CPU ({m['sys_s']:.2f} s sys); runs {walls}")  # fmt: skip
    lines.append(f"b / a (median wall): {result['b_over_a']:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", type=int, help="records in the synthetic project (N)")
    parser.add_argument("--a", required=True, help="a git revision, or . for the working tree")
    parser.add_argument("--b", default=".", help="the same (default: the working tree)")
    parser.add_argument("--scenario", choices=SCENARIOS, default="cold")
    parser.add_argument(
        "--edit-every", type=int, default=harness.EDIT_EVERY,
        help="edit-cache: the records edited before each pair of runs (one in this many)",
    )  # fmt: skip
    parser.add_argument("--runs", type=int, default=3, help="builds of each side")
    parser.add_argument("--as-of", default=harness.AS_OF)
    parser.add_argument("--seed", type=int, default=harness.SEED)
    parser.add_argument("--work", type=Path, default=None, help="default: bench/work/<N>")
    parser.add_argument("--results", type=Path, default=None, help="default: bench/results")
    args = parser.parse_args(argv)
    result = series(args)
    print(table(result))
    print(f"results: {result['results_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
