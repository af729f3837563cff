"""Per-row reuse in the decide stage with a cache: a row decided before, in the same context, is
not validated and judged again; its verdict is read back.

A row's verdict (generator.lists.decide.RowVerdict) is a function of its cells, of what it is
judged by, and of the date. Here each row has a **row digest**, a sha256 over:

* **the context**, once per build: the page environment (generator.cache.page_environment: the
  generator and its dependencies, the templates, site.yaml, catalogue/, content/ but the lists'
  data files);
* **the table**: its list, the catalogue item in force, its package, department, file, Table
  Schema and header, in order;
* **the row**: its cells as the validator is given them.

The date is not in the digest: a publisher's daily build has a new one, and most verdicts stay
the same for years. Each remembered verdict says instead from which day to which it holds: from
the day it was made (a later day's domain checks only find fewer problems: a birth date or a
decision date after the build's date) to the day before its publicity window starts or ends
(`rules.next_change`). On any other day the row is decided again, and remembered anew.

Only rows that need nothing else are remembered:

* the row produced no diagnostic at all (no error, no warning): a row's findings are not kept, so
  a row that has any is always validated again, and reported again;
* no withdrawal and no objection names its record key (those are data files, not in the
  context): a remembered verdict whose key is named now is not used;
* the table has no `unique` field and the fast path reads it (a unique field compares each row
  with the ones before it).

As in generator.memo, nothing is taken on trust: in every read of a table, the first row found
is validated and judged all the same and must give the remembered verdict; if it does not, that
read decides every row from then on (and remembers them afresh), and the build counts it
(`BuildResult.rows["differs"]`).

`DIR/rows-<context>.sqlite` holds one context's rows. A build with another generator, catalogue
or configuration starts a file of its own; the files of other contexts are removed but the
newest one, so the folder holds at most two. Rows that are no longer read stay in the file (an
edited row's old cells, say) until the context changes.

The process that decides a row (a forked child, mostly) looks it up and adds it, in batches, with
its own connection: the parent, which keeps the store, has the most work of the stage and is
spared this. A row is a fact (these cells, in this context, get this verdict on these days), true
whether or not the build goes on to succeed.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# A table in the order rows are added, and an index of the digests: verdicts are about a
# kilobyte (the published record), which a table ordered by random digests would scatter over
# pages half empty, four times the size and far slower to look up.
_SCHEMA = "CREATE TABLE IF NOT EXISTS rows (digest BLOB NOT NULL UNIQUE, verdict BLOB NOT NULL)"
_READ_MAP = 1 << 30  # bytes of the file a reader maps instead of reading page by page
_BUSY_TIMEOUT = 30.0  # seconds a reader or the writer waits for another build's transaction
BATCH = 4096  # rows added per transaction


class RowMemo:
    """One build's row memo: look rows up and add the rows decided now (the process that
    decides them). The same table keeps the downloads' lines (generator.lists.downloads)."""

    def __init__(self, folder: Path, context: str, kind: str = "rows") -> None:
        """`context`: the digest of what every row of the build is judged by (see the module);
        `kind`: the file's name, and what it keeps."""
        self.folder = folder
        self.context = context
        self.kind = kind
        self.path = folder / f"{kind}-{context[:24]}.sqlite"
        self.counts: Counter[str] = Counter()  # rows by what the memo did: see RowVerdict.memo
        self._pending: list[tuple[bytes, bytes]] = []
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._pid = 0
        self._writer_pid = 0

    def open(self) -> None:
        """Make the file (in the parent, before the children fork, so that they find it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self._connect().close()
        except sqlite3.DatabaseError:  # damaged: it only ever saves work, so it is made anew
            _remove(self.path)
            self._connect().close()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # the children read while the parent adds
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            db.execute("SELECT digest, verdict FROM rows LIMIT 0")
        except BaseException:
            db.close()
            raise
        return db

    def table(self, *parts: str) -> TableMemo:
        """The rows of one table: `parts` name it and say what its rows are judged by."""
        digest = hashlib.sha256(f"credit-portal {self.kind}\0{self.context}\0".encode())
        for part in parts:
            data = part.encode("utf-8", "surrogatepass")
            digest.update(b"%d\0" % len(data))
            digest.update(data)
        return TableMemo(self, digest.digest())

    def find(self, digest: bytes) -> bytes | None:
        db = self._connection()
        if db is None:
            return None
        try:
            found = db.execute("SELECT verdict FROM rows WHERE digest = ?", (digest,)).fetchone()
        except sqlite3.Error:
            return None
        return found[0] if found is not None else None

    def _connection(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # first use here, or a forked child: its own connection
            self._pid = os.getpid()
            self._reader = None  # an inherited connection is the parent's: never used here
            if self.path.is_file():
                try:
                    uri = f"file:{self.path}?mode=ro"
                    self._reader = sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT)
                    self._reader.execute(f"PRAGMA mmap_size={_READ_MAP}")
                    self._reader.execute("SELECT digest FROM rows LIMIT 0")
                except sqlite3.Error:
                    self._reader = None
        return self._reader

    def count(self, what: str) -> None:
        self.counts[what] += 1

    def add(self, digest: bytes, verdict: bytes) -> None:
        """Remember a row decided now, in the process that decided it."""
        if self._writer_pid != os.getpid():  # a forked child: its own rows, its own connection
            self._writer_pid = os.getpid()
            self._pending = []
            self._writer = None
            try:
                self._writer = self._connect()
            except sqlite3.Error:
                self._writer = None
        self._pending.append((digest, verdict))
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Add the rows remembered so far (at the end of each read of a table, too)."""
        rows, self._pending = self._pending, []
        if self._writer is None or not rows or self._writer_pid != os.getpid():
            return
        try:
            self._writer.execute("BEGIN IMMEDIATE")
            self._writer.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?)", rows)
            self._writer.execute("COMMIT")
        except sqlite3.Error:  # a cache that cannot be written only saves less work next time
            self._writer.close()
            self._writer = None

    def close(self) -> None:
        """Add what is pending, and remove the files of other contexts but the newest one."""
        self.flush()
        for db in (self._reader, self._writer):
            if db is not None:
                db.close()  # the last connection moves the log into the file, and removes it
        self._reader = self._writer = None
        self._pid = self._writer_pid = 0
        others = sorted(
            (p for p in self.folder.glob(f"{self.kind}-*.sqlite") if p != self.path),
            key=_mtime,
            reverse=True,
        )
        for old in others[1:]:
            _remove(old)


