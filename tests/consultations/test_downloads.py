"""The comment templates: prefilled with the draft's items, UTF-8 with a BOM, and byte-identical XLSX."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl

from generator.consultations.downloads import ZIP_DATE, template_csv, template_xlsx
from generator.consultations.table import TEMPLATE_SCHEMA, column_names
from generator.model import LangText
from tests.consultations.factory import CATALOGUE, CONSULTATION_YAML, load


def labels(key: str) -> LangText:
    return LangText(f"zh:{key}", f"en:{key}")


def test_the_csv_template_has_a_bom_and_a_row_per_draft_item(tmp_path: Path) -> None:
    (c,), _ = load(tmp_path, {"consultation.yaml": CONSULTATION_YAML})
    data = template_csv(c, labels)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == column_names(TEMPLATE_SCHEMA)
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("", "zh:consultations.template.general_row / en:consultations.template.general_row"),
        ("SX-01", "不正当手段取得许可信息 / Improper means"),
        ("SX-02", "适用一般程序的行政处罚信息 / Penalties under the general procedure"),
        ("SX-06", "欠缴社会保险费信息 / Social insurance arrears"),
    ]
    assert all(cell == "" for r in rows[1:] for cell in r[2:])


def test_the_xlsx_template_is_prefilled_and_byte_identical_every_time(tmp_path: Path) -> None:
    (c,), _ = load(tmp_path, {"consultation.yaml": CONSULTATION_YAML})
    first = template_xlsx(c, CATALOGUE, labels)
    second = template_xlsx(c, CATALOGUE, labels)
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {ZIP_DATE}
    core = archive.read("docProps/core.xml").decode()
    # created and modified: the opening day, never the wall clock
    assert core.count("2024-11-01T00:00:00Z") == 2
    wb = openpyxl.load_workbook(io.BytesIO(first))
    ws = wb["comments"]
    values = [[cell.value for cell in row] for row in ws.iter_rows()]
    assert tuple(values[0]) == column_names(TEMPLATE_SCHEMA)
    assert [row[0] for row in values[1:]] == [None, "SX-01", "SX-02", "SX-06"]
    assert wb.sheetnames == ["comments", "instructions"]
    codes = [row[0].value for row in wb["instructions"].iter_rows() if row[0].value]
    assert "TJ-FGW" in codes and "TJ-SCJG" in codes
