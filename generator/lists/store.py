"""The lists' decide stage on disk: outcomes in input order, published records sorted, never all
in memory (issue 4: memory stays bounded at a million rows).

Why sqlite3 (stdlib) rather than sorted run files merged with heapq.merge: the render stage needs
three things from the records, and one sqlite file gives all three without code of our own.
- Two orders. Each list newest decision first, then key (an `ORDER BY` into a table whose rowid
  is the position), and every record grouped by subject (an index on `subject_key`; an index
  entry sorts by its key and then the rowid, which is exactly the stable sort the subject pages
  had). `ORDER BY` and `CREATE INDEX` are external sorts: sqlite spills to temporary files
  beyond its cache.
- Random access by position: pagination slices a list, and the duplicate rule looks back at an
  earlier row. Run files would need an offset index of their own.
- Keyed look-ups: withheld reasons by record key (the changes and the shrink guard ask for them).

Where: a folder made by `tempfile.mkdtemp` in TMPDIR (not next to the output: `check` has no
output folder and the decide stage does not know it). The folder is removed by `close()`, when
the store is garbage collected, or at interpreter exit, whichever comes first, and only by the
process that made it, so forked render workers never remove it under their parent. A process
killed before any of these leaves its folder behind; its name holds the process id, and the next
store removes the folders of processes that are gone.

Fork: a sqlite connection must never be used on both sides of fork(). Every process opens its own
connection on first use (keyed by process id); a connection inherited from the parent is left
alone in the child, neither used nor closed.

Records are stored as `marshal` dumps of their values (dates as ordinals): about four times faster
than pickle both ways, and the file never outlives the process tree that wrote it, so marshal's
version-specific format does not matter.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import marshal
import os
import shutil
import sqlite3
import tempfile
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from generator.diagnostics import Location
from generator.lists.model import (
    OUTCOMES,
    ROW_FIELDS,
    Outcome,
    PublishedRecord,
    RecordRow,
    record_hash,
)

# Rows read per query when iterating, and rows buffered before an insert: big enough that a
# query costs little per row, small enough to be nothing next to the rest of the build.
CHUNK = 2_000
# sqlite's page cache per connection, in KiB (negative: KiB, not pages). Every render worker has
# its own connection, so this is paid once per process.
CACHE_KIB = 32 * 1024

# A published record as ListWriter.publish_encoded takes it: newest-first order, key, subject
# key, provider, manifest hash, and the record's bytes.
Encoded = tuple[int, str, str, str, str, bytes]
SubjectPart = tuple[str, str | None]
# A subject key, its records' item codes in order, and a function that gives the records.
LazyGroup = tuple[
    str, tuple[str, ...], Callable[[], list[PublishedRecord]]
]  # subject keys from, inclusive, up to, exclusive (None: end)

_SCHEMA = """
CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY, source INTEGER, row INTEGER, key TEXT, outcome INTEGER,
    reason TEXT, detail TEXT);
CREATE TABLE pending (idx INTEGER PRIMARY KEY, newest INTEGER, key TEXT, subject_key TEXT,
    provider TEXT, hash TEXT, data BLOB);
CREATE TABLE published (id INTEGER PRIMARY KEY, list INTEGER, key TEXT, subject_key TEXT,
    provider TEXT, hash TEXT, data BLOB);
