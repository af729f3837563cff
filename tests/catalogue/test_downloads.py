"""Each edition's downloads: CSV (UTF-8 with BOM, guarded cells), JSON, and a data package that
frictionless validates, checked on the files the build wrote."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import frictionless
import pytest

from generator.catalogue.downloads import edition_csv, guard_cell
from generator.catalogue.model import Edition, Item
from generator.model import LangText
from tests.conftest import run_cli

EDITIONS = ("2023", "2025-draft", "2025", "2027-draft")


@pytest.mark.parametrize("edition", EDITIONS)
def test_datapackage_passes_frictionless(catalogue_site: Path, edition: str) -> None:
    package = catalogue_site / "catalogue/editions" / edition / "datapackage.json"
    report = frictionless.validate(str(package))
    assert report.valid, report.flatten(["type", "message"])
    assert [task.name for task in report.tasks] == ["catalogue-csv", "catalogue-json"]


def test_frictionless_cli_validates_the_built_package(catalogue_site: Path) -> None:
    import subprocess
    import sys

    folder = catalogue_site / "catalogue/editions/2025"
    frictionless_cli = Path(sys.executable).parent / "frictionless"
    done = subprocess.run(
        [str(frictionless_cli), "validate", "datapackage.json"],
        cwd=folder,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_a_tampered_file_fails_validation(catalogue_site: Path, tmp_path: Path) -> None:
    """The package records sizes and hashes, so a changed copy does not pass as the published one."""
    source = catalogue_site / "catalogue/editions/2025"
    for name in ("datapackage.json", "catalogue.csv", "catalogue.json"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    with (tmp_path / "catalogue.json").open("a", encoding="utf-8") as fh:
        fh.write(" ")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert {t for t, in report.flatten(["type"])} == {"hash-count", "byte-count"}


def test_csv_has_a_bom_field_codes_and_one_row_per_item(catalogue_site: Path) -> None:
    data = (catalogue_site / "catalogue/editions/2025/catalogue.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 33
    assert list(rows[0])[:6] == ["edition", "code", "name_zh", "name_en", "category", "article_12_clause"]
    sx02 = next(r for r in rows if r["code"] == "SX-02")
    assert sx02["category"] == "untrustworthy"
    assert sx02["article_12_clause"] == "2"
    assert sx02["providers"].split(";")[:2] == ["TJ-SCJG", "BH-SCJG"]
    assert "cf_fr_zjhm:never" in sx02["fields"].split(";")


def test_json_holds_the_edition_and_its_items(catalogue_site: Path) -> None:
    data = json.loads((catalogue_site / "catalogue/editions/2023/catalogue.json").read_text("utf-8"))
    assert data["edition"]["id"] == "2023"
    assert data["edition"]["status"] == "superseded"
    assert len(data["items"]) == 31
    sx04 = next(i for i in data["items"] if i["code"] == "SX-04")
    assert sx04["name"]["en"] == "Dishonest judgment debtors"
    assert sx04["schema"] == "sx-04-dishonest-judgment-debtors"


def test_downloads_are_written_once_not_per_language(catalogue_site: Path) -> None:
    assert (catalogue_site / "catalogue/editions/2025/catalogue.csv").is_file()
    assert not (catalogue_site / "en/catalogue/editions/2025/catalogue.csv").exists()


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86 22", "'+86 22"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("SX-02", "SX-02"),
        ("", ""),
    ],
)
def test_formula_cells_are_guarded(cell: str, written: str) -> None:
    assert guard_cell(cell) == written


def test_csv_guards_formula_like_names() -> None:
    item = Item(
        code="QT-99",
        name=LangText("=HYPERLINK(\"http://x\")", "@evil"),
        description=None,
        category="other",
        article_12_clause=None,
        subject_types=("legal_person",),
        providers=("TJ-A",),
        disclosure="public",
        scope=None,
        right_to_use=None,
        legal_basis=(),
        schema=None,
        fields=(),
        publicity=None,
        update_frequency="daily",
        source="x.yaml",
    )
    edition = Edition(
        "x", LangText("x"), "draft", None, None, None, None, None, (item,), "x/edition.yaml"
    )
    (row,) = list(csv.DictReader(io.StringIO(edition_csv(edition).decode("utf-8-sig"))))
    assert row["name_zh"] == "'=HYPERLINK(\"http://x\")"
    assert row["name_en"] == "'@evil"


def test_downloads_are_byte_identical_between_builds(catalogue_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    project = catalogue_site.parent / "project"
    result = run_cli("build", "--as-of", "2026-11-30", "-q", "--out", str(out), cwd=project)
    assert result.exit_code == 0, result.output
    for edition in EDITIONS:
        for name in ("catalogue.csv", "catalogue.json", "datapackage.json"):
            rel = f"catalogue/editions/{edition}/{name}"
            assert (out / rel).read_bytes() == (catalogue_site / rel).read_bytes(), rel
