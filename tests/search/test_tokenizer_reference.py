"""The tokenizer's regular-expression implementation against the original character loop.

``reference_tokenize`` is the first implementation of the rules in generator/search/tokenizer.py,
a loop over the characters, kept here as the executable specification of the faster one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.search.tokenizer import DOCNO_PREFIX_MAX, is_han, tokenize

_OPEN = frozenset("([〔【")
_CLOSE = frozenset(")]〕】")
_HAO = "号"
_DOCNO = 0  # sort rank: document-number tokens first at equal offsets
_ORDINARY = 1


def _is_word(ch: str) -> bool:
    return "a" <= ch <= "z" or "0" <= ch <= "9"


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def reference_tokenize(text: str) -> list[str]:
    """Split ``text`` into search tokens (see the module docstring)."""
    chars = list(unicodedata.normalize("NFKC", text).lower())
    n = len(chars)
    found: list[tuple[int, int, int, str]] = []  # (start, rank, seq, token)

    def emit(start: int, rank: int, token: str) -> None:
        found.append((start, rank, len(found), token))

    i = 0
    while i < n:
        ch = chars[i]
        if _is_word(ch):
            j = i + 1
            while j < n and _is_word(chars[j]):
                j += 1
            emit(i, _ORDINARY, "".join(chars[i:j]))
            i = j
        elif is_han(ch):
            j = i + 1
            while j < n and is_han(chars[j]):
                j += 1
            if j - i == 1:
                emit(i, _ORDINARY, ch)
            else:
                for k in range(i, j - 1):
                    emit(k, _ORDINARY, chars[k] + chars[k + 1])
            i = j
        else:
            if ch in _OPEN:
                _emit_docno(chars, i, emit)
            i += 1

    found.sort()
    return [token for _, _, _, token in found]


def _emit_docno(chars: list[str], i: int, emit: Callable[[int, int, str], None]) -> None:
    """Emit the document-number tokens anchored at the OPEN bracket ``chars[i]``."""
    n = len(chars)
    if i + 5 >= n or chars[i + 5] not in _CLOSE:
        return
    year = chars[i + 1 : i + 5]
    if not all(_is_digit(c) for c in year):
        return
    start = i
    while start > 0 and i - start < DOCNO_PREFIX_MAX and is_han(chars[start - 1]):
        start -= 1
    j = i + 6
    while j < n and (is_han(chars[j]) or _is_word(chars[j])):
        j += 1
        if chars[j - 1] == _HAO:
            break
    core = "〔" + "".join(year) + "〕" + "".join(chars[i + 6 : j])
    for k in range(start, i + 1):
        emit(k, _DOCNO, "".join(chars[k:i]) + core)
    # Boundary unigrams: Han characters at either end of the number that the
    # ordinary rules merged into a longer run with neighbouring text.
    if i >= 2 and is_han(chars[i - 1]) and is_han(chars[i - 2]):
        emit(i - 1, _DOCNO, chars[i - 1])
    if (
        chars[j - 1] == _HAO
        and j < n
        and is_han(chars[j])
        and not (j - 2 >= i + 6 and is_han(chars[j - 2]))
    ):
        emit(j - 1, _DOCNO, _HAO)


# Characters that exercise every rule: brackets of both widths, digits, 号, Han of every range,
# Latin, separators.
_ALPHABET = st.sampled_from(
    list("([〔【)]〕】（［）］0123456789号津市监罚天公司aZ１Ａ 　,.-_〇㐀豈𠀀𰻞é\u2028")
)
_TEXT = st.lists(
    st.one_of(_ALPHABET, st.sampled_from(["〔2025〕", "(2024)", "津市监罚〔2025〕12号", "[2023]"])),
    max_size=40,
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_TEXT)
def test_same_tokens_as_the_reference(text: str) -> None:
    assert tokenize(text) == reference_tokenize(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_same_tokens_on_any_text(text: str) -> None:
    assert tokenize(text) == reference_tokenize(text)


def test_same_tokens_on_real_names_and_numbers() -> None:
    for text in [
        "天津鑫达科技有限公司 津市监罚〔2025〕123号 91120116MA05XXXXX1",
        "根据津市监罚〔2025〕123号行政处罚决定书",
        "(2024)津0101执123号之一",
        "津市监罚［２０２５］１２号号行",
        "",
    ]:
        assert tokenize(text) == reference_tokenize(text)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(_TEXT, st.text(max_size=40)))
def test_whitespace_separated_pieces_tokenize_alone(text: str) -> None:
    # generator.search.shardset.doc_tokens tokenizes (and caches) a text piece by piece.
    assert tokenize(text) == [token for piece in text.split() for token in tokenize(piece)]