CREATE TABLE withheld (key TEXT PRIMARY KEY, reason TEXT) WITHOUT ROWID;
CREATE TABLE keys (key TEXT PRIMARY KEY, first INTEGER, last INTEGER) WITHOUT ROWID;
"""


# --- Records as bytes ------------------------------------------------------------------------

_NAMES = tuple(f.name for f in fields(PublishedRecord))
_DATES = frozenset({"decision_date", "publicity_end", "publicity_start"})
_DATE_AT = tuple(i for i, name in enumerate(_NAMES) if name in _DATES)
# Setting the slots directly skips the frozen dataclass's __init__, which goes through
# object.__setattr__ once per field: decoding is the cost of every pass over the records, and
# this makes it about three times cheaper. Every slot is set, so the object is complete.
_SETTERS: tuple[Callable[[object, object], None], ...] = tuple(
    PublishedRecord.__dict__[name].__set__ for name in _NAMES
)


def encode_record(record: PublishedRecord) -> bytes:
    values: list[Any] = [getattr(record, name) for name in _NAMES]
    for i in _DATE_AT:
        if values[i] is not None:
            values[i] = values[i].toordinal()
    return marshal.dumps(tuple(values))


def decode_record(data: bytes) -> PublishedRecord:
    values = list(marshal.loads(data))
    for i in _DATE_AT:
        if values[i] is not None:
            values[i] = dt.date.fromordinal(values[i])
    record = object.__new__(PublishedRecord)
    for setter, value in zip(_SETTERS, values, strict=True):
        setter(record, value)
    return record


# --- The store -------------------------------------------------------------------------------


PREFIX = "credit-portal-lists-"


def _remove_stale(parent: Path) -> None:
    """Remove the folders of stores whose process has gone (killed: no finalizer ran)."""
    for stale in parent.glob(f"{PREFIX}*-*"):
        pid = stale.name[len(PREFIX) :].partition("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user's
    return True


def _remove(folder: str, owner: int, connections: dict[int, sqlite3.Connection]) -> None:
    """Finalizer: only the process that made the folder closes its connection and removes it."""
    if os.getpid() != owner:
        return
    connection = connections.pop(owner, None)
    if connection is not None:
        connection.close()
    shutil.rmtree(folder, ignore_errors=True)


class ListsStore:
    """One sqlite file in a temporary folder, with one connection per process."""

    def __init__(self, directory: str | None = None) -> None:
        _remove_stale(Path(directory or tempfile.gettempdir()))
        self.folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=directory)
        self.path = Path(self.folder) / "lists.sqlite"
        self.paths: list[str] = []  # resource paths of the outcomes, by source number
        self._sources: dict[str, int] = {}
        self._connections: dict[int, sqlite3.Connection] = {}
        self._finalizer = weakref.finalize(
            self, _remove, self.folder, os.getpid(), self._connections
        )
        self.db().executescript(_SCHEMA)
        self.lists = 0  # lists begun, which numbers them
        self.public_lists: tuple[int, ...] = ()

    def db(self) -> sqlite3.Connection:
        """This process's connection, opened on first use (never one inherited through fork)."""
        pid = os.getpid()
        connection = self._connections.get(pid)
        if connection is None:
            connection = sqlite3.connect(self.path)
            # A scratch file: nothing to recover after a crash, so no journal and no fsync.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._connections[pid] = connection
        return connection

    def close(self) -> None:
        """Remove the folder now (in the process that made it; a no-op anywhere else)."""
        self._finalizer()

    def source(self, path: str) -> int:
        number = self._sources.get(path)
        if number is None:
            number = self._sources[path] = len(self.paths)
            self.paths.append(path)
        return number

    def published_keys(self) -> Iterator[str]:
        """Every published record's key, of every list (the shrink guard's)."""
        return (key for (key,) in self.db().execute("SELECT key FROM published"))

    def begin_list(self) -> ListWriter:
        self.lists += 1
        return ListWriter(self, self.lists)

    def finish(self, public: Iterable[int]) -> WithheldReasons:
        """After the last list: index the records by subject and key, and the withheld reasons.

        A withheld key's reason is its first withheld outcome's (lists in order, rows in input
        order), unless the key is published anyway or the row was only a duplicate.
        """
        db = self.db()
        db.execute("CREATE INDEX published_subject ON published (subject_key)")
        db.execute("CREATE INDEX published_key ON published (key)")
        db.execute(
            "INSERT OR IGNORE INTO withheld (key, reason) SELECT key, reason FROM outcomes o "
            "WHERE outcome = ? AND key IS NOT NULL AND key != '' AND reason != 'duplicate' "
            "AND NOT EXISTS (SELECT 1 FROM published p WHERE p.key = o.key) ORDER BY id",
            (_OUTCOME_CODE["withheld"],),
        )
        db.commit()
        self.public_lists = tuple(sorted(public))
        return WithheldReasons(self)

    def subject_groups(self) -> StoredSubjects:
        return StoredSubjects(self)


