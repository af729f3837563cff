"""Finding and reading list packages: descriptors, resource names, path safety and encodings."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from generator.diagnostics import Diagnostics
from generator.lists.package import discover_packages, read_rows, unsafe_path
from tests.conftest import make_project
from tests.lists.test_decide import (
    PENALTY_HEADER,
    decide,
    found,
    make_catalogue,
    make_item,
    package_files,
    penalty,
    to_csv,
)

RECORDS = "name,decision_number\n甲公司,P-1\n"


def descriptor(**overrides: Any) -> str:
    data: dict[str, Any] = {
        "name": "tj-scjg",
        "catalogue_item": "SX-02",
        "provider": "TJ-SCJG",
        "extracted": "2026-11-29",
        "resources": [{"name": "records", "path": "records.csv"}],
    }
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False, indent=2)


def discover(root: Path) -> tuple[tuple[Any, ...], Diagnostics]:
    diags = Diagnostics()
    return discover_packages(root, diags), diags


# --- Descriptors --------------------------------------------------------------------------


def test_json_and_yaml_descriptors_are_read(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "content/lists/a/datapackage.json": descriptor(name="a"),
            "content/lists/a/records.csv": RECORDS,
            "content/lists/b/datapackage.yaml": (
                "name: b\ncatalogue_item: SX-04\nprovider: TJ-GY\nextracted: 2026-11-29\n"
                "resources:\n  - name: records\n    path: data/records.csv\n    encoding: UTF-8\n"
                "  - name: withdrawals\n    path: withdrawals.csv\n"
            ),
            "content/lists/b/data/records.csv": RECORDS,
            "content/lists/b/withdrawals.csv": "decision_number\n",
        },
    )
    packages, diags = discover(root)
    assert found(diags) == []
    a, b = packages
    assert (a.name, a.item_code, a.provider, str(a.extracted)) == (
        "a",
        "SX-02",
        "TJ-SCJG",
        "2026-11-29",
    )
    assert a.records.path == "content/lists/a/records.csv"
    assert (a.withdrawals, a.objections) == (None, None)
    assert (b.item_code, b.records.path, b.records.encoding) == (
        "SX-04",
        "content/lists/b/data/records.csv",
        "utf-8-sig",
    )
    assert b.withdrawals is not None and b.withdrawals.path == "content/lists/b/withdrawals.csv"
    assert b.loc("provider").line == 3


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"content/lists/tj-scjg/records.csv": RECORDS}, [(None, "list.no-descriptor")]),
        (
            {
                "content/lists/tj-scjg/datapackage.json": descriptor(),
                "content/lists/tj-scjg/datapackage.yaml": "name: tj-scjg\n",
            },
            [(None, "list.two-descriptors")],
        ),
        ({"content/lists/tj-scjg/datapackage.json": "{\n  \"name\": \n}"}, [(3, "list.descriptor-syntax")]),
        ({"content/lists/tj-scjg/datapackage.json": "[1, 2]"}, [(None, "list.descriptor-invalid")]),
        ({"content/lists/tj-scjg/datapackage.json": descriptor(name="other")}, [(2, "list.name-mismatch")]),
        (
            {"content/lists/tj-scjg/datapackage.json": descriptor(provider=None, extracted="soon")},
            [(4, "list.missing-key"), (5, "list.invalid-date")],
        ),
        (
            {"content/lists/tj-scjg/datapackage.json": descriptor(resources=[
                {"name": "records", "path": "records.csv"}, {"name": "extras", "path": "records.csv"}])},
            [(12, "list.unknown-resource")],
        ),
        (
            {"content/lists/tj-scjg/datapackage.json": descriptor(resources=[
                {"name": "withdrawals", "path": "records.csv"}])},
            [(6, "list.no-records")],
        ),
        (
            {"content/lists/tj-scjg/datapackage.json": descriptor(resources=[
                {"name": "records", "path": "records.csv", "format": "xlsx", "encoding": "latin-1"}])},
            [(10, "list.not-csv"), (11, "list.encoding-unsupported")],
        ),
        (
            {"content/lists/tj-scjg/datapackage.json": descriptor(resources=[
                {"name": "records", "data": [["a"], ["b"]]}])},
            [(7, "list.missing-key"), (9, "list.inline-data")],
        ),
        (
            {"content/lists/tj-scjg/datapackage.json": descriptor(resources=[
                {"name": "records", "path": "nowhere.csv"}])},
            [(9, "list.missing-file")],
        ),
        # Frictionless checks the standard properties once ours are fine.
        (
            {"content/lists/tj-scjg/datapackage.json": descriptor(licenses="CC-BY-4.0")},
            [(None, "list.descriptor-invalid")],
        ),
    ],
)  # fmt: skip
def test_descriptor_problems(tmp_path: Path, files: dict[str, str], expected: list[Any]) -> None:
    root = make_project(tmp_path, {"content/lists/tj-scjg/records.csv": RECORDS, **files})
    packages, diags = discover(root)
    assert packages == ()
    assert [(d.location.line, d.code) for d in diags.sorted()] == expected


def test_folders_starting_with_a_dot_or_underscore_are_ignored(tmp_path: Path) -> None:
    root = make_project(
        tmp_path, {"content/lists/_drafts/notes.txt": "x", "content/lists/README.md": "x"}
    )
    assert discover(root) == ((), Diagnostics())


def test_a_declared_schema_and_dialect_are_read(tmp_path: Path) -> None:
    resource = {
        "name": "records",
        "path": "records.csv",
        "schema": {"fields": [{"name": "name"}, {"name": "decision_number"}]},
        "dialect": {"delimiter": ";"},
    }
    root = make_project(
        tmp_path,
        {
            "content/lists/tj-scjg/datapackage.json": descriptor(resources=[resource]),
            "content/lists/tj-scjg/records.csv": "name;decision_number\n甲公司;P-1\n",
        },
    )
    (package,), diags = discover(root)
    assert found(diags) == []
    assert package.records.declared_fields == ("name", "decision_number")
    assert list(read_rows(package.records)) == [["name", "decision_number"], ["甲公司", "P-1"]]


# --- Path safety ----------------------------------------------------------------------------

SECRET = "secret,outside\n1,2\n"


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/etc/passwd", "absolute"),
        ("C:/data/records.csv", "absolute"),
        ("\\\\server\\share\\records.csv", "absolute"),
        ("../outside.csv", "'..'"),
        ("data/../../outside.csv", "'..'"),
        ("https://example.org/records.csv", "URL"),
        ("file:///etc/passwd", "URL"),
        ("data\\records.csv", "'/'"),
    ],
)
def test_unsafe_paths_are_refused_before_anything_is_opened(
    tmp_path: Path, path: str, why: str
) -> None:
    root = make_project(
        tmp_path,
        {
            "content/lists/outside.csv": SECRET,
            "content/lists/tj-scjg/datapackage.json": descriptor(
                resources=[{"name": "records", "path": path}]
            ),
        },
    )
    packages, diags = discover(root)
    assert packages == ()
    ((location, code, message),) = [(d.location, d.code, d.message) for d in diags.sorted()]
    assert (location.path, location.line, code) == (
        "content/lists/tj-scjg/datapackage.json",
        9,
        "list.unsafe-path",
    )
    assert why in message


def test_symlink_out_of_the_package_is_refused(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "content/lists/outside.csv": SECRET,
            "content/lists/tj-scjg/datapackage.json": descriptor(),
        },
    )
    os.symlink(root / "content/lists/outside.csv", root / "content/lists/tj-scjg/records.csv")
    packages, diags = discover(root)
    assert packages == ()
    assert [(d.code, "symlink" in d.message) for d in diags.sorted()] == [
        ("list.unsafe-path", True)
    ]


def test_symlinked_package_folder_out_of_content_lists_is_refused(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "elsewhere/datapackage.json": descriptor(),
            "elsewhere/records.csv": RECORDS,
        },
    )
    (root / "content/lists").mkdir(parents=True)
    os.symlink(root / "elsewhere", root / "content/lists/tj-scjg")
    packages, diags = discover(root)
    assert packages == ()
    assert found(diags) == [("content/lists/tj-scjg", None, None, "list.unsafe-path")]


def test_symlink_inside_the_package_is_allowed(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "content/lists/tj-scjg/datapackage.json": descriptor(),
            "content/lists/tj-scjg/exports/2026-11.csv": RECORDS,
        },
    )
    os.symlink("exports/2026-11.csv", root / "content/lists/tj-scjg/records.csv")
    (package,), diags = discover(root)
    assert found(diags) == []
    assert list(read_rows(package.records))[1] == ["甲公司", "P-1"]


def test_schema_given_as_a_path_is_checked_then_refused(tmp_path: Path) -> None:
    resources = [
        {"name": "records", "path": "records.csv", "schema": "../../../catalogue/schema.json"},
        {"name": "objections", "path": "records.csv", "schema": "schema.json"},
    ]
    root = make_project(
        tmp_path,
        {
            "content/lists/tj-scjg/datapackage.json": descriptor(resources=resources),
            "content/lists/tj-scjg/records.csv": RECORDS,
        },
    )
    packages, diags = discover(root)
    assert packages == ()
    assert [d.code for d in diags.sorted()] == ["list.unsafe-path", "list.unsupported"]


def test_unsafe_path_function(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    assert unsafe_path("records.csv", tmp_path / "pkg") is None
    assert unsafe_path("sub/records.csv", tmp_path / "pkg") is None
    assert unsafe_path("", tmp_path / "pkg") == "the path is empty"
    assert unsafe_path("..", tmp_path / "pkg") is not None


# --- Encodings (through the whole decide stage, so rows and outcomes are visible) ----------


def _package(records: bytes, **extra: Any) -> dict[str, str | bytes]:
    return package_files("tj-scjg", records, records_extra=extra)


def _reasons(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[list[Any], Diagnostics]:
    decision, diags = decide(make_project(tmp_path, files))
    return [(o.location.row, o.outcome, o.reason) for o in decision.lists[0].outcomes], diags


def test_utf8_with_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    text = to_csv(PENALTY_HEADER, [penalty("P-1"), penalty("P-2")]).replace("\n", "\r\n")
    rows, diags = _reasons(tmp_path, _package(b"\xef\xbb\xbf" + text.encode("utf-8")))
    assert rows == [(2, "published", ""), (3, "published", "")]
    assert found(diags) == []


def test_multiline_cells_keep_row_numbers_by_record(tmp_path: Path) -> None:
    text = to_csv(PENALTY_HEADER, [penalty("P-1", facts="第一行\r\n第二行"), penalty("P-2")])
    decision, diags = decide(make_project(tmp_path, _package(text.encode())))
    assert found(diags) == []
    assert [o.location.row for o in decision.lists[0].outcomes] == [2, 3]
    facts = {r.decision_number: dict(r.fields)["facts"] for r in decision.lists[0].published}
    assert facts["P-1"] == "第一行\r\n第二行"


@pytest.mark.parametrize("encoding", ["gb18030", "GBK", "GB18030"])
def test_declared_chinese_encodings_are_read(tmp_path: Path, encoding: str) -> None:
    text = to_csv(PENALTY_HEADER, [penalty("P-1", name="天津市滨海新区鑫源商贸有限公司")])
    decision, diags = decide(
        make_project(tmp_path, _package(text.encode("gb18030"), encoding=encoding))
    )
    assert found(diags) == []
    (record,) = decision.lists[0].published
    assert record.subject_name == "天津市滨海新区鑫源商贸有限公司"


def test_undeclared_gbk_is_an_error_naming_each_row(tmp_path: Path) -> None:
    text = to_csv(
        PENALTY_HEADER, [penalty("P-1"), penalty("P-2", name="ASCII Trading Ltd", facts="x")]
    )
    header, *_ = text.split("\n", 1)
    body = text[len(header) + 1 :]
    data = header.encode() + b"\n" + body.encode("gbk")
    rows, diags = _reasons(tmp_path, _package(data))
    # Row 3 is plain ASCII apart from its authority, which is in GBK too.
    assert rows == [(2, "rejected", "list.encoding"), (3, "rejected", "list.encoding")]
    assert found(diags) == [
        ("content/lists/tj-scjg/records.csv", 2, "authority", "list.encoding"),
        ("content/lists/tj-scjg/records.csv", 2, "category", "list.encoding"),
        ("content/lists/tj-scjg/records.csv", 2, "facts", "list.encoding"),
        ("content/lists/tj-scjg/records.csv", 2, "name", "list.encoding"),
        ("content/lists/tj-scjg/records.csv", 3, "authority", "list.encoding"),
        ("content/lists/tj-scjg/records.csv", 3, "category", "list.encoding"),
    ]
    message = diags.sorted()[0].message
    assert "not valid UTF-8" in message and "gb18030" in message


def test_undeclared_gbk_in_the_decision_number_still_gets_a_key(tmp_path: Path) -> None:
    text = to_csv(PENALTY_HEADER, [penalty("津市监罚〔2026〕1号")])
    header, body = text.split("\n", 1)
    rows, _ = _reasons(tmp_path, _package(header.encode() + b"\n" + body.encode("gbk")))
    assert rows == [(2, "rejected", "list.encoding")]


def test_undeclared_gbk_in_a_withheld_package_is_only_counted(tmp_path: Path) -> None:
    text = to_csv(PENALTY_HEADER, [penalty("津市监罚〔2026〕1号")]).encode("gbk")
    files = package_files("tj-scjg", text)
    catalogue = make_catalogue(make_item(disclosure="authorized_query"))
    decision, diags = decide(make_project(tmp_path, files), catalogue)
    assert [(o.outcome, o.reason) for o in decision.lists[0].outcomes] == [
        ("withheld", "item-not-public")
    ]
    assert [d.code for d in diags.sorted()] == ["list.item-not-public"]


def test_mixed_encodings_in_one_file_reject_only_the_bad_rows(tmp_path: Path) -> None:
    good = to_csv(PENALTY_HEADER, [penalty("P-1"), penalty("P-3")]).encode("utf-8")
    bad = to_csv(PENALTY_HEADER, [penalty("P-2")]).split("\n", 1)[1].encode("gbk")
    lines = good.split(b"\n")
    data = b"\n".join([lines[0], lines[1]]) + b"\n" + bad + lines[2] + b"\n"
    rows, diags = _reasons(tmp_path, _package(data))
    assert rows == [(2, "published", ""), (3, "rejected", "list.encoding"), (4, "published", "")]
    assert {(d.location.row, d.code) for d in diags.sorted()} == {(3, "list.encoding")}


def test_mixed_encodings_across_packages(tmp_path: Path) -> None:
    utf8 = to_csv(PENALTY_HEADER, [penalty("P-1")]).encode("utf-8")
    gbk = to_csv(PENALTY_HEADER, [penalty("P-2")]).encode("gb18030")
    files = {
        **package_files("a-utf8", utf8),
        **package_files("b-gb", gbk, provider="BH-SCJG", records_extra={"encoding": "gb18030"}),
    }
    decision, diags = decide(make_project(tmp_path, files))
    assert found(diags) == []
    assert decision.lists[0].counts == {"published": 2, "withheld": 0, "rejected": 0}


def test_bytes_invalid_in_the_declared_encoding_are_an_error(tmp_path: Path) -> None:
    text = to_csv(PENALTY_HEADER, [penalty("P-1", facts="XX")]).encode("gb18030")
    data = text.replace(b"XX", b"\x80\xff")
    rows, diags = _reasons(tmp_path, _package(data, encoding="gb18030"))
    assert rows == [(2, "rejected", "list.encoding")]
    assert [d.message for d in diags.sorted()] == ["bytes 0x80 0xFF are not valid gb18030"]


def test_undecodable_header_is_a_columns_mismatch(tmp_path: Path) -> None:
    text = to_csv(PENALTY_HEADER, [penalty("P-1")]).replace("facts", "事实").encode("gbk")
    rows, diags = _reasons(tmp_path, _package(text))
    assert rows == [(2, "rejected", "list.columns-mismatch")]
    assert found(diags) == [("content/lists/tj-scjg/records.csv", 1, None, "list.columns-mismatch")]
