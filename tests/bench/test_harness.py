"""The benchmark harness at a small N: its results are complete and agree with what was built.

Nothing here asserts on time; only that every figure the harness promises is there and sane.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator import parallel

REPO = Path(__file__).resolve().parents[2]
STAGES = ("load", "validate", "decide", "render, index and write")
RECORDS = 300


def bench(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a script of bench/ as a user would, from the repository."""
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, Path]:
    base = tmp_path_factory.mktemp("bench")
    work, results = base / "work", base / "results"
    done = bench("run.py", str(RECORDS), "--work", str(work), "--results", str(results))
    assert done.returncode == 0, done.stderr
    result = json.loads((results / f"{RECORDS}.json").read_text("utf-8"))
    return result, done.stdout, work


def test_results_hold_every_figure(bench_run: tuple[dict[str, Any], str, Path]) -> None:
    result, _, _ = bench_run
    assert {"records", "build", "stages", "stream", "output", "load_average", "machine"} <= set(
        result
    )
    build = result["build"]
    assert build["exit_code"] == 0
    for key in ("wall_s", "user_s", "sys_s", "cpu_s", "peak_rss_mib"):
        assert build[key] > 0, key
    assert result["output"]["files"] > 0
    assert result["output"]["bytes"] > 0
    assert len(result["load_average"]["before"]) == 3


def test_every_stage_is_timed(bench_run: tuple[dict[str, Any], str, Path]) -> None:
    result, _, _ = bench_run
    assert set(STAGES) <= set(result["stages"])
    for name in STAGES:
        span = result["stages"][name]
        assert span["wall_s"] >= 0 and span["cpu_s"] >= 0, name
    produced = result["stream"]["produce"]
    # The streamed stage is split by section: the lists, subjects and search are all there.
    assert {"lists", "subjects", "search", "assets"} <= set(produced)
    assert result["stream"]["write"]["wall_s"] > 0
    # Each task's time, measured in the process that ran it (workers under --jobs).
    tasks = result["tasks"]
    assert "generator.lists.render._subject_pages" in tasks
    assert any(name.startswith("generator.search.") for name in tasks)  # the search index
    made = sum(t["files"] for name, t in tasks.items() if name != parallel.STORE_TIMES)
    assert made == sum(s["files"] for s in produced.values())
    if parallel.STORE_TIMES in tasks:  # the workers wrote the files themselves
        assert tasks[parallel.STORE_TIMES]["files"] == made


def test_figures_match_the_built_site(bench_run: tuple[dict[str, Any], str, Path]) -> None:
    result, _, work = bench_run
    site = work / "site"
    files = [p for p in site.rglob("*") if p.is_file()]
    assert result["output"]["files"] == len(files)
    assert result["output"]["bytes"] == sum(p.stat().st_size for p in files)
    # Every file the stream produced was written, plus the sitemaps written after it.
    produced = sum(s["files"] for s in result["stream"]["produce"].values())
    assert 0 < produced < len(files)
    assert (site / "index.html").is_file() and (site / "en" / "index.html").is_file()


def test_records_are_counted_from_the_generated_csv(
    bench_run: tuple[dict[str, Any], str, Path],
) -> None:
    result, _, work = bench_run
    rows = 0
    for path in sorted((work / "content" / "lists").glob("*/records.csv")):
        descriptor = json.loads((path.parent / "datapackage.json").read_text("utf-8"))
        records = next(r for r in descriptor["resources"] if r["name"] == "records")
        encoding = records.get("encoding", "utf-8-sig")
        with path.open(encoding=encoding, newline="") as f:
            rows += sum(1 for _ in csv.DictReader(f))
    assert result["records"] == rows
    assert RECORDS * 0.8 <= rows <= RECORDS * 1.3
    lists = result["lists"]
    assert sum(v["rows"] for v in lists.values()) == rows


def test_table_is_printed(bench_run: tuple[dict[str, Any], str, Path]) -> None:
    result, stdout, _ = bench_run
    lines = dict(line.split(None, 1) for line in stdout.splitlines() if line.startswith("records "))
    assert lines["records"].strip() == f"{result['records']:,}"
    for label in ("wall", "peak RSS", "files written", "bytes written", "stage: decide"):
        assert label in stdout
    # Whether the figures are those of the compiled modules or of pure Python.
    modules = next(line for line in stdout.splitlines() if line.startswith("modules "))
    said = "compiled" if result["machine"]["native_modules"] else "Python:"
    assert modules.split(None, 1)[1].startswith(said)


