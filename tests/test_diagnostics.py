"""diagnostics: problems as data, printed as text, JSON and GitHub annotations."""

from __future__ import annotations

import json

from generator.diagnostics import (
    Diagnostic,
    Diagnostics,
    Location,
    Severity,
    format_github,
    format_json,
    format_text,
)


def sample() -> Diagnostics:
    diags = Diagnostics()
    diags.warning("content.orphan-translation", "no original", Location("content/pages/a.en.md"))
    diags.error(
        "catalogue.unknown-provider",
        "no provider 'X'",
        Location("catalogue/editions/2025/items/SX-02.yaml", 14, 3),
    )
    diags.error(
        "list.uscc-check", "bad check: 1, 2", Location("lists/p.csv", row=7, field="cf_xdr_shxym")
    )
    diags.error("config.unknown-key", "unknown key 'x'", Location("site.yaml", 2, 1))
    diags.error("config.unknown-key", "unknown key 'x'", Location("site.yaml", 2, 1))  # a duplicate
    return diags


def test_locations_print_as_path_line_col_or_row_and_field() -> None:
    assert str(Location("a.yaml", 14, 3)) == "a.yaml:14:3"
    assert str(Location("a.yaml", 14)) == "a.yaml:14:1"
    assert str(Location("a.yaml")) == "a.yaml"
    assert str(Location("l.csv", row=7, field="cf_wsh")) == "l.csv:row 7:cf_wsh"
    assert Location("l.csv", row=7, field="cf_wsh").as_dict() == {
        "path": "l.csv",
        "row": 7,
        "field": "cf_wsh",
    }


def test_collection_counts_and_strictness() -> None:
    diags = Diagnostics()
    assert not diags.has_errors() and not diags.has_errors(strict=True)
    diags.warning("a.b", "w", Location("x"))
    assert not diags.has_errors()
    assert diags.has_errors(strict=True)
    diags.error("a.c", "e", Location("x"))
    assert (len(diags.errors), len(diags.warnings), len(diags)) == (1, 1, 2)


def test_sorted_by_place_and_deduplicated() -> None:
    ordered = sample().sorted()
    assert [(d.location.path, d.code) for d in ordered] == [
        ("catalogue/editions/2025/items/SX-02.yaml", "catalogue.unknown-provider"),
        ("content/pages/a.en.md", "content.orphan-translation"),
        ("lists/p.csv", "list.uscc-check"),
        ("site.yaml", "config.unknown-key"),
    ]


def test_text_format() -> None:
    assert format_text(sample().sorted()) == (
        "catalogue/editions/2025/items/SX-02.yaml:14:3: error[catalogue.unknown-provider]: no provider 'X'\n"
        "content/pages/a.en.md: warning[content.orphan-translation]: no original\n"
        "lists/p.csv:row 7:cf_xdr_shxym: error[list.uscc-check]: bad check: 1, 2\n"
        "site.yaml:2:1: error[config.unknown-key]: unknown key 'x'\n"
    )
    assert format_text([]) == ""


def test_json_format() -> None:
    payload = json.loads(format_json(sample().sorted(), {"as_of": "2026-11-30"}))
    assert (payload["errors"], payload["warnings"]) == (3, 1)
    assert payload["summary"] == {"as_of": "2026-11-30"}
    first = payload["diagnostics"][0]
    assert first == {
        "severity": "error",
        "code": "catalogue.unknown-provider",
        "message": "no provider 'X'",
        "location": {"path": "catalogue/editions/2025/items/SX-02.yaml", "line": 14, "col": 3},
        "text": "catalogue/editions/2025/items/SX-02.yaml:14:3: error[catalogue.unknown-provider]: no provider 'X'",
    }
    assert payload["diagnostics"][2]["location"] == {
        "path": "lists/p.csv",
        "row": 7,
        "field": "cf_xdr_shxym",
    }
    assert json.loads(format_json([])) == {"errors": 0, "warnings": 0, "diagnostics": []}


def test_json_keeps_chinese_readable() -> None:
    text = format_json([Diagnostic(Location("a.md", 1, 1), Severity.ERROR, "x.y", "缺少标题")])
    assert "缺少标题" in text


def test_github_format() -> None:
    assert format_github(sample().sorted()) == (
        "::error file=catalogue/editions/2025/items/SX-02.yaml,line=14,col=3,"
        "title=catalogue.unknown-provider::no provider 'X'\n"
        "::warning file=content/pages/a.en.md,title=content.orphan-translation::no original\n"
        "::error file=lists/p.csv,title=list.uscc-check::row 7, cf_xdr_shxym: bad check: 1, 2\n"
        "::error file=site.yaml,line=2,col=1,title=config.unknown-key::unknown key 'x'\n"
    )


def test_github_format_escapes_workflow_command_syntax() -> None:
    line = format_github(
        [Diagnostic(Location("a,b:c.md", 1, 1), Severity.ERROR, "x.y", "50% done\nnext line")]
    )
    assert line == "::error file=a%2Cb%3Ac.md,line=1,col=1,title=x.y::50%25 done%0Anext line\n"
