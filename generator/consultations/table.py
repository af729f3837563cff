"""The comments table: its Frictionless schema, and reading a table through real frictionless validation.

frictionless checks types, required cells, allowed values and unique ids, and reports every problem
as data; this module turns its report into our diagnostics (`path:row N:field`) and hands on the
rows that passed. Rows are numbered as a spreadsheet numbers them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frictionless

from generator.consultations.model import CHANNELS, COMMENTER_TYPES, DISPOSITIONS
from generator.diagnostics import Diagnostics, Location
from generator.yamlio import read_text

ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9_-]*"
CODE_PATTERN = "[A-Z][A-Z0-9]*(-[A-Z0-9]+)*"


def _field(name: str, title: str, title_en: str, **extra: Any) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"name": name, "type": "string", "title": title}
    descriptor["description"] = title_en
    descriptor.update(extra)
    return descriptor


# comments.csv, column by column, in this order (docs/consultations-format.md documents it).
COMMENTS_SCHEMA: dict[str, Any] = {
    "fields": [
        _field(
            "id", "意见编号", "Comment id", constraints={"required": True, "pattern": ID_PATTERN}
        ),
        _field(
            "received", "收到日期", "Date received", type="date", constraints={"required": True}
        ),
        _field(
            "channel", "提交方式", "Channel", constraints={"required": True, "enum": list(CHANNELS)}
        ),
        _field(
            "commenter_type",
            "意见人类型",
            "Commenter type",
            constraints={"required": True, "enum": list(COMMENTER_TYPES)},
        ),
        _field("commenter", "意见人", "Commenter", constraints={"required": True}),
        _field("department", "部门编码", "Department code", constraints={"pattern": CODE_PATTERN}),
        _field("item_code", "事项编码", "Item code", constraints={"pattern": CODE_PATTERN}),
        _field("field", "所涉属性", "Item attribute"),
        _field("text", "意见内容", "Comment", constraints={"required": True}),
        _field(
            "disposition",
            "处理结果",
            "Disposition",
            constraints={"required": True, "enum": list(DISPOSITIONS)},
        ),
        _field("response", "处理说明", "Response"),
    ],
    "primaryKey": ["id"],
    "missingValues": [""],
}

# The template a department fills in and sends back (`credit-portal comments import`).
TEMPLATE_SCHEMA: dict[str, Any] = {
    "fields": [
        _field("item_code", "事项编码", "Item code", constraints={"pattern": CODE_PATTERN}),
        _field("item_name", "事项名称（仅供参考）", "Item name (for reference)"),
        _field("field", "所涉属性（可选）", "Item attribute (optional)"),
        _field("text", "意见内容", "Comment"),
        _field(
            "commenter_type",
            "意见人类型",
            "Commenter type",
            constraints={"enum": list(COMMENTER_TYPES)},
        ),
        _field("commenter", "意见人", "Commenter"),
        _field("department", "部门编码", "Department code", constraints={"pattern": CODE_PATTERN}),
    ],
    "missingValues": [""],
}


def column_names(schema: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f["name"] for f in schema["fields"])


@dataclass(frozen=True)
class TableRow:
    number: int  # header = row 1
    cells: dict[str, Any]  # typed by frictionless; empty cells are None


def read_table(
    path: Path, rel: str, schema: dict[str, Any], code: str, diags: Diagnostics
) -> tuple[TableRow, ...]:
    """Validate a CSV (UTF-8, BOM allowed) or XLSX table against `schema`; return its good rows.

    Each problem is reported as `<code>.<frictionless error type>`, e.g. `….type-error`.
    Blank rows are skipped without a word: spreadsheets leave them behind.
    """
    fmt = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    if fmt == "csv":
        text = read_text(path, rel, diags)  # reports bad UTF-8 at line:col
        if text is None or not _within_limits(_csv_rows(text), rel, schema, code, diags):
            return ()
    elif not _within_limits(_xlsx_rows(path), rel, schema, code, diags):
        return ()
    resource = _resource(path, schema, fmt)
    report = resource.validate()
    errors: list[Any] = list(report.tasks[0].errors)
    blank = {e.row_number for e in errors if e.type == "blank-row"}
    # An empty id already says what a primary-key error on that row would say again.
    empty_id = {
        e.row_number
        for e in errors
        if e.type == "constraint-error" and getattr(e, "field_name", None) == "id"
    }
    bad_rows: set[int] = set()
    fatal = False
    for error in errors:
        row_number = getattr(error, "row_number", None)
        if error.type == "blank-row" or row_number in blank:
            continue
        if error.type == "primary-key" and row_number in empty_id:
            continue
        if row_number is not None:
            bad_rows.add(row_number)
        elif not getattr(error, "row_numbers", None):
            fatal = True  # the file could not be read as a table at all
        elif error.type in ("extra-label", "missing-label", "incorrect-label", "duplicate-label"):
            fatal = True  # columns do not line up, so no cell can be trusted
        location, message = _describe(error, rel, schema)
        diags.error(f"{code}.{error.type}", message, location)
    if fatal:
        return ()
    rows = []
    with _resource(path, schema, fmt) as reader:
        for row in reader.row_stream:
            if row.row_number in bad_rows or row.row_number in blank:
                continue
            rows.append(TableRow(row.row_number, row.to_dict()))
    return tuple(rows)


# Past these a table is broken (a quote left open, a header of junk). frictionless would say so
# too, but it keeps every label with every error: a 100,000-column header needs gigabytes.
MAX_COLUMNS = 100
CELL_LIMIT = 131_072  # characters: the csv module's own default field limit


def _csv_rows(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error:
        return  # frictionless reports a table it cannot parse, with its row


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    import openpyxl  # here: it is slow to import, and most projects' tables are CSV

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # not a workbook: frictionless says so, with the file's name
        return
    try:
        for row in book.worksheets[0].iter_rows(values_only=True) if book.worksheets else ():
            yield ["" if v is None else str(v) for v in row]
    finally:
        book.close()


def _within_limits(
    rows: Iterable[list[str]], rel: str, schema: dict[str, Any], code: str, diags: Diagnostics
) -> bool:
    names = column_names(schema)
    for number, cells in enumerate(rows, start=1):
        if len(cells) > MAX_COLUMNS:
            what = "the header" if number == 1 else "the row"
            diags.error(
                f"{code}.{'extra-label' if number == 1 else 'extra-cell'}",
                f"{what} has {len(cells):,} cells; the columns are: {', '.join(names)}",
                Location(rel, row=number),
            )
            return False
        for index, cell in enumerate(cells):
            if len(cell) > CELL_LIMIT:
                field = names[index] if index < len(names) else None
                diags.error(
                    f"{code}.cell-too-long",
                    f"the cell has {len(cell):,} characters, more than the {CELL_LIMIT:,} a "
                    "cell may have; is a quote left open?",
                    Location(rel, row=number, field=field),
                )
                return False
    return True


def _resource(path: Path, schema: dict[str, Any], fmt: str) -> frictionless.Resource:
    options: dict[str, Any] = {"encoding": "utf-8-sig"} if fmt == "csv" else {}
    # A path relative to its own folder: frictionless refuses absolute paths as unsafe.
    return frictionless.Resource(
        path=path.name,
        basepath=str(path.parent),
        format=fmt,
        schema=frictionless.Schema.from_descriptor(schema),
        # Columns must be the schema's, in its order: a renamed or moved column is an error.
        detector=frictionless.Detector(schema_sync=False),
        **options,
    )


def _describe(error: Any, rel: str, schema: dict[str, Any]) -> tuple[Location, str]:
    """A location and a plain message for one frictionless error."""
    row_number = getattr(error, "row_number", None)
    field_name = getattr(error, "field_name", None) or None
    cell = getattr(error, "cell", None)
    spec = next((f for f in schema["fields"] if f["name"] == field_name), None)
    if row_number is None and getattr(error, "row_numbers", None):
        label = getattr(error, "label", "") or ""
        column = getattr(error, "field_number", None)
        expected = ", ".join(column_names(schema))
        where = f"column {column}"
        if error.type == "extra-label":
            message = f"{where}: unexpected column {label!r}; the columns are: {expected}"
        elif error.type == "missing-label":
            message = f"{where}: column {field_name!r} is missing; the columns are: {expected}"
        else:
            message = (
                f"{where}: column {label!r} should be {field_name!r}; the columns are: {expected}"
            )
        return Location(rel, row=1, field=field_name or label or None), message
    if row_number is None:
        return Location(rel), f"cannot read the table: {error.note or error.message}"
    location = Location(rel, row=row_number, field=field_name)
    constraints = (spec or {}).get("constraints", {})
    if error.type == "type-error" and spec is not None:
        if spec["type"] == "date":
            return location, f"{cell!r} is not a date written YYYY-MM-DD"
        return location, f"{cell!r} must be text"
    if error.type in ("constraint-error", "missing-cell"):
        if cell in (None, ""):
            return location, f"{field_name!r} must not be empty"
        if "enum" in constraints:
            return (
                location,
                f"{cell!r} is not allowed; expected one of: {', '.join(constraints['enum'])}",
            )
        if "pattern" in constraints:
            return location, f"{cell!r} is not well formed (expected {constraints['pattern']})"
    if error.type in ("unique-error", "primary-key"):
        first = re.search(r"position (\d+)", error.note or "")
        where = f" (first in row {first.group(1)})" if first else ""
        return Location(
            rel, row=row_number, field=field_name or "id"
        ), f"this id is used twice{where}"
    if error.type == "extra-cell":
        return location, f"row has more cells than the {len(schema['fields'])} columns"
    return location, error.note or error.message
