"""Builds the subject and record shards and their doc store: a first pass, then independent tasks.

1. **First pass** (``Partition.add``, in the process that owns the documents): each document is
   tokenized once, given a short ref and spilled to temporary files: its tokens into
   ``SPILL_BUCKETS`` files by ``hash % SPILL_BUCKETS``, its display data into as many store files
   by the hash of its ref. Short tokens are counted, to find the heavy ones. Nothing else is kept.
2. Then the document and posting counts, and so N and the number of parts, are known. Both are
   powers of two, so shard ``s`` draws only on the spill files ``b`` with
   ``b % M == s % M`` (``M = min(N, SPILL_BUCKETS)``): the spill files fall into ``M``
   independent *units*, each with its own shards.
3. **Tasks** (``Partition.task_files``): ``TASKS`` of them, each building the units ``u`` with
   ``u % TASKS == its number`` one at a time, so generator.parallel runs them on every core and a
   worker holds one unit's postings (a sixty-fourth of them) at a time. They share nothing but the
   read-only spill files, and each removes the files it has read.

A spilled posting is a line ``<length, 8 hex digits><ref>\\t<token>\\t<its hash>``: sorting a
unit's lines as strings puts its documents shortest first, then by ref (``\\t`` sorts before any
ref character), the order in which ``shards.shard_data`` wants them; a document's tokens are then
in string order.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, Any

from generator.memo import PageMemo, TaskMemo
from generator.model import OutputFile, SearchDoc
from generator.search.paths import shard_path, store_part_path
from generator.search.shards import (
    DOCS_PER_STORE_PART,
    HEAVY_CAP,
    POSTINGS_PER_SHARD,
    base36,
    cap_heavy,
    doc_head,
    fnv1a32,
    part_count,
    shard_count,
    shard_data,
)
from generator.search.tokenizer import tokenize

# A subject is found by its name, former names and decision numbers (its text) and its codes. The
# index and the doc store both use the capped text, so the browser can re-check a match against
# what it fetched; the cap only guards the shard size against an unusually long text.
SUBJECT_TEXT_CAP = 300
# A record is found by its title (name and decision number) and codes only: its text holds the
# facts of the case, which would multiply the shards' size. The text is kept for the snippet.
RECORD_SNIPPET_CAP = 100
# Spill files per kind. More files mean smaller units (less memory per worker at a time) but
# more, shorter lines per document. A power of two.
SPILL_BUCKETS = 64
# Index tasks. A power of two that divides every unit count (N and the parts are >= 16).
TASKS = 8
# Only tokens this short are counted, and so only they can be heavy: Han bigrams and unigrams,
# short numbers such as years. Longer ones (credit codes, document numbers) identify a few
# documents by nature, and counting them would hold every one of them in memory.
HEAVY_MAX_LEN = 4
# Recently hashed long tokens: a subject's codes and document numbers recur in its records,
# which come right after it.
RECENT_LONG = 4096

# Documents between two writes of the spill buffers.
FLUSH_DOCS = 4096
# Whitespace separates tokens (no rule of the tokenizer looks across it; a test checks that
# tokenizing the pieces gives the same tokens), and the pieces recur: a subject's name, codes and
# decision numbers are in its records too, which come right after it.
RECENT_PIECES = 4096
_PIECES: dict[str, list[str]] = {}

Task = Callable[[], Iterator[OutputFile]]

_encode: Callable[[str], str] = encode_basestring  # a JSON string, as dump_json writes it


def doc_tokens(kind: str, title: str, text: str, codes: Sequence[str]) -> list[str]:
    """What a subject or record is found by (search.js: entryTokens, on its doc-store entry)."""
    pieces = title.split()
    if kind != "record":
        pieces += text.split()
    for code in codes:
        pieces += code.split()
    tokens: list[str] = []
    for piece in pieces:
        known = _PIECES.get(piece)
        if known is None:
            if len(_PIECES) >= RECENT_PIECES:
                _PIECES.clear()
            known = _PIECES[piece] = tokenize(piece)
        tokens += known
    return tokens


def stored_text(kind: str, text: str) -> str:
    return text[:RECORD_SNIPPET_CAP] if kind == "record" else text[:SUBJECT_TEXT_CAP]


@dataclass(frozen=True)
class ShardSetInfo:
    """What the manifest says about the shards, once the first pass is done."""

    docs: int
    postings: int
    shards: int
    parts: int
    groups: tuple[tuple[str, str | None], ...]  # ref prefix i -> (kind, list code)
    heavy: dict[str, int] = field(default_factory=dict)


class Partition:
    """The first pass: ``add`` every document, ``close``, ``finish``, then ``task_files(n)``.

    Several writers (processes) may share the first pass: writer ``w`` of ``writers`` adds the
    documents it is given and ``skip``s the others, in the same order, into its own spill files
    in ``folder``; the first one ``finish``es with the others' counts. The tasks read every
    writer's files and remove them as they go; the caller removes ``folder``.
    """

    def __init__(
        self,
        folder: Path,
        *,
        writer: int = 0,
        writers: int = 1,
        per_shard: int = POSTINGS_PER_SHARD,
        per_part: int = DOCS_PER_STORE_PART,
        heavy_cap: int = HEAVY_CAP,
    ) -> None:
        self.per_shard = per_shard
        self.per_part = per_part
        self.heavy_cap = heavy_cap
        self.folder = folder
        self.writers = writers
        self._token_out: list[IO[str]] = [
            self._token_path(writer, b).open("w", encoding="utf-8") for b in range(SPILL_BUCKETS)
        ]
        self._store_out: list[IO[str]] = [
            self._store_path(writer, b).open("w", encoding="utf-8") for b in range(SPILL_BUCKETS)
        ]
        # Lines are written in batches: one write per line would cost more than making it.
        self._token_buffers: list[list[str]] = [[] for _ in range(SPILL_BUCKETS)]
        self._store_buffers: list[list[str]] = [[] for _ in range(SPILL_BUCKETS)]
        self._groups: dict[tuple[str, str | None], tuple[int, list[int]]] = {}
        # token -> (spill file, hash): every short token, the long ones of the last documents
        self._short: dict[str, tuple[int, str]] = {}
        self._recent: dict[str, tuple[int, str]] = {}
        self.df: Counter[str] = Counter()  # short token -> documents
        self.docs = 0
        self.postings = 0
        self.info: ShardSetInfo | None = None

    def _token_path(self, writer: int, bucket: int) -> Path:
        return self.folder / f"tokens-{writer}-{bucket}.tsv"

    def _store_path(self, writer: int, bucket: int) -> Path:
        return self.folder / f"store-{writer}-{bucket}.tsv"

    def skip(self, doc: SearchDoc) -> None:
        """A document another writer adds: it still takes its ref's number."""
        self.skip_ref(doc.kind, doc.list_code)

    def skip_ref(self, kind: str, list_code: str | None) -> None:
        """`skip`, for a document known only by its kind and list code."""
        self._ref_of(kind, list_code)

    def _ref(self, doc: SearchDoc) -> str:
        return self._ref_of(doc.kind, doc.list_code)

    def _ref_of(self, kind: str, list_code: str | None) -> str:
        # Short refs keep the shards small: each posting repeats its ref twice. The prefix names
        # the kind and list, so the browser filters results before fetching any display data.
        key = (kind, list_code)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = (len(self._groups), [0])
        number, counter = group
        ordinal = counter[0]
        counter[0] += 1
        return f"{base36(number)}.{base36(ordinal)}"

    def add(self, doc: SearchDoc) -> None:
        ref = self._ref(doc)
        text = stored_text(doc.kind, doc.text)
        # Each distinct token once: a name repeated in the text, or a decision number in both
        # title and codes, would only add postings, not meaning.
        tokens = list(dict.fromkeys(doc_tokens(doc.kind, doc.title, text, doc.codes)))
        short, recent = self._short, self._recent
        buffers = self._token_buffers
        head = doc_head(len(tokens), ref)
        for token in tokens:
            bucket, hashed = short.get(token) or recent.get(token) or self._route(token)
            buffers[bucket].append(f"{head}\t{token}\t{hashed}\n")
        self.df.update([t for t in tokens if len(t) <= HEAVY_MAX_LEN])
        # The entry as dump_json writes it (compact, not ASCII-escaped).
        codes = ",".join([_encode(code) for code in doc.codes])
        entry = f"[{_encode(doc.title)},{_encode(doc.url)},{_encode(text)},[{codes}]]"
        h = fnv1a32(ref)
        self._store_buffers[h % SPILL_BUCKETS].append(f"{ref}\t{h}\t{entry}\n")
        self.docs += 1
        self.postings += len(tokens)
        if self.docs % FLUSH_DOCS == 0:
            self._flush()

    def _flush(self) -> None:
        for buffers, outs in (
            (self._token_buffers, self._token_out),
            (self._store_buffers, self._store_out),
        ):
            for buffer, out in zip(buffers, outs, strict=True):
                out.write("".join(buffer))
                buffer.clear()

    def _route(self, token: str) -> tuple[int, str]:
        """A token's spill file and hash (as written), remembered for the next documents."""
        h = fnv1a32(token)
        known = (h % SPILL_BUCKETS, str(h))
        if len(token) <= HEAVY_MAX_LEN:
            self._short[token] = known
        else:
            if len(self._recent) >= RECENT_LONG:
                self._recent.clear()
            self._recent[token] = known
        return known

    def close(self) -> None:
        """End this writer's part of the first pass (also safe after a failure)."""
        try:
            self._flush()
        finally:
            for out in (*self._token_out, *self._store_out):
                out.close()
        self._short.clear()
        self._recent.clear()

    def finish(self, others: Sequence[tuple[int, int, Counter[str]]] = ()) -> ShardSetInfo:
        """The counts, with the other writers' (documents, postings, short-token counts)."""
        for docs, postings, df in others:
            self.docs += docs
            self.postings += postings
            self.df.update(df)
        heavy = {t: df for t, df in self.df.items() if df > self.heavy_cap}
        self.df.clear()
        self.info = ShardSetInfo(
            docs=self.docs,
            postings=self.postings,
            shards=shard_count(self.postings, self.per_shard),
            parts=part_count(self.docs, self.per_part),
            groups=tuple(self._groups),
            heavy=dict(sorted(heavy.items())),
        )
        return self.info

    def task_files(self, number: int, memo: PageMemo | None = None) -> Iterator[OutputFile]:
        """Task ``number``'s shards and doc-store parts (of ``TASKS``), after ``close``. With
        ``memo`` (a build with a cache), a unit whose spill files and counts are those of an
        earlier build has its shards linked, not made again (generator.memo)."""
        info = self.info
        if info is None:
            raise RuntimeError("the search index's first pass has not run")
        task = TaskMemo(memo) if memo is not None else None
        units = min(info.shards, SPILL_BUCKETS)
        for unit, paths in self._task_units(number, units, self._token_path):
            yield from self._shard_files(unit, units, paths, info, task)
        units = min(info.parts, SPILL_BUCKETS)
        for unit, paths in self._task_units(number, units, self._store_path):
            yield from self._store_files(unit, units, paths, info.parts)

    def _task_units(
        self, number: int, units: int, path: Callable[[int, int], Path]
    ) -> Iterator[tuple[int, list[Path]]]:
        """Task ``number``'s units of ``units``, each with the spill files (every writer's, of
        every bucket that maps to the unit) it reads."""
        for unit in range(number, units, TASKS):
            buckets = range(unit, SPILL_BUCKETS, units)
            yield unit, [path(w, b) for b in buckets for w in range(self.writers)]

    def _shard_files(
        self,
        unit: int,
        units: int,
        paths: list[Path],
        info: ShardSetInfo,
        task: TaskMemo | None = None,
    ) -> Iterator[OutputFile]:
        """The shards ``unit, unit + units, ...``, from the spill files that hold their postings."""
        count = info.shards // units
        step = units.bit_length() - 1  # shard s is the (s >> step)th of this unit
        spilled = hashlib.sha256() if task is not None else None
        lines = _read_all(paths, spilled)
        key = ""
        if task is not None and spilled is not None:
            # A unit's shards are made from its postings (refs, tokens, hashes), the document
            # count and the heavy tokens: nothing else.
            counts = (unit, units, info.shards, info.docs, info.heavy, self.heavy_cap)
            key = task.key("shards", repr(counts).encode(), spilled.digest())
            found = task.reuse(key, [shard_path(unit + (n << step)) for n in range(count)])
            if found is not None:
                yield from found
                return
        made = self._shards(unit, step, count, lines, info)
        yield from made if task is None else task.rendered(key, made)

    def _shards(
        self, unit: int, step: int, count: int, lines: list[str], info: ShardSetInfo
    ) -> Iterator[OutputFile]:
        lines.sort()  # by document, shortest first, then by ref (see the module docstring)
        # Split in bulk (C loops): every line is "head<TAB>token<TAB>hash".
        fields = "\t".join(lines).split("\t") if lines else []
        lines.clear()  # a parameter (mypyc cannot delete one): emptied, the strings go
        heads, tokens, hashes = fields[0::3], fields[1::3], fields[2::3]
        del fields
        groups: list[Sequence[int]]
        if count == 1:
            groups = [range(len(heads))]
        else:
            mask = count - 1
            postings: list[list[int]] = [[] for _ in range(count)]
            for i, h in enumerate(hashes):
                postings[(int(h) >> step) & mask].append(i)
            groups = list(postings)
            del postings
        del hashes
        heavy = info.heavy
        for local, group in enumerate(groups):
            shard_heads = [heads[i] for i in group]
            shard_tokens = [tokens[i] for i in group]
            groups[local] = ()  # done: let it go
            if heavy and not heavy.keys().isdisjoint(shard_tokens):
                shard_heads, shard_tokens = cap_heavy(
                    shard_heads, shard_tokens, heavy, self.heavy_cap
                )
            data = shard_data(shard_heads, shard_tokens, info.docs)
            yield OutputFile(shard_path(unit + (local << step)), data)

    def _store_files(
        self, unit: int, units: int, paths: list[Path], parts: int
    ) -> Iterator[OutputFile]:
        by_part: dict[int, list[str]] = {}
        for line in _read_all(paths):
            ref, h, entry = line.split("\t", 2)
            part = int(h) % parts
            bucket = by_part.get(part)
            if bucket is None:
                bucket = by_part[part] = []
            bucket.append(f'"{ref}":{entry.rstrip()}')
        for part in sorted(by_part):
            # A ref's JSON key sorts as the ref does: '"' precedes every ref character.
            entries = sorted(by_part.pop(part))
            yield OutputFile(store_part_path(part), ("{" + ",".join(entries) + "}").encode())


def _read_all(paths: list[Path], digest: Any = None) -> list[str]:
    """The lines of the spill files `paths`, which are removed; `digest` (a hashlib object), if
    given, is updated with each file's bytes."""
    lines: list[str] = []
    for path in paths:
        if digest is None:
            with path.open(encoding="utf-8") as f:
                text = f.read()
        else:
            data = path.read_bytes()
            digest.update(b"%d\0" % len(data))
            digest.update(data)
            text = data.decode("utf-8")
            # Tens of megabytes per unit at a million records: one copy at a time.
            data = b""
        lines += text.split("\n")
        text = ""
        path.unlink()
        lines.pop()  # after the last newline
    return lines
