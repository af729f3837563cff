"""Per-list downloads: data.csv (safe to open in a spreadsheet), data.json and a datapackage.json.

Every value written here comes from a `PublishedRecord`, which holds public fields only, already
masked; this module never sees a withheld field. The datapackage's table schema is derived from the
catalogue schema, then narrowed to what the written values really are, so that `frictionless
validate` passes on every build (a masked ID is no longer a number, a neutralised `'-5` no longer a
number either).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import marshal
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from generator import spool
from generator.catalogue.model import FieldSpec
from generator.config import SiteConfig
from generator.lists.model import PublishedRecord
from generator.lists.routes import download_path, list_route
from generator.lists.rowmemo import TableMemo
from generator.lists.store import PublishedRecords, decode_record
from generator.model import LangText, OutputFile

CSV_NAME, JSON_NAME, PACKAGE_NAME = "data.csv", "data.json", "datapackage.json"

# Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    title: LangText
    type: str  # the Frictionless type the catalogue declares; narrowed when written
    description: LangText | None = None


# Columns the portal adds in front of the schema's fields: the stable key that the change files
# refer to, and the portal's own view of the record (the clamped publicity end, the objection mark).
PORTAL_COLUMNS: tuple[Column, ...] = (
    Column(
        "portal_record_key",
        LangText("记录标识", "Record key"),
        "string",
        LangText(
            "本平台的稳定记录标识，变更文件使用同一标识。",
            "The portal's stable record key, as used by the change files.",
        ),
    ),
    Column(
        "portal_subject_key",
        LangText("主体标识", "Subject key"),
        "string",
        LangText(
            "主体页面地址中的标识：组织为统一社会信用代码。",
            "The key in the subject page's address: the credit code for organisations.",
        ),
    ),
    Column(
        "portal_publicity_end",
        LangText("本平台公示截止日期", "Publicity ends on this portal"),
        "date",
        LangText(
            "按公示期规则计算的公示截止日期：自该日起不再公示。",
            "The day publicity ends under the publication rules: from this day on the record is "
            "no longer shown.",
        ),
    ),
    Column(
        "portal_under_objection",
        LangText("异议处理中", "Under objection review"),
        "boolean",
    ),
)

_PORTAL_NAMES = frozenset(c.name for c in PORTAL_COLUMNS)


def neutralise(value: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with `'`."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def public_columns(fields: Iterable[FieldSpec]) -> tuple[Column, ...]:
    """The schema's publishable fields, in schema order; a masked value is text whatever its type."""
    return tuple(
        Column(f.name, f.title, "string" if f.publish == "masked" else f.type, f.description)
        for f in fields
        # A schema field named like a portal column would make the header ambiguous.
        if f.publish != "never" and f.name not in _PORTAL_NAMES
    )


def record_values(record: PublishedRecord, columns: Sequence[Column]) -> list[str]:
    """One record as the strings written to data.csv and data.json (before neutralisation)."""
    values = dict(record.fields)
    portal = {
        "portal_record_key": record.key,
        "portal_subject_key": record.subject_key,
        "portal_publicity_end": record.publicity_end.isoformat(),
        "portal_under_objection": "true" if record.under_objection else "false",
    }
    return [portal.get(c.name, values.get(c.name, "")) for c in columns]


# -- type narrowing ------------------------------------------------------------------------

_INTEGER_RE = re.compile(r"-?[0-9]+")
_NUMBER_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_BOOLEANS = frozenset({"true", "false", "True", "False", "TRUE", "FALSE", "1", "0"})


def _is_date(value: str) -> bool:
    if len(value) != 10:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


# Types we keep when every written value parses as Frictionless reads it by default; every other
# type (datetime with a custom format, year, geopoint...) is published as a string.
_CHECKS: dict[str, Callable[[str], object]] = {
    "integer": _INTEGER_RE.fullmatch,
    "number": _NUMBER_RE.fullmatch,
    "date": _is_date,
    "boolean": _BOOLEANS.__contains__,
    "string": lambda value: True,
}


