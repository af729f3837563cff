"""yamlio: located YAML (marks for keys, values and items), duplicate keys, syntax errors, offsets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics, Location
from generator.yamlio import YList, YMap, load_yaml_file, parse_yaml, read_text


def found(diags: Diagnostics) -> list[tuple[str, int | None, int | None, str]]:
    return [(d.location.path, d.location.line, d.location.col, d.code) for d in diags.sorted()]


def test_mappings_and_sequences_remember_where_they_came_from() -> None:
    text = "name: 信用天津\nitems:\n  - a\n  - key: 1\n    other: [x, y]\n"
    diags = Diagnostics()
    data = parse_yaml(text, "catalogue/x.yaml", diags)

    assert found(diags) == []
    assert isinstance(data, YMap)
    assert data == {"name": "信用天津", "items": ["a", {"key": 1, "other": ["x", "y"]}]}
    assert data.loc() == Location("catalogue/x.yaml", 1, 1)
    assert data.loc("name") == Location("catalogue/x.yaml", 1, 7)
    assert data.loc("name", value=False) == Location("catalogue/x.yaml", 1, 1)
    assert data.loc("items", value=False) == Location("catalogue/x.yaml", 2, 1)
    items = data["items"]
    assert isinstance(items, YList)
    assert items.loc(0) == Location("catalogue/x.yaml", 3, 5)
    assert items.loc(1) == Location("catalogue/x.yaml", 4, 5)
    inner = items[1]
    assert isinstance(inner, YMap)
    assert inner.loc("other") == Location("catalogue/x.yaml", 5, 12)
    assert inner["other"].loc(1) == Location("catalogue/x.yaml", 5, 16)


def test_unknown_key_or_index_falls_back_to_the_container() -> None:
    data = parse_yaml("a:\n  b: 1\n", "f.yaml", Diagnostics())
    assert data["a"].loc("nope") == Location("f.yaml", 2, 3)
    seq = parse_yaml("- 1\n- 2\n", "f.yaml", Diagnostics())
    assert seq.loc(7) == Location("f.yaml", 1, 1)
    assert seq.loc(-1) == Location("f.yaml", 1, 1)


def test_maps_built_in_code_still_locate_in_their_file() -> None:
    empty = YMap(path="content/pages/x.md")
    assert empty.loc("title") == Location("content/pages/x.md", 1, 1)
    assert YList(path="l.yaml").loc(0) == Location("l.yaml", 1, 1)


def test_duplicate_key_is_reported_at_the_second_key() -> None:
    diags = Diagnostics()
    data = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\n", "f.yaml", diags)
    assert data is None
    assert found(diags) == [("f.yaml", 4, 3, "yaml.duplicate-key")]
    assert "'c'" in diags.items[0].message


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3, 2),  # unclosed flow sequence
        ("a: 1\n\tb: 2\n", 2, 1),  # a tab cannot start a token
        ("a: 'open\n", 2, 1),  # unclosed quote, found at end of stream
        ("a: 1\n  b: 2\n", 2, 4),  # mapping values not allowed here
    ],
)
def test_syntax_errors_have_line_and_column(text: str, line: int, col: int) -> None:
    diags = Diagnostics()
    assert parse_yaml(text, "site.yaml", diags) is None
    assert found(diags) == [("site.yaml", line, col, "yaml.syntax")]
    assert diags.items[0].message.startswith("invalid YAML: ")


def test_syntax_error_code_can_be_chosen_by_the_caller() -> None:
    diags = Diagnostics()
    parse_yaml("a: [\n", "content/pages/x.md", diags, code="content.front-matter")
    assert [d.code for d in diags] == ["content.front-matter"]


def test_impossible_date_is_a_located_error_not_a_crash() -> None:
    diags = Diagnostics()
    assert parse_yaml("title: x\ndate: 2026-02-30\n", "n.md", diags) is None
    assert found(diags) == [("n.md", 2, 7, "yaml.syntax")]
    assert "2026-02-30" in diags.items[0].message


def test_dates_load_as_dates() -> None:
    data = parse_yaml("d: 2026-11-30\n", "f.yaml", Diagnostics())
    assert data["d"] == dt.date(2026, 11, 30)


def test_unsafe_and_unknown_tags_are_errors() -> None:
    diags = Diagnostics()
    assert parse_yaml("a: !!python/object/apply:os.system [ls]\n", "f.yaml", diags) is None
    assert parse_yaml("b: !custom 1\n", "g.yaml", diags) is None
    assert found(diags) == [("f.yaml", 1, 4, "yaml.syntax"), ("g.yaml", 1, 4, "yaml.syntax")]


def test_line_offset_shifts_every_mark_and_every_error() -> None:
    # Front matter starts on line 2 of its file (after the opening ---).
    diags = Diagnostics()
    data = parse_yaml("title:\n  zh-CN: 关于\nlist:\n  - a\n", "p.md", diags, line_offset=1)
    assert found(diags) == []
    assert data.loc("title", value=False) == Location("p.md", 2, 1)
    assert data["title"].loc("zh-CN") == Location("p.md", 3, 10)
    assert data["list"].loc() == Location("p.md", 5, 3)
    assert data["list"].loc(0) == Location("p.md", 5, 5)

    parse_yaml("a: 1\na: 2\n", "p.md", diags, line_offset=1)
    parse_yaml("a: [\n", "p.md", diags, line_offset=1)
    assert found(diags) == [("p.md", 3, 1, "yaml.duplicate-key"), ("p.md", 3, 1, "yaml.syntax")]


def test_empty_document_is_none_without_error() -> None:
    diags = Diagnostics()
    assert parse_yaml("", "f.yaml", diags) is None
    assert parse_yaml("# only a comment\n", "f.yaml", diags) is None
    assert found(diags) == []


def test_read_text_accepts_bom_and_normalises_newlines(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes("\ufeffa: 1\r\nb: 2\rc: 3\n".encode())
    assert read_text(path, "x.yaml", Diagnostics()) == "a: 1\nb: 2\nc: 3\n"


def test_read_text_reports_bad_bytes_with_their_position(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\nb: \xff\xfe\n")
    diags = Diagnostics()
    assert read_text(path, "x.yaml", diags) is None
    assert found(diags) == [("x.yaml", 2, 4, "file.encoding")]


def test_read_text_reports_an_unreadable_file(tmp_path: Path) -> None:
    diags = Diagnostics()
    assert read_text(tmp_path / "missing.yaml", "missing.yaml", diags) is None
    assert found(diags) == [("missing.yaml", None, None, "file.unreadable")]


def test_load_yaml_file_reads_and_locates(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_text("base_url: https://example.org/\n", encoding="utf-8")
    data = load_yaml_file(path, "site.yaml", Diagnostics())
    assert data.loc("base_url") == Location("site.yaml", 1, 11)


def test_a_text_seen_before_is_a_copy_located_in_its_own_file() -> None:
    """Editions repeat item files: each text is parsed once, and each file gets its own copy."""
    text = "code: JC-03\nlist: &shared [a, b]\nagain: *shared\nwhen: 2026-01-02\n"
    first = parse_yaml(text, "catalogue/editions/2023/items/JC-03.yaml", Diagnostics())
    second = parse_yaml(text, "catalogue/editions/2025/items/JC-03.yaml", Diagnostics())
    assert isinstance(first, YMap) and isinstance(second, YMap)
    assert first == second and first is not second
    assert second.loc("when") == Location("catalogue/editions/2025/items/JC-03.yaml", 4, 7)
    assert second["list"].loc(1) == Location("catalogue/editions/2025/items/JC-03.yaml", 2, 19)
    assert first.loc("when").path == "catalogue/editions/2023/items/JC-03.yaml"
    assert second["again"] is second["list"]  # an alias stays one shared value
    second["list"].append("c")  # a caller's change stays in its copy
    third = parse_yaml(text, "x.yaml", Diagnostics())
    assert third["list"] == ["a", "b"] and first["list"] == ["a", "b"]
    assert isinstance(third["when"], dt.date)


def test_a_broken_text_is_reported_in_every_file_that_has_it() -> None:
    diags = Diagnostics()
    for path in ("a.yaml", "b.yaml"):
        assert parse_yaml("key: [unclosed\n", path, diags) is None
    assert [d[0] for d in found(diags)] == ["a.yaml", "b.yaml"]


def test_a_set_is_parsed_again_rather_than_shared() -> None:
    text = "tags: !!set {a, b}\n"
    first = parse_yaml(text, "a.yaml", Diagnostics())
    second = parse_yaml(text, "b.yaml", Diagnostics())
    assert first == second == {"tags": {"a", "b"}}
    assert first["tags"] is not second["tags"]


def test_the_catalogues_repeated_item_files_are_parsed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from generator import yamlio
    from generator.catalogue.load import load_catalogue
    from tests.conftest import REPO

    monkeypatch.setattr(yamlio, "_PARSED", type(yamlio._PARSED)())
    parsed: list[str] = []
    parse = yamlio._parse

    def counted(text: str, path: str, *args: object) -> object:
        parsed.append(path)
        return parse(text, path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlio, "_parse", counted)
    files = sorted((REPO / "catalogue").rglob("*.yaml"))
    texts = {f.read_text(encoding="utf-8") for f in files}
    assert load_catalogue(REPO, dt.date(2026, 11, 30), Diagnostics()) is not None
    assert len(parsed) == len(texts) < len(files)