class TableMemo:
    """The memo for one table's rows; `lookup` makes a reader for one read of it."""

    def __init__(self, memo: RowMemo, prefix: bytes) -> None:
        self.memo = memo
        self.prefix = prefix

    def lookup(self, accept: Callable[[bytes], Any]) -> RowLookup:
        """`accept`: a remembered verdict's bytes → what the reader yields for the row, or None
        where it may not be used (its record key is named by a withdrawal, say)."""
        return RowLookup(self.memo, self.prefix, accept)


class RowLookup:
    """One read of a table (in one process): the digest of each row, and its verdict if known.

    The first verdict found is handed over to be checked, not used (`find`'s third value);
    `distrust` stops every further use in this read."""

    def __init__(self, memo: RowMemo, prefix: bytes, accept: Callable[[bytes], Any]) -> None:
        self.memo = memo
        self.accept = accept
        self._head = hashlib.sha256(prefix)
        self.trusted = True
        self.checked = False

    def start(self, labels: Sequence[str]) -> None:
        """The table's header, in the file's order: part of every row's digest."""
        self._head.update(marshal.dumps(list(labels)))

    def find(self, cells: list[str]) -> tuple[bytes, Any, bool]:
        """(the row's digest, the accepted verdict or None, whether to check it)."""
        digest = self._head.copy()
        digest.update(marshal.dumps(cells))
        key = digest.digest()
        if not self.trusted:
            return key, None, False
        stored = self.memo.find(key)
        if stored is None:
            return key, None, False
        try:
            found = self.accept(stored)
        except (ValueError, TypeError, EOFError):  # not what this generator stores: decide it
            return key, None, False
        if found is None:
            return key, None, False
        check = not self.checked
        self.checked = True
        return key, found, check

    def distrust(self) -> None:
        self.trusted = False

    def remember(self, digest: bytes, verdict: bytes) -> None:
        self.memo.add(digest, verdict)

    def done(self) -> None:
        """The read is over: what it remembered is added now."""
        self.memo.flush()


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