class _TypeNarrower:
    """Tracks, column by column, whether every written value still fits the declared type."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.types = [c.type if c.type in _CHECKS else "string" for c in columns]
        # Only the columns declared of another type need a look: most are text.
        self._typed = [(i, _CHECKS[kind]) for i, kind in enumerate(self.types) if kind != "string"]

    def misfits(self, *rows: Sequence[str]) -> tuple[int, ...]:
        """The columns declared of another type than text where a value of `rows` is not of
        it, whatever earlier rows did (what a line memo keeps of a record)."""
        return tuple(
            i for i, check in self._typed if any(row[i] and not check(row[i]) for row in rows)
        )

    def narrow(self, columns: Iterable[int]) -> None:
        """Make those columns text: a value of theirs did not fit."""
        for i in columns:
            self.types[i] = "string"


# -- the three files -----------------------------------------------------------------------


@dataclass(frozen=True)
class ListDownloads:
    """The files of one list, and the column types they were written with (for tests and docs)."""

    files: tuple[OutputFile, ...]
    types: tuple[str, ...]


def build_downloads(
    code: str,
    title: LangText,
    fields: Sequence[FieldSpec],
    records: Sequence[PublishedRecord],
    config: SiteConfig,
    as_of: dt.date,
    memo: TableMemo | None = None,
) -> ListDownloads:
    """With `memo` (a build with a cache) and records from the store, a record's lines made
    before from the same values (its manifest hash) and columns are read back, not made: a list
    with a changed record is written again, but only that record's lines are made."""
    columns = (*PORTAL_COLUMNS, *public_columns(fields))
    narrower = _TypeNarrower(columns)
    # Both files are written to the spool as the records go by: at a million records they are
    # hundreds of megabytes each, several times that as Python strings (generator.spool).
    csv_path, json_path = spool.new_path(".csv"), spool.new_path(".json")
    with (
        open(csv_path, "w", encoding="utf-8", newline="") as csv_file,
        open(json_path, "w", encoding="utf-8", newline="") as json_file,
    ):
        csv_file.write("\ufeff")  # so that spreadsheet software reads the file as UTF-8
        writer = csv.writer(csv_file, lineterminator="\r\n")
        writer.writerow(c.name for c in columns)
        head = {
            "as_of": as_of.isoformat(),
            "columns": [c.name for c in columns],
            "licence": {"name": config.licence_name, "url": config.licence_url},
            "list": code,
            "name": {"zh-CN": title.zh, "en": title.get("en")},
        }
        # Written record by record, one per line; "records" sorts after every key of `head`, so
        # the file is what json.dumps(sort_keys=True) would give, without a copy of every row.
        json_file.write(json.dumps(head, ensure_ascii=False, sort_keys=True)[:-1])
        json_file.write(', "records": [')
        # json.dumps(row, ensure_ascii=False, sort_keys=True), without a new encoder and a sort
        # per row: the keys go in already sorted (a stable sort keeps the last of equal names).
        encode = json.JSONEncoder(ensure_ascii=False).encode
        order = sorted(range(len(columns)), key=lambda i: columns[i].name)
        names = [columns[i].name for i in order]
        separator = "\n"
        lines = _Lines(columns, order, names, encode, narrower)
        for csv_line, json_line, misfits in _each_lines(records, lines, memo, columns):
            narrower.narrow(misfits)
            csv_file.write(csv_line)
            json_file.write(separator)
            json_file.write(json_line)
            separator = ",\n"
        json_file.write("\n]}\n" if separator == ",\n" else "]}\n")
    csv_out = spool.finished(download_path(code, CSV_NAME), csv_path)
    json_out = spool.finished(download_path(code, JSON_NAME), json_path)
    types = tuple(narrower.types)
    package = _datapackage(code, title, columns, types, csv_out, json_out, config, as_of)
    return ListDownloads(
        (csv_out, json_out, OutputFile(download_path(code, PACKAGE_NAME), _dumps(package))),
        types,
    )


def list_downloads(
    code: str,
    title: LangText,
    fields: Sequence[FieldSpec],
    records: Sequence[PublishedRecord],
    config: SiteConfig,
    as_of: dt.date,
    memo: TableMemo | None = None,
) -> Iterator[OutputFile]:
    yield from build_downloads(code, title, fields, records, config, as_of, memo).files


