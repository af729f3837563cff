"""The index stage: every section's SearchDocs in, the search files of the built site out.

- ``search/site-index.<lang>.json``: pages, notices, catalogue items and consultations of one
  language, with their display data; loaded whole.
- ``search/shards/<n>.json``: subjects and records, term-partitioned (see shards.py); indexed once,
  language-neutral, since names are Chinese and codes are codes.
- ``search/docs/<k>.json``: the subjects' and records' display data, by hash of their ref.
- ``search/manifest.json``: N, the parts, the ref prefixes and the heavy tokens.

Documents are consumed as a stream; see shardset.py for what stays in memory.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

from generator.memo import PageMemo
from generator.model import DEFAULT_LANG, LANGS, DocGroup, OutputFile, SearchDoc
from generator.search.paths import MANIFEST_PATH, site_index_path
from generator.search.shards import DOCS_PER_STORE_PART, FIELD, HEAVY_CAP, POSTINGS_PER_SHARD
from generator.search.shardset import TASKS, Partition, ShardSetInfo, Task
from generator.search.sitewide import dump_json, site_index_file

SHARD_KINDS = frozenset({"subject", "record"})
MANIFEST_VERSION = 1
# The first pass's writers take turns by blocks of this many subjects and records: a subject and
# its records, which share their names, codes and numbers, are then mostly tokenized by the same
# writer, whose caches know them (shardset.py: doc_tokens).
WRITER_BLOCK = 512


class SearchIndex:
    """The index stage as independent tasks, for generator.parallel.

    ``tasks()`` may be listed at once; ``first_pass()`` must then be entered before they run
    (and before workers fork): it reads the documents and spills them to temporary files, which
    the tasks read and which are removed on leaving it. See shardset.py. With ``jobs`` above 1,
    the first pass runs in that many processes, each reading the documents and tokenizing its
    share of them (tokenizing costs more than making the documents).
    """

    def __init__(
        self,
        docs: Iterable[SearchDoc | DocGroup],
        *,
        per_shard: int = POSTINGS_PER_SHARD,
        per_part: int = DOCS_PER_STORE_PART,
        heavy_cap: int = HEAVY_CAP,
        jobs: int = 1,
        memo: PageMemo | None = None,
    ) -> None:
        self._docs = docs
        self.jobs = max(1, jobs)
        self.memo = memo  # with a cache: shards made before from the same postings are linked
        self._options = {"per_shard": per_shard, "per_part": per_part, "heavy_cap": heavy_cap}
        self.heavy_cap = heavy_cap
        self._site_docs: dict[str, list[SearchDoc]] = {lang: [] for lang in LANGS}
        self._partition: Partition | None = None
        self._info: ShardSetInfo | None = None

    @contextmanager
    def first_pass(self) -> Iterator[None]:
        folder = Path(tempfile.mkdtemp(prefix="cp-search-"))
        writers = self.jobs if "fork" in multiprocessing.get_all_start_methods() else 1
        children: list[_Writer] = []
        try:
            # The other writers are forked first: each reads the documents too, and tokenizes
            # and spills its share (see shardset.Partition).
            children = [_Writer(self, folder, w, writers) for w in range(1, writers)]
            partition = self._partition = self._partition_for(folder, 0, writers)
            try:
                self._read(partition, 0, writers)
            finally:
                partition.close()
            self._info = partition.finish([child.counts() for child in children])
            yield
        finally:
            for child in children:
                child.stop()
            shutil.rmtree(folder, ignore_errors=True)

    def _partition_for(self, folder: Path, writer: int, writers: int) -> Partition:
        return Partition(folder, writer=writer, writers=writers, **self._options)

    def _read(self, partition: Partition, writer: int, writers: int) -> None:
        """Writer ``writer``'s share of the first pass: every ``writers``th block of documents.

        A group (generator.model.DocGroup) none of whose documents falls in this writer's blocks
        is numbered from its heads and never made.
        """
        n = 0
        for item in self._docs:
            if isinstance(item, DocGroup):
                blocks = range(n // WRITER_BLOCK, (n + len(item.heads) - 1) // WRITER_BLOCK + 1)
                if all(block % writers != writer for block in blocks):
                    for kind, list_code in item.heads:
                        partition.skip_ref(kind, list_code)
                    n += len(item.heads)
                    continue
                docs = item.make()
                if [(d.kind, d.list_code) for d in docs] != list(item.heads):
                    raise RuntimeError("a search document group made other documents than it said")
            else:
                docs = [item]
            for doc in docs:
                n = self._add(partition, doc, n, writer, writers)

    def _add(self, partition: Partition, doc: SearchDoc, n: int, writer: int, writers: int) -> int:
        """One document; the number of subjects and records seen so far, after it."""
        if doc.kind in SHARD_KINDS:
            # Indexed once: a section handing out a copy per language is read in Chinese.
            if doc.lang == DEFAULT_LANG or doc.lang not in LANGS:
                if (n // WRITER_BLOCK) % writers == writer:
                    partition.add(doc)
                else:
                    partition.skip(doc)
                n += 1
        elif writer == 0 and doc.lang in self._site_docs:
            self._site_docs[doc.lang].append(doc)
        return n

    def tasks(self) -> list[Task]:
        """The site-wide indexes and manifest, then the shards and doc store in several parts."""
        return [
            partial(site_files, self),
            *(partial(shard_files, self, number) for number in range(TASKS)),
        ]

    def site_files(self) -> Iterator[OutputFile]:
        for lang in LANGS:
            yield site_index_file(lang, self._site_docs[lang])
        yield OutputFile(MANIFEST_PATH, dump_json(manifest(self._passed(), self.heavy_cap)))

    def shard_files(self, number: int) -> Iterator[OutputFile]:
        self._passed()
        assert self._partition is not None
        return self._partition.task_files(number, self.memo)

    def _passed(self) -> ShardSetInfo:
        if self._info is None:
            raise RuntimeError("the search index's first pass has not run")
        return self._info


class _Writer:
    """A forked process that runs one writer's share of the first pass."""

    def __init__(self, index: SearchIndex, folder: Path, writer: int, writers: int) -> None:
        context = multiprocessing.get_context("fork")
        self.receive, send = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_write, args=(index, folder, writer, writers, send), daemon=True
        )
        self.process.start()
        send.close()

    def counts(self) -> tuple[int, int, Counter[str]]:
        """Its documents, postings and short-token counts; its failure raised again here."""
        try:
            kind, payload = self.receive.recv()
        except EOFError:
            raise RuntimeError("a search index writer died without a word") from None
        if kind == "failed":
            raise RuntimeError(f"in a search index writer:\n{payload}")
        docs, postings, df = payload
        return docs, postings, df

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.receive.close()


