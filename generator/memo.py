"""Per-page reuse in a build with a cache: a page rendered before from the same inputs is not
rendered again; its file is linked from the cache's objects.

A whole-build hit (generator.cache) needs every input unchanged. A publisher's daily rebuild has
a new date, and an edit of a few records changes the build key; either build used to render every
page again, though most pages come out byte for byte as before. Here each such page has a **page
key**: a sha256 over exactly what it is rendered from.

* **The environment**, once per build (`generator.cache.page_environment`): the generator and
  its dependencies, the templates, site.yaml, catalogue/ and content/ except the lists' data
  files. Anything a page shows of the lists' data goes into its own key instead.
* **What the page shows**, per page, from the renderer that makes it:
  - a subject page (generator.lists.render): the stored bytes of each of its records (every
    field, masked as published), its lists' titles and fields, the packages' extraction dates;
  - a list page or sub-index (the same module): its rows, its place among its siblings, what
    the list says of itself (counts, withheld reasons, item, fields) and its JSON-LD head;
  - a search unit's shards (generator.search.shardset): its spill files' bytes, the document
    count and the heavy tokens;
  - and the build's date, where the page may show it instead of its data's date.

"Page" here is any such output, shards included.

`DIR/pages.sqlite` maps each page's path to its last key, and to the object (digest, size, inode
and mtime) its bytes are in. A page whose key is the one recorded for its path, and whose object
is still the same file (size, inode and mtime: a site file edited in place changes the object
too), is linked from that object instead of being rendered (`Memoized`).

A wrong key would publish a stale page, so nothing here is taken on trust:

* the key covers what the renderer reads; what the environment does not cover (a global the
  frame reads, say), the check below catches;
* in every task, the first page found is rendered anyway and must have the recorded bytes. If it
  does not, that task renders every page from then on (and records their keys afresh); the
  build reports it (`BuildResult.memo["differs"]`, and `write.pages` in `--timings`).

Rows of pages that are gone stay in the table (a path is one row, whatever its history); they
cost nothing but space and go with the cache folder.

Readers open the table in the process that reads it (forked workers each their own connection);
the parent writes the build's keys in one transaction after the site is swapped in.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from generator.model import OutputFile

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, key TEXT NOT NULL, "
    "digest TEXT NOT NULL, size INTEGER NOT NULL, ino INTEGER NOT NULL, mtime INTEGER NOT NULL)"
)
# How long a reader or the writer waits for another build's transaction, in seconds.
_BUSY_TIMEOUT = 30.0


@dataclass(frozen=True)
class Keyed(OutputFile):
    """A page rendered now, with its page key: the writer records it for the next build.
    `checked`: "same" or "differs" for a page that was found in the memo and rendered all the
    same, to check it; "" for the others."""

    key: str = ""
    checked: str = ""


@dataclass(frozen=True)
class Memoized(OutputFile):
    """A page not rendered: its bytes are the cache's object `source` (`data` is empty)."""

    key: str = ""
    digest: str = ""
    size: int = 0
    source: str = ""

    def nbytes(self) -> int:
        return self.size

    def read(self) -> bytes:
        with open(self.source, "rb") as f:
            return f.read()

    def sha256(self) -> str:
        return self.digest

    def same_bytes(self, other: BinaryIO) -> bool:
        return other.read() == self.read()


# What the table keeps of one page: path, key, digest, size, inode, mtime (ns).
Row = tuple[str, str, str, int, int, int]


def page_key(environment: str, kind: str, *parts: bytes) -> str:
    """The key of one page: its kind and what it is rendered from, in the build's environment.

    Each part is length-prefixed, so that no two different lists of parts hash alike."""
    digest = hashlib.sha256(f"{environment}\0{kind}\0".encode())
    for part in parts:
        digest.update(b"%d\0" % len(part))
        digest.update(part)
    return digest.hexdigest()


class PageMemo:
    """The cache's page table: look pages up (any process), record a build's pages (the parent)."""

    def __init__(self, path: Path, object_path: Callable[[str], str], environment: str) -> None:
        """`object_path`: where the cache keeps the object of a digest
        (generator.cache.Cache.object_path); `environment`: the build's environment digest, the
        start of every page key."""
        self.path = path
        self.object_path = object_path
        self.environment = environment
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def _connection(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # first use here, or a forked worker: its own connection
            self._pid = os.getpid()
            self._db = None  # an inherited connection is the parent's: never used here
            if self.path.is_file():  # else no table yet: nothing is found in this process
                try:
                    uri = f"file:{self.path}?mode=ro"
                    self._db = sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT)
                    self._db.execute("SELECT path FROM pages LIMIT 0")
                except sqlite3.Error:
                    self._db = None
        return self._db

    def key(self, kind: str, *parts: bytes) -> str:
        return page_key(self.environment, kind, *parts)

    def find(self, path: str, key: str) -> Memoized | None:
        """The page at `path` as it was rendered under `key`, if its object is still intact."""
        db = self._connection()
        if db is None:
            return None
        try:
            found = db.execute(
                "SELECT digest, size, ino, mtime FROM pages WHERE path = ? AND key = ?",
                (path, key),
            ).fetchone()
        except sqlite3.Error:
            return None
        if found is None:
            return None
        digest, size, ino, mtime = found
        source = self.object_path(digest)
        try:
            info = os.lstat(source)
        except OSError:
            return None
        if (info.st_size, info.st_ino, info.st_mtime_ns) != (size, ino, mtime):
            return None  # changed or replaced since: render the page
        return Memoized(path, b"", key, digest, size, source)

    def save(self, rows: Iterable[Row]) -> None:
        """Record this build's pages, in one transaction (a killed build changes nothing).

        A table that is not a database (damaged) is made anew: it only ever saves work."""
        rows = list(rows)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._save(rows)
        except sqlite3.DatabaseError:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._save(rows)

    def _save(self, rows: list[Row]) -> None:
        db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # readers of another build are not blocked
            db.execute(_SCHEMA)
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        finally:
            db.close()


class TaskMemo:
    """One render task's use of the memo: pages found are linked, but the first one found is
    rendered all the same and compared; if it differs, the task renders every page."""

    def __init__(self, memo: PageMemo) -> None:
        self.memo = memo
        self.trusted = True
        self._checked = False
        self._pending: list[Memoized] | None = None  # found, and rendered to check them

    def key(self, kind: str, *parts: bytes) -> str:
        return self.memo.key(kind, *parts)

    def reuse(self, key: str, paths: Sequence[str]) -> list[Memoized] | None:
        """The files at `paths` rendered under `key` before, to link instead of rendering; None:
        render them (and give what was rendered to `rendered`)."""
        if not self.trusted:
            return None
        pages = []
        for path in paths:
            page = self.memo.find(path, key)
            if page is None:
                return None
            pages.append(page)
        if not self._checked:
            self._pending = pages
            return None
        return pages

    def rendered(self, key: str, files: Iterable[OutputFile]) -> list[Keyed]:
        """The files just rendered under `key`, for the writer to record."""
        made = list(files)
        checked = ""
        if self._pending is not None:
            found, self._pending = self._pending, None
            self._checked = True
            self.trusted = len(found) == len(made) and all(
                f.path == m.path and f.sha256() == m.digest
                for f, m in zip(made, found, strict=True)
            )
            checked = "same" if self.trusted else "differs"
        return [Keyed(f.path, f.data, key, checked) for f in made]
