"""The comment template a department downloads, fills in and sends back: CSV and XLSX.

Both are prefilled with one row per draft item (and one for general comments); the columns are
TEMPLATE_SCHEMA's, so `credit-portal comments import` reads them back. Output is byte-identical
from build to build: the XLSX is a zip, and both its properties and its entries carry fixed dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING

from generator.catalogue.model import Catalogue
from generator.consultations.model import COMMENTER_TYPES, Consultation
from generator.consultations.table import TEMPLATE_SCHEMA, column_names
from generator.model import LangText

# openpyxl is imported where a workbook is made: it takes longer to import than a small site
# takes to build, and only the consultations' templates need it.
if TYPE_CHECKING:
    from openpyxl import Workbook

CSV_NAME = "comment-template.csv"
XLSX_NAME = "comment-template.xlsx"
# The earliest date a zip entry can carry; any fixed value would do.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

Labels = Callable[[str], LangText]


def template_rows(c: Consultation, labels: Labels) -> list[list[str]]:
    """The header and the prefilled rows: a general-comment row first, then every draft item."""
    columns = column_names(TEMPLATE_SCHEMA)
    general = labels("consultations.template.general_row")
    rows = [list(columns), _row(columns, "", _both(general))]
    rows.extend(_row(columns, item.code, _both(item.name)) for item in c.draft.items)
    return rows


def _row(columns: tuple[str, ...], code: str, name: str) -> list[str]:
    cells = dict.fromkeys(columns, "")
    cells.update(item_code=code, item_name=name)
    return [cells[col] for col in columns]


def _both(text: LangText) -> str:
    return f"{text.zh} / {text.en}" if text.en and text.en != text.zh else text.zh


def template_csv(c: Consultation, labels: Labels) -> bytes:
    """UTF-8 with a byte-order mark and CRLF lines, so that Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(template_rows(c, labels))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(c: Consultation, catalogue: Catalogue | None, labels: Labels) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.xml.functions import tostring

    fixed = dt.datetime.combine(c.opens, dt.time(0, 0))
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has its first sheet
    ws.title = "comments"
    for row in template_rows(c, labels):
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = {"item_code": 12, "item_name": 48, "field": 16, "text": 60}
    for index, name in enumerate(column_names(TEMPLATE_SCHEMA), start=1):
        letter = ws.cell(row=1, column=index).column_letter
        ws.column_dimensions[letter].width = widths.get(name, 18)
        if name == "text":
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    commenter_type = column_names(TEMPLATE_SCHEMA).index("commenter_type") + 1
    letter = ws.cell(row=1, column=commenter_type).column_letter
    choice = DataValidation(
        type="list", formula1=f'"{",".join(COMMENTER_TYPES)}"', allow_blank=True
    )
    choice.add(f"{letter}2:{letter}{ws.max_row + 200}")
    ws.add_data_validation(choice)
    _instructions(wb, c, catalogue, labels)
    wb.properties.creator = "credit-portal"
    wb.properties.title = c.title.zh
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buffer = io.BytesIO()
    wb.save(buffer)
    wb.properties.modified = fixed  # save() has just stamped it with the wall clock
    return _fix_zip(buffer.getvalue(), {"docProps/core.xml": tostring(wb.properties.to_tree())})


def _instructions(
    wb: Workbook, c: Consultation, catalogue: Catalogue | None, labels: Labels
) -> None:
    """A second sheet that explains the columns and lists the department codes."""
    ws = wb.create_sheet("instructions")
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
    ws.append([c.title.zh])
    ws.append([c.title.en or ""])
    ws.append([])
    for lang in ("zh-CN", "en"):
        ws.append([labels("consultations.template.instructions").get(lang)])
        for name in column_names(TEMPLATE_SCHEMA):
            ws.append([name, labels(f"consultations.template.column.{name}").get(lang)])
        ws.append([])
    ws.append(
        [
            labels("consultations.template.departments").zh,
            labels("consultations.template.departments").get("en"),
        ]
    )
    for department in catalogue.departments if catalogue is not None else ():
        ws.append([department.code, _both(department.name)])
    from openpyxl.styles import Font

    ws["A1"].font = Font(bold=True)


def _fix_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """Rewrite the zip with a fixed date on every entry, replacing the entries named in `replace`.

    openpyxl stamps each zip entry with the current time; a fixed date makes builds byte-identical.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            content = replace.get(info.filename, content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()