# A record's lines in data.csv and data.json, and the columns whose declared type one of its
# values does not fit (_TypeNarrower.misfits): what a line memo keeps of it.
Lines = tuple[str, str, tuple[int, ...]]


class _Lines:
    """Makes a record's `Lines`, as the loop in `build_downloads` writes them."""

    def __init__(
        self,
        columns: Sequence[Column],
        order: list[int],
        names: list[str],
        encode: Callable[[object], str],
        narrower: _TypeNarrower,
    ) -> None:
        self.columns, self.order, self.names = columns, order, names
        self.encode, self.narrower = encode, narrower
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def of(self, record: PublishedRecord) -> Lines:
        raw = record_values(record, self.columns)
        safe = ["'" + v if v.startswith(FORMULA_STARTS) else v for v in raw]  # neutralise()
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(safe)
        row: dict[str, str | bool] = dict(
            zip(self.names, [raw[i] for i in self.order], strict=True)
        )
        row["portal_under_objection"] = row["portal_under_objection"] == "true"
        return self.buffer.getvalue(), self.encode(row), self.narrower.misfits(safe, raw)


def _each_lines(
    records: Sequence[PublishedRecord],
    lines: _Lines,
    memo: TableMemo | None,
    columns: Sequence[Column],
) -> Iterator[Lines]:
    """Every record's lines, in list order: made, or with `memo` and records from the store,
    read back where they were made before from the same values and columns (the first one found
    is made all the same and compared; on a difference the rest are made)."""
    if memo is None or not isinstance(records, PublishedRecords):
        yield from map(lines.of, records)
        return
    lookup = memo.lookup(_unpack)
    lookup.start([f"{c.name}:{c.type}" for c in columns])
    for hashed, data in records.stored():
        digest, found, check = lookup.find([hashed])
        if found is None or check:
            made = lines.of(decode_record(data))
            if found is not None and made != found:
                lookup.distrust()
            if made != found:
                lookup.remember(digest, marshal.dumps(made))
            found = made
        yield found
    lookup.done()


def _unpack(data: bytes) -> Lines:
    csv_line, json_line, misfits = marshal.loads(data)
    return str(csv_line), str(json_line), tuple(int(i) for i in misfits)


def _dumps(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def _integrity(file: OutputFile) -> dict[str, object]:
    # Frictionless checks both on validation: a truncated or altered download fails it.
    return {"bytes": file.nbytes(), "hash": "sha256:" + file.sha256()}


def _datapackage(
    code: str,
    title: LangText,
    columns: Sequence[Column],
    types: Sequence[str],
    csv_file: OutputFile,
    json_file: OutputFile,
    config: SiteConfig,
    as_of: dt.date,
) -> dict[str, object]:
    fields = []
    for column, kind in zip(columns, types, strict=True):
        field: dict[str, object] = {"name": column.name, "type": kind, "title": column.title.zh}
        english = column.title.en or ""
        note = (column.description.en or "") if column.description else ""
        description = " — ".join(part for part in (english, note) if part)
        if description:
            field["description"] = description
        fields.append(field)
    return {
        "name": f"credit-portal-{code.lower()}",
        "title": title.zh,
        "description": f"{title.get('en')} — as of {as_of.isoformat()}",
        "homepage": config.base_url + list_route(code),
        "licenses": [
            {"name": config.licence_name, "path": config.licence_url, "title": config.licence_name}
        ],
        "resources": [
            {
                "name": "data",
                "type": "table",
                "path": CSV_NAME,
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                **_integrity(csv_file),
                "dialect": {"csv": {"delimiter": ",", "lineTerminator": "\r\n"}},
                "schema": {
                    "fields": fields,
                    "missingValues": [""],
                    "primaryKey": ["portal_record_key"],
                },
            },
            {
                # The same records as JSON. Described as a plain file: reading JSON as a table
                # needs an optional frictionless extra that consumers may not have.
                "name": "data-json",
                "path": JSON_NAME,
                "scheme": "file",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                **_integrity(json_file),
            },
        ],
    }