def test_incremental_scenarios_are_measured(tmp_path: Path) -> None:
    """`--incremental`: cold, unchanged (twice), edited and next-day builds with --cache, each
    described."""
    work, results = tmp_path / "work", tmp_path / "results"
    done = bench("run.py", str(RECORDS), "--incremental", "--edit-every", "50",
                 "--work", str(work), "--results", str(results))  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads((results / f"{RECORDS}.incremental.json").read_text("utf-8"))
    scenarios = result["scenarios"]
    cache = {name: s["write"]["cache"] for name, s in scenarios.items()}
    assert cache == {
        "cold_without_cache": "",
        "cold": "miss",
        "unchanged_first": "relinked",  # the cold build cached it ahead (its change files)
        "unchanged": "hit",
        "changed_0.1pct": "miss",
        "next_day": "miss",  # the date is part of the key
    }
    files = scenarios["cold"]["write"]["files"]
    assert scenarios["cold"]["write"]["written"] == files
    assert scenarios["unchanged"]["write"]["written"] == 0
    assert 0 < scenarios["unchanged_first"]["write"]["written"] < files / 10
    assert result["edited_records"] >= 1
    assert 0 < scenarios["changed_0.1pct"]["write"]["written"] < files / 2
    # A day later, the subject pages (most of the files) are kept: they carry no build date.
    assert 0 < scenarios["next_day"]["write"]["written"] < files / 2
    assert set(result["ratio_to_cold"]) == set(scenarios)
    assert "unchanged" in done.stdout and "of cold" in done.stdout


def test_a_second_cold_run_builds_without_the_old_site_and_removes_it_after(
    bench_run: tuple[dict[str, Any], str, Path], tmp_path: Path
) -> None:
    """The old site is set aside, not removed, before the build; nothing of it is left after."""
    _, _, work = bench_run
    results = tmp_path / "results"
    marker = work / "site" / "left-by-the-first-run.txt"
    marker.write_text("old", "utf-8")
    done = bench("run.py", str(RECORDS), "--work", str(work), "--results", str(results))
    assert done.returncode == 0, done.stderr
    result = json.loads((results / f"{RECORDS}.json").read_text("utf-8"))
    assert result["write"]["unchanged"] == 0  # cold: no previous site to keep files from
    assert not marker.exists()
    assert [p.name for p in work.iterdir() if ".aside-" in p.name] == []


def test_the_disk_probe_reports_each_step(tmp_path: Path) -> None:
    done = bench("disk.py", "300", "--size", "100", "--dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for step in ("fresh", "remove", "after_removal"):
        assert set(result[step]) == {"wall_s", "sys_s", "us_per_file"}
        assert result[step]["us_per_file"] > 0
    assert list(tmp_path.iterdir()) == []  # nothing left behind


@pytest.mark.parametrize("scenario", ["cold-cache", "daily", "edit-cache"])
def test_an_ab_series_runs_both_sides_in_turn(tmp_path: Path, scenario: str) -> None:
    """bench/ab.py: each side's builds, in turn, and the medians; nothing left behind."""
    work, results = tmp_path / "work", tmp_path / "results"
    done = bench("ab.py", str(RECORDS), "--a", ".", "--b", ".", "--scenario", scenario,
                 "--runs", "2", "--work", str(work), "--results", str(results),
                 "--edit-every", "20")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads((results / f"{RECORDS}.ab-{scenario}.json").read_text("utf-8"))
    assert [(r["side"], r["run"]) for r in result["runs"]] == [
        ("a", 1),
        ("b", 1),
        ("a", 2),
        ("b", 2),
    ]
    assert all(r["exit_code"] == 0 for r in result["runs"])
    caches = {r["write"]["cache"] for r in result["runs"]}
    assert caches == ({"miss"} if scenario.endswith("-cache") else {""})
    if scenario == "daily":  # one site per side, a day later each run: most files kept
        assert [r["as_of"] for r in result["runs"]] == [
            "2026-12-01",
            "2026-12-01",
            "2026-12-02",
            "2026-12-02",
        ]
        assert all(r["write"]["unchanged"] > r["write"]["written"] for r in result["runs"])
    elif scenario == "edit-cache":  # 0.1% edited before each pair: both sides build the same
        assert {r["as_of"] for r in result["runs"]} == {"2026-11-30"}
        assert all(r["write"]["unchanged"] > r["write"]["written"] > 0 for r in result["runs"])
        written = [r["write"]["written"] for r in result["runs"]]
        assert written[0] == written[1] and written[2] == written[3]
        assert all(r["write"]["pages"]["reused"] > 0 for r in result["runs"])
        assert (work / "content").is_dir()  # the project itself is never edited
        assert not list((work / "content" / "lists").rglob("*.csv.*"))
    else:  # a new, empty output each run
        assert all(r["write"]["unchanged"] == 0 for r in result["runs"])
    assert set(result["median"]) == {"a", "b"} and result["b_over_a"] > 0
    assert "b / a" in done.stdout
    assert not (tmp_path / "ab").exists()  # the series' output folders are removed after it
