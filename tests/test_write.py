"""write: the site is rendered into a temporary folder beside the output and swapped in atomically."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import write
from generator.memo import Memoized
from generator.model import OutputFile
from generator.write import SiteWriter, UnsafeOutput


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def siblings(folder: Path) -> list[str]:
    """Everything beside the output folder, the output included."""
    return sorted(p.name for p in folder.parent.iterdir())


def build(out: Path, files: dict[str, bytes]) -> write.WriteStats:
    with SiteWriter(out) as writer:
        writer.write_all(OutputFile(path, data) for path, data in files.items())
        return writer.commit()


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_first_build_creates_the_output(tmp_path: Path) -> None:
    out = tmp_path / "site"
    stats = build(out, {"index.html": b"<p>1</p>", "en/about/index.html": "关于".encode()})
    assert tree(out) == {"en/about/index.html": "关于".encode(), "index.html": b"<p>1</p>"}
    assert (stats.files, stats.bytes) == (2, 8 + 6)
    assert siblings(out) == ["site"]


def test_rebuild_swaps_the_whole_tree(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, {"index.html": b"old", "gone/index.html": b"old page"})
    build(out, {"index.html": b"new", "new/index.html": b"new page"})
    assert tree(out) == {"index.html": b"new", "new/index.html": b"new page"}
    assert siblings(out) == ["site"]  # no temporary or old tree left beside it


def test_nothing_is_visible_in_the_output_before_commit(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, {"index.html": b"old"})
    with SiteWriter(out) as writer:
        writer.write(OutputFile("index.html", b"new"))
        assert tree(out) == {"index.html": b"old"}
        assert writer.tmp.parent == out.parent and writer.tmp.name.startswith(".site.build-")
        writer.commit()
    assert tree(out) == {"index.html": b"new"}


def test_swap_without_renameat2_still_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(write, "exchange", lambda a, b: False)
    out = tmp_path / "site"
    build(out, {"index.html": b"old"})
    build(out, {"index.html": b"new"})
    assert tree(out) == {"index.html": b"new"}
    assert siblings(out) == ["site"]


@pytest.mark.parametrize(
    "path",
    [
        "../escape.html",
        "a/../../escape.html",
        "/etc/passwd",
        "",
        ".",
        "./index.html",
        "a//b.html",
        "a/",
    ],
)
def test_refuses_paths_outside_the_site_or_not_normalised(tmp_path: Path, path: str) -> None:
    out = tmp_path / "site"
    build(out, {"index.html": b"old"})
    with pytest.raises(UnsafeOutput), SiteWriter(out) as writer:
        writer.write(OutputFile("fine.html", b"x"))
        writer.write(OutputFile(path, b"evil"))
    assert tree(out) == {"index.html": b"old"}
    assert siblings(out) == ["site"]
    assert not (tmp_path / "escape.html").exists()


def test_refuses_to_write_the_same_file_twice(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with pytest.raises(UnsafeOutput, match="twice"), SiteWriter(out) as writer:
        writer.write(OutputFile("en/index.html", b"1"))
        writer.write(OutputFile("en/index.html", b"2"))
    assert not out.exists()
    assert siblings(out) == []


def test_a_failure_while_rendering_leaves_the_old_site_intact(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, {"index.html": b"old", "about/index.html": b"old about"})
    before = tree(out)

    def files() -> Iterator[OutputFile]:
        yield OutputFile("index.html", b"new")
        raise RuntimeError("a template blew up half-way")

    with pytest.raises(RuntimeError), SiteWriter(out) as writer:
        writer.write_all(files())
        writer.commit()
    assert tree(out) == before
    assert siblings(out) == ["site"]


def test_leftovers_of_dead_builds_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "site"
    stale_build = tmp_path / f".site.build-{dead_pid()}"
    stale_old = tmp_path / ".site.old-12345"
    for stale in (stale_build, stale_old):
        (stale / "sub").mkdir(parents=True)
        (stale / "sub" / "index.html").write_bytes(b"half")
    unrelated = tmp_path / ".other.build-1"
    unrelated.mkdir()
    build(out, {"index.html": b"new"})
    assert siblings(out) == [".other.build-1", "site"]


def test_a_running_build_of_another_process_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with subprocess.Popen(["sleep", "30"]) as other:
        try:
            running = tmp_path / f".site.build-{other.pid}"
            running.mkdir()
            build(out, {"index.html": b"new"})
            assert running.is_dir()
        finally:
            other.kill()


def test_a_rebuild_writes_only_the_files_whose_bytes_changed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, {"same.html": b"same", "a/edited.html": b"old", "gone.html": b"x"})
    before = {name: os.stat(out / name) for name in ("same.html", "a/edited.html")}
    stats = build(out, {"same.html": b"same", "a/edited.html": b"new!", "new.html": b"n"})
    assert (stats.files, stats.written, stats.unchanged) == (3, 2, 1)
    kept = os.stat(out / "same.html")
    # Same inode, so same mtime: rsync -a and size+mtime syncs skip it.
    assert (kept.st_ino, kept.st_mtime_ns) == (
        before["same.html"].st_ino,
        before["same.html"].st_mtime_ns,
    )
    assert os.stat(out / "a/edited.html").st_ino != before["a/edited.html"].st_ino
    assert tree(out) == {"same.html": b"same", "a/edited.html": b"new!", "new.html": b"n"}


def test_an_unchanged_file_of_another_mode_is_written_anew(tmp_path: Path) -> None:
    # Before session 7 the downloads were left 0600; a rebuild with the same bytes must not keep
    # that inode, or they would stay unreadable to a web server running as another user.
    out = tmp_path / "site"
    build(out, {"lists/SX-02/data.csv": b"a\r\n", "index.html": b"<p>"})
    (out / "lists/SX-02/data.csv").chmod(0o600)
    stats = build(out, {"lists/SX-02/data.csv": b"a\r\n", "index.html": b"<p>"})
    assert (stats.written, stats.unchanged) == (1, 1)
    modes = {stat.S_IMODE((out / p).stat().st_mode) for p in ("lists/SX-02/data.csv", "index.html")}
    assert len(modes) == 1 and modes != {0o600}


class Objects:
    """A stand-in for generator.cache.Cache: remembers what it was asked to keep."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.kept: dict[str, bytes] = {}

    def keep(self, digest: str, path: str) -> bool:
        self.kept[digest] = Path(path).read_bytes()
        return False

    def keep_page(self, digest: str, path: str) -> os.stat_result | None:
        self.keep(digest, path)
        return None