# --- Writing one list ------------------------------------------------------------------------

_OUTCOME_CODE = {name: n for n, name in enumerate(OUTCOMES)}


class ListWriter:
    """The outcomes and published records of one list as it is decided.

    Outcomes are numbered from 0 in input order; `replace` changes one already written (the
    duplicate rule decides after every package is read). Published records wait in a scratch
    table, by outcome number, until `finish` sorts them into place.
    """

    def __init__(self, store: ListsStore, number: int) -> None:
        self.store, self.number = store, number
        db = store.db()
        self.offset = db.execute("SELECT coalesce(max(id), 0) FROM outcomes").fetchone()[0]
        self.flushed = 0
        self.buffer: list[tuple[Any, ...]] = []  # outcome rows not yet inserted
        self.records: list[tuple[int, int, str, str, str, str, bytes]] = []
        self.counts: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()

    def __len__(self) -> int:
        return self.flushed + len(self.buffer)

    def append(self, outcome: Outcome) -> None:
        self.buffer.append(self._row(outcome))
        self._count(outcome, 1)
        if len(self.buffer) >= CHUNK:
            self._flush()

    def add(self, path: str, row: int, key: str | None, outcome: str, reason: str = "") -> None:
        """`append(Outcome(Location(path, row=row), key, outcome, reason))`, without making
        the two objects only to take them apart again: the decide stage's call, once per row."""
        self.buffer.append((self.store.source(path), row, key, _OUTCOME_CODE[outcome], reason, ""))
        self.counts[outcome] += 1
        if reason:
            self.reasons[reason] += 1
        if len(self.buffer) >= CHUNK:
            self._flush()

    def __getitem__(self, index: int) -> Outcome:
        if index >= self.flushed:
            return _outcome(self.store.paths, self.buffer[index - self.flushed])
        row = self.store.db().execute(_OUTCOME_SELECT + "id = ?", (self.offset + index + 1,))
        return _outcome(self.store.paths, row.fetchone())

    def replace(self, index: int, outcome: Outcome) -> None:
        self._count(self[index], -1)
        self._count(outcome, 1)
        if index >= self.flushed:
            self.buffer[index - self.flushed] = self._row(outcome)
            return
        self.store.db().execute(
            "UPDATE outcomes SET source = ?, row = ?, key = ?, outcome = ?, reason = ?, detail = ? "
            "WHERE id = ?",
            (*self._row(outcome), self.offset + index + 1),
        )

    def publish(self, index: int, record: PublishedRecord) -> None:
        self.publish_encoded(index, *self.encoded(record))

    @staticmethod
    def encoded(record: PublishedRecord) -> Encoded:
        """What `publish_encoded` takes: made from the record alone, in any process (the decide
        stage's children), its manifest hash included."""
        newest = -record.decision_date.toordinal()
        return (
            newest,
            record.key,
            record.subject_key,
            record.provider,
            record_hash(record),
            encode_record(record),
        )

    def publish_encoded(
        self,
        index: int,
        newest: int,
        key: str,
        subject_key: str,
        provider: str,
        hashed: str,
        data: bytes,
    ) -> None:
        self.records.append((index, newest, key, subject_key, provider, hashed, data))
        if len(self.records) >= CHUNK:
            self._flush_records()

    def unpublish(self, index: int) -> None:
        self._flush_records()
        self.store.db().execute("DELETE FROM pending WHERE idx = ?", (index,))

    def finish(self) -> tuple[PublishedRecords, Outcomes]:
        """Sort the published records into place: newest decision first, then key."""
        self._flush()
        self._flush_records()
        db = self.store.db()
        start = db.execute("SELECT coalesce(max(id), 0) FROM published").fetchone()[0]
        with db:
            db.execute(
                "INSERT INTO published (list, key, subject_key, provider, hash, data) "
                "SELECT ?, key, subject_key, provider, hash, data FROM pending "
                "ORDER BY newest, key",
                (self.number,),
            )
            db.execute("DELETE FROM pending")
        end = db.execute("SELECT coalesce(max(id), 0) FROM published").fetchone()[0]
        return (
            PublishedRecords(self.store, start, end - start),
            Outcomes(self.store, self.offset, len(self)),
        )

    def _count(self, outcome: Outcome, step: int) -> None:
        self.counts[outcome.outcome] += step
        if outcome.reason:
            self.reasons[outcome.reason] += step

    def _row(self, o: Outcome) -> tuple[Any, ...]:
        """(source, row, key, outcome, reason, detail): the columns after the id."""
        code = _OUTCOME_CODE.get(o.outcome)
        location = o.location
        if code is None or location.row is None or location.field or location.line:
            raise ValueError(f"cannot store outcome {o!r}")  # a bug, not bad content
        source = self.store.source(location.path)
        return (source, location.row, o.record_key, code, o.reason, o.detail)

    def _flush(self) -> None:
        if not self.buffer:
            return
        first = self.offset + self.flushed + 1
        rows = [(first + n, *row) for n, row in enumerate(self.buffer)]
        with self.store.db() as db:
            db.executemany("INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self.flushed += len(self.buffer)
        self.buffer = []

    def _flush_records(self) -> None:
        if self.records:
            with self.store.db() as db:
                db.executemany("INSERT INTO pending VALUES (?, ?, ?, ?, ?, ?, ?)", self.records)
            self.records = []


class KeyIndex:
    """Record key -> [first, last] outcome numbers of the list's non-rejected copies of it
    ([None, None]: only rejected copies so far), for the duplicate rules.

    A million keys in a dict would be over 100 MB, so they live in the store; the keys of the last
    few thousand rows, and of any row looked up, wait in a dict until the next flush. Nearly every
    key is new, so a Bloom filter of the stored keys (4 MiB, about 1% false positives at a million
    keys) saves the query for almost all of them.
    """

    RECENT = 20_000
    BLOOM_BITS = 1 << 25

    def __init__(self, store: ListsStore) -> None:
        self.store = store
        self.recent: dict[str, list[int | None]] = {}
        self.bloom = bytearray(self.BLOOM_BITS // 8)
        with store.db() as db:
            db.execute("DELETE FROM keys")

    def _bits(self, key: str) -> tuple[int, int]:
        # str hashes are salted per process, which is fine for a filter that lives in one.
        h = hash(key)
        return h & (self.BLOOM_BITS - 1), (h >> 32) & (self.BLOOM_BITS - 1)

    def _maybe_stored(self, key: str) -> bool:
        bloom = self.bloom
        a, b = self._bits(key)  # two bits, tested inline: this runs for nearly every row
        return bool(bloom[a >> 3] & (1 << (a & 7))) and bool(bloom[b >> 3] & (1 << (b & 7)))

    def get(self, key: str) -> list[int | None] | None:
        """The key's [first, last] (change it through `copy`), or None if no row had it."""
        entry = self.recent.get(key)
        if entry is None:
            if not self._maybe_stored(key):
                return None
            found = self.store.db().execute("SELECT first, last FROM keys WHERE key = ?", (key,))
            row = found.fetchone()
            if row is None:
                return None
            self._flush_if_full()
            entry = self.recent[key] = [row[0], row[1]]
        return entry

    def copy(self, key: str, index: int) -> None:
        """A row that was not rejected has this key."""
        self.copy_found(key, index, self.get(key))

    def copy_found(self, key: str, index: int, entry: list[int | None] | None) -> None:
        """`copy`, given what `get(key)` returned with no other call since: one look-up per row
        instead of two."""
        if entry is None:
            self._flush_if_full()
            self.recent[key] = [index, index]
        else:
            entry[1] = index
            if entry[0] is None:
                entry[0] = index

    def reject(self, key: str) -> None:
        """A rejected row has this key."""
        if self.get(key) is None:
            self._flush_if_full()
            self.recent[key] = [None, None]

    def _flush_if_full(self) -> None:
        # Called before a key is added, never after: an entry just handed out stays in `recent`
        # until the next call, so that changing it changes the index.
        if len(self.recent) >= self.RECENT:
            with self.store.db() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO keys VALUES (?, ?, ?)",
                    ((key, first, last) for key, (first, last) in self.recent.items()),
                )
            bloom = self.bloom
            for key in self.recent:
                for bit in self._bits(key):
                    bloom[bit >> 3] |= 1 << (bit & 7)
            self.recent = {}


# --- Reading -----------------------------------------------------------------------------------

_OUTCOME_SELECT = "SELECT source, row, key, outcome, reason, detail FROM outcomes WHERE "


def _outcome(paths: list[str], row: tuple[Any, ...]) -> Outcome:
    source, number, key, code, reason, detail = row
    return Outcome(Location(paths[source], row=number), key, OUTCOMES[code], reason, detail)


T = TypeVar("T")


class _StoredSequence(Sequence[T], Generic[T]):
    """Rows `start + 1 ... start + count` of one table, read a chunk at a time."""

    def __init__(self, store: ListsStore, start: int, count: int) -> None:
        self.store, self.start, self.size = store, start, count

    def _read(self, first: int, stop: int) -> list[T]:
        raise NotImplementedError

    def _where(self) -> tuple[str, tuple[int, int]]:
        """The condition and arguments that select this sequence's rows of its table."""
        return "id > ? AND id <= ?", (self.start, self.start + self.size)

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[T]:
        for first in range(0, self.size, CHUNK):
            yield from self._read(first, min(first + CHUNK, self.size))

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            first, stop, step = index.indices(self.size)
            if step != 1:
                return list(itertools.islice(self, first, stop, step))
            return self._read(first, stop) if first < stop else []
        position = index + self.size if index < 0 else index
        if not 0 <= position < self.size:
            raise IndexError(index)
        return self._read(position, position + 1)[0]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.size}>"


