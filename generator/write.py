"""Write stage: render into a temporary folder beside the output, then swap it in atomically.

A failed or interrupted build therefore never touches the previous site (Pelican's refusal to write
outside the output folder, plus an atomic directory exchange).

A file whose bytes equal the previous site's file at the same path is not written again: the old
file is hard-linked into the new tree (same inode, same mtime), so a deploy that syncs by size and
mtime uploads only what changed. With a build cache (generator.cache), every file of the new tree
is also linked into the cache's content-addressed object store, and its digest, inode and mtime are
recorded: the manifest the next build with the same inputs reuses.

With a build cache, the new tree is not made from nothing but recycled: it is the cache's spare
tree (generator.spare), mostly hard links to the site's own files already. A file there that is
the site's file, with the bytes this build makes, is left as it is; any other is replaced (its
link removed, never written into: the inode is shared with the site and the objects); whatever
the build does not make is removed before the swap. The swap then leaves the old site as the
spare. A rebuild that changes a few files so costs a few links and a walk of the tree, instead of
a link per file into a new tree and the removal of the old one (at 100,000 records, about 0.6
CPU-s for the links and 1.25 s for the removal).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Protocol

from generator import spool
from generator.memo import Keyed, Memoized
from generator.memo import Row as PageRow
from generator.model import OutputFile
from generator.spool import SpooledFile, file_sha256

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class UnsafeOutput(Exception):
    """A bug: some stage tried to write outside the site or the same file twice."""


@dataclass(frozen=True)
class WriteStats:
    files: int
    bytes: int
    unchanged: int = 0  # files whose bytes equal the previous site's: linked, not written

    @property
    def written(self) -> int:
        return self.files - self.unchanged


class ObjectStore(Protocol):
    """Where a build cache keeps file contents by digest (generator.cache.Cache)."""

    def keep(self, digest: str, path: str) -> bool:
        """Remember the finished file at `path` (in the temporary tree) under `digest`: is the
        kept object that file?"""

    def keep_page(self, digest: str, path: str) -> os.stat_result | None:
        """`keep`, checking an object kept before against its digest; the object's lstat, or
        None where the object is the file at `path`."""


# One published file as a build cache records it: path, sha256, size, inode, mtime (ns).
Record = tuple[str, str, int, int, int]


@dataclass(frozen=True)
class Stored(OutputFile):
    """A file a worker process has already written into the temporary tree (`SiteWriter.store`).

    Only its path and size travel back to the parent, which records them as if it had written
    the file; `data` is empty.
    """

    size: int = 0
    linked: bool = False  # kept from the previous site: unchanged
    record: Record | None = None  # with a build cache: what generator.cache records
    page: PageRow | None = None  # a page rendered with its key: the memo's row for it
    # "reused": linked from the cache's objects, not rendered; "same" or "differs": rendered
    # to check the memo (generator.memo.Keyed); "" otherwise
    memo: str = ""

    def nbytes(self) -> int:
        return self.size


class SiteWriter:
    def __init__(
        self, out: Path, objects: ObjectStore | None = None, recycle: Path | None = None
    ) -> None:
        """`recycle`: a tree to make the new site in, as it stands (the caller holds it); by
        default a new temporary tree beside the output."""
        self.out = out.resolve()
        self.recycled = recycle is not None
        self.filled = False  # does the tree hold files from before? (only a recycled one may)
        self.tmp = recycle or self.out.parent / f".{self.out.name}.build-{os.getpid()}"
        self._written: set[str] = set()
        self._folders: set[str] = set()  # folders made so far: one mkdir each, not one per file
        self._previous = False  # is there a previous site to keep unchanged files from?
        self._mode: int | None = None  # the mode of a file written now (spool.site_mode)
        self.bytes = 0
        self.unchanged = 0
        self.objects = objects
        self.records: list[Record] = []  # with `objects`: every file, for the cache's manifest
        self.pages: list[PageRow] = []  # pages rendered with a key, for generator.memo
        self.memo: dict[str, int] = {}  # pages by what the memo did: reused, same, differs
        self._spool = ExitStack()  # the spool folder for large files (generator.spool)

    def __enter__(self) -> SiteWriter:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(self.out)
        if self.recycled:
            if self.tmp.is_symlink() or (self.tmp.exists() and not self.tmp.is_dir()):
                os.unlink(self.tmp)
            self.tmp.mkdir(parents=True, exist_ok=True)
            with os.scandir(self.tmp) as entries:
                self.filled = any(True for _ in entries)
        else:
            self.tmp.mkdir()
        self._previous = self.out.is_dir()
        # Beside the tree, so that a spooled file moves into it with a rename.
        self._spool.enter_context(
            spool.folder(self.out.parent / f".{self.out.name}.spool-{os.getpid()}")
        )
        self._mode = spool.site_mode()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._spool.close()
        # A recycled tree is left as it is: whatever state a failure leaves it in, the next
        # build that recycles it checks every file again.
        if self.tmp.exists() and not self.recycled:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, file: OutputFile) -> None:
        check_inside(file.path)
        if file.path in self._written:
            raise UnsafeOutput(f"refusing to write {file.path!r} twice")
        self._written.add(file.path)
        stored = file if isinstance(file, Stored) else self.store(file)  # a worker wrote it
        self.bytes += stored.size
        self.unchanged += stored.linked
        if stored.record is not None:
            self.records.append(stored.record)
        if stored.page is not None:
            self.pages.append(stored.page)
        if stored.memo:
            self.memo[stored.memo] = self.memo.get(stored.memo, 0) + 1

    def store(self, file: OutputFile) -> Stored:
        """Write `file` now, from a worker process (generator.parallel), and say what was written.

        The parent's `write()` of the result then refuses a path written twice, by any worker.
        """
        check_inside(file.path)
        if isinstance(file, Memoized):
            return self._reuse(file)
        linked, target = self._put(file)
        if self.objects is None:
            return Stored(file.path, b"", file.nbytes(), linked)
        # The file is complete and closed: the store links it under its digest as it is.
        # A spooled file has been moved to `target`: its digest is read from there.
        digest = file_sha256(target) if isinstance(file, SpooledFile) else file.sha256()
        page = None
        if isinstance(file, Keyed):
            # The object may be an older file with these bytes than this one: the memo's row
            # names the object.
            found = self.objects.keep_page(digest, target)
            info = os.lstat(target)
            kept = found or info  # the object: an older file, or this one
            page = (file.path, file.key, digest, file.nbytes(), kept.st_ino, kept.st_mtime_ns)
        else:
            self.objects.keep(digest, target)
            info = os.lstat(target)
        record = (file.path, digest, file.nbytes(), info.st_ino, info.st_mtime_ns)
        checked = file.checked if isinstance(file, Keyed) else ""
        return Stored(file.path, b"", file.nbytes(), linked, record, page, checked)

    def _reuse(self, file: Memoized) -> Stored:
        """Link a page the memo found (generator.memo) from the cache's objects: kept, if the
        site's file at its path is that object already."""
        self._folder(file.path)
        target = f"{self.tmp}/{file.path}"
        source = os.lstat(file.source)
        old = f"{self.out}/{file.path}"
        kept = self._previous and _is_already(old, source)
        if (
            not kept
            and self._previous
            and _link_if_unchanged(old, target, file, self._mode, self.filled)
        ):  # the same bytes in another file (written again since the object was made): kept
            info = os.lstat(target)
            record = (file.path, file.digest, file.size, info.st_ino, info.st_mtime_ns)
            return Stored(file.path, b"", file.size, True, record, None, "reused")
        if not (self.filled and _is_already(target, source)):
            self._make_way(target)
            try:
                os.link(file.source, target)
            except OSError:  # too many links: a copy, which the objects then keep
                _write_file(target, file.read())
                source = os.lstat(target)
        record = (file.path, file.digest, file.size, source.st_ino, source.st_mtime_ns)
        return Stored(file.path, b"", file.size, kept, record, None, "reused")

    def adopt(
        self,
        path: str,
        source: str,
        size: int,
        kept: bool,
        digest: str = "",
        info: os.stat_result | None = None,
    ) -> None:
        """Link an existing file into the tree at `path`, as if its bytes had been written:
        the previous site's own file (`kept`), or a build cache's object (generator.cache).
        `info` is the source's lstat, when the caller has it already."""
        check_inside(path)
        if path in self._written:
            raise UnsafeOutput(f"refusing to write {path!r} twice")
        self._written.add(path)
        self._folder(path)
        target = f"{self.tmp}/{path}"
        try:
            if not (self.filled and _is_already(target, info or os.lstat(source))):
                self._make_way(target)
                os.link(source, target)
        except OSError:  # another file system, or too many links: a copy
            self._make_way(target)
            shutil.copyfile(source, target)
            kept, info = False, None
        self.bytes += size
        self.unchanged += kept
        if self.objects is not None:
            info = info or os.lstat(target)  # a hard link shares the source's inode and mtime
            self.records.append((path, digest, size, info.st_ino, info.st_mtime_ns))

    def _put(self, file: OutputFile) -> tuple[bool, str]:
        """Write the bytes into the temporary tree: (linked from the old site?, where)."""
        self._folder(file.path)
        target = f"{self.tmp}/{file.path}"
        if self._previous and _link_if_unchanged(
            f"{self.out}/{file.path}", target, file, self._mode, self.filled
        ):
            if isinstance(file, SpooledFile):
                os.unlink(file.source)
            return True, target
        self._make_way(target)
        if isinstance(file, SpooledFile):  # already on disk: moved in, never read into memory
            shutil.move(file.source, target)
            return False, target
        try:
            _write_file(target, file.data)
        except FileExistsError:  # made way for, or a new tree: another worker has written it
            raise UnsafeOutput(f"refusing to write {file.path!r} twice") from None
        return False, target

    def _folder(self, path: str) -> None:
        """Make the folder `path` goes into, once per build."""
        folder = path.rpartition("/")[0]
        if folder in self._folders:
            return
        try:
            (self.tmp / folder).mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            if not self.filled:
                raise
            # A recycled tree may hold a file where this build has a folder: it goes.
            parts = folder.split("/")
            for i in range(1, len(parts) + 1):
                here = self.tmp.joinpath(*parts[:i])
                if here.is_symlink() or (here.exists() and not here.is_dir()):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(here)
            (self.tmp / folder).mkdir(parents=True, exist_ok=True)
        self._folders.add(folder)

    def _make_way(self, target: str) -> None:
        """In a recycled tree, remove what is at `target` (never write into it: its inode is
        the site's or an object's too)."""
        if self.filled:
            _clear(target)

    def write_all(self, files: Iterable[OutputFile]) -> None:
        for file in files:
            self.write(file)

    def commit(self) -> WriteStats:
        """Swap the finished tree in for the old one in a single step."""
        if self.recycled:
            if self.filled:
                self._prune()
            if not swap(self.tmp, self.out):
                raise OSError(f"could not swap {self.tmp} with {self.out}")
            return self._stats()  # the old site is the recycled tree now, for the next build
        if self.out.exists():
            if not exchange(self.tmp, self.out):
                # No renameat2 here: two renames, with a tiny window where the old site is aside.
                aside = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
                os.rename(self.out, aside)
                os.rename(self.tmp, self.out)
                shutil.rmtree(aside, ignore_errors=True)
                return self._stats()
            shutil.rmtree(self.tmp, ignore_errors=True)  # it now holds the old site
        else:
            os.rename(self.tmp, self.out)
        return self._stats()

    def _prune(self) -> None:
        """Remove from a recycled tree every file this build did not make, and every folder
        left empty: the tree then holds exactly the build's files, as a new one would."""
        prune(self.tmp, lambda path, entry: path in self._written)

    def _stats(self) -> WriteStats:
        return WriteStats(len(self._written), self.bytes, self.unchanged)


