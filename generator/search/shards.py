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
Only tokens of up to four characters can be heavy (see shardset.py: HEAVY_MAX_LEN).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring
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
    "cap_heavy",
    "compact_scores",
    "doc_head",
    "empty_index",
    "fnv1a32",
    "next_pow2",
    "part_count",
    "shard_count",
    "shard_data",
    "shard_of",
    "utf16_key",
]

# N follows the number of postings (document-token pairs), which is what a shard's size grows
# with. Tuned with bench/search_budget.py (docs/performance.md).
POSTINGS_PER_SHARD = 8000
# Display data is fetched per result; small parts keep 50 results' worth near 100 KB gzip.
DOCS_PER_STORE_PART = 32
# Both counts are powers of two of at least 16, so the first pass can spill by hash before N is
# known (shardset.py), and the index tasks (8) divide the work evenly whatever N turns out to be.
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
    data: bytes  # the serialized lunr index, as written to the shard's file
    heavy: dict[str, int]  # heavy token -> its true document frequency

    @property
    def index(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.data)
        return parsed


def build_shard(
    docs: Iterable[ShardDoc], total_docs: int, heavy_cap: int = HEAVY_CAP
) -> ShardResult:
    """One shard's lunr index, from the documents that have tokens in it.

    The index is exactly what lunr.py's Builder (through ``CpBuilder``, one field ``t``, the
    default b and k1) followed by ``serialize``, ``compact_scores`` and ``dump_json`` writes,
    for the documents added shortest first; the test suite checks that byte for byte. See
    ``shard_data`` for why it is written directly.
    """
    ordered = sorted(docs, key=lambda d: (d.length, d.ref))
    frequency: Counter[str] = Counter()
    for doc in ordered:
        frequency.update(set(doc.tokens))
    heavy = {token: df for token, df in frequency.items() if df > heavy_cap}
    heads: list[str] = []
    tokens: list[str] = []
    for ref, length, doc_tokens in ordered:
        if _encode(ref) != f'"{ref}"':
            raise ValueError(f"a ref that JSON would escape: {ref!r}")
        heads += [doc_head(length, ref)] * len(doc_tokens)
        tokens += doc_tokens
    if heavy:
        heads, tokens = cap_heavy(heads, tokens, heavy, heavy_cap)
    return ShardResult(shard_data(heads, tokens, total_docs), heavy)


def doc_head(length: int, ref: str) -> str:
    """How a posting names its document: sorts shortest first, then by ref (see shard_data)."""
    return f"{length:08x}{ref}"


def cap_heavy(
    heads: list[str], tokens: list[str], heavy: Container[str], heavy_cap: int
) -> tuple[list[str], list[str]]:
    """The postings without those of a heavy token after its first ``heavy_cap`` documents."""
    kept: dict[str, list[Any]] = {}  # heavy token -> [documents kept, last one]
    out_heads: list[str] = []
    out_tokens: list[str] = []
    for head, token in zip(heads, tokens, strict=True):
        if token in heavy:
            state = kept.get(token)
            if state is None:
                state = kept[token] = [0, None]
            if state[1] != head:
                if state[0] >= heavy_cap:
                    continue
                state[0] += 1
                state[1] = head
        out_heads.append(head)
        out_tokens.append(token)
    return out_heads, out_tokens


def shard_data(heads: list[str], tokens: list[str], total_docs: int) -> bytes:
    """One shard's serialized lunr index, from its postings in the order lunr adds them.

    Posting ``i`` is ``tokens[i]`` in the document ``heads[i]`` (``doc_head``: its length, for
    BM25, and its ref, which must need no JSON escapes). A document's postings are consecutive,
    and documents come in the order they are added to the index (shortest first).

    The JSON text is assembled here rather than by lunr.py's Builder and ``json.dumps``: the
    Builder spends most of its time on what shards do not need (token sets, per-token metadata
    copies, Vector objects), and a million records make tens of millions of postings, each a
    dict and a float there. Here the work per posting is a few list items and strings; a score
    is computed once per (df, length, tf).

    Scores stay comparable across shards, so the browser can add them up: each document keeps
    the length of its whole token list (BM25's length normalisation) and idf is taken over
    ``total_docs``, not over the shard.
    """
    if not heads:
        return EMPTY_SHARD
    # Terms are numbered in the order they are first seen, as lunr's Builder does.
    postings: dict[str, list[str]] = {}
    for head, token in zip(heads, tokens, strict=True):
        posting = postings.get(token)
        if posting is None:
            postings[token] = [head]
        elif posting[-1] != head:  # a token twice in a document is one posting
            posting.append(head)
    term_index = {token: str(i) for i, token in enumerate(postings)}
    added = dict.fromkeys(heads)
    count = max(len(added), total_docs)
    average = sum([int(head[:8], 16) for head in added]) / len(added)
    scores: dict[tuple[int, str, int], str] = {}

    def element(token: str, head: str, tf: int) -> str:
        """A field vector's "term index,score" for ``token`` in the document ``head``."""
        df = len(postings[token])
        key = (df, head[:8], tf)
        text = scores.get(key)
        if text is None:
            length = int(head[:8], 16)
            idf = math.log(1 + abs((count - df + 0.5) / (df + 0.5)))
            norm = K1 * (1 - B + B * (length / average))
            value = idf * ((K1 + 1) * tf) / (norm + tf)
            text = scores[key] = repr(round(round(value, 3), SCORE_DIGITS))
        return term_index[token] + "," + text

    opening = '["' + FIELD + "/"
    if len(added) == len(heads):  # one posting per document: the usual shard at scale
        vectors = [
            opening + head[8:] + '",[' + element(token, head, 1) + "]]"
            for head, token in zip(heads, tokens, strict=True)
        ]
    else:
        order = {token: i for i, token in enumerate(postings)}
        vectors = []
        start = 0
        # Counter keeps the documents in order; their postings are consecutive.
        for head, n in Counter(heads).items():
            if n == 1:
                elements = element(tokens[start], head, 1)
            else:
                terms = tokens[start : start + n]
                frequencies = Counter(terms) if len(set(terms)) < n else dict.fromkeys(terms, 1)
                ordered = sorted(frequencies, key=order.__getitem__)
                elements = ",".join([element(t, head, frequencies[t]) for t in ordered])
            vectors.append(opening + head[8:] + '",[' + elements + "]]")
            start += n
    inverted = [
        "["
        + _encode(token)
        + ',{"_index":'
        + term_index[token]
        + ',"'
        + FIELD
        + '":{"'
        + '":{},"'.join(sorted([head[8:] for head in postings[token]]))
        + '":{}}}]'
        for token in sorted(postings, key=utf16_key)
    ]
    return "".join(
        (
            '{"fieldVectors":[',
            ",".join(vectors),
            '],"fields":["',
            FIELD,
            '"],"invertedIndex":[',
            ",".join(inverted),
            "],",
            _TAIL,
        )
    ).encode("utf-8")


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


_encode: Any = (
    encode_basestring  # JSON string literal (C): what json.dumps(ensure_ascii=False) writes
)
# The keys after "invertedIndex", in sort_keys order, as generator.search.sitewide.dump_json writes.
_TAIL = json.dumps(
    {"pipeline": [PIPELINE_LABEL], "version": __TARGET_JS_VERSION__},
    ensure_ascii=False,
    sort_keys=True,
    separators=(",", ":"),
)[1:]
EMPTY_SHARD = json.dumps(
    empty_index([FIELD]), ensure_ascii=False, sort_keys=True, separators=(",", ":")
).encode("utf-8")
