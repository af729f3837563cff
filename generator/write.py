"""Write stage: render into a temporary folder beside the output, then swap it in atomically.

A failed or interrupted build therefore never touches the previous site (Pelican's refusal to write
outside the output folder, plus an atomic directory exchange).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType

from generator.model import OutputFile

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class UnsafeOutput(Exception):
    """A bug: some stage tried to write outside the site or the same file twice."""


@dataclass(frozen=True)
class WriteStats:
    files: int
    bytes: int


class SiteWriter:
    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.tmp = self.out.parent / f".{self.out.name}.build-{os.getpid()}"
        self._written: set[str] = set()
        self.bytes = 0

    def __enter__(self) -> SiteWriter:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(self.out)
        self.tmp.mkdir()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, file: OutputFile) -> None:
        rel = PurePosixPath(file.path)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts or file.path != rel.as_posix():
            raise UnsafeOutput(f"refusing to write outside the site: {file.path!r}")
        if file.path in self._written:
            raise UnsafeOutput(f"refusing to write {file.path!r} twice")
        self._written.add(file.path)
        target = self.tmp / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.data)
        self.bytes += len(file.data)

    def write_all(self, files: Iterable[OutputFile]) -> None:
        for file in files:
            self.write(file)

    def commit(self) -> WriteStats:
        """Swap the finished tree in for the old one in a single step."""
        if self.out.exists():
            if not _exchange(self.tmp, self.out):
                # No renameat2 here: two renames, with a tiny window where the old site is aside.
                aside = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
                os.rename(self.out, aside)
                os.rename(self.tmp, self.out)
                shutil.rmtree(aside, ignore_errors=True)
                return WriteStats(len(self._written), self.bytes)
            shutil.rmtree(self.tmp, ignore_errors=True)  # it now holds the old site
        else:
            os.rename(self.tmp, self.out)
        return WriteStats(len(self._written), self.bytes)


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(rc == 0)


def _remove_leftovers(out: Path) -> None:
    """Temporary trees of builds that were killed before they could clean up."""
    for stale in out.parent.glob(f".{out.name}.build-*"):
        try:
            pid = int(stale.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(stale, ignore_errors=True)
    for stale in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