def _write(index: SearchIndex, folder: Path, writer: int, writers: int, send: Connection) -> None:
    try:
        partition = index._partition_for(folder, writer, writers)
        try:
            index._read(partition, writer, writers)
        finally:
            partition.close()
        send.send(("counts", (partition.docs, partition.postings, partition.df)))
    except BaseException:
        send.send(("failed", traceback.format_exc()))
    finally:
        send.close()


def site_files(index: SearchIndex) -> Iterator[OutputFile]:
    """The search index task that writes the site-wide indexes and the manifest."""
    return index.site_files()


def shard_files(index: SearchIndex, number: int) -> Iterator[OutputFile]:
    """One of the search index tasks that write the shards and the doc store."""
    return index.shard_files(number)


def index_files(
    docs: Iterable[SearchDoc | DocGroup],
    *,
    per_shard: int = POSTINGS_PER_SHARD,
    per_part: int = DOCS_PER_STORE_PART,
    heavy_cap: int = HEAVY_CAP,
) -> Iterator[OutputFile]:
    """All search files for ``docs``, in this process (for tests and the benchmark)."""
    index = SearchIndex(docs, per_shard=per_shard, per_part=per_part, heavy_cap=heavy_cap)
    with index.first_pass():
        for task in index.tasks():
            yield from task()


def manifest(info: ShardSetInfo, heavy_cap: int) -> dict[str, object]:
    return {
        "version": MANIFEST_VERSION,
        "field": FIELD,
        "docs": info.docs,
        "postings": info.postings,
        "shards": info.shards,
        "parts": info.parts,
        "groups": [[kind, list_code] for kind, list_code in info.groups],
        "heavy": info.heavy,
        "heavyCap": heavy_cap,
        "siteIndex": {lang: site_index_path(lang) for lang in LANGS},
    }
