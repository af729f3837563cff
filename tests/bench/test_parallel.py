"""--jobs: the render and index tasks in forked workers give the same site as one process.

Also the writer's side of it: files written by workers are recorded by the parent, a path written
twice by two workers is refused, and a rebuild keeps (hard-links) the files whose bytes did not
change, so a deploy that syncs by size and mtime uploads only what changed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import parallel
from generator.build import BuildOptions, build
from generator.model import OutputFile
from generator.write import SiteWriter, Stored, UnsafeOutput
from tests.conftest import make_project

AS_OF = dt.date(2026, 11, 30)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def numbered(prefix: str, count: int) -> Iterator[OutputFile]:
    for n in range(count):
        yield OutputFile(f"{prefix}/{n}.txt", f"{prefix} {n}\n".encode() * (n + 1))


TASKS = [lambda p=p: numbered(p, 700) for p in ("a", "b", "c", "d", "e")]


def test_workers_give_the_files_of_one_process() -> None:
    serial = sorted((f.path, f.data) for f in parallel.run(TASKS, 1))
    forked = sorted((f.path, f.data) for f in parallel.run(TASKS, 2))
    assert forked == serial and len(serial) == 3500
    times = parallel.task_times()
    assert sum(t["files"] for t in times.values()) == 3500


def test_a_failing_task_fails_the_run() -> None:
    def broken() -> Iterator[OutputFile]:
        yield OutputFile("x.txt", b"x")
        raise RuntimeError("a bug in a section")

    with pytest.raises(RuntimeError, match="a bug in a section") as failure:
        list(parallel.run([*TASKS, broken], 2))
    # The worker's traceback comes along, as the cause.
    assert isinstance(failure.value.__cause__, parallel.WorkerFailed)
    assert "in broken" in str(failure.value.__cause__)


def test_workers_write_and_the_parent_records(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with SiteWriter(out) as writer:
        files = list(parallel.run(TASKS, 2, writer.store))
        assert all(isinstance(f, Stored) and f.data == b"" for f in files)
        writer.write_all(files)
        stats = writer.commit()
    expected = {f.path: f.data for task in TASKS for f in task()}
    assert tree(out) == expected
    assert (stats.files, stats.bytes) == (len(expected), sum(map(len, expected.values())))


def test_a_path_written_by_two_workers_is_refused(tmp_path: Path) -> None:
    twice = [lambda: numbered("a", 3), lambda: numbered("a", 3)]
    with SiteWriter(tmp_path / "site") as writer, pytest.raises(UnsafeOutput, match="twice"):
        writer.write_all(parallel.run(twice, 2, writer.store))
    assert not (tmp_path / "site").exists()


def test_a_rebuild_keeps_the_unchanged_files(tmp_path: Path) -> None:
    out = tmp_path / "site"

    def build_with(files: dict[str, bytes]) -> int:
        with SiteWriter(out) as writer:
            writer.write_all(OutputFile(path, data) for path, data in files.items())
            return writer.commit().unchanged

    assert build_with({"same.html": b"same", "edited.html": b"old", "gone.html": b"x"}) == 0
    before = {name: os.stat(out / name).st_ino for name in ("same.html", "edited.html")}
    assert build_with({"same.html": b"same", "edited.html": b"new!", "new.html": b"n"}) == 1
    assert tree(out) == {"same.html": b"same", "edited.html": b"new!", "new.html": b"n"}
    assert os.stat(out / "same.html").st_ino == before["same.html"]  # kept: same inode, mtime
    assert os.stat(out / "edited.html").st_ino != before["edited.html"]


def test_the_sample_site_is_the_same_with_one_and_two_jobs(tmp_path: Path) -> None:
    project = make_project(tmp_path, {}, with_sample=True)
    sites = {}
    for jobs in (1, 2):
        out = tmp_path / f"site-{jobs}"
        result = build(BuildOptions(root=project, out=out, as_of=AS_OF, jobs=jobs))
        assert result.ok, [d for d in result.diagnostics if d.severity.value == "error"]
        sites[jobs] = tree(out)
    assert sites[1] == sites[2]
    assert len(sites[1]) > 500


def test_task_times_read_the_cpu_clock_per_chunk_not_per_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A CPU clock is a system call: reading it around every file cost the workers more than
    the figures were worth. Each task's files and bytes are still all counted."""
    readings = 0
    cpu = parallel._cpu

    def counted() -> float:
        nonlocal readings
        readings += 1
        return cpu()

    monkeypatch.setattr(parallel, "_cpu", counted)
    files = list(parallel.run(TASKS, 1))
    assert len(files) == 5 * 700
    chunks = sum(-(-700 // parallel.BATCH_FILES) for _ in TASKS)
    assert readings <= 2 * (chunks + len(TASKS))  # not one or two per file
    (times,) = [
        t for name, t in parallel.task_times().items() if "numbered" in name or "lambda" in name
    ]
    assert times["files"] == 5 * 700
    assert times["bytes"] == sum(f.nbytes() for f in files)
