"""The fast row path (generator/lists/fastpath.py) reports exactly what Frictionless reports.

Three references, from the closest to the farthest:
- `read_table(fast=False)`: the same reader with every row through Frictionless's own row stream.
  Rows (number, error, typed values, texts), every diagnostic in order (code, location, message)
  and the row count must be identical.
- Frictionless's Row for one row, against RowChecker.check, on hypothesis-generated rows.
- plain Frictionless reading the CSV file itself: the same accepted rows, cast values and errors
  (code, row, field).
The corpus covers every field type and constraint the catalogue's schemas use, in UTF-8, UTF-8
with a byte-order mark and GB18030, with blank rows, missing and extra cells and quoted newlines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from frictionless import Schema
from frictionless.resources import TableResource
from frictionless.table.row import Row as FrictionlessRow
from frictionless.table.row import create_cell_handlers
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.catalogue.model import TableSchema
from generator.catalogue.schemas import load_schemas
from generator.diagnostics import Diagnostics
from generator.lists import fastpath
from generator.lists.package import ResourceFile
from generator.lists.validate import (
    OBJECTIONS_SCHEMA,
    WITHDRAWALS_SCHEMA,
    DomainContext,
    TableStats,
    read_table,
)
from tests.conftest import REPO
from tests.lists.test_decide import COMPANY, COURT, PERSON_ID, SCJG, make_uscc

AS_OF = dt.date(2026, 11, 30)
CI = settings(derandomize=True, database=None, deadline=None, max_examples=150)


def catalogue_schemas() -> dict[str, TableSchema]:
    diags = Diagnostics()
    schemas = load_schemas(REPO, diags)
    assert not diags.errors
    return schemas


SCHEMAS = catalogue_schemas()
# The contract's fixed tables, with the roles their keys use.
FIXED = {"withdrawals": WITHDRAWALS_SCHEMA, "objections": OBJECTIONS_SCHEMA}


def descriptors() -> Iterator[tuple[str, dict[str, Any], Mapping[str, Any]]]:
    for name, schema in sorted(SCHEMAS.items()):
        yield name, schema.descriptor, schema.roles
    for name, descriptor in FIXED.items():
        yield name, descriptor, {}


DESCRIPTORS = list(descriptors())
IDS = [name for name, _, _ in DESCRIPTORS]


# --- Cell values: a good one per field, and the bad or odd ones for its type and constraints ----


def good_value(spec: Mapping[str, Any], roles: Mapping[str, Any]) -> str:
    name, kind = spec["name"], spec.get("type", "string")
    constraints = spec.get("constraints") or {}
    if "enum" in constraints:
        return str(constraints["enum"][0])
    if kind == "date":
        return "2026-06-01"
    if kind == "number":
        return "1.5"
    if kind == "boolean":
        return "false"
    if name == roles.get("authority_code"):
        return SCJG
    if "pattern" in constraints or name == roles.get("subject_uscc"):
        return COMPANY
    if name == roles.get("subject_id_number"):
        return ""
    return f"{name} 文本"


STRINGS = ["", "x", "自然人", "general", "01", "1", " 05 ", "a\nb", '"quoted"', "1,5", "\t"]
DATES = [
    "", "2026-06-01", "2026-1-5", "20260105", "2026-02-30", "2024-02-29", "0001-01-01",
    "9999-12-31", "2026/06/01", "yesterday", "2026-06-01T00:00:00", "２０２６-06-01", "2026-12-01",
]  # fmt: skip
NUMBERS = [
    "", "0", "1.5", "-1", "-0", "1e3", "NaN", "nan", "Infinity", "-inf", "1,000", "１２", "+3",
    "0.10", "abc", "1_000", "1.5.0", ".5", "5.",
]  # fmt: skip
BOOLEANS = ["", "true", "false", "True", "FALSE", "1", "0", "yes", "no", "t", "maybe"]
CODES = [COMPANY, COMPANY.lower(), COMPANY[:17], COMPANY[:17] + "0", COURT, make_uscc("MB1234AB")]


def odd_values(spec: Mapping[str, Any]) -> list[str]:
    kind = spec.get("type", "string")
    constraints = spec.get("constraints") or {}
    values = {"date": DATES, "number": NUMBERS, "boolean": BOOLEANS}.get(kind, STRINGS)
    extra: list[str] = []
    if "enum" in constraints:
        enum = [str(e) for e in constraints["enum"]]
        extra = [*enum, enum[0].upper(), enum[0] + "x"]
    if "pattern" in constraints:
        extra = CODES
    return [*values, *extra, PERSON_ID]


def corpus(descriptor: Mapping[str, Any], roles: Mapping[str, Any]) -> list[list[str]]:
    """A good row, then every field's odd values one at a time, then missing and extra cells."""
    fields = descriptor["fields"]
    base = [good_value(f, roles) for f in fields]
    rows = [base]
    for i, spec in enumerate(fields):
        for value in odd_values(spec):
            rows.append([*base[:i], value, *base[i + 1 :]])
    rows.append([""] * len(fields))  # a blank row
    rows.append(base[: len(fields) // 2])  # missing cells
    rows.append([*base, "extra", "more"])  # extra cells
    rows.append([*base[:-1], ""])  # an empty last cell
    rows.append(base)  # a repeat (no catalogue field is unique; the record key is decide's)
    return rows


# --- Running both paths ---------------------------------------------------------------------


def to_csv(rows: Sequence[Sequence[str]]) -> str:
    def cell(text: str) -> str:
        if any(c in text for c in ',"\n\r'):
            return '"' + text.replace('"', '""') + '"'
        return text

    return "".join(",".join(cell(c) for c in row) + "\r\n" for row in rows)


def write(tmp_path: Path, data: bytes, encoding: str = "utf-8-sig") -> ResourceFile:
    path = tmp_path / "records.csv"
    path.write_bytes(data)
    declared = "" if encoding == "utf-8-sig" else encoding
    return ResourceFile("records", "content/lists/p/records.csv", path, encoding, declared)


def typed(values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Values compared with their type: Decimal("1.5") is not 1.5, and NaN equals NaN here."""
    return [(k, type(v).__name__, repr(v)) for k, v in values.items()]


def run(
    resource: ResourceFile, descriptor: Mapping[str, Any], domain: DomainContext | None, fast: bool
) -> tuple[list[Any], list[str], int]:
    diags, stats = Diagnostics(), TableStats()
    rows = [
        (r.number, r.error, typed(r.values), dict(r.texts))
        for r in read_table(resource, descriptor, diags, domain, stats, fast=fast)
    ]
    return rows, [f"{d.severity.value} {d}" for d in diags.items], stats.rows


def assert_same(
    resource: ResourceFile, descriptor: Mapping[str, Any], roles: Mapping[str, Any]
) -> list[Any]:
    # The fixed tables are read without domain checks, as decide reads them.
    domains = [None, DomainContext(roles, frozenset({SCJG, COURT}), AS_OF)] if roles else [None]
    for domain in domains:
        fast = run(resource, descriptor, domain, fast=True)
        slow = run(resource, descriptor, domain, fast=False)
        assert fast[1] == slow[1]  # diagnostics first: the clearest difference to read
        assert fast == slow
    return fast[0]


ENCODINGS = [
    ("utf-8", "utf-8-sig"),  # as written by most tools
    ("utf-8-sig", "utf-8-sig"),  # with the byte-order mark Excel writes
    ("gb18030", "gb18030"),
]


@pytest.mark.parametrize(("name", "descriptor", "roles"), DESCRIPTORS, ids=IDS)
@pytest.mark.parametrize(("codec", "encoding"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_catalogue_schemas_corpus(
    tmp_path: Path,
    name: str,
    descriptor: dict[str, Any],
    roles: Mapping[str, Any],
    codec: str,
    encoding: str,
) -> None:
    header = [f["name"] for f in descriptor["fields"]]
    text = to_csv([header, *corpus(descriptor, roles)])
    rows = assert_same(write(tmp_path, text.encode(codec), encoding), descriptor, roles)
    assert rows[0][1] is None  # the good row is accepted...
    assert any(r[1] is not None for r in rows)  # ...and the corpus has rejected ones


@pytest.mark.parametrize(("name", "descriptor", "roles"), DESCRIPTORS[:2], ids=IDS[:2])
def test_columns_in_another_order(
    tmp_path: Path, name: str, descriptor: dict[str, Any], roles: Mapping[str, Any]
) -> None:
    header = [f["name"] for f in descriptor["fields"]]
    order = list(reversed(range(len(header))))
    rows = [[row[i] if i < len(row) else "" for i in order] for row in corpus(descriptor, roles)]
    text = to_csv([[header[i] for i in order], *rows])
    assert_same(write(tmp_path, text.encode()), descriptor, roles)


SX02 = SCHEMAS["sx-02-administrative-penalties"]


def sx02_row(**values: str) -> list[str]:
    return [values.get(f["name"], good_value(f, SX02.roles)) for f in SX02.descriptor["fields"]]


def test_bad_bytes_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    header = ",".join(f["name"] for f in SX02.descriptor["fields"]).encode()
    good = to_csv([sx02_row()]).encode()
    data = b"".join(
        [
            header + b"\r\n",
            good,
            b"\r\n",  # an empty line
            b",,,\r\n",  # a short blank row
            to_csv([sx02_row(cf_sy="line one\nline two", bz='say "hi"')]).encode(),
            good.replace(b"1.5", b"\xff1.5"),  # not UTF-8
            to_csv([sx02_row(cf_nr="x" * 140_000)]).encode(),  # a runaway cell
            to_csv([sx02_row(cf_xdr_mc="  padded  ", cf_nr_fk=" 2 ")]).encode(),
            good.rstrip(b"\r\n"),  # no line end at the end of the file
        ]
    )
    rows = assert_same(write(tmp_path, data), SX02.descriptor, SX02.roles)
    assert [r[0] for r in rows] == [2, 5, 6, 7, 8, 9]


def test_gb18030_file_read_as_utf8_reports_encoding_errors_alike(tmp_path: Path) -> None:
    header = [f["name"] for f in SX02.descriptor["fields"]]
    data = to_csv([header, sx02_row(), sx02_row(cf_xdr_lb="自然人")]).encode("gb18030")
    rows = assert_same(write(tmp_path, data), SX02.descriptor, SX02.roles)
    assert {r[1] for r in rows} == {"list.encoding"}


UNIQUE = {
    "fields": [
        {"name": "number", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "amount", "type": "number", "constraints": {"unique": True, "maximum": 10}},
        {"name": "day", "type": "date", "format": "%d/%m/%Y"},
        {"name": "code", "type": "string", "constraints": {"minLength": 2, "maxLength": 3}},
        {"name": "flag", "type": "boolean", "trueValues": ["Y"], "falseValues": ["N"]},
        {"name": "count", "type": "integer", "constraints": {"minimum": 1}},
        {"name": "mail", "type": "string", "format": "email"},
    ],
    "missingValues": ["", "-"],
}


def test_unique_fields_and_other_types_and_missing_values(tmp_path: Path) -> None:
    rows = [
        ["number", "amount", "day", "code", "flag", "count", "mail"],
        ["A", "1", "01/06/2026", "ab", "Y", "1", "a@example.org"],
        ["B", "1.0", "1/6/2026", "abcd", "N", "0", "not mail"],  # 1.0 repeats 1
        ["A", "-", "-", "-", "-", "-", "-"],  # A repeats, "-" is missing
        ["C", "11", "2026-06-01", "a", "yes", "1.5", ""],
        ["-", "2", "", "", "", "", ""],  # number is required
        ["D", "2", "31/02/2026", "abc", "Y", "3", "d@example.org"],  # 2 repeats
        ["E", "3", "01/06/2026", "abc", "N", "4", "e@example.org"],
    ]
    assert_same(write(tmp_path, to_csv(rows).encode()), UNIQUE, {})


def test_enum_entries_that_yaml_did_not_leave_as_text(tmp_path: Path) -> None:
    # `enum: [2026-06-01, 01]` unquoted in YAML gives a date and an int: Frictionless never
    # matches them against a text cell, and neither may the fast path.
    descriptor = {
        "fields": [
            {"name": "kind", "type": "string", "constraints": {"enum": [dt.date(2026, 6, 1), 1]}},
            {"name": "day", "type": "date", "constraints": {"enum": [dt.date(2026, 6, 1)]}},
        ]
    }
    rows = [["kind", "day"], ["2026-06-01", "2026-06-01"], ["1", "2026-06-02"]]
    found = assert_same(write(tmp_path, to_csv(rows).encode()), descriptor, {})
    assert [r[1] for r in found] == ["list.constraint-error"] * 2


@pytest.mark.pure_python
def test_good_rows_never_fall_back_to_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path must do the work: a clean table never builds a Frictionless row."""
    calls: list[int] = []
    real = fastpath.RowChecker._frictionless

    def counted(self: fastpath.RowChecker, number: int, cells: list[str]) -> Any:
        calls.append(number)
        return real(self, number, cells)

    monkeypatch.setattr(fastpath.RowChecker, "_frictionless", counted)
    header = [f["name"] for f in SX02.descriptor["fields"]]
    rows = [
        sx02_row(cf_wsh=f"D-{i}", cf_nr_fk=str(i), cf_jdrq=f"2026-06-{i:02}") for i in range(1, 29)
    ]
    resource = write(tmp_path, to_csv([header, *rows]).encode())
    found = list(read_table(resource, SX02.descriptor, Diagnostics()))
    assert [r.error for r in found] == [None] * 28
    assert calls == []


# --- Hypothesis: one row at a time, RowChecker against Frictionless's Row ---------------------


def field_cells(spec: Mapping[str, Any]) -> st.SearchStrategy[str]:
    odd = st.sampled_from(odd_values(spec))
    text = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=20)
    return st.one_of(odd, odd, text.map(str.strip))


@st.composite
def schema_rows(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    name, descriptor, _ = draw(st.sampled_from(DESCRIPTORS))
    cells = st.tuples(*(field_cells(f) for f in descriptor["fields"])).map(list)
    return name, draw(st.lists(cells, min_size=1, max_size=6))


@CI
@given(schema_rows())
def test_rows_checked_like_frictionless(case: tuple[str, list[list[str]]]) -> None:
    name, rows = case
    descriptor = next(d for n, d, _ in DESCRIPTORS if n == name)
    schema = Schema.from_descriptor(descriptor)
    labels = [f["name"] for f in descriptor["fields"]]
    checker = fastpath.RowChecker(descriptor, labels)
    handlers = create_cell_handlers(schema.fields)
    for number, cells in enumerate(rows, start=2):
        errors, values = checker.check(number, cells)
        row = FrictionlessRow(cells, handlers=handlers, row_number=number)
        assert [(e.type, e.message) for e in errors] == [(e.type, e.message) for e in row.errors]
        assert typed(values) == typed(row.to_dict())


# --- Plain Frictionless reading the file itself -----------------------------------------------


def frictionless_says(
    path: Path, descriptor: Mapping[str, Any], encoding: str
) -> tuple[list[tuple[int, list[Any]]], list[tuple[str, int, str | None]]]:
    """Frictionless on its own: accepted rows with their values, and (code, row, field)."""
    table = TableResource(
        path=path.name,
        basepath=str(path.parent),
        format="csv",
        encoding=encoding,
        schema=Schema.from_descriptor(descriptor),
    )
    accepted, problems = [], []
    with table:
        for row in table.row_stream:
            if any(e.type == "blank-row" for e in row.errors):
                continue
            for e in row.errors:
                problems.append(("list." + e.type, row.row_number, e.field_name or None))
            if row.valid:
                accepted.append((row.row_number, typed(row.to_dict())))
    return accepted, problems


@pytest.mark.parametrize(("name", "descriptor", "roles"), DESCRIPTORS, ids=IDS)
@pytest.mark.parametrize("codec", ["utf-8", "gb18030"])
def test_same_as_frictionless_reading_the_file(
    tmp_path: Path, name: str, descriptor: dict[str, Any], roles: Mapping[str, Any], codec: str
) -> None:
    # Cells here have no surrounding spaces (the portal trims them, frictionless does not) and
    # rows no extra cells (the portal reports them once per row, frictionless once per cell).
    header = [f["name"] for f in descriptor["fields"]]
    rows = [
        row
        for row in corpus(descriptor, roles)
        if len(row) <= len(header) and all(c == c.strip() for c in row)
    ]
    resource = write(tmp_path, to_csv([header, *rows]).encode(codec), "utf-8-sig")
    if codec != "utf-8":
        resource = ResourceFile(resource.name, resource.path, resource.file, codec, codec)
    accepted, problems = frictionless_says(resource.file, descriptor, codec)
    diags = Diagnostics()
    ours = list(read_table(resource, descriptor, diags))
    assert [(r.number, typed(r.values)) for r in ours if r.error is None] == accepted
    reported = [
        (d.code, d.location.row, d.location.field)
        for d in diags.items
        if d.code not in ("list.blank-row",)
    ]
    assert reported == problems
