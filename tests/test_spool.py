"""Large downloads are spooled to disk and moved into the site, never held whole in memory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from generator import spool
from generator.lists.downloads import build_downloads
from generator.model import LangText, OutputFile
from generator.spool import SpooledFile
from generator.write import SiteWriter
from tests.lists.test_downloads import AS_OF, CONFIG, FIELDS, record


def spooled(path: str, data: bytes) -> SpooledFile:
    source = spool.new_path(".bin")
    Path(source).write_bytes(data)
    return spool.finished(path, source)


def test_a_spooled_file_is_moved_into_the_site_and_its_folder_removed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with SiteWriter(out) as writer:
        folders = list(tmp_path.glob(".site.spool-*"))
        assert len(folders) == 1  # beside the temporary tree: a move is a rename
        file = spooled("lists/SX-02/data.csv", b"a,b\r\n1,2\r\n")
        assert Path(file.source).parent == folders[0]
        assert file.nbytes() == 10 and file.data == b""  # the bytes are on disk, not here
        writer.write(file)
        assert not os.path.exists(file.source)
        writer.write(OutputFile("index.html", b"<p>"))
        writer.commit()
    assert (out / "lists/SX-02/data.csv").read_bytes() == b"a,b\r\n1,2\r\n"
    assert list(tmp_path.glob(".site.spool-*")) == []


def test_a_spooled_file_is_as_readable_as_any_other_file_of_the_site(tmp_path: Path) -> None:
    # mkstemp makes 0o600 files: moved in as they were, the downloads could not be read by a web
    # server running as another user, while every page could.
    out = tmp_path / "site"
    umask = os.umask(0o027)
    try:
        with SiteWriter(out) as writer:
            writer.write(spooled("lists/SX-02/data.csv", b"a\r\n"))
            writer.write(OutputFile("index.html", b"<p>"))
            writer.commit()
    finally:
        os.umask(umask)
    modes = {stat.S_IMODE((out / p).stat().st_mode) for p in ("lists/SX-02/data.csv", "index.html")}
    assert modes == {0o640}


def test_an_unchanged_spooled_file_keeps_the_previous_sites_inode(tmp_path: Path) -> None:
    out = tmp_path / "site"
    stats = []
    for _ in range(2):
        with SiteWriter(out) as writer:
            writer.write(spooled("data.json", b'{"records": []}\n'))
            writer.commit()
        stats.append(os.stat(out / "data.json"))
    first, second = stats
    assert (first.st_ino, first.st_mtime_ns) == (second.st_ino, second.st_mtime_ns)


def test_a_failed_build_leaves_no_spool_behind(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with pytest.raises(RuntimeError), SiteWriter(out):
        spooled("data.csv", b"x")
        raise RuntimeError("render failed")
    assert list(tmp_path.glob(".site.*")) == []
    assert not out.exists()


def test_a_lists_data_files_are_spooled() -> None:
    built = build_downloads("SX-02", LangText("行政处罚"), FIELDS, [record(1)], CONFIG, AS_OF)
    csv_file, json_file, package = built.files
    assert isinstance(csv_file, SpooledFile) and isinstance(json_file, SpooledFile)
    assert not isinstance(package, SpooledFile)  # small, and it describes the other two
    assert csv_file.read().startswith("\ufeff".encode())
    for file in (csv_file, json_file):
        os.unlink(file.source)
