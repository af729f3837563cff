"""Builds the subject and record shards and their doc store in bounded memory.

Documents stream in once. Each is tokenized, given a short ref and spilled to temporary files:
its tokens into ``MIN_PARTS`` bucket files by ``hash % MIN_PARTS`` and its display data into as
many store buckets by the hash of its ref. Only then is the document count, and so N, known;
since N is a multiple of ``MIN_PARTS``, every shard's postings sit in one bucket, which is read
back and turned into its shards one at a time. What stays O(documents) in memory is one bucket
(a sixteenth of the postings) and one store bucket, never the documents themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from generator.model import OutputFile, SearchDoc
from generator.search.paths import shard_path, store_part_path
from generator.search.shards import (
    DOCS_PER_STORE_PART,
    HEAVY_CAP,
    MIN_PARTS,
    POSTINGS_PER_SHARD,
    ShardDoc,
    base36,
    build_shard,
    fnv1a32,
    part_count,
    shard_count,
)
from generator.search.sitewide import dump_json
from generator.search.tokenizer import tokenize

# A subject is found by its name, former names and decision numbers (its text) and its codes. The
# index and the doc store both use the capped text, so the browser can re-check a match against
# what it fetched; the cap only guards the shard size against an unusually long text.
SUBJECT_TEXT_CAP = 300
# A record is found by its title (name and decision number) and codes only: its text holds the
# facts of the case, which would multiply the shards' size. The text is kept for the snippet.
RECORD_SNIPPET_CAP = 100


def doc_tokens(kind: str, title: str, text: str, codes: Sequence[str]) -> list[str]:
    """What a subject or record is found by (search.js: entryTokens, on its doc-store entry)."""
    tokens = tokenize(title)
    if kind != "record":
        tokens += tokenize(text)
    for code in codes:
        tokens += tokenize(code)
    return tokens


def stored_text(kind: str, text: str) -> str:
    return text[:RECORD_SNIPPET_CAP] if kind == "record" else text[:SUBJECT_TEXT_CAP]


@dataclass(frozen=True)
class ShardSetInfo:
    """What the manifest says about the shards, once they are built."""

    docs: int
    postings: int
    shards: int
    parts: int
    groups: tuple[tuple[str, str | None], ...]  # ref prefix i -> (kind, list code)
    heavy: dict[str, int] = field(default_factory=dict)


class ShardSetBuilder:
    """Add documents one at a time, then iterate ``files()`` once; ``info`` is set after that."""

    def __init__(
        self,
        folder: Path,
        *,
        per_shard: int = POSTINGS_PER_SHARD,
        per_part: int = DOCS_PER_STORE_PART,
        heavy_cap: int = HEAVY_CAP,
    ) -> None:
        self.per_shard = per_shard
        self.per_part = per_part
        self.heavy_cap = heavy_cap
        self._token_paths = [folder / f"tokens-{k}.tsv" for k in range(MIN_PARTS)]
        self._store_paths = [folder / f"store-{k}.tsv" for k in range(MIN_PARTS)]
        self._token_out: list[IO[str]] = [p.open("w", encoding="utf-8") for p in self._token_paths]
        self._store_out: list[IO[str]] = [p.open("w", encoding="utf-8") for p in self._store_paths]
        self._groups: dict[tuple[str, str | None], int] = {}
        self._hashes: dict[str, int] = {}
        self._counters: list[int] = []
        self.docs = 0
        self.postings = 0
        self.info: ShardSetInfo | None = None

    def _ref(self, doc: SearchDoc) -> str:
        # Short refs keep the shards small: each posting repeats its ref twice. The prefix names
        # the kind and list, so the browser filters results before fetching any display data.
        key = (doc.kind, doc.list_code)
        group = self._groups.setdefault(key, len(self._groups))
        if group == len(self._counters):
            self._counters.append(0)
        ordinal = self._counters[group]
        self._counters[group] += 1
        return f"{base36(group)}.{base36(ordinal)}"

    def add(self, doc: SearchDoc) -> None:
        ref = self._ref(doc)
        text = stored_text(doc.kind, doc.text)
        # Each distinct token once: a name repeated in the text, or a decision number in both
        # title and codes, would only add postings, not meaning.
        tokens = list(dict.fromkeys(doc_tokens(doc.kind, doc.title, text, doc.codes)))
        buckets: dict[int, list[str]] = {}
        hashes = self._hashes
        for token in tokens:
            h = hashes.get(token)
            if h is None:
                h = fnv1a32(token)
                if len(token) <= 4:  # bigrams and short numbers recur; codes do not
                    hashes[token] = h
            buckets.setdefault(h % MIN_PARTS, []).append(token)
        for bucket, routed in buckets.items():
            self._token_out[bucket].write(f"{ref}\t{len(tokens)}\t{' '.join(routed)}\n")
        entry = json.dumps([doc.title, doc.url, text, list(doc.codes)], ensure_ascii=False)
        self._store_out[fnv1a32(ref) % MIN_PARTS].write(f"{ref}\t{entry}\n")
        self.docs += 1
        self.postings += len(tokens)

    def close(self) -> None:
        """Close the spill files (done by ``files()``; also safe after a failure)."""
        for out in (*self._token_out, *self._store_out):
            out.close()

    def files(self) -> Iterator[OutputFile]:
        self.close()
        shards = shard_count(self.postings, self.per_shard)
        parts = part_count(self.docs, self.per_part)
        heavy: dict[str, int] = {}
        for bucket in range(MIN_PARTS):
            yield from self._shard_files(bucket, shards, heavy)
        for bucket in range(MIN_PARTS):
            yield from self._store_files(bucket, parts)
        self.info = ShardSetInfo(
            docs=self.docs,
            postings=self.postings,
            shards=shards,
            parts=parts,
            groups=tuple(self._groups),
            heavy=dict(sorted(heavy.items())),
        )

    def _shard_files(self, bucket: int, shards: int, heavy: dict[str, int]) -> Iterator[OutputFile]:
        # This bucket's postings are the one O(postings / MIN_PARTS) structure in memory: each
        # token string is kept once (a bigram recurs thousands of times), each length once.
        by_shard: dict[int, dict[str, list[str]]] = {}
        lengths: dict[str, int] = {}
        seen: dict[str, tuple[int, str]] = {}
        path = self._token_paths[bucket]
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                ref, length, joined = line.rstrip("\n").split("\t")
                lengths[ref] = int(length)
                for token in joined.split(" "):
                    known = seen.get(token)
                    if known is None:
                        known = seen[token] = (fnv1a32(token) % shards, token)
                    shard, token = known
                    docs = by_shard.get(shard)
                    if docs is None:
                        docs = by_shard[shard] = {}
                    tokens = docs.get(ref)
                    if tokens is None:
                        docs[ref] = [token]
                    else:
                        tokens.append(token)
        path.unlink()
        del seen
        for shard in range(bucket, shards, MIN_PARTS):
            docs = by_shard.pop(shard, {})
            shard_docs = [ShardDoc(ref, lengths[ref], tuple(t)) for ref, t in docs.items()]
            result = build_shard(shard_docs, self.docs, self.heavy_cap)
            heavy.update(result.heavy)
            yield OutputFile(shard_path(shard), dump_json(result.index))

    def _store_files(self, bucket: int, parts: int) -> Iterator[OutputFile]:
        by_part: dict[int, dict[str, object]] = {}
        path = self._store_paths[bucket]
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                ref, entry = line.rstrip("\n").split("\t", 1)
                by_part.setdefault(fnv1a32(ref) % parts, {})[ref] = json.loads(entry)
        path.unlink()
        for part in sorted(by_part):
            yield OutputFile(store_part_path(part), dump_json(by_part.pop(part)))