class PublishedRecords(_StoredSequence[PublishedRecord]):
    """One list's published records, newest decision first, then key."""

    def _read(self, first: int, stop: int) -> list[PublishedRecord]:
        rows = self.store.db().execute(
            "SELECT data FROM published WHERE id > ? AND id <= ? ORDER BY id",
            (self.start + first, self.start + stop),
        )
        return [decode_record(data) for (data,) in rows]

    def span(self) -> tuple[list[str], dt.date | None, dt.date | None]:
        """published_span's answer, from the table: no record is decoded but the two ends."""
        where, args = self._where()
        rows = self.store.db().execute(
            f"SELECT DISTINCT provider FROM published WHERE {where}", args
        )
        providers = [p for (p,) in rows]
        if not self.size:
            return sorted(providers), None, None
        # Newest decision first: the first record has the latest date, the last the earliest.
        newest, oldest = self[0], self[self.size - 1]
        return sorted(providers), oldest.decision_date, newest.decision_date

    def project(self, *names: str) -> Iterator[tuple[Any, ...]]:
        """Some fields of every record, in list order, as tuples: a record's bytes are unpacked
        but no record is made (dates stay ordinals, so only fields that are not dates)."""
        at = [_NAMES.index(name) for name in names]
        if any(i in _DATE_AT for i in at):
            raise ValueError("project() gives no dates")
        return (tuple(picked) for picked in self._picked(at))

    def rows(self) -> Iterator[RecordRow]:
        """Every record's row (what a list page shows of it), in list order: a record's bytes are
        unpacked, but no record is made."""
        date_at = ROW_FIELDS.index("decision_date")
        fromordinal = dt.date.fromordinal
        for picked in self._picked([_NAMES.index(name) for name in ROW_FIELDS]):
            picked[date_at] = fromordinal(picked[date_at])
            yield RecordRow._make(picked)

    def _picked(self, at: list[int]) -> Iterator[list[Any]]:
        """The values at positions `at` of every record, in list order."""
        where, args = self._where()
        rows = self.store.db().execute(
            f"SELECT data FROM published WHERE {where} ORDER BY id", args
        )
        for (data,) in rows:
            values = marshal.loads(data)
            yield [values[i] for i in at]

    def stored(self) -> Iterator[tuple[str, bytes]]:
        """(manifest hash, stored bytes) of every record, in list order: `decode_record` makes
        the record of the bytes, where a reader needs more than its hash."""
        where, args = self._where()
        return self.store.db().execute(  # type: ignore[no-any-return]
            f"SELECT hash, data FROM published WHERE {where} ORDER BY id", args
        )

    def hashes_by_key(self) -> Iterator[tuple[str, str, str]]:
        """(key, manifest hash, provider) in key order: the manifest, without decoding a record."""
        where, args = self._where()
        return self.store.db().execute(  # type: ignore[no-any-return]
            f"SELECT key, hash, provider FROM published INDEXED BY published_key WHERE {where} "
            "ORDER BY key",
            args,
        )

    def hashes(self) -> Iterator[tuple[int, str, str]]:
        """(position, key, manifest hash) in list order: the changes, without decoding a record."""
        where, args = self._where()
        rows = self.store.db().execute(
            f"SELECT id, key, hash FROM published WHERE {where} ORDER BY id", args
        )
        return ((row_id - self.start - 1, key, hashed) for row_id, key, hashed in rows)

    def keys_unique(self) -> bool:
        """No record key twice (the accounting check, without a set of a million keys)."""
        where, args = self._where()
        query = f"SELECT count(DISTINCT key) FROM published WHERE {where}"
        (distinct,) = self.store.db().execute(query, args).fetchone()
        return bool(distinct == self.size)


