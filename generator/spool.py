"""Large output files are written to disk as they are made, never held in memory whole.

A list's full download (data.csv, data.json) grows with the list: hundreds of megabytes at a
million records, and several times that as Python strings. The task that makes one writes it
into a spool folder and hands on a `SpooledFile` naming it; the site writer then moves the file
into the site instead of writing bytes. The spool folder sits beside the site's temporary tree
(`SiteWriter` opens it) and is removed with it, also when the build fails; forked workers
inherit where it is. Outside a build (tests, `check`), spooled files go to the system's
temporary folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from generator.model import OutputFile

_FOLDER: str | None = None
# The mode a spooled file gets in the spool folder: that of any other file of the site (0o666
# less the umask), not mkstemp's 0o600, or a web server running as another user could not read
# the downloads. None outside a build, where a spooled file stays private to its owner.
_MODE: int | None = None
CHUNK = 1 << 20


@dataclass(frozen=True)
class SpooledFile(OutputFile):
    """An output file whose bytes are in the finished file `source`, not in `data`."""

    source: str = ""
    length: int = 0

    def nbytes(self) -> int:
        return self.length

    def read(self) -> bytes:
        return Path(self.source).read_bytes()

    def sha256(self) -> str:
        return file_sha256(self.source)

    def same_bytes(self, other: BinaryIO) -> bool:
        """Compared a chunk at a time: the file is never read whole."""
        with open(self.source, "rb") as mine:
            while True:
                chunk = mine.read(CHUNK)
                if chunk != other.read(CHUNK):
                    return False
                if not chunk:
                    return True


def file_sha256(path: str) -> str:
    """The sha256 of a file on disk, read a chunk at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def folder(path: Path) -> Iterator[Path]:
    """Spool into `path` while the block runs; the folder and anything left in it go after."""
    global _FOLDER, _MODE
    previous, previous_mode = _FOLDER, _MODE
    path.mkdir(parents=True, exist_ok=True)
    # Read once, here, at the start of a build: setting the umask to read it back is not safe
    # while other threads may be making files.
    umask = os.umask(0o022)
    os.umask(umask)
    _FOLDER, _MODE = str(path), 0o666 & ~umask
    try:
        yield path
    finally:
        _FOLDER, _MODE = previous, previous_mode
        shutil.rmtree(path, ignore_errors=True)


def site_mode() -> int | None:
    """The mode a file of the site being built gets (0o666 less the umask); None outside a build."""
    return _MODE


def new_path(suffix: str) -> str:
    """A fresh, empty file in the spool folder, for one output file's bytes."""
    handle, path = tempfile.mkstemp(prefix="spool-", suffix=suffix, dir=_FOLDER)
    try:
        if _MODE is not None:
            os.fchmod(handle, _MODE)
    finally:
        os.close(handle)
    return path


def finished(site_path: str, source: str) -> SpooledFile:
    """The output file at `site_path` whose bytes `source` now holds in full."""
    return SpooledFile(site_path, b"", source, os.path.getsize(source))