def test_with_an_object_store_every_file_is_kept_and_recorded(tmp_path: Path) -> None:
    objects = Objects(tmp_path / "objects")
    out = tmp_path / "site"
    with SiteWriter(out, objects) as writer:
        writer.write_all([OutputFile("a.html", b"A"), OutputFile("b/c.html", b"CC")])
        stored = writer.store(OutputFile("d.html", b"D"))  # as a worker does
        writer.write(stored)
        writer.commit()
    assert sorted(objects.kept.values()) == [b"A", b"CC", b"D"]
    records = {
        path: (digest, size, ino, mtime) for path, digest, size, ino, mtime in writer.records
    }
    assert set(records) == {"a.html", "b/c.html", "d.html"}
    for path, (digest, size, ino, mtime) in records.items():
        info = os.stat(out / path)
        assert objects.kept[digest] == (out / path).read_bytes()
        assert (size, ino, mtime) == (info.st_size, info.st_ino, info.st_mtime_ns)


def test_adopt_links_a_file_into_the_new_tree(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, {"old.html": b"old"})
    source = tmp_path / "object"
    source.write_bytes(b"from the cache")
    old = os.stat(out / "old.html")
    with SiteWriter(out) as writer:
        writer.adopt("old.html", str(out / "old.html"), 3, kept=True)
        writer.adopt("x/new.html", str(source), 14, kept=False)
        with pytest.raises(UnsafeOutput, match="twice"):
            writer.adopt("old.html", str(source), 14, kept=False)
        stats = writer.commit()
    assert (stats.files, stats.unchanged, stats.bytes) == (2, 1, 17)
    assert os.stat(out / "old.html").st_ino == old.st_ino
    assert os.stat(out / "x/new.html").st_ino == source.stat().st_ino


def test_a_memoized_page_is_linked_from_its_object_and_kept_where_the_site_has_it(
    tmp_path: Path,
) -> None:
    """generator.memo: a page not rendered is the object's file; unchanged if the site's file
    is that object, or holds the same bytes in another file."""
    out, objects = tmp_path / "site", tmp_path / "objects"
    build(out, {"same.html": b"same", "copy.html": b"copy", "old.html": b"old"})
    objects.mkdir()
    os.link(out / "same.html", objects / "same")
    (objects / "copy").write_bytes(b"copy")  # the same bytes, written again since
    (objects / "new").write_bytes(b"new page")
    before = {name: os.stat(out / name) for name in ("same.html", "copy.html")}

    def memoized(path: str, name: str, size: int) -> Memoized:
        return Memoized(path, b"", "key", name, size, str(objects / name))

    with SiteWriter(out, Objects(objects)) as writer:
        for file in (
            memoized("same.html", "same", 4),
            memoized("copy.html", "copy", 4),
            memoized("old.html", "new", 8),
        ):
            writer.write(writer.store(file))
        stats = writer.commit()
    assert (stats.files, stats.unchanged) == (3, 2)
    assert writer.memo == {"reused": 3} and writer.pages == []  # their rows are there already
    for name, info in before.items():  # kept: same inode, same mtime
        assert (os.stat(out / name).st_ino, os.stat(out / name).st_mtime_ns) == (
            info.st_ino,
            info.st_mtime_ns,
        )
    assert os.stat(out / "old.html").st_ino == os.stat(objects / "new").st_ino
    assert (out / "old.html").read_bytes() == b"new page"


