"""fields.Reader: typed getters that report each problem at its location, and never raise."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.diagnostics import Diagnostics, Severity
from generator.fields import Reader
from generator.model import LangText
from generator.yamlio import YMap, parse_yaml


def reader(text: str, prefix: str = "t") -> tuple[Reader, Diagnostics]:
    diags = Diagnostics()
    data = parse_yaml(text, "f.yaml", diags)
    assert isinstance(data, YMap), diags.items
    return Reader(data, prefix, diags), diags


def found(diags: Diagnostics) -> list[tuple[str, int | None, str]]:
    return [(d.location.path, d.location.line, d.code) for d in diags.sorted()]


def test_string_reads_text_and_numbers() -> None:
    r, diags = reader("a: hello\nb: 2025\nc: 1.5\n")
    assert (r.string("a"), r.string("b"), r.string("c")) == ("hello", "2025", "1.5")
    assert found(diags) == []


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("[1, 2]", "a list"),
        ("{x: 1}", "a mapping"),
        ("true", "true/false"),
        ("2026-01-01", "a date"),
    ],
)
def test_string_of_the_wrong_type(value: str, kind: str) -> None:
    r, diags = reader(f"x: 1\na: {value}\n")
    assert r.string("a", default="d") == "d"
    assert found(diags) == [("f.yaml", 2, "t.wrong-type")]
    assert kind in diags.items[0].message


def test_missing_required_key_points_at_the_mapping() -> None:
    r, diags = reader("other: 1\nnested:\n  x: 1\n")
    assert r.string("a") == ""
    nested = r.mapping("nested")
    assert nested is not None
    Reader(nested, "t.nested", diags).string("b")
    assert found(diags) == [("f.yaml", 1, "t.missing-key"), ("f.yaml", 3, "t.nested.missing-key")]


@pytest.mark.parametrize("value", ["", "''", "'   '", "~"])
def test_blank_or_null_counts_as_missing(value: str) -> None:
    r, diags = reader(f"x: 1\na: {value}\n")
    assert r.string("a") == ""
    assert found(diags) == [("f.yaml", 2, "t.missing-key")]
    assert "missing or empty" in diags.items[0].message


def test_optional_keys_take_their_default_silently() -> None:
    r, diags = reader("x: 1\n")
    assert r.string("a", required=False, default="d") == "d"
    assert r.integer("n", required=False, default=7) == 7
    assert r.boolean("b", default=True) is True
    assert r.date("d", required=False) is None
    assert r.text("t", required=False) is None
    assert r.mapping("m", required=False) is None
    assert r.sequence("s", required=False) is None
    assert r.strings("s", required=False) == ()
    assert found(diags) == []


def test_choice() -> None:
    r, diags = reader("a: withhold\nb: publish\n")
    assert r.choice("a", ("withhold", "publish_masked")) == "withhold"
    assert r.choice("b", ("withhold", "publish_masked")) == ""
    assert found(diags) == [("f.yaml", 2, "t.invalid-value")]
    assert "withhold, publish_masked" in diags.items[0].message


def test_integer() -> None:
    r, diags = reader("a: 3\nb: '3'\nc: true\nd: 2.5\n")
    assert r.integer("a") == 3
    assert r.integer("b") is None
    assert r.integer("c") is None
    assert r.integer("d", default=0) == 0
    assert found(diags) == [
        ("f.yaml", 2, "t.wrong-type"),
        ("f.yaml", 3, "t.wrong-type"),
        ("f.yaml", 4, "t.wrong-type"),
    ]


def test_boolean() -> None:
    r, diags = reader("a: false\nb: yes-please\n")
    assert r.boolean("a", default=True) is False
    assert r.boolean("b", default=True) is True
    assert found(diags) == [("f.yaml", 2, "t.wrong-type")]


def test_date() -> None:
    r, diags = reader(
        "a: 2026-11-30\nb: '2026-11-30'\nc: 2026-11-30 10:00:00\nd: 30/11/2026\ne: 20261130\n"
    )
    assert r.date("a") == dt.date(2026, 11, 30)
    assert r.date("b") == dt.date(2026, 11, 30)
    assert r.date("c") == dt.date(2026, 11, 30)
    assert r.date("d") is None
    assert r.date("e") is None
    assert found(diags) == [("f.yaml", 4, "t.invalid-date"), ("f.yaml", 5, "t.invalid-date")]


def test_text_plain_string_is_chinese_only() -> None:
    r, diags = reader("a: 关于平台\n")
    assert r.text("a") == LangText("关于平台")
    assert found(diags) == []


def test_text_mapping_of_languages() -> None:
    r, diags = reader("a:\n  zh-CN: 关于平台\n  en: About\n")
    text = r.text("a")
    assert text == LangText("关于平台", "About")
    assert text is not None and text.get("en") == "About" and text.get("zh-CN") == "关于平台"
    assert found(diags) == []


def test_text_problems() -> None:
    r, diags = reader(
        "a: 关于\n"  # need_en but no English
        "b:\n  en: only English\n"  # no Chinese
        "c:\n  zh-CN: 中文\n  fr: Français\n"  # unknown language
        "d: [1]\n"  # wrong type
        "e:\n  zh-CN: ''\n  en: About\n"  # blank Chinese must not vanish silently
    )
    assert r.text("a", need_en=True) == LangText("关于")
    assert r.text("b") is None
    assert r.text("c") == LangText("中文")
    assert r.text("d") is None
    assert r.text("e") is None
    assert found(diags) == [
        ("f.yaml", 1, "t.missing-translation"),
        ("f.yaml", 3, "t.missing-key"),
        ("f.yaml", 6, "t.unknown-key"),
        ("f.yaml", 7, "t.wrong-type"),
        ("f.yaml", 9, "t.missing-key"),
    ]


def test_mapping_and_sequence() -> None:
    r, diags = reader("m: {a: 1}\ns: [1, 2]\nbad_m: [1]\nbad_s: {a: 1}\n")
    assert r.mapping("m") == {"a": 1}
    assert r.sequence("s") == [1, 2]
    assert r.mapping("bad_m") is None
    assert r.sequence("bad_s") is None
    assert found(diags) == [("f.yaml", 3, "t.wrong-type"), ("f.yaml", 4, "t.wrong-type")]


def test_strings_reports_each_bad_item_at_its_line() -> None:
    r, diags = reader("s:\n  - a\n  - 2\n  - [x]\n  - true\n")
    assert r.strings("s") == ("a", "2")
    assert found(diags) == [("f.yaml", 4, "t.wrong-type"), ("f.yaml", 5, "t.wrong-type")]


def test_unknown_keys_point_at_the_key_with_a_hint() -> None:
    r, diags = reader("title: x\nslgu: about\nzzz: 1\n", prefix="content")
    r.unknown_keys(("title", "slug", "nav_order"))
    assert [(d.location.line, d.location.col, d.code) for d in diags.sorted()] == [
        (2, 1, "content.unknown-key"),
        (3, 1, "content.unknown-key"),
    ]
    messages = [d.message for d in diags.sorted()]
    assert messages[0] == "unknown key 'slgu'; did you mean 'slug'?"
    assert messages[1] == "unknown key 'zzz'"
    assert all(d.severity is Severity.ERROR for d in diags)


def test_reader_error_and_warning_use_the_prefix_and_location() -> None:
    r, diags = reader("a: 1\nb: 2\n", prefix="catalogue.item")
    r.error("bad", "no", "b")
    r.warning("odd", "hmm", "a")
    assert [(d.severity, d.code, d.location.line) for d in diags.sorted()] == [
        (Severity.WARNING, "catalogue.item.odd", 1),
        (Severity.ERROR, "catalogue.item.bad", 2),
    ]
