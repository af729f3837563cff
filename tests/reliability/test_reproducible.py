"""Reproducible and interruptible builds, beyond what tests/test_determinism.py and
tests/test_atomic_build.py already show (different TZ, LANG and PYTHONHASHSEED; a kill as soon as
the temporary tree appears).

Here the sample site is built
- from a copy whose files were created in reverse order, on a tmpfs where there is one, with every
  directory listing of the build reversed too (reversed_listing.py), and in yet another
  environment: it must equal the sample built normally, byte for byte;
- and killed with SIGKILL early, half-way through writing and near the end: the site is then the
  old one or, only if the kill came after the swap, the new one whole; never a mix. The next
  build succeeds and cleans up.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.model import OutputFile
from generator.write import SiteWriter
from tests.conftest import REPO, SAMPLE_AS_OF, SAMPLE_INPUTS, cli_command, run_cli
from tests.reliability import reversed_listing
from tests.reliability.helpers import snapshot, temp_trees
from tests.test_determinism import explain

# Unlike both environments of tests/test_determinism.py, and unlike the one built_site used.
ENVIRONMENT = {
    "TZ": "Pacific/Kiritimati",  # UTC+14: "today" is already tomorrow in Tianjin
    "LANG": "POSIX",
    "LC_ALL": "POSIX",
    "PYTHONHASHSEED": "2718",
    "PYTHONPATH": str(REPO),  # for `-m tests.reliability.reversed_listing`
}


def reversed_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.reliability.reversed_listing", *args]


def copy_in_reverse(source: Path, target: Path) -> None:
    """Copy a tree creating every folder's entries in reverse name order."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir(), key=lambda p: p.name, reverse=True):
        if entry.is_dir():
            copy_in_reverse(entry, target / entry.name)
        else:
            shutil.copyfile(entry, target / entry.name)


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """A folder on a tmpfs when the machine has one (another file system's order), else tmp."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else tmp_path
    with tempfile.TemporaryDirectory(dir=base, prefix="cp-reliability-") as folder:
        yield Path(folder)


def test_listings_are_really_reversed(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / name).touch()
    native = os.listdir(tmp_path)
    assert reversed_listing.reversed_listdir(tmp_path) == native[::-1]
    with reversed_listing.reversed_scandir(tmp_path) as entries:
        assert [e.name for e in entries] == native[::-1]


def test_the_file_system_order_and_environment_do_not_change_the_site(
    built_site: Path, scratch: Path
) -> None:
    project = scratch / "project"
    for name in reversed(SAMPLE_INPUTS):
        source = REPO / name
        if source.is_dir():
            copy_in_reverse(source, project / name)
        else:
            project.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, project / name)
    out = scratch / "site"
    completed = subprocess.run(
        reversed_command("build", "--as-of", SAMPLE_AS_OF, "-q", "--out", str(out)),
        cwd=project,
        env={**os.environ, **ENVIRONMENT},
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    first, second = snapshot(built_site), snapshot(out)
    assert len(first) > 100
    assert first == second, explain(first, second)


# --- Killed mid-build -------------------------------------------------------------------------


def digests(folder: Path) -> dict[str, str]:
    """A tree by path and content hash: the sample site is too big to hold twice in memory."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def files_in(folder: Path) -> int:
    try:
        return sum(len(names) for _, _, names in os.walk(folder))
    except OSError:
        return 0


def sample_copy(tmp_path: Path) -> Path:
    """The sample project's inputs, copied: a project of its own to build."""
    project = tmp_path / "project"
    for name in SAMPLE_INPUTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        else:
            project.mkdir(exist_ok=True)
            shutil.copyfile(source, project / name)
    return project