# A relative path of plain names, none of them starting with a dot: inside the tree and already
# normal, as nearly every output path is. Anything else gets the full check.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")


def check_inside(path: str) -> None:
    """Refuse a path that is absolute, climbs out (`..`), is empty or is not in normal form."""
    if _PLAIN_PATH.fullmatch(path):
        return  # a hundred thousand of these per build: a regex, not a PurePosixPath each
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts or path != rel.as_posix():
        raise UnsafeOutput(f"refusing to write outside the site: {path!r}")


def _write_file(path: str, data: bytes) -> None:
    """`open(path, "wb").write(data)` without the file object: a build writes a hundred thousand
    small files, and Python's buffered file costs a few microseconds more than the system's.

    Always a new file (O_EXCL): a file already there may share its inode with the site or the
    cache's objects, and writing into it would change them too."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _link_if_unchanged(
    old: str, target: str, file: OutputFile, mode: int | None = None, filled: bool = False
) -> bool:
    """Keep the previous site's file (a hard link: same inode, same mtime) when its bytes are equal.

    A deploy that syncs by size and mtime (rsync, most object-store sync tools) then uploads only
    the files that really changed. The old tree is removed after the swap, so nothing is shared
    with it for long; a file system without hard links simply gets every file written. In a
    tree `filled` from before, a `target` that is that file already stays; anything else there
    is replaced.
    """
    try:
        info = os.lstat(old)
        if not stat.S_ISREG(info.st_mode) or info.st_size != file.nbytes():
            return False
        if mode is not None and stat.S_IMODE(info.st_mode) != mode:
            # Not as a file written now would be (a download that an earlier version left
            # private, 0600): written anew, so that it gets the site's mode.
            return False
        with open(old, "rb") as f:
            if not file.same_bytes(f):
                return False
        if filled:
            if _is_already(target, info):
                return True
            _clear(target)
        os.link(old, target)
    except OSError:
        return False
    return True


def prune(tree: Path, keep: Callable[[str, os.DirEntry[str]], bool]) -> set[str]:
    """Remove every file below `tree` that `keep(path, entry)` refuses, and every folder left
    empty; the folders left, by their paths in the tree."""
    kept: set[str] = set()

    def walk(rel: str) -> bool:  # does the folder still hold anything?
        left = False
        with os.scandir(f"{tree}/{rel}" if rel else tree) as entries:
            for entry in list(entries):
                path = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    if walk(path):
                        left = True
                    else:
                        os.rmdir(entry.path)
                elif keep(path, entry):
                    left = True
                else:
                    os.unlink(entry.path)
        if left:
            kept.add(rel)
        return left

    walk("")
    return kept


def _is_already(target: str, source: os.stat_result) -> bool:
    """Is `target` the same file as `source` (one inode, two links)?"""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return False
    return (info.st_ino, info.st_dev) == (source.st_ino, source.st_dev)


def _clear(path: str) -> None:
    """Remove whatever is at `path` (a file, a link, a folder and all in it), if anything."""
    try:
        os.unlink(path)  # mostly a file: one call
    except FileNotFoundError:
        pass
    except OSError:
        if not os.path.isdir(path) or os.path.islink(path):
            raise
        shutil.rmtree(path)


def swap(tree: Path, site: Path) -> bool:
    """Put `tree` in the site's place, and the old site in the tree's, at once; False if that
    cannot be done here (the site is left as it was)."""
    if not site.exists():
        os.rename(tree, site)
        return True
    if exchange(tree, site):
        return True
    # No renameat2 here: three renames, with a tiny window where the old site is aside.
    aside = site.parent / f".{site.name}.old-{os.getpid()}"
    os.rename(site, aside)
    try:
        os.rename(tree, site)
    except OSError:
        os.rename(aside, site)
        return False
    os.rename(aside, tree)
    return True


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (renameat2 with RENAME_EXCHANGE); False where that cannot be."""
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
    for stale in [
        *out.parent.glob(f".{out.name}.build-*"),
        *out.parent.glob(f".{out.name}.spool-*"),
    ]:
        try:
            pid = int(stale.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        # A tree with our own pid is not ours (we make ours after this): an earlier process had
        # the pid, as happens in containers, where every run starts with the same pids.
        if pid == os.getpid() or not _alive(pid):
            shutil.rmtree(stale, ignore_errors=True)
    for stale in sorted(out.parent.glob(f".{out.name}.old-*")):
        if not os.path.lexists(out):
            # Killed between the two renames of commit(): this is the last good site.
            os.rename(stale, out)
        else:
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
