"""Term-partitioned shards for list subjects and records: routing, sizing and one shard's index.

A token lives in exactly one shard, ``fnv1a32(token) % N``, so a query fetches only the shards its
own tokens route to; the browser computes the same hash (``fnv1a32`` in search.js, checked for
parity by tests/search/test_shards.py). N grows with the number of documents, so a shard's size
(and what one query downloads) stays roughly constant from a hundred records to a million.

A token found in very many documents (天津, 公司, a year) would make its shard huge. Such a
*heavy* token keeps only its ``HEAVY_CAP`` best postings (shortest documents first) and is listed
in the manifest with its true document frequency. The browser then matches a query through its
other tokens and checks the heavy ones against the fetched display data (see search.js); a query
made of heavy tokens only uses the rarest one's capped postings and says the results are partial.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from lunr import __TARGET_JS_VERSION__

from generator.search.tokenizer import PIPELINE_LABEL

__all__ = [
    "DOCS_PER_STORE_PART",
    "FIELD",
    "HEAVY_CAP",
    "MIN_PARTS",
    "POSTINGS_PER_SHARD",
    "ShardDoc",
    "ShardResult",
    "base36",
    "build_shard",
    "compact_scores",
    "empty_index",
    "fnv1a32",
    "next_pow2",
    "part_count",
    "shard_count",
    "shard_of",
    "utf16_key",
]

# N follows the number of postings (document-token pairs), which is what a shard's size grows
# with. Tuned with bench/search_budget.py (docs/performance.md).
POSTINGS_PER_SHARD = 8000
# Display data is fetched per result; small parts keep 50 results' worth near 100 KB gzip.
DOCS_PER_STORE_PART = 32
# Both counts are powers of two of at least 16, so a token's bucket in the first pass
# (hash % MIN_PARTS) already determines which bucket holds its shard, whatever N turns out to be.
MIN_PARTS = 16
# A token in more documents than this is heavy (see the module docstring).
HEAVY_CAP = 4000
# Shard indexes have one field with a one-letter name: it is repeated in every posting.
FIELD = "t"
# lunr's BM25 parameters (its defaults) and the digits kept of a score.
K1 = 1.2
B = 0.75
SCORE_DIGITS = 2

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193
_MASK = 0xFFFFFFFF


def fnv1a32(text: str) -> int:
    """32-bit FNV-1a over the UTF-8 bytes of ``text`` (search.js has the twin)."""
    h = _FNV_OFFSET
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * _FNV_PRIME) & _MASK
    return h


_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n: int) -> str:
    """Short refs: the documents' own refs would be repeated in every posting."""
    digits = ""
    while True:
        n, rest = divmod(n, 36)
        digits = _B36[rest] + digits
        if n == 0:
            return digits


def shard_of(token: str, shards: int) -> int:
    return fnv1a32(token) % shards


def next_pow2(n: int) -> int:
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


