"""The hand-compiled record fragment and row (generator/lists/fragments.py) equal their macros.

The macro in templates/lists/_macros.html is the specification; the fast path must give the same
bytes for every kind of record, in both modes and both languages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from generator.lists.fragments import RecordFragments
from generator.lists.model import PublishedRecord
from generator.lists.render import ListInfo, _helpers, list_info
from generator.model import LANGS
from generator.render import Renderer
from tests.lists.test_render import CATALOGUE, debt, list_result, penalty, renderer, uscc

MACRO = '{% import "lists/_macros.html" as m with context %}{{ m.record(r, info, level, mode) }}'


def corpus() -> list[PublishedRecord]:
    plain = penalty(1)
    return [
        plain,
        penalty(2, objection=True),
        penalty(3, fine=""),  # an empty value shows a dash
        penalty(4, authority="Tianjin Customs"),  # an ASCII value gets no lang attribute
        # Markup-like and quoted values are escaped, never interpreted.
        dataclasses.replace(
            plain,
            key="SX-02-<b>&\"'",
            subject_name='<script>alert("x")</script> & Co',
            decision_number="A&B〔2026〕1号 'quoted'",
            fields=(("cf_xdr_mc", "<i>x</i>"), ("cf_wsh", "&amp;"), ("cf_nr_fk", "")),
        ),
        # A natural person: a masked name, no credit code, a hashed subject key.
        dataclasses.replace(
            plain,
            key="SX-02-00000000000000ff",
            subject_key="p-0123456789abcdef",
            subject_name="张*",
            subject_code=None,
            fields=(("cf_xdr_mc", "张*"), ("cf_wsh", "津市监罚〔2026〕9号")),
            natural_person=True,
            publicity_end=dt.date(2099, 12, 31),
        ),
        # A field the list's schema does not name falls back to its own name as the title.
        dataclasses.replace(plain, fields=(("unknown_field", "值"), ("ascii_field", "abc"))),
        # A title with braces (the fast path builds format strings from titles).
        dataclasses.replace(plain, key="SX-02-0000000000000abc", fields=(("{0}}{", "{1}"),)),
        debt(7, uscc(7)),
    ]


def _setup() -> tuple[
    Renderer, dict[str, object], RecordFragments, list[PublishedRecord], dict[str, ListInfo]
]:
    """A renderer, its template helpers, the fast path, and the corpus with its lists."""
    r = renderer()
    records = corpus()
    infos = {
        code: list_info(list_result(code, [x for x in records if x.item_code == code]), CATALOGUE)
        for code in ("SX-02", "SX-04")
    }
    return r, _helpers(r), RecordFragments(r), records, infos


@pytest.mark.parametrize(
    ("lang", "mode", "level"), list(itertools.product(LANGS, ("list", "subject"), (2, 3)))
)
def test_fast_path_equals_the_macro(lang: str, mode: str, level: int) -> None:
    r, helpers, fast, records, infos = _setup()
    macro = r.env.from_string(MACRO)
    for record in records:
        info = infos[record.item_code]
        expected = macro.render(
            **helpers, r=record, info=info, level=level, mode=mode, lang=lang, route="lists/"
        )
        assert str(fast(record, info, lang, level, mode)) == expected, record.key


def test_parts_are_worked_out_once_per_list_and_language() -> None:
    fast = RecordFragments(renderer())
    info = list_info(list_result("SX-02", [penalty(1)]), CATALOGUE)
    for lang in LANGS:
        fast(penalty(1), info, lang)
        fast(penalty(2), info, lang)
    assert len(fast._parts) == len(LANGS)


ROW_MACRO = '{% import "lists/_macros.html" as m with context %}{{ m.record_row(r) }}'


@pytest.mark.parametrize("lang", LANGS)
def test_fast_row_equals_the_macro(lang: str) -> None:
    r = renderer()
    helpers = _helpers(r)
    fast = RecordFragments(r)
    macro = r.env.from_string(ROW_MACRO)
    for record in corpus():
        expected = macro.render(**helpers, r=record, lang=lang, route="lists/")
        assert str(fast.record_row(record, lang)) == expected, record.key
        assert fast.rows(record)[lang] == fast.record_row(record, lang)


def test_both_languages_at_once_equal_one_at_a_time() -> None:
    fast = RecordFragments(renderer())
    info = list_info(list_result("SX-02", [penalty(1)]), CATALOGUE)
    for record in corpus()[:-1]:  # the SX-02 records
        for mode in ("list", "subject"):
            both = fast.langs(record, info, 3, mode)
            assert both == {lang: fast(record, info, lang, 3, mode) for lang in LANGS}


SUBJECT_MACRO = (
    '{% import "lists/_macros.html" as m with context %}'
    "{{ m.subject_main(latest, sections, count) }}"
)


@pytest.mark.parametrize("lang", LANGS)
def test_fast_subject_main_equals_the_macro(lang: str) -> None:
    r, helpers, fast, records, infos = _setup()
    macro = r.env.from_string(SUBJECT_MACRO)
    # One subject with records on two lists, one with a single record and no credit code.
    cases = [
        [(infos["SX-02"], records[:2]), (infos["SX-04"], records[-1:])],
        [(infos["SX-02"], [records[5]])],
        [(infos["SX-02"], [records[4]])],  # markup-like values
    ]
    for sections in cases:
        latest = sections[0][1][0]
        count = sum(len(rs) for _, rs in sections)
        expected = macro.render(
            **helpers, latest=latest, sections=sections, count=count, lang=lang, route="lists/"
        )
        assert str(fast.subject_main(latest, sections, count, lang)) == expected
