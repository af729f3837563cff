"""The cache's spare tree (generator.spare): settled on a build's files whatever state it was left
in, trusted only where it holds the recorded inode, and swapped in whole."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

import pytest

from generator import spare, write
from generator.write import Record, UnsafeOutput


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Objects:
    """A stand-in for the cache's objects: a folder of files named by their digest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        self.checked: list[str] = []

    def add(self, data: bytes) -> str:
        name = digest(data)
        (self.folder / name).write_bytes(data)
        return name

    def path(self, name: str) -> str:
        return str(self.folder / name)

    def intact(self, source: str, name: str, size: int) -> bool:
        self.checked.append(name)
        try:
            data = Path(source).read_bytes()
        except OSError:
            return False
        return len(data) == size and digest(data) == name


def record(folder: Path, path: str) -> Record:
    """The record a build keeps of a file it published."""
    data = (folder / path).read_bytes()
    info = os.lstat(folder / path)
    return (path, digest(data), len(data), info.st_ino, info.st_mtime_ns)


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    for path, text in {"index.html": "首页", "a/one.html": "一", "a/b/two.html": "二"}.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, "utf-8")
    return folder


def settle(
    tmp_path: Path, files: list[Record], site: Path, objects: Objects
) -> list[Record] | None:
    live, _ = spare.tree_state(site)
    return spare.settle(tmp_path / "next", files, site, live, objects.path, objects.intact)


def test_a_new_spare_links_the_sites_files_and_the_objects(tmp_path: Path, site: Path) -> None:
    objects = Objects(tmp_path / "objects")
    predicted = objects.add("变了".encode())
    files = [record(site, p) for p in ("index.html", "a/one.html")]
    files.append(("a/b/two.html", predicted, len("变了".encode()), 0, 0))  # predicted: no inode

    made = settle(tmp_path, files, site, objects)

    assert made is not None
    assert files_of(tmp_path / "next") == {
        "index.html": "首页".encode(), "a/one.html": "一".encode(), "a/b/two.html": "变了".encode()
    }  # fmt: skip
    # The site's own files are linked (same inode): kept as they are when swapped in.
    assert made[:2] == files[:2]
    assert made[2][3] == os.lstat(objects.path(predicted)).st_ino
    assert objects.checked == [predicted]  # an object is checked before it is used


def test_settling_keeps_only_the_recorded_files_and_repairs_the_rest(
    tmp_path: Path, site: Path
) -> None:
    objects = Objects(tmp_path / "objects")
    files = [record(site, p) for p in ("index.html", "a/one.html", "a/b/two.html")]
    assert settle(tmp_path, files, site, objects) is not None
    spare_folder = tmp_path / "next"
    kept = os.lstat(spare_folder / "index.html").st_ino
    # Left half-made and meddled with: a file missing, one replaced, one edited in place (it
    # shares its inode with the site's file: both change), a stray file, a symlink, an empty
    # folder.
    (spare_folder / "a/b/two.html").unlink()
    (spare_folder / "a/one.html").unlink()
    (spare_folder / "a/one.html").write_text("假的", "utf-8")
    (spare_folder / "stray.html").write_text("not ours", "utf-8")
    (spare_folder / "link.html").symlink_to(spare_folder / "index.html")
    (spare_folder / "empty/deeper").mkdir(parents=True)
    with open(site / "index.html", "a", encoding="utf-8") as f:
        f.write("!")  # the site's file and the spare's are one inode: a new mtime for both
    objects.add("首页".encode())

    made = settle(tmp_path, files, site, objects)

    assert made is not None
    assert files_of(spare_folder) == {
        "index.html": "首页".encode(), "a/one.html": "一".encode(), "a/b/two.html": "二".encode()
    }  # fmt: skip
    assert not (spare_folder / "empty").exists() and not (spare_folder / "link.html").exists()
    assert os.lstat(spare_folder / "index.html").st_ino != kept  # relinked from the objects
    assert made[1:] == files[1:]  # linked from the site, where the recorded files still are


