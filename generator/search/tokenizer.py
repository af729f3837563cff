"""Shared search tokenizer for the portal's Chinese + English full-text search.

The same algorithm is implemented twice, here (build time, lunr.py) and in
``templates/static/js/cp-tokenizer.js`` (browser, lunr.js 2.3.9). Both must
produce identical token lists; ``tests/search/test_tokenizer_parity.py``
checks this. Change one, change the other.

Why: lunr's default trimmer strips every non-``\\w`` character (all Chinese)
and its default tokenizer splits on whitespace only, so Chinese names cannot
be found by a part of the name. We index CJK text as overlapping bigrams and
query with the *same* function, requiring every query token (AND), which gives
substring semantics for Chinese queries of two or more characters.

Rules (``tokenize(text)``)
--------------------------
Work on code points (Python ``str`` items; JS ``Array.from``), never on UTF-16
code units, so supplementary-plane ideographs such as 𠀀 count as one char.

1. **Normalise**: Unicode NFKC, then lower-case (``str.lower`` /
   ``String.prototype.toLowerCase``). Full-width ``Ａ１（）［］`` become
   ``a1()[]``; ``〔〕【】`` are unaffected by NFKC.
2. **Latin words and identifiers**: every maximal run of ``[a-z0-9]`` is one
   token. Identifiers (runs of ASCII letters/digits with at least one digit,
   at least 6 long, e.g. the credit code ``91120116MA05XXXXX1``) are exactly
   such runs, so they are kept whole (and lower-cased) by this same rule and
   emitted once. No stemming, no stop words, no splitting letters from digits.
3. **Han runs**: a maximal run of Han characters (see ``is_han``) of length 1
   gives that character (unigram); a run of length n >= 2 gives its n-1
   overlapping bigrams (天津市场 -> 天津, 津市, 市场). Note a single-character
   query therefore only matches a character standing alone in the text.
4. **Everything else** (spaces, punctuation, symbols, emoji, kana, hangul, ...)
   separates tokens and is dropped.
5. **Document numbers** (发文字号 / 案号), *in addition* to the ordinary
   tokens above (which already give the "partial number" sub-tokens: bigrams
   of its Han runs and its digit runs). In the normalised text an *anchor* is::

       OPEN  D D D D  CLOSE      OPEN  in  ( [ 〔 【   (full-width （［ NFKC to ( [)
                                 CLOSE in  ) ] 〕 】   (any OPEN with any CLOSE)
                                 D = ASCII digit (the year)

   For each anchor:

   * ``prefix`` = the Han characters immediately before OPEN (maximal run,
     but at most ``DOCNO_PREFIX_MAX`` = 8 characters: the last 8 are kept);
   * ``tail`` = after CLOSE, the maximal run of Han / ``[a-z0-9]``
     characters, cut just after its first 号 if it contains one;
   * ``core`` = ``"〔" + year + "〕" + tail`` - brackets are canonicalised to
     〔〕 so ``(2025)``, ``（2025）``, ``[2025]``, ``【2025】`` all match;
   * emitted tokens: ``prefix[k:] + core`` for k = 0 .. len(prefix), i.e.
     the whole number first (``津市监罚〔2025〕123号``), then every shorter
     prefix down to the bare ``〔2025〕123号``. Since a query is tokenized the
     same way and all its tokens are required, a query for the whole number,
     for the number without its authority prefix or with only the end of it
     (``监罚〔2025〕123号``) matches, and so does a document where unrelated
     Han text runs straight into the number (``根据津市监罚〔2025〕123号``).
     A query whose tail stops early (e.g. omits the final 号) does not match
     the whole-number tokens; ``2025 123`` style queries match through the
     ordinary tokens. Cost: up to ``DOCNO_PREFIX_MAX + 1`` nearly unique
     index terms per document number (5 for ``津市监罚〔…〕``);
   * boundary unigrams, so that the ordinary tokens of a query for just the
     number are also present where the number is glued to other Han text
     (``…〔2025〕123号行政处罚`` has the bigram 号行 but no lone 号): also emit
     (a) the character just before OPEN if it and the one before it are Han,
     and (b) the tail's final 号 if the tail ends in 号, the character before
     that 号 is not a Han character of the tail, and the next character
     after the tail is Han.

Output order: tokens sorted by start offset (code points, in the normalised
text); at the same offset document-number tokens come before ordinary ones;
otherwise in generation order.

Han (``is_han``): U+3007 (〇, used in dates like 二〇二五), U+3400-U+4DBF,
U+4E00-U+9FFF, U+F900-U+FAFF, U+20000-U+3FFFF (planes 2 and 3: extensions
B-J, compatibility supplement; plane 3 holds e.g. 𰻞).

Known caveat: Python's ``unicodedata`` (3.11: Unicode 14) and the browser's
ICU (Node 20 here: Unicode 17) are on different Unicode versions; NFKC of characters assigned after
Unicode 14 can then differ. This never affects Han (matched by range), only
exotic newer symbols that decompose to ASCII letters/digits.

lunr integration
----------------
* pipeline function ``cp_token_keep`` registered as ``"cpTokenKeep"``
  (``PIPELINE_LABEL``); it passes tokens through unchanged and replaces the
  default trimmer / stop-word filter / stemmer on both the indexing and the
  search pipeline, so the serialized index's ``"pipeline"`` is
  ``["cpTokenKeep"]`` (lunr.js needs ``cpTokenizer.install(lunr)`` first).
* lunr.py 0.8's ``Builder.add`` always calls ``lunr.tokenizer.Tokenizer``,
  which wraps each element of a *list* value into a ``Token`` without
  splitting it. ``CpBuilder`` therefore wraps every field extractor so it
  returns ``tokenize(value)``; no lunr internals are patched.
* ``serialize`` orders ``invertedIndex`` by UTF-16 code units, the order
  lunr.js's ``TokenSet.Builder`` insists on (Python's code-point order differs
  once both supplementary-plane and U+E000-U+FFFF terms are present).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypedDict, cast

from lunr.builder import Builder
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.query import QueryPresence
from lunr.token import Token

__all__ = [
    "DOCNO_PREFIX_MAX",
    "PIPELINE_LABEL",
    "CpBuilder",
    "FieldSpec",
    "SearchResult",
    "build_index",
    "cp_token_keep",
    "is_han",
    "load",
    "lunr_tokenizer",
    "query",
    "serialize",
    "tokenize",
]

PIPELINE_LABEL = "cpTokenKeep"
DOCNO_PREFIX_MAX = 8

_HAO = "号"
_DOCNO = 0  # sort rank: document-number tokens first at equal offsets
_ORDINARY = 1


def is_han(ch: str) -> bool:
    """True if the single code point ``ch`` counts as a Han character."""
    cp = ord(ch)
    return (
        cp == 0x3007
        or 0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3FFFF
    )


_HAN_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
# The rules as regular expressions: the C regex engine does the scanning that would otherwise
# be a Python loop over every character (the index tokenizes every name of a million records).
_RUN = re.compile(f"[a-z0-9]+|[{_HAN_CLASS}]+")  # rule 2 or rule 3
_ANCHOR = re.compile(r"[(\[〔【][0-9]{4}[)\]〕】]")  # rule 5: OPEN, the year, CLOSE
_TAIL = re.compile(f"[{_HAN_CLASS}a-z0-9]*?{_HAO}|[{_HAN_CLASS}a-z0-9]*")  # cut after the first 号


def tokenize(text: str) -> list[str]:
    """Split ``text`` into search tokens (see the module docstring)."""
    s = unicodedata.normalize("NFKC", text).lower()
    if _ANCHOR.search(s) is None:
        # No document number: the ordinary tokens, already in order of their start.
        tokens: list[str] = []
        for run in _RUN.findall(s):
            if len(run) == 1 or run[0] <= "z":
                tokens.append(run)
            else:
                tokens += [run[k : k + 2] for k in range(len(run) - 1)]
        return tokens
    found: list[tuple[int, int, int, str]] = []  # (start, rank, seq, token)
    for m in _RUN.finditer(s):
        i, run = m.start(), m.group()
        if len(run) == 1 or run[0] <= "z":
            found.append((i, _ORDINARY, 0, run))
        else:
            found += [(i + k, _ORDINARY, 0, run[k : k + 2]) for k in range(len(run) - 1)]
    seq = 0
    for anchor in _ANCHOR.finditer(s):
        for start, token in _docno_tokens(s, anchor.start()):
            found.append((start, _DOCNO, seq, token))
            seq += 1
    found.sort()
    return [token for _, _, _, token in found]


def _docno_tokens(s: str, i: int) -> list[tuple[int, str]]:
    """The document-number tokens anchored at the OPEN bracket ``s[i]``, with their starts."""
    n = len(s)
    start = i
    while start > 0 and i - start < DOCNO_PREFIX_MAX and is_han(s[start - 1]):
        start -= 1
    tail = _TAIL.match(s, i + 6)
    assert tail is not None  # the second alternative matches the empty string
    j = tail.end()
    core = "〔" + s[i + 1 : i + 5] + "〕" + tail.group()
    out = [(k, s[k:i] + core) for k in range(start, i + 1)]
    # Boundary unigrams: Han characters at either end of the number that the
    # ordinary rules merged into a longer run with neighbouring text.
    if i >= 2 and is_han(s[i - 1]) and is_han(s[i - 2]):
        out.append((i - 1, s[i - 1]))
    if s[j - 1] == _HAO and j < n and is_han(s[j]) and not (j - 2 >= i + 6 and is_han(s[j - 2])):
        out.append((j - 1, _HAO))
    return out


# --------------------------------------------------------------------------
# lunr.py integration


def lunr_tokenizer(obj: object, metadata: Mapping[str, Any] | None = None) -> list[Token]:
    """Drop-in for ``lunr.tokenizer.Tokenizer``: our tokens as ``lunr.Token``.

    ``None`` gives ``[]``; lists/tuples are tokenized element by element.
    Each token's metadata is ``{"index": n, **metadata}`` (no ``position``:
    offsets would refer to the NFKC-normalised text, not the source).
    """
    return [
        Token(tok, {"index": n, **(metadata or {})}) for n, tok in enumerate(_value_tokens(obj))
    ]


def _value_tokens(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [tok for item in value for tok in _value_tokens(item)]
    return tokenize(value if isinstance(value, str) else str(value))


def _keep(token: Token, i: int, tokens: list[Token]) -> Token:
    return token


# The pipeline function that keeps every token unchanged (label ``cpTokenKeep``). lunr labels
# its pipeline functions with an attribute, which a partial takes and a function compiled by
# mypyc (generator/native.py) does not.
cp_token_keep = functools.partial(_keep)


Pipeline.register_function(cp_token_keep, PIPELINE_LABEL)


class FieldSpec(TypedDict, total=False):
    """A field given as a dict, as accepted by ``lunr.lunr``."""

    field_name: str
    boost: float
    extractor: Callable[[Mapping[str, Any]], object]


class SearchResult(TypedDict):
    ref: str
    score: float
    match_data: Any


class CpBuilder:
    """A ``lunr.Builder`` using our tokenizer and only the ``cpTokenKeep`` pipeline.

    A thin wrapper, not a subclass (lunr is untyped): ``field`` wraps the
    extractor so the wrapped builder sees pre-tokenized lists. The underlying
    ``lunr.builder.Builder`` is ``self.builder`` (for ``b``, ``k1``,
    ``metadata_whitelist``...).
    """

    def __init__(self) -> None:
        self.builder: Any = Builder()
        # A fresh Builder has empty pipelines: no trimmer, stop words, stemmer.
        self.builder.pipeline.add(cp_token_keep)
        self.builder.search_pipeline.add(cp_token_keep)

    def ref(self, ref: str) -> None:
        self.builder.ref(ref)

    def field(
        self,
        field_name: str,
        boost: float = 1,
        extractor: Callable[[Mapping[str, Any]], object] | None = None,
    ) -> None:
        def get(doc: Mapping[str, Any]) -> object:
            return doc[field_name] if extractor is None else extractor(doc)

        self.builder.field(field_name, boost, lambda doc: _value_tokens(get(doc)))

    def add(self, doc: Mapping[str, Any], attributes: Mapping[str, Any] | None = None) -> None:
        self.builder.add(doc, attributes=dict(attributes) if attributes else None)

    def build(self) -> Index:
        return cast(Index, self.builder.build())


def build_index(
    ref: str,
    fields: Sequence[str | FieldSpec],
    documents: Iterable[Mapping[str, Any] | tuple[Mapping[str, Any], Mapping[str, Any]]],
) -> Index:
    """Build a lunr index like ``lunr.lunr(ref, fields, documents)``, with our tokenizer.

    ``fields`` items are names or ``{"field_name", "boost", "extractor"}``
    dicts; ``documents`` items are dicts or ``(doc, {"boost": n})`` pairs.
    Field values may be ``str``, ``None``, other scalars (``str()``-ed) or
    lists of those.
    """
    builder = CpBuilder()
    builder.ref(ref)
    for spec in fields:
        if isinstance(spec, str):
            builder.field(spec)
        else:
            builder.field(spec["field_name"], spec.get("boost", 1), spec.get("extractor"))
    for document in documents:
        if isinstance(document, tuple):
            builder.add(document[0], document[1])
        else:
            builder.add(document)
    return builder.build()


def _utf16_key(term: str) -> bytes:
    return term.encode("utf-16-be", "surrogatepass")


def serialize(index: Index) -> dict[str, Any]:
    """``index.serialize()`` with ``invertedIndex`` in lunr.js (UTF-16) order."""
    data = cast(dict[str, Any], index.serialize())
    data["invertedIndex"] = sorted(data["invertedIndex"], key=lambda entry: _utf16_key(entry[0]))
    return data


def load(data: Mapping[str, Any]) -> Index:
    """Load an index written by ``serialize`` back into lunr.py (code-point order)."""
    ordered = dict(data)
    ordered["invertedIndex"] = sorted(data["invertedIndex"], key=lambda entry: entry[0])
    return cast(Index, Index.load(ordered))


def query(index: Index, text: str) -> list[SearchResult]:
    """Search like the browser: every distinct token of ``text`` is required.

    Terms bypass the search pipeline and use no wildcard or edit distance.
    An empty token list gives no results (lunr would otherwise match all).
    """
    tokens = list(dict.fromkeys(tokenize(text)))
    if not tokens:
        return []
    q = index.create_query()
    for tok in tokens:
        q.term(tok, use_pipeline=False, presence=QueryPresence.REQUIRED)
    return cast(list[SearchResult], index.query(q))