def _full_check(path: str) -> bool:
    """check_inside's answer without its fast path: PurePosixPath's."""
    from pathlib import PurePosixPath

    rel = PurePosixPath(path)
    return not (rel.is_absolute() or ".." in rel.parts or not rel.parts or path != rel.as_posix())


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "b.html", "..", ".", "", ".x", "x..y", "-", "_", "é", "a b", "/"]),
        min_size=0,
        max_size=5,
    ).map("/".join)
)
def test_the_fast_path_check_agrees_with_the_full_one(path: str) -> None:
    try:
        write.check_inside(path)
        accepted = True
    except UnsafeOutput:
        accepted = False
    assert accepted == _full_check(path)


# -- a recycled tree (the build cache's spare, generator.cache.working_tree) ---------------------


def recycled_build(out: Path, spare: Path, files: dict[str, bytes]) -> write.WriteStats:
    with SiteWriter(out, recycle=spare) as writer:
        writer.write_all(OutputFile(path, data) for path, data in files.items())
        return writer.commit()


def link_tree(source: Path, target: Path) -> None:
    """A spare as a build cache leaves it: every file a hard link to the site's."""
    for path in sorted(source.rglob("*")):
        if path.is_file():
            (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target / path.relative_to(source))


def test_a_recycled_tree_keeps_the_sites_files_and_never_writes_into_them(tmp_path: Path) -> None:
    out, spare = tmp_path / "site", tmp_path / "cache" / "next"
    first = {"same.html": b"same", "edited.html": b"old", "d": b"a file", "e/x.html": b"e"}
    build(out, first)
    link_tree(out, spare)
    (spare / "stale").mkdir()
    (spare / "stale/left.html").write_bytes(b"from an older build")
    (spare / "new.html").write_bytes(b"a half-made build's")
    before = {name: os.stat(out / name) for name in first}
    second = {"same.html": b"same", "edited.html": b"new!", "d/x.html": b"now a folder",
              "e": b"now a file", "new.html": b"new"}  # fmt: skip
    stats = recycled_build(out, spare, second)
    assert tree(out) == second
    assert (stats.files, stats.written, stats.unchanged) == (5, 4, 1)
    kept = os.stat(out / "same.html")
    assert (kept.st_ino, kept.st_mtime_ns) == (
        before["same.html"].st_ino,
        before["same.html"].st_mtime_ns,
    )
    # The spare's edited.html was the site's inode: replaced, not written into, so the old site
    # (now the spare) still has its own bytes, and nothing is left of the spare's leftovers.
    assert tree(spare) == first
    assert os.stat(spare / "edited.html").st_ino == before["edited.html"].st_ino
    assert siblings(out) == ["cache", "site"]
    assert sorted(p.name for p in spare.rglob("*") if p.is_dir()) == ["e"]


def test_a_recycled_build_equals_a_new_tree_build(tmp_path: Path) -> None:
    steps = [
        {"a.html": b"1", "b/c.html": b"2"},
        {"a.html": b"1", "b/c.html": b"3", "b/d.html": b"4"},
        {"b": b"5"},
        {"a.html": b"1", "b/c.html": b"3"},
        {"a.html": b"1", "b/c.html": b"3"},
    ]
    fresh, site, spare = tmp_path / "fresh", tmp_path / "site", tmp_path / "spare"
    for files in steps:
        build(fresh, files)
        stats = recycled_build(site, spare, files)
        assert tree(site) == tree(fresh) == files
        assert stats.files == len(files)
        # Only a tree the build made: no empty folder or leftover file.
        assert {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} == set(
            files
        )
        assert all(any(p.iterdir()) for p in site.rglob("*") if p.is_dir())


def test_a_failure_in_a_recycled_tree_leaves_the_site_alone(tmp_path: Path) -> None:
    out, spare = tmp_path / "site", tmp_path / "spare"
    first = {"index.html": b"one", "a/b.html": b"two"}
    build(out, first)
    link_tree(out, spare)
    before = {name: os.stat(out / name).st_ino for name in first}
    with pytest.raises(RuntimeError), SiteWriter(out, recycle=spare) as writer:
        writer.write(OutputFile("index.html", b"changed"))
        writer.write(OutputFile("a/new.html", b"new"))
        raise RuntimeError("a template failed")
    assert tree(out) == first
    assert {name: os.stat(out / name).st_ino for name in first} == before
    # The half-made spare is checked file by file when it is recycled next.
    assert recycled_build(out, spare, {"index.html": b"one", "c.html": b"c"}).unchanged == 1
    assert tree(out) == {"index.html": b"one", "c.html": b"c"}


def test_a_recycled_tree_refuses_a_path_two_workers_write(tmp_path: Path) -> None:
    spare = tmp_path / "spare"
    with SiteWriter(tmp_path / "site", recycle=spare) as writer:
        # Each worker makes way for its own file; the parent, told of both, refuses the second.
        writer.write(writer.store(OutputFile("a.html", b"1")))
        with pytest.raises(UnsafeOutput, match="twice"):
            writer.write(writer.store(OutputFile("a.html", b"2")))
    assert not (tmp_path / "site").exists()