def test_a_spare_already_settled_is_left_as_it_is(tmp_path: Path, site: Path) -> None:
    objects = Objects(tmp_path / "objects")
    files = [record(site, p) for p in ("index.html", "a/one.html", "a/b/two.html")]
    first = settle(tmp_path, files, site, objects)
    inodes = {p: os.lstat(tmp_path / "next" / p).st_ino for p, *_ in files}
    # The site itself may be gone: nothing needs to come from it.
    assert settle(tmp_path, files, tmp_path / "gone", objects) == first
    assert {p: os.lstat(tmp_path / "next" / p).st_ino for p, *_ in files} == inodes


def test_a_missing_or_altered_object_stops_settling(tmp_path: Path, site: Path) -> None:
    objects = Objects(tmp_path / "objects")
    name = objects.add(b"new bytes")
    Path(objects.path(name)).write_bytes(b"new bytez")  # altered behind the cache's back
    files = [("index.html", name, 9, 0, 0)]
    assert settle(tmp_path, files, site, objects) is None
    assert settle(tmp_path, [("index.html", "0" * 64, 9, 0, 0)], site, objects) is None


@pytest.mark.parametrize("path", ["../outside.html", "/etc/passwd", "a/../../x", ""])
def test_an_entry_naming_a_path_outside_the_tree_is_refused(
    tmp_path: Path, site: Path, path: str
) -> None:
    objects = Objects(tmp_path / "objects")
    name = objects.add(b"x")
    with pytest.raises(UnsafeOutput):
        settle(tmp_path, [(path, name, 1, 0, 0)], site, objects)
    assert not (tmp_path / "outside.html").exists()


def test_an_entry_naming_a_file_twice_is_refused(tmp_path: Path, site: Path) -> None:
    objects = Objects(tmp_path / "objects")
    files = [record(site, "index.html")] * 2
    with pytest.raises(UnsafeOutput):
        settle(tmp_path, files, site, objects)


@pytest.mark.parametrize("renameat2", [True, False], ids=["exchange", "three-renames"])
def test_swapping_puts_the_spare_in_and_keeps_the_old_site_as_the_spare(
    tmp_path: Path, site: Path, renameat2: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not renameat2:
        monkeypatch.setattr(write, "exchange", lambda a, b: False)
    folder = tmp_path / "next"
    folder.mkdir()
    (folder / "new.html").write_text("新", "utf-8")
    old = files_of(site)
    assert write.swap(folder, site)
    assert files_of(site) == {"new.html": "新".encode()}
    assert files_of(folder) == old
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_swapping_into_no_site_moves_the_spare(tmp_path: Path) -> None:
    folder = tmp_path / "next"
    folder.mkdir()
    (folder / "new.html").write_text("新", "utf-8")
    assert write.swap(folder, tmp_path / "site")
    assert files_of(tmp_path / "site") == {"new.html": "新".encode()}
    assert not folder.exists()


def test_one_process_at_a_time_holds_the_spare(tmp_path: Path, site: Path) -> None:
    folder = tmp_path / "cache" / "next"
    with spare.claim(folder, site) as first:
        assert first
        pid = os.fork()
        if pid == 0:  # another build, at the same time
            with spare.claim(folder, site) as second:
                os._exit(0 if not second else 1)
        assert os.waitpid(pid, 0)[1] == 0
    with spare.claim(folder, site) as again:
        assert again


def test_the_tree_state_names_what_a_build_would_not_leave(tmp_path: Path, site: Path) -> None:
    state, clean = spare.tree_state(site)
    assert clean and set(state) == {"index.html", "a/one.html", "a/b/two.html"}
    _, _, size, ino, mtime = record(site, "index.html")
    assert state["index.html"] == (ino, size, mtime)
    (site / "empty").mkdir()
    assert not spare.tree_state(site)[1]
    (site / "empty").rmdir()
    (site / "link").symlink_to(site / "index.html")
    assert not spare.tree_state(site)[1]
    assert spare.tree_state(tmp_path / "gone") == ({}, False)


@pytest.mark.parametrize("held_elsewhere", [False, True])
def test_an_error_while_the_spare_is_claimed_or_refused_comes_through(
    tmp_path: Path, site: Path, held_elsewhere: bool
) -> None:
    folder = tmp_path / "cache" / "next"
    with contextlib.ExitStack() as stack:
        if held_elsewhere:  # this process's own claim makes the second one refused
            assert stack.enter_context(spare.claim(folder, site))
        with pytest.raises(OSError, match="the caller's"), spare.claim(folder, site) as ours:
            assert ours is not held_elsewhere
            raise OSError("the caller's")
