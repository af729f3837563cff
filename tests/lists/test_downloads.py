"""Per-list downloads: data.csv, data.json and a datapackage.json that frictionless accepts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import frictionless
import pytest

from generator.catalogue.model import FieldSpec
from generator.config import SiteConfig
from generator.lists.downloads import build_downloads, neutralise
from generator.lists.model import PublishedRecord
from generator.lists.rowmemo import RowMemo
from generator.lists.store import ListsStore, PublishedRecords
from generator.model import LangText

AS_OF = dt.date(2026, 11, 30)
CONFIG = SiteConfig(
    name=LangText("信用天津", "Credit Tianjin"),
    base_url="https://credit.example.org/",
    time_zone="Asia/Shanghai",
    languages=("zh-CN", "en"),
    publisher=LangText("天津市公共信用中心", "Tianjin Public Credit Center"),
    licence_name="CC-BY-4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    contact_email="x@example.org",
)
FIELDS = (
    FieldSpec("cf_xdr_mc", LangText("行政相对人名称", "Subject name"), "as_is", "string"),
    FieldSpec("cf_xdr_zjhm", LangText("证件号码", "ID number"), "masked", "string"),
    FieldSpec("cf_fr_zjhm", LangText("法定代表人证件号码", "Rep. ID"), "never", "string"),
    FieldSpec("cf_wsh", LangText("决定文书号", "Decision number"), "as_is", "string"),
    FieldSpec("cf_jdrq", LangText("处罚决定日期", "Decision date"), "as_is", "date"),
    FieldSpec("cf_nr_fk", LangText("罚款金额（万元）", "Fine (10k yuan)"), "as_is", "number"),
    FieldSpec("count", LangText("次数", "Count"), "as_is", "integer"),
)


def record(n: int, **fields: str) -> PublishedRecord:
    values = {
        "cf_xdr_mc": f"天津某某贸易有限公司{n}",
        "cf_xdr_zjhm": "",
        "cf_wsh": f"津市监罚〔2026〕{n}号",
        "cf_jdrq": "2026-03-01",
        "cf_nr_fk": "1.5",
        "count": "2",
        **fields,
    }
    return PublishedRecord(
        key=f"SX-02-{n:016x}",
        item_code="SX-02",
        package="tj-scjg-2026",
        provider="TJ-SCJG",
        district="120000",
        subject_key=f"91120116MA05K{n:05d}",
        subject_name=values["cf_xdr_mc"],
        subject_code=f"91120116MA05K{n:05d}",
        decision_number=values["cf_wsh"],
        decision_date=dt.date(2026, 3, 1),
        publicity_end=dt.date(2027, 3, 1),
        authority="天津市市场监督管理局",
        fields=tuple(values.items()),
        under_objection=n == 2,
    )


def write(tmp_path: Path, records: list[PublishedRecord]) -> tuple[Path, tuple[str, ...]]:
    built = build_downloads(
        "SX-02", LangText("行政处罚", "Administrative penalties"), FIELDS, records, CONFIG, AS_OF
    )
    for file in built.files:
        target = tmp_path / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read())
    return tmp_path / "lists" / "SX-02", built.types


def read_csv(folder: Path) -> list[dict[str, str]]:
    data = (folder / "data.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "data.csv must start with a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))


def validate(folder: Path) -> frictionless.Report:
    return frictionless.validate(str(folder / "datapackage.json"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("天津=公司", "天津=公司"),
        ("1-2", "1-2"),
        ("", ""),
    ],
)
def test_neutralise(value: str, expected: str) -> None:
    assert neutralise(value) == expected


def test_csv_has_public_fields_only_with_field_codes(tmp_path: Path) -> None:
    folder, _ = write(tmp_path, [record(1, cf_xdr_zjhm="120101********1234")])
    rows = read_csv(folder)
    assert list(rows[0]) == [
        "portal_record_key",
        "portal_subject_key",
        "portal_publicity_end",
        "portal_under_objection",
        "cf_xdr_mc",
        "cf_xdr_zjhm",
        "cf_wsh",
        "cf_jdrq",
        "cf_nr_fk",
        "count",
    ]
    assert "cf_fr_zjhm" not in rows[0]
    assert rows[0]["cf_xdr_zjhm"] == "120101********1234"
    assert rows[0]["portal_record_key"] == "SX-02-0000000000000001"
    assert rows[0]["portal_publicity_end"] == "2027-03-01"


def test_formula_cells_are_neutralised_in_csv_but_not_json(tmp_path: Path) -> None:
    folder, types = write(
        tmp_path,
        [record(1, cf_xdr_mc="=cmd|' /C calc'!A0", cf_wsh="@SUM(1+1)", cf_nr_fk="-5")],
    )
    row = read_csv(folder)[0]
    assert row["cf_xdr_mc"] == "'=cmd|' /C calc'!A0"
    assert row["cf_wsh"] == "'@SUM(1+1)"
    assert row["cf_nr_fk"] == "'-5"
    records = json.loads((folder / "data.json").read_text(encoding="utf-8"))["records"]
    assert records[0]["cf_xdr_mc"] == "=cmd|' /C calc'!A0"
    # A neutralised amount is no longer a number: the column is published as a string.
    assert dict(zip((c for c in read_csv(folder)[0]), types, strict=True))["cf_nr_fk"] == "string"
    assert validate(folder).valid, validate(folder).flatten(["rowNumber", "fieldName", "note"])


def test_datapackage_is_valid_and_types_follow_the_values(tmp_path: Path) -> None:
    folder, _ = write(tmp_path, [record(n) for n in range(1, 6)])
    report = validate(folder)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    assert fields["cf_nr_fk"]["type"] == "number"
    assert fields["count"]["type"] == "integer"
    assert fields["cf_jdrq"]["type"] == "date"
    assert fields["cf_xdr_zjhm"]["type"] == "string"  # masked: text whatever the schema says
    assert fields["portal_under_objection"]["type"] == "boolean"
    assert fields["cf_xdr_mc"]["title"] == "行政相对人名称"
    assert "cf_fr_zjhm" not in fields
    assert [r["path"] for r in descriptor["resources"]] == ["data.csv", "data.json"]
    # frictionless reads the typed rows back as the schema says.
    package = frictionless.Package(str(folder / "datapackage.json"))
    rows = package.get_resource("data").read_rows()
    assert rows[0]["cf_nr_fk"] == 1.5
    assert rows[0]["cf_jdrq"] == dt.date(2026, 3, 1)
    assert [r["portal_under_objection"] for r in rows] == [False, True, False, False, False]


def test_a_value_that_does_not_fit_its_type_makes_the_column_a_string(tmp_path: Path) -> None:
    folder, _ = write(tmp_path, [record(1), record(2, cf_jdrq="2026年3月1日", count="两次")])
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f["type"] for f in descriptor["resources"][0]["schema"]["fields"]}
    assert (fields["cf_jdrq"], fields["count"]) == ("string", "string")
    assert validate(folder).valid


def test_tampered_download_fails_validation(tmp_path: Path) -> None:
    folder, _ = write(tmp_path, [record(1)])
    (folder / "data.csv").write_bytes((folder / "data.csv").read_bytes() + b"x,y\r\n")
    assert not validate(folder).valid


def test_empty_list_still_has_a_header_and_validates(tmp_path: Path) -> None:
    folder, _ = write(tmp_path, [])
    assert (folder / "data.csv").read_bytes().startswith(b"\xef\xbb\xbfportal_record_key,")
    assert json.loads((folder / "data.json").read_text(encoding="utf-8"))["records"] == []
    assert validate(folder).valid


def test_downloads_are_byte_identical_across_runs(tmp_path: Path) -> None:
    first = build_downloads("SX-02", LangText("行政处罚"), FIELDS, [record(1)], CONFIG, AS_OF)
    second = build_downloads("SX-02", LangText("行政处罚"), FIELDS, [record(1)], CONFIG, AS_OF)
    assert [(f.path, f.read()) for f in first.files] == [(f.path, f.read()) for f in second.files]


def test_every_list_of_the_built_sample_validates(built_site: Path) -> None:
    packages = sorted(built_site.glob("lists/*/datapackage.json"))
    assert [p.parent.name for p in packages] == ["SX-01", "SX-02", "SX-03", "SX-04", "SX-05"]
    for path in packages:
        report = frictionless.validate(str(path))
        assert report.valid, (path, report.flatten(["rowNumber", "fieldName", "type", "note"]))
    # The list that is not public has no downloads at all.
    assert not (built_site / "lists/SX-06").exists()


def _stored(records: list[PublishedRecord]) -> tuple[ListsStore, PublishedRecords]:
    """The records as the decide stage leaves them: in the store, newest first."""
    store = ListsStore()
    writer = store.begin_list()
    for index, r in enumerate(records):
        writer.publish(index, r)
        writer.add("content/lists/p/records.csv", index + 2, r.key, "published", "")
    published, _ = writer.finish()
    return store, published


def test_lines_made_before_are_read_back_with_what_they_narrow(tmp_path: Path) -> None:
    """With a line memo (a build with a cache), each record's lines and the columns whose type it
    does not fit are kept under its manifest hash: reading them back gives the same files, the
    narrowed types included; and lines that are not what the record makes are caught."""
    records = [
        record(1),
        record(2, cf_jdrq="2026年3月1日"),  # narrows a date column
        record(3, cf_nr_fk="-5"),  # neutralised in data.csv, a number in data.json
        record(4, count="两次"),  # narrows an integer column
        record(5),
    ]
    store, published = _stored(records)
    try:
        expected = build_downloads(
            "SX-02", LangText("行政处罚"), FIELDS, list(published), CONFIG, AS_OF
        )
        memo = RowMemo(tmp_path / "cache", "c" * 64, "lines")
        memo.open()

        def built() -> tuple[list[tuple[str, bytes]], tuple[str, ...]]:
            result = build_downloads(
                "SX-02", LangText("行政处罚"), FIELDS, published, CONFIG, AS_OF, memo.table("SX-02")
            )
            return [(f.path, f.read()) for f in result.files], result.types

        want = ([(f.path, f.read()) for f in expected.files], expected.types)
        assert "string" in want[1] and want[1].count("string") < len(want[1])
        assert built() == want  # made, and kept
        with sqlite3.connect(memo.path) as db:
            assert db.execute("SELECT count(*) FROM rows").fetchone() == (len(records),)
        assert built() == want  # read back
        with sqlite3.connect(memo.path) as db:
            rows = db.execute("SELECT digest, verdict FROM rows ORDER BY digest").fetchall()
            assert len(rows) == len(records)  # nothing made again
            moved = [(d, v) for (d, _), (_, v) in zip(rows, rows[1:] + rows[:1], strict=True)]
            db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?)", moved)
        assert built() == want  # the first line found is made all the same, and differs
        memo.close()
    finally:
        store.close()