def kill_when(
    out: Path,
    project: Path,
    ready: Callable[[Path], bool],
    may_finish: bool,
    *options: str,
) -> int:
    """Start a build, wait until its temporary tree satisfies `ready`, SIGKILL it (and any
    worker it forked); its pid. With `may_finish`, a build that got to the end first is fine.
    A build with `--cache` makes its site in the cache's spare: `ready` then sees its spool
    folder, made as the write stage starts."""
    process = subprocess.Popen(
        cli_command("build", "-q", "--as-of", SAMPLE_AS_OF, "--out", str(out), *options),
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches forked workers too
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            trees = [t for t in temp_trees(out) if t.name.endswith(f"-{process.pid}")]
            if trees and ready(trees[0]):
                break
            if process.poll() is not None:
                if may_finish and process.returncode == 0:
                    return process.pid
                pytest.fail(f"the build ended (exit {process.returncode}) before the kill")
            if time.monotonic() > deadline:
                pytest.fail("the build never reached the stage")
            time.sleep(0.02)  # counting files costs the build CPU: not too often
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    if may_finish and process.returncode == 0:  # it finished between the look and the kill
        return process.pid
    assert process.returncode == -signal.SIGKILL
    return process.pid


def test_a_build_killed_at_any_stage_leaves_the_old_site_or_the_new_one_whole(
    tmp_path: Path,
) -> None:
    project = sample_copy(tmp_path)
    out = tmp_path / "site"
    # The old site is of another day, so that the new one differs from it (the subject pages,
    # which carry no build date, excepted).
    first = run_cli("build", "-q", "--as-of", "2026-11-29", "--out", str(out), cwd=project)
    assert first.exit_code == 0, first.output
    old = digests(out)
    total = len(old)
    assert total > 1000
    # A build that finishes is compared (change files) against the site it replaces: the
    # reference new site is built over its own copy of the old one.
    reference = tmp_path / "reference"
    shutil.copytree(out, reference)

    stages: dict[str, Callable[[Path], bool]] = {
        "early": lambda tree: True,  # as soon as the temporary tree exists
        "mid-write": lambda tree: files_in(tree) >= total // 2,
        "late": lambda tree: files_in(tree) >= total * 9 // 10,
    }
    after: dict[str, dict[str, str]] = {}
    for stage, ready in stages.items():
        pid = kill_when(out, project, ready, may_finish=stage == "late")
        after[stage] = digests(out)
        left = [t.name for t in temp_trees(out)]
        # Its temporary tree and the spool of large files beside it (generator.spool).
        # (The spool is made just after the tree: a kill in between leaves the tree alone.)
        mine = [f".site.build-{pid}", f".site.spool-{pid}"]
        assert left in ([], mine, mine[:1]), (stage, left)
        if stage != "late":  # killed while writing: its half-written tree is still beside
            assert left[:1] == mine[:1], stage

    again = run_cli("build", "-q", "--as-of", SAMPLE_AS_OF, "--out", str(out), cwd=project)
    assert again.exit_code == 0, again.output
    assert temp_trees(out) == []
    assert digests(out) != old
    built = run_cli("build", "-q", "--as-of", SAMPLE_AS_OF, "--out", str(reference), cwd=project)
    assert built.exit_code == 0, built.output
    new = digests(reference)
    assert new != old
    assert after["early"] == old
    assert after["mid-write"] == old
    # Near the end the kill may land after the swap: then the new site is there, whole.
    assert after["late"] in (old, new)


def after(seconds: float) -> Callable[[Path], bool]:
    """A `ready` for kill_when: true once `seconds` have passed since it was first asked."""
    first: list[float] = []

    def ready(tree: Path) -> bool:
        first.append(time.monotonic())
        return first[-1] - first[0] >= seconds

    return ready


def test_a_build_with_a_cache_killed_while_writing_leaves_a_site_the_next_build_mends(
    tmp_path: Path,
) -> None:
    # With --cache the site is made in the cache's spare tree, recycled (generator.write): a kill
    # leaves the spare half-made and the site as it was, and the next build checks every file
    # of the spare again. Where the kill lands is not asserted: only what it leaves.
    project = sample_copy(tmp_path)
    out, cache = tmp_path / "site", tmp_path / "cache"
    reference = tmp_path / "reference"
    first = run_cli("build", "-q", "--as-of", "2026-11-29", "--out", str(out), "--cache",
                    str(cache), cwd=project)  # fmt: skip
    assert first.exit_code == 0, first.output
    shutil.copytree(out, reference)
    old = digests(out)
    built = run_cli("build", "-q", "--as-of", SAMPLE_AS_OF, "--out", str(reference), cwd=project)
    assert built.exit_code == 0, built.output
    new = digests(reference)
    assert new != old
    for seconds in (0.0, 0.3, 1.0):
        kill_when(out, project, after(seconds), True, "--cache", str(cache))
        assert digests(out) in (old, new)  # never a mix
        assert [t.name for t in temp_trees(out) if ".build-" in t.name] == []
        if digests(out) == new:
            break
    # The next build's change files compare against whichever site the kills left: a build
    # without a cache over a copy of that site is what it must give.
    cold = tmp_path / "cold"
    shutil.copytree(out, cold)
    built = run_cli("build", "-q", "--as-of", SAMPLE_AS_OF, "--out", str(cold), cwd=project)
    assert built.exit_code == 0, built.output
    again = run_cli("build", "-q", "--as-of", SAMPLE_AS_OF, "--out", str(out), "--cache",
                    str(cache), cwd=project)  # fmt: skip
    assert again.exit_code == 0, again.output
    assert digests(out) == digests(cold)


# --- The writer recovers from what a kill can leave behind --------------------------------


def test_a_stale_tree_with_this_process_pid_does_not_stop_the_build(tmp_path: Path) -> None:
    """In a container every run starts with the same pids: a killed run's tree may carry ours."""
    out = tmp_path / "site"
    stale = tmp_path / f".site.build-{os.getpid()}"
    (stale / "half").mkdir(parents=True)
    with SiteWriter(out) as writer:
        writer.write(OutputFile("index.html", b"new"))
        writer.commit()
    assert snapshot(out) == {"index.html": b"new"}
    assert temp_trees(out) == []


def test_a_site_set_aside_by_a_killed_swap_is_put_back(tmp_path: Path) -> None:
    """Without renameat2 the swap is two renames; killed between them, the old site is aside
    and site/ is missing. The next build restores it before anything else."""
    out = tmp_path / "site"
    aside = tmp_path / ".site.old-99999"
    (aside / "en").mkdir(parents=True)
    (aside / "index.html").write_bytes(b"old")
    (aside / "en" / "index.html").write_bytes(b"old en")

    class Broken(Exception):
        pass

    with pytest.raises(Broken), SiteWriter(out) as writer:
        writer.write(OutputFile("index.html", b"new"))
        raise Broken  # this build fails too: the old site must still be there
    assert snapshot(out) == {"index.html": b"old", "en/index.html": b"old en"}
    assert temp_trees(out) == []