def shard_count(postings: int, per_shard: int = POSTINGS_PER_SHARD) -> int:
    """N for ``postings`` tokens indexed: the next power of two of postings / per_shard, >= 16."""
    return max(MIN_PARTS, next_pow2(-(-postings // per_shard)))


def part_count(docs: int, per_part: int = DOCS_PER_STORE_PART) -> int:
    """How many doc-store parts ``docs`` documents are spread over (same rule as shards)."""
    return max(MIN_PARTS, next_pow2(-(-docs // per_part)))


class ShardDoc(NamedTuple):
    """One document's tokens that route to one shard; ``length`` counts all its tokens.

    A named tuple rather than a frozen dataclass: a million-record build makes tens of
    millions of them, and a tuple is several times cheaper to create.
    """

    ref: str
    length: int
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class ShardResult:
    index: dict[str, Any]  # serialized lunr index
    heavy: dict[str, int]  # heavy token -> its true document frequency


def build_shard(
    docs: Iterable[ShardDoc], total_docs: int, heavy_cap: int = HEAVY_CAP
) -> ShardResult:
    """One shard's lunr index, from the documents that have tokens in it.

    The index is exactly what lunr.py's Builder (through ``CpBuilder``, one field ``t``, the
    default b and k1) followed by ``serialize`` and ``compact_scores`` writes; the test suite
    checks that byte for byte. It is written directly because lunr.py spends most of its time
    on what shards do not need (token sets, per-token metadata copies, Vector objects): at a
    million records that is the difference between minutes and an hour.

    Scores stay comparable across shards, so the browser can add them up: each document keeps
    the length of its whole token list (BM25's length normalisation) and idf is taken over
    ``total_docs``, not over the shard.
    """
    docs = sorted(docs, key=lambda d: (d.length, d.ref))
    frequency: Counter[str] = Counter()
    for doc in docs:
        frequency.update(set(doc.tokens))
    heavy = {token: df for token, df in frequency.items() if df > heavy_cap}
    kept = dict.fromkeys(heavy, 0)

    term_index: dict[str, int] = {}
    postings: dict[str, dict[str, dict[str, Any]]] = {}
    added: list[tuple[str, int, dict[str, int]]] = []
    for ref, length, tokens in docs:
        if kept:
            # Shortest documents first (the sort above): a heavy token keeps its best postings.
            tokens = tuple(t for t in tokens if t not in kept or kept[t] < heavy_cap)
            for token in set(tokens) & kept.keys():
                kept[token] += 1
        if not tokens:
            continue
        frequencies: dict[str, int] = {}
        for token in tokens:
            frequencies[token] = frequencies.get(token, 0) + 1
            posting = postings.get(token)
            if posting is None:
                term_index[token] = len(term_index)
                posting = postings[token] = {}
            posting[ref] = {}
        added.append((ref, length, frequencies))
    if not added:
        return ShardResult(empty_index([FIELD]), heavy)

    count = max(len(added), total_docs)
    average = sum(length for _, length, _ in added) / len(added)
    idf = {
        token: math.log(1 + abs((count - len(p) + 0.5) / (len(p) + 0.5)))
        for token, p in postings.items()
    }
    vectors: list[list[Any]] = []
    for ref, length, frequencies in added:
        norm = K1 * (1 - B + B * (length / average))
        elements: list[float] = []
        order = (
            sorted(frequencies, key=term_index.__getitem__) if len(frequencies) > 1 else frequencies
        )
        for token in order:
            tf = frequencies[token]
            score = idf[token] * ((K1 + 1) * tf) / (norm + tf)
            elements += (term_index[token], round(round(score, 3), SCORE_DIGITS))
        vectors.append([f"{FIELD}/{ref}", elements])
    inverted = [
        [token, {"_index": term_index[token], FIELD: postings[token]}]
        for token in sorted(postings, key=utf16_key)
    ]
    index = {
        "version": __TARGET_JS_VERSION__,
        "fields": [FIELD],
        "fieldVectors": vectors,
        "invertedIndex": inverted,
        "pipeline": [PIPELINE_LABEL],
    }
    return ShardResult(index, heavy)


def utf16_key(term: str) -> bytes:
    """lunr.js wants the inverted index in UTF-16 code unit order (see tokenizer.serialize)."""
    return term.encode("utf-16-be", "surrogatepass")


def compact_scores(index: dict[str, Any], digits: int = SCORE_DIGITS) -> dict[str, Any]:
    """Round the field vectors' scores (lunr.py keeps 3 digits): smaller files, same ranking."""
    index["fieldVectors"] = [
        [ref, [x if i % 2 == 0 else round(x, digits) for i, x in enumerate(vector)]]
        for ref, vector in index["fieldVectors"]
    ]
    return index


def empty_index(fields: list[str]) -> dict[str, Any]:
    """What lunr would write for no documents (lunr.py cannot build one: it divides by zero)."""
    return {
        "version": __TARGET_JS_VERSION__,
        "fields": fields,
        "fieldVectors": [],
        "invertedIndex": [],
        "pipeline": [PIPELINE_LABEL],
    }
