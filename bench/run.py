#!/usr/bin/env python3
"""Benchmark one full build of a synthetic project of N records.

    .venv/bin/python bench/run.py N [--jobs J] [--warm] [--profile] [--work DIR] [--results DIR]
    .venv/bin/python bench/run.py N --incremental [--jobs J]

1. Makes `bench/work/<N>/`: the repo's catalogue/, site.yaml and content/pages, plus N synthetic
   list records from scripts/gen_sample_lists.py (names, authorities, districts, four years of
   dates, every rule outcome). The records are kept and reused while N, the seed and the
   generator script are unchanged, so only the build is timed.
2. Runs `credit-portal build --as-of … --allow-shrink --quiet --timings …` in a subprocess and
   measures, for that child alone (os.wait4): wall, user and sys time and peak RSS. The build's
   own --timings file gives each stage's time. Then it counts the files and bytes written.
3. Writes `bench/results/<N>.json` and prints a table.

A cold build (the default) starts without the previous site: no change files to compare, and no
old tree to swap out. The old site is moved aside first and removed only after the build has been
measured: on a file system without a journal (this machine's ext4), inodes freed in the last
minutes are skipped one by one when new files are made (ext4's `recently_deleted`), so removing
a million files just before a build made every file of it cost up to 1 ms of system time
instead of about 50 µs (docs/performance.md, "The disk"). For a series of runs, set
CP_BENCH_KEEP_OLD=1 and remove the `.site.aside-*` folders after the series. `--warm` keeps it, as a daily rebuild in CI would. `--profile` runs the
build under pyinstrument (`pip install pyinstrument`) and writes `<N>.profile.txt` and `.html`
beside the results instead of timing it.

`--incremental` measures `build --cache DIR` instead, in a copy of the project
(`bench/work/<N>-incremental/`): a cold build without a cache (the reference), a cold build
with an empty cache, a rebuild with no input changed (twice: the first one still sees a new
previous site, whose lists manifest the change files compare against), and a rebuild after 0.1%
of the records were edited (the remarks field of every thousandth row, deterministically), then
the same inputs a day later (`--as-of` plus one day: a publisher's daily rebuild, a full build
that writes only the files whose bytes changed). The figures, with each build's files written and kept, go to `bench/results/<N>.incremental.json`.

No timing here is a test: the machine is shared, so the load average is recorded with each run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "scripts" / "gen_sample_lists.py"
AS_OF = "2026-11-30"
SEED = 20261130
# gen_sample_lists.py's --scale counts SX-02 rows; the other lists add about 44% to it.
RECORDS_PER_SCALE = 1.4366
MIN_SCALE = 200  # below this the generator cannot produce every rule outcome
STAGES = ("load", "validate", "decide", "render, index and write")


def scale_for(records: int) -> int:
    return max(MIN_SCALE, round(records / RECORDS_PER_SCALE))


def python() -> Path:
    """The project's venv interpreter if there is one, else this one."""
    venv = ROOT / ".venv" / "bin" / "python"
    return venv if venv.exists() else Path(sys.executable)


# -- the synthetic project ---------------------------------------------------------------------