class Outcomes(_StoredSequence[Outcome]):
    """One list's outcomes, one per input row, in input order."""

    def _read(self, first: int, stop: int) -> list[Outcome]:
        paths = self.store.paths
        rows = self.store.db().execute(
            _OUTCOME_SELECT + "id > ? AND id <= ? ORDER BY id",
            (self.start + first, self.start + stop),
        )
        return [_outcome(paths, row) for row in rows]

    def repeated_places(self) -> list[tuple[str, int]]:
        """(path, row) of rows with more than one outcome, sorted."""
        where, args = self._where()
        rows = self.store.db().execute(
            f"SELECT source, row FROM outcomes WHERE {where} GROUP BY source, row "
            "HAVING count(*) > 1",
            args,
        )
        return sorted((self.store.paths[source], row) for source, row in rows)

    def outcome_reasons(self) -> Counter[tuple[str, str]]:
        """(outcome, reason) -> rows."""
        where, args = self._where()
        rows = self.store.db().execute(
            f"SELECT outcome, reason, count(*) FROM outcomes WHERE {where} GROUP BY outcome, reason",
            args,
        )
        return Counter({(OUTCOMES[code], reason): n for code, reason, n in rows})


class WithheldReasons(Mapping[str, str]):
    """Record key -> why it is not published, for keys that are not (see ListsStore.finish)."""

    def __init__(self, store: ListsStore) -> None:
        self.store = store

    def __getitem__(self, key: str) -> str:
        row = self.store.db().execute("SELECT reason FROM withheld WHERE key = ?", (key,))
        found = row.fetchone()
        if found is None:
            raise KeyError(key)
        return str(found[0])

    def __iter__(self) -> Iterator[str]:
        rows = self.store.db().execute("SELECT key FROM withheld ORDER BY key")
        return (key for (key,) in rows)

    def __len__(self) -> int:
        return int(self.store.db().execute("SELECT count(*) FROM withheld").fetchone()[0])

    def __repr__(self) -> str:
        return f"<WithheldReasons of {len(self)}>"


# --- Records grouped by subject ------------------------------------------------------------------


class StoredSubjects:
    """Every published record of the public lists grouped by subject key: subjects in key order,
    a subject's records in list order and then newest first (the published table's order)."""

    def __init__(self, store: ListsStore) -> None:
        self.store = store

    def parts(self, count: int) -> list[SubjectPart]:
        """About equal key ranges, never splitting one subject's records."""
        db = self.store.db()
        total = db.execute("SELECT count(*) FROM published").fetchone()[0]
        size = max(1, -(-total // count))
        keys = db.execute(
            "SELECT subject_key FROM published INDEXED BY published_subject ORDER BY subject_key"
        )
        bounds = [key for n, (key,) in enumerate(keys) if n and n % size == 0]
        return _key_ranges(bounds) if total else []

    def groups(
        self, part: SubjectPart | None = None
    ) -> Iterator[tuple[str, list[PublishedRecord]]]:
        for key, blobs in self.encoded_groups(part):
            yield key, [decode_record(data) for data in blobs]

    def encoded_groups(self, part: SubjectPart | None = None) -> Iterator[tuple[str, list[bytes]]]:
        """As `groups`, with each record as the store keeps it (`encode_record`), not decoded."""
        low, high = part or ("", None)
        query = "SELECT subject_key, data FROM published INDEXED BY published_subject "
        query += "WHERE subject_key >= ? " + ("AND subject_key < ? " if high is not None else "")
        query += "AND list IN (" + ",".join(map(str, self.store.public_lists)) + ") "
        rows = self.store.db().execute(
            query + "ORDER BY subject_key, id", (low, high) if high is not None else (low,)
        )
        for key, group in itertools.groupby(rows, key=lambda row: str(row[0])):
            yield key, [data for _, data in group]

    def lazy_groups(self, codes: Mapping[int, str]) -> Iterator[LazyGroup]:
        """The groups' subject keys and their records' item codes (`codes`: list number -> item
        code), each with a function that decodes its records: for a reader that needs few."""
        query = "SELECT subject_key, list, data FROM published INDEXED BY published_subject "
        query += "WHERE list IN (" + ",".join(map(str, self.store.public_lists)) + ") "
        rows = self.store.db().execute(query + "ORDER BY subject_key, id")
        for key, group in itertools.groupby(rows, key=lambda row: str(row[0])):
            taken = list(group)
            yield (
                key,
                tuple(codes[number] for _, number, _ in taken),
                functools.partial(_decoded, [data for _, _, data in taken]),
            )


def _decoded(blobs: list[bytes]) -> list[PublishedRecord]:
    return [decode_record(data) for data in blobs]


def _key_ranges(bounds: list[str]) -> list[SubjectPart]:
    """[("", b1), (b1, b2), ..., (bn, None)] over the distinct bounds, in order."""
    starts = ["", *sorted(set(bounds) - {""})]
    ends: list[str | None] = [*starts[1:], None]
    return list(zip(starts, ends, strict=True))


@dataclass(frozen=True)
class MemorySubjects:
    """The same groups for records held in memory (a decision built by hand, as tests do)."""

    records: tuple[PublishedRecord, ...]
    order: tuple[int, ...]  # indexes of records, sorted by subject key (stable)

    @classmethod
    def of(cls, lists: Iterable[Sequence[PublishedRecord]]) -> MemorySubjects:
        everything = tuple(r for records in lists for r in records)
        order = sorted(range(len(everything)), key=lambda i: everything[i].subject_key)
        return cls(everything, tuple(order))

    def parts(self, count: int) -> list[SubjectPart]:
        keys = [self.records[i].subject_key for i in self.order]
        size = max(1, -(-len(keys) // count))
        return _key_ranges(keys[size::size]) if keys else []

    def groups(
        self, part: SubjectPart | None = None
    ) -> Iterator[tuple[str, list[PublishedRecord]]]:
        keys = [self.records[i].subject_key for i in self.order]
        low, high = part or ("", None)
        first = bisect.bisect_left(keys, low)
        stop = len(keys) if high is None else bisect.bisect_left(keys, high)
        chosen = (self.records[i] for i in self.order[first:stop])
        for key, group in itertools.groupby(chosen, key=lambda r: r.subject_key):
            yield key, list(group)

    def encoded_groups(self, part: SubjectPart | None = None) -> Iterator[tuple[str, list[bytes]]]:
        for key, records in self.groups(part):
            yield key, [encode_record(r) for r in records]

    def lazy_groups(self, codes: Mapping[int, str]) -> Iterator[LazyGroup]:
        """As StoredSubjects.lazy_groups; the records are at hand already."""
        for key, records in self.groups():
            yield key, tuple(r.item_code for r in records), functools.partial(list, records)


def published_span(
    published: Sequence[PublishedRecord],
) -> tuple[list[str], dt.date | None, dt.date | None]:
    """A list's providers (sorted), and its earliest and latest decision dates (None if empty)."""
    if isinstance(published, PublishedRecords):
        return published.span()
    dates = [r.decision_date for r in published]
    return (
        sorted({r.provider for r in published}),
        min(dates, default=None),
        max(dates, default=None),
    )