def prepare(work: Path, records: int, seed: int, as_of: str) -> dict[str, Any]:
    """Copy the repo's inputs into `work` and generate the lists, unless they are already there."""
    work.mkdir(parents=True, exist_ok=True)
    for name in ("catalogue", "content/pages"):
        shutil.rmtree(work / name, ignore_errors=True)
        shutil.copytree(ROOT / name, work / name)
    shutil.copyfile(ROOT / "site.yaml", work / "site.yaml")
    scale = scale_for(records)
    stamp = {
        "scale": scale,
        "seed": seed,
        "as_of": as_of,
        "generator_sha256": hashlib.sha256(GENERATOR.read_bytes()).hexdigest(),
        "catalogue_sha256": _tree_digest(ROOT / "catalogue"),
    }
    stamp_file = work / "lists.stamp.json"
    lists = work / "content" / "lists"
    if lists.is_dir() and stamp_file.is_file():
        old = json.loads(stamp_file.read_text("utf-8"))
        if {k: old.get(k) for k in stamp} == stamp:
            return {**old, "reused": True, "seconds": 0.0}
    shutil.rmtree(lists, ignore_errors=True)
    stamp_file.unlink(missing_ok=True)
    start = time.perf_counter()
    out = subprocess.run(
        [str(python()), str(GENERATOR), "--out", str(lists), "--scale", str(scale),
         "--seed", str(seed), "--as-of", as_of, "--root", str(work)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    found = re.search(r"wrote (\d+) packages, (\d+) records", out.stdout + out.stderr)
    if not found:
        raise SystemExit(f"unexpected generator output:\n{out.stdout}{out.stderr}")
    stamp.update(packages=int(found[1]), records=int(found[2]))
    stamp_file.write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n", "utf-8")
    return {**stamp, "reused": False, "seconds": round(seconds, 3)}


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# -- one build ---------------------------------------------------------------------------------


def set_aside(site: Path) -> Path | None:
    """Move the previous site out of the way, to be removed after the build (`remove_aside`)."""
    if not site.exists():
        return None
    aside = site.parent / f".{site.name}.aside-{os.getpid()}"
    shutil.rmtree(aside, ignore_errors=True)
    site.rename(aside)
    return aside


def remove_aside(aside: Path | None) -> None:
    """Remove the old site, unless CP_BENCH_KEEP_OLD is set: in a series of runs, a removal
    would slow the next run's file creation for minutes (see the module docstring), so the old
    trees are left for you to remove after the series."""
    if aside is not None and not os.environ.get("CP_BENCH_KEEP_OLD"):
        shutil.rmtree(aside, ignore_errors=True)


def build_command(work: Path, as_of: str, timings: Path, jobs: int | None) -> list[str]:
    cmd = [
        str(python()), "-m", "generator", "build", "--root", str(work), "--out",
        str(work / "site"), "--as-of", as_of, "--allow-shrink", "--quiet", "--format", "json",
        "--timings", str(timings),
    ]  # fmt: skip
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    return cmd


def run_build(cmd: list[str], log: Path, cwd: Path = ROOT) -> dict[str, Any]:
    """Run the build as a child and measure that child alone, not the benchmark around it.

    Times and ru_maxrss come from wait4, so they include the build's own worker processes (it
    waits for them). ru_maxrss is the largest single process; the sampler adds up the whole
    tree's memory, as proportional set size (shared pages split between the processes sharing
    them, which is what forked workers do) and as plain RSS (shared pages counted in each).
    """
    with log.open("wb") as stderr, (log.with_suffix(".stdout")).open("wb") as stdout:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, stdout=stdout, stderr=stderr)
        sampler = TreeMemory(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
        child.returncode = os.waitstatus_to_exitcode(status)
    return {
        "exit_code": child.returncode,
        "wall_s": round(wall, 3),
        "user_s": round(usage.ru_utime, 3),
        "sys_s": round(usage.ru_stime, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "peak_tree_pss_mib": round(sampler.peak_pss / 1024, 1),
        "peak_tree_rss_mib": round(sampler.peak_rss / 1024, 1),
        "peak_processes": sampler.peak_processes,
    }


class TreeMemory(threading.Thread):
    """Samples the memory of a process and all its descendants.

    RSS (cheap: /proc/PID/statm) four times a second; PSS (smaps_rollup walks the page tables,
    which costs CPU the build would otherwise have) every two seconds, so its peak is a little
    less exact. The process list is refreshed every second.
    """

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_pss = self.peak_rss = self.peak_processes = 0
        self._done = threading.Event()

    def run(self) -> None:
        tick, tree = 0, [self.pid]
        page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
        while not self._done.wait(self.interval):
            if tick % 4 == 0:
                tree = _descendants(self.pid)
                self.peak_processes = max(self.peak_processes, len(tree))
            self.peak_rss = max(self.peak_rss, sum(_statm_rss(pid) for pid in tree) * page_kib)
            if tick % 8 == 0:
                self.peak_pss = max(self.peak_pss, sum(_rollup(pid)[0] for pid in tree))
            tick += 1

    def stop(self) -> None:
        self._done.set()
        self.join()


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                parents.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(parents.get(pid, ()))
    return found


def _statm_rss(pid: int) -> int:
    """Resident pages of one process, or 0 if it has gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _rollup(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in KiB of one process, or zeros if it has gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


def output_size(site: Path) -> dict[str, int]:
    """Files and bytes below `site`; a file hard-linked twice in it (the build cache's spare tree
    and its objects) is counted once, as the disk holds it once."""
    files = size = 0
    seen: set[int] = set()
    stack = [site]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                files += 1
                info = entry.stat(follow_symlinks=False)
                if info.st_nlink > 1:
                    if info.st_ino in seen:
                        continue
                    seen.add(info.st_ino)
                size += info.st_size
    return {"files": files, "bytes": size}


def published_summary(stdout: Path) -> dict[str, Any]:
    """Rows in, published and withheld, from the build's own JSON summary."""
    try:
        summary = json.loads(stdout.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    lists = summary.get("summary", summary).get("lists", {})
    return lists if isinstance(lists, dict) else {}


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "native_modules": native_modules(),
    }


def native_modules() -> bool:
    """Do builds run here use the mypyc-compiled modules (generator/native.py)?"""
    probe = "import generator.native as n, generator.lists.validate; print(n.active())"
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return found.stdout.strip() == "True"


def bench(args: argparse.Namespace) -> dict[str, Any]:
    work = (args.work or ROOT / "bench" / "work" / str(args.records)).resolve()
    results = (args.results or ROOT / "bench" / "results").resolve()
    results.mkdir(parents=True, exist_ok=True)
    generated = prepare(work, args.records, args.seed, args.as_of)
    if args.incremental:
        return incremental(args, work, results, generated)
    site = work / "site"
    old = None if args.warm else set_aside(site)
    timings = work / "timings.json"
    timings.unlink(missing_ok=True)
    cmd = build_command(work, args.as_of, timings, args.jobs)
    if args.profile:
        return profile(cmd, results / f"{args.records}.profile")
    load_before = os.getloadavg()
    measured = run_build(cmd, work / "build.log")
    load_after = os.getloadavg()
    remove_aside(old)
    if measured["exit_code"] not in (0, 1):
        raise SystemExit(f"the build failed; see {work / 'build.log'}")
    stages = json.loads(timings.read_text("utf-8")) if timings.is_file() else {}
    written = output_size(site) if site.is_dir() else {"files": 0, "bytes": 0}
    records = generated["records"]
    result = {
        "records_requested": args.records,
        "records": records,
        "generator": generated,
        "lists": published_summary(work / "build.stdout"),
        "as_of": args.as_of,
        "jobs": args.jobs,
        "warm": args.warm,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": {"before": list(load_before), "after": list(load_after)},
        "build": measured,
        "stages": stages.get("stages", {}),
        "stream": stages.get("stream", {}),
        "tasks": stages.get("tasks", {}),
        "output": {
            **written,
            "bytes_per_record": round(written["bytes"] / records) if records else 0,
        },
        "per_record_us": {
            "wall": round(measured["wall_s"] / records * 1e6, 1) if records else 0,
            "cpu": round(measured["cpu_s"] / records * 1e6, 1) if records else 0,
        },
        "write": stages.get("write", {}),  # files written and kept (unchanged) by the build
        "command": cmd,
    }
    out = results / f"{args.records}.json"
    out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", "utf-8")
    result["results_file"] = str(out)
    return result


# -- incremental builds --------------------------------------------------------------------------

EDIT_EVERY = 1000  # 0.1% of the records
EDIT_FIELD = "bz"  # the remarks, published as they are, in every list's schema


def incremental(
    args: argparse.Namespace, work: Path, results: Path, generated: dict[str, Any]
) -> dict[str, Any]:
    """Cold, unchanged and 0.1%-changed builds with `--cache`, in a copy of the project."""
    copy = work.parent / f"{work.name}-incremental"
    previous_copy = set_aside(copy)  # removed after the builds (see the module docstring)
    copy.mkdir(parents=True)
    for name in ("catalogue", "content"):
        shutil.copytree(work / name, copy / name)
    shutil.copyfile(work / "site.yaml", copy / "site.yaml")
    # The generator's own files are part of the cache key: the builds run a copy of them, so that
    # an edit of the working tree while they run cannot turn a hit into a miss.
    code = copy / "code"
    for name in ("generator", "templates"):
        shutil.copytree(ROOT / name, code / name, ignore=shutil.ignore_patterns("__pycache__"))
    (code / "node_modules").symlink_to(ROOT / "node_modules")
    if (ROOT / "build" / "native").is_dir():  # the compiled modules, used as at home (native.py)
        shutil.copytree(ROOT / "build" / "native", code / "build" / "native")
    cache, site, timings = copy / "cache", copy / "site", copy / "timings.json"
    scenarios: dict[str, dict[str, Any]] = {}

    def measure(name: str, cached: bool, as_of: str = args.as_of) -> None:
        timings.unlink(missing_ok=True)
        cmd = build_command(copy, as_of, timings, args.jobs)
        if cached:
            cmd += ["--cache", str(cache)]
        load = os.getloadavg()
        measured = run_build(cmd, copy / f"{name}.log", cwd=code)
        if measured["exit_code"] not in (0, 1):
            raise SystemExit(f"the {name} build failed; see {copy / name}.log")
        stages = json.loads(timings.read_text("utf-8")) if timings.is_file() else {}
        scenarios[name] = {
            **measured,
            "load_average": list(load),
            "stages": {k: v["wall_s"] for k, v in stages.get("stages", {}).items()},
            "write": stages.get("write", {}),
        }
        print(f"{name}: {measured['wall_s']:.2f} s, {stages.get('write', {})}", file=sys.stderr)

    measure("cold_without_cache", cached=False)
    old = set_aside(site)
    measure("cold", cached=True)
    remove_aside(old)
    measure("unchanged_first", cached=True)
    measure("unchanged", cached=True)
    edited = edit_records(copy / "content" / "lists", args.edit_every)
    measure("changed_0.1pct", cached=True)
    # A publisher's daily rebuild: the same inputs a day later. A full build (the cache key holds
    # the date), but only the files whose bytes changed are written; the others are kept, and a
    # deploy that syncs changed files uploads only those.
    next_day = (dt.date.fromisoformat(args.as_of) + dt.timedelta(days=1)).isoformat()
    measure("next_day", cached=True, as_of=next_day)
    remove_aside(previous_copy)
    reference = scenarios["cold_without_cache"]["wall_s"]
    result = {
        "records_requested": args.records,
        "records": generated["records"],
        "edited_records": edited,
        "edited_every": args.edit_every,
        "as_of": args.as_of,
        "jobs": args.jobs,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "scenarios": scenarios,
        "ratio_to_cold": {name: round(s["wall_s"] / reference, 4) for name, s in scenarios.items()},
        "targets": {"unchanged": 0.10, "changed_0.1pct": 0.20},
        "cache_bytes": output_size(cache)["bytes"] if cache.is_dir() else 0,
    }
    out = results / f"{args.records}.incremental.json"
    out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", "utf-8")
    result["results_file"] = str(out)
    return result


def edit_records(lists: Path, every: int) -> int:
    """Edit the remarks of every `every`-th record (counted over all lists, in a fixed order)."""
    seen = edited = 0
    for path in sorted(lists.glob("*/records.csv")):
        raw = path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        try:
            encoding = "utf-8"
            decoded = raw.decode("utf-8-sig")
        except (
            UnicodeDecodeError
        ):  # a provider that publishes in GB 18030 (its datapackage says so)
            encoding = "gb18030"
            decoded = raw.decode(encoding)
        rows = list(csv.reader(io.StringIO(decoded, newline="")))
        column = rows[0].index(EDIT_FIELD) if rows and EDIT_FIELD in rows[0] else None
        for row in rows[1:]:
            seen += 1
            if column is not None and seen % every == every // 2:
                row[column] = (row[column] + " 已更正").strip()
                edited += 1
        text = io.StringIO(newline="")
        ending = "\r\n" if b"\r\n" in raw[:65536] else "\n"
        csv.writer(text, lineterminator=ending).writerows(rows)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode(encoding))
    return edited


def incremental_table(result: dict[str, Any]) -> str:
    rows = [("records", f"{result['records']:,} ({result['edited_records']} edited)")]
    for name, s in result["scenarios"].items():
        write = s.get("write") or {}
        load = s["load_average"]
        rows.append(
            (name,
             f"{s['wall_s']:.2f} s ({result['ratio_to_cold'][name]:.1%} of cold), cpu "
             f"{s['cpu_s']:.2f} s, cache {write.get('cache', '-')}, "
             f"{write.get('written', '?')} written, {write.get('unchanged', '?')} unchanged, "
             f"load {load[0]:.2f}")
        )  # fmt: skip
    rows.append(("cache size", f"{result['cache_bytes']:,} bytes (hard links shared with site/)"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def profile(cmd: list[str], stem: Path) -> dict[str, Any]:
    """The same build under pyinstrument: where the time goes, not how long it takes.

    In one process (`--jobs 1` unless asked otherwise): a sampling profiler follows one process,
    and forked workers would leave only the parent's waiting in the report.
    """
    module = cmd.index("-m")
    build_args = cmd[module + 2 :]
    if "--jobs" not in build_args:
        build_args += ["--jobs", "1"]
    profiled = [
        cmd[0], "-m", "pyinstrument", "-r", "text", "-o", str(stem) + ".txt",
        "-m", "generator", *build_args,
    ]  # fmt: skip
    done = subprocess.run(profiled, cwd=ROOT, check=False, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"the profiled build failed:\n{done.stderr[-2000:]}")
    print(f"profile written to {stem}.txt")
    return {}


# -- the table -------------------------------------------------------------------------------------


def table(result: dict[str, Any]) -> str:
    build = result["build"]
    load = result["load_average"]["before"]
    rows = [
        ("records", f"{result['records']:,}"),
        ("wall", f"{build['wall_s']:.2f} s"),
        ("user / sys", f"{build['user_s']:.2f} s / {build['sys_s']:.2f} s"),
        ("peak RSS", f"{build['peak_rss_mib']:,.0f} MiB (largest process); all processes: "
         f"{build['peak_tree_pss_mib']:,.0f} MiB PSS, {build['peak_tree_rss_mib']:,.0f} MiB RSS"),
        ("files written", f"{result['output']['files']:,}"),
        ("bytes written", f"{result['output']['bytes']:,} ({result['output']['bytes_per_record']:,} per record)"),
        ("load average", f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {result['machine']['cpus']} cores"),
        # A stale build/native (any edit of the package since `make` compiled it) makes every
        # figure that of pure Python, a third slower: said here, since the timed build is --quiet.
        ("modules", "compiled (build/native)" if result["machine"]["native_modules"]
         else "Python: CP_NATIVE=0, or build/native missing or out of date (`make setup`)"),
    ]  # fmt: skip
    for name in STAGES:
        span = result["stages"].get(name)
        if span:
            rows.append((f"stage: {name}", f"{span['wall_s']:.2f} s (cpu {span['cpu_s']:.2f} s)"))
    # Where the render, index and write stage's time went, measured in the process that did it.
    for name, span in sorted(result.get("tasks", {}).items(), key=lambda kv: -kv[1]["cpu_s"])[:8]:
        count = f"{int(span['tasks'])} tasks, " if span["tasks"] > 1 else ""
        rows.append(
            (f"  {name.removeprefix('generator.')}",
             f"cpu {span['cpu_s']:.2f} s ({count}{int(span['files']):,} files)")
        )  # fmt: skip
    write = result["stream"].get("write")
    if write:
        rows.append(("  parent: write", f"{write['wall_s']:.2f} s (wall)"))
    kept = result.get("write") or {}
    if kept:
        rows.append(("files kept / written", f"{kept['unchanged']:,} unchanged, {kept['written']:,} written"))  # fmt: skip
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", type=int, help="records in the synthetic project (N)")
    parser.add_argument("--as-of", default=AS_OF)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--jobs", type=int, default=None, help="passed to the build's --jobs")
    parser.add_argument("--warm", action="store_true", help="keep the previous site")
    parser.add_argument("--profile", action="store_true", help="run under pyinstrument")
    parser.add_argument(
        "--incremental", action="store_true", help="measure build --cache: unchanged, 0.1%% changed"
    )
    parser.add_argument(
        "--edit-every", type=int, default=EDIT_EVERY, help="with --incremental: records edited"
    )
    parser.add_argument("--work", type=Path, default=None, help="default: bench/work/<N>")
    parser.add_argument("--results", type=Path, default=None, help="default: bench/results")
    args = parser.parse_args(argv)
    result = bench(args)
    if result:
        print(incremental_table(result) if args.incremental else table(result))
        print(f"results: {result['results_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
