"""Validate a list resource row by row: the column set, Frictionless's checks, then our domain checks.

Rows stream from the CSV through Frictionless's checks (types, required, enum, pattern, unique)
and the domain checks below, one at a time; nothing keeps them. The Frictionless checks run on a
fast path compiled from the schema (fastpath.py) that hands any row it doubts to Frictionless
itself, so errors are Frictionless's own. Every problem becomes a diagnostic at
`path:row N:field`, and a row with an error comes out with that error's code, to be rejected.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from frictionless import Schema
from frictionless.exception import FrictionlessException
from frictionless.resources import TableResource

from generator import native
from generator.diagnostics import Diagnostic, Diagnostics, Location, Severity
from generator.lists.fastpath import RowChecker
from generator.lists.identifiers import (
    IdResult,
    UsccResult,
    check_org_code,
    check_resident_id,
    check_uscc,
    uscc_check_char,
    uscc_format_problem,
    uscc_org_code,
)
from generator.lists.package import (
    ResourceFile,
    decodes_cleanly,
    encoding_message,
    read_rows,
    undecoded,
)

# After this many diagnostics of one code in one file, the rest are counted, not printed:
# a wrongly encoded million-row file should not print a million lines. The report lists all.
DIAGNOSTICS_PER_CODE = 200

COLUMNS_MISMATCH = "list.columns-mismatch"
ENCODING = "list.encoding"
CSV_ERROR = "list.csv-error"
CELL_TOO_LONG = "list.cell-too-long"
# The csv module's own default field limit (frictionless lifts it): no real record's cell comes
# near it, and one that does is nearly always a quote left open that swallowed the rows after it.
CELL_LIMIT = 131_072

WITHDRAWAL_REASONS = ("repaired", "revoked", "corrected")
OBJECTION_STATUSES = ("under_review", "upheld", "rejected")
# The fixed tables of the lists contract (docs/lists-format.md); the generator defines them.
WITHDRAWALS_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "decision_number", "type": "string", "constraints": {"required": True}},
        {"name": "subject_id", "type": "string", "constraints": {"required": True}},
        {
            "name": "reason",
            "type": "string",
            "constraints": {"required": True, "enum": list(WITHDRAWAL_REASONS)},
        },
        {"name": "withdrawal_number", "type": "string", "constraints": {"required": True}},
        {"name": "withdrawal_date", "type": "date", "constraints": {"required": True}},
    ]
}
OBJECTIONS_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "decision_number", "type": "string", "constraints": {"required": True}},
        {"name": "subject_id", "type": "string", "constraints": {"required": True}},
        {"name": "received", "type": "date", "constraints": {"required": True}},
        {
            "name": "status",
            "type": "string",
            "constraints": {"required": True, "enum": list(OBJECTION_STATUSES)},
        },
    ]
}


@dataclass(frozen=True)
class Row:
    """One data row: typed values (None when empty or invalid), the cells as written, its error."""

    number: int  # the header is row 1
    values: Mapping[str, Any]
    texts: Mapping[str, str]
    error: str | None = None  # code of the first error: the row is rejected
    # With a row memo (generator.lists.rowmemo, `read_table`'s `memo`): the row's digest, where
    # it may be remembered (validated without a finding); the verdict remembered for it, which
    # `known` holds for a row not validated at all (values and texts empty) and `expected` for a
    # row validated to check that verdict.
    digest: bytes = b""
    known: Any = None
    expected: Any = None


class KnownRows(Protocol):
    """A row memo's reader for one read of a table (generator.lists.rowmemo.RowLookup)."""

    def start(self, labels: Sequence[str]) -> None: ...

    def find(self, cells: list[str]) -> tuple[bytes, Any, bool]: ...


@dataclass(frozen=True)
class DomainContext:
    """What the domain checks need besides the row."""

    roles: Mapping[str, Any]
    authority_codes: frozenset[str]  # credit codes of the departments in departments.yaml
    as_of: dt.date


@dataclass(frozen=True)
class Finding:
    code: str
    field: str | None
    message: str
    severity: Severity = Severity.ERROR


CheckFn = Callable[[Mapping[str, Any], Mapping[str, str], DomainContext], Iterator[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    codes: tuple[str, ...]
    severity: str  # as documented in the rule table
    doc: str
    func: CheckFn


CHECKS: list[Check] = []


def check(*codes: str, severity: str = "error") -> Callable[[CheckFn], CheckFn]:
    """Register a domain check; the rule table in docs/publication-rules.md lists them all."""

    def register(func: CheckFn) -> CheckFn:
        doc = " ".join(native.docstring(func).split())
        CHECKS.append(Check(func.__name__, codes, severity, doc, func))
        return func

    return register


@dataclass
class TableStats:
    """Filled in while a table streams: how many data rows it had (blank rows are not rows)."""

    rows: int = 0


@dataclass
class _Capped:
    """Diagnostics with at most DIAGNOSTICS_PER_CODE of one code per file."""

    diags: Diagnostics
    limit: int
    seen: Counter[tuple[str, str]] = field(default_factory=Counter)
    severity: dict[tuple[str, str], Severity] = field(default_factory=dict)
    added: int = 0  # findings so far, capped or not: did a row have any?

    def add(self, severity: Severity, code: str, message: str, location: Location) -> None:
        self.added += 1
        key = (location.path, code)
        self.seen[key] += 1
        self.severity[key] = severity
        if self.seen[key] > self.limit:
            return
        if severity is Severity.ERROR:
            self.diags.error(code, message, location)
        else:
            self.diags.warning(code, message, location)

    def finish(self) -> None:
        for (path, code), count in sorted(self.seen.items()):
            if count > self.limit:
                more = count - self.limit
                message = f"{more} more rows with this problem; --report FILE lists every row"
                location = Location(path)
                if self.severity[(path, code)] is Severity.ERROR:
                    self.diags.error(code, message, location)
                else:
                    self.diags.warning(code, message, location)


# Rows are dealt to shares in blocks: a share reads the whole file but validates only its blocks.
SHARE_BLOCK = 256


@dataclass(frozen=True)
class Share:
    """Share `index` of `count` of a table's data rows, for one of several processes.

    Every share reads the whole file (reading is cheap; validating is not) and validates only the
    rows of its blocks. What concerns the file as a whole (its header, a broken CSV) is reported
    by share 0 alone. See `merge_shares` for putting the shares' findings together.
    """

    index: int
    count: int

    def takes(self, number: int) -> bool:
        return ((number - 2) // SHARE_BLOCK) % self.count == self.index

    @property
    def first(self) -> bool:
        return self.index == 0


@dataclass
class ShareFindings:
    """What reading one share found: its findings, capped per code as read_table caps them (but
    not yet summed up), and its rows."""

    capped: _Capped = field(default_factory=lambda: _Capped(Diagnostics(), DIAGNOSTICS_PER_CODE))
    stats: TableStats = field(default_factory=TableStats)


def read_share(
    resource: ResourceFile,
    descriptor: Mapping[str, Any],
    domain: DomainContext | None,
    share: Share,
    found: ShareFindings,
    memo: KnownRows | None = None,
) -> Iterator[Row]:
    """The rows of `share`, validated as `read_table` validates them, with findings in `found`."""
    return read_table(
        resource, descriptor, found.capped.diags, domain, found.stats, share=share,
        capped=found.capped, memo=memo,
    )  # fmt: skip


def merge_shares(parts: Sequence[ShareFindings], diags: Diagnostics, stats: TableStats) -> None:
    """Add the findings of every share of a table to `diags` as one read of the whole table
    would have: the first DIAGNOSTICS_PER_CODE of each code in the file, in row order, then a
    count of the rest."""
    merged = _Capped(diags, DIAGNOSTICS_PER_CODE)
    kept: dict[tuple[str, str], list[tuple[int, int, Diagnostic]]] = {}
    for part in parts:
        # Shares hold different rows, and each keeps its first findings of a code in row order:
        # the first of the whole file are among them.
        for n, d in enumerate(part.capped.diags.items):
            kept.setdefault((d.location.path, d.code), []).append((d.location.row or 0, n, d))
        merged.seen.update(part.capped.seen)
        merged.severity.update(part.capped.severity)
        stats.rows += part.stats.rows
    for found in kept.values():
        found.sort(key=lambda t: (t[0], t[1]))
        diags.extend(d for _, _, d in found[: merged.limit])
    merged.finish()


def read_table(
    resource: ResourceFile,
    descriptor: Mapping[str, Any],
    diags: Diagnostics,
    domain: DomainContext | None = None,
    stats: TableStats | None = None,
    fast: bool = True,
    share: Share | None = None,
    capped: _Capped | None = None,
    memo: KnownRows | None = None,
) -> Iterator[Row]:
    """Stream the rows of `resource` validated against the Table Schema `descriptor`.

    Every non-blank data row is yielded exactly once, with `error` set when it must be rejected.
    `fast=False` sends every row through Frictionless's own row stream: the reference that the
    fast path (generator/lists/fastpath.py) must match. With `share` (see `read_share`), only
    that share's rows, and the findings go to `capped`, not summed up. With `memo`, a row whose
    verdict it knows is yielded unvalidated, with that verdict (`Row.known`; see Row).
    """
    stats = stats if stats is not None else TableStats()
    out = capped if capped is not None else _Capped(diags, DIAGNOSTICS_PER_CODE)
    whole = share is None or share.first  # reports what concerns the whole file
    state = _ReadState()
    records = _records(resource, state)
    try:
        header = next(records, None)
        if header is None:
            if state.broken is None and whole:
                out.add(
                    Severity.ERROR,
                    COLUMNS_MISMATCH,
                    "the file is empty; its first row must name the columns",
                    Location(resource.path, row=1),
                )
            return
        labels = [cell.strip() for cell in header]
        names = [f["name"] for f in descriptor["fields"]]
        problem = _columns_problem(labels, names)
        if problem:
            if whole:
                out.add(Severity.ERROR, COLUMNS_MISMATCH, problem, Location(resource.path, row=1))
            # The schema cannot be applied, but every row is still counted and accounted for.
            for number, cells in enumerate(records, start=2):
                if (share is None or share.takes(number)) and any(c.strip() for c in cells):
                    stats.rows += 1
                    yield Row(number, {}, {}, COLUMNS_MISMATCH)
            return
        yield from _validated(
            resource, descriptor, labels, records, out, domain, stats, fast, share, memo
        )
    finally:
        if state.broken is not None and whole:
            where = Location(resource.path, row=state.records + 1)
            out.add(Severity.ERROR, CSV_ERROR, state.broken, where)
        if capped is None:
            out.finish()


@dataclass
class _ReadState:
    records: int = 0  # CSV records read so far, the header included
    broken: str | None = None


def _records(resource: ResourceFile, state: _ReadState) -> Iterator[list[str]]:
    try:
        for record in read_rows(resource):
            state.records += 1
            yield record
    except csv.Error as exc:
        # The file cannot be read past this point: the rows after it are not accounted for,
        # and the error fails the build.
        state.broken = f"the CSV cannot be read from here on: {exc}"
    except OSError as exc:
        state.broken = f"cannot read the file: {exc.strerror}"


def _columns_problem(labels: Sequence[str], names: Sequence[str]) -> str | None:
    # Sets and a Counter, not list scans: a hostile header may have 100,000 columns.
    parts = []
    bad = [label for label in labels if undecoded(label)]
    if bad:
        parts.append("the header has bytes that are not valid in the file's encoding")
    label_set, name_set = set(labels), set(names)
    missing = [n for n in names if n not in label_set]
    extra = [label for label in labels if label not in name_set and not undecoded(label)]
    twice = sorted(label for label, count in Counter(labels).items() if count > 1)
    if missing:
        parts.append(f"missing: {_some(missing)}")
    if extra:
        parts.append(f"not in the item's schema: {_some(extra)}")
    if twice:
        parts.append(f"named twice: {_some(twice)}")
    if not parts:
        return None
    return "the columns differ from the catalogue schema's (" + "; ".join(parts) + ")"


# A message names at most this many columns, so that a hostile header cannot flood the output.
COLUMNS_NAMED = 20


def _some(names: Sequence[str]) -> str:
    shown = ", ".join(name[:80] for name in names[:COLUMNS_NAMED])
    more = len(names) - COLUMNS_NAMED
    return f"{shown} and {more:,} more" if more > 0 else shown


def _validated(
    resource: ResourceFile,
    descriptor: Mapping[str, Any],
    labels: list[str],
    records: Iterator[list[str]],
    out: _Capped,
    domain: DomainContext | None,
    stats: TableStats,
    fast: bool,
    share: Share | None = None,
    memo: KnownRows | None = None,
) -> Iterator[Row]:
    by_name = {f["name"]: f for f in descriptor["fields"]}
    # Columns may come in any order: the schema is applied in the file's order.
    ordered = {**descriptor, "fields": [by_name[n] for n in labels]}
    width = len(labels)
    fast = fast and RowChecker.supports(ordered)
    unique = any(f.get("constraints", {}).get("unique") for f in ordered["fields"])
    if share is not None and (unique or not fast):
        # A unique field compares every row with the rows before it, and Frictionless's own row
        # stream numbers the rows it is given: either must see all of them. Share 0 then
        # validates the whole table, and the others nothing.
        if not share.first:
            return
        share = None

    # Rows longer than the header, by row number: frictionless would make one error per extra
    # cell, each holding the whole row, which a row of 100,000 cells turns into gigabytes.
    extra: dict[int, int] = {}

    def cells() -> Iterator[tuple[int, list[str]]]:
        for number, record in enumerate(records, start=2):
            if share is not None and not share.takes(number):
                continue  # another share's row
            if len(record) > width:
                extra[number] = len(record)
                record = record[:width]
            yield number, [cell.strip() for cell in record]

    try:
        if fast:
            # Frictionless's checks, compiled once per field; a row they doubt gets
            # Frictionless's own Row and errors (generator/lists/fastpath.py).
            checker = RowChecker(ordered, labels)
            if memo is not None and unique:
                memo = None  # a unique field must see every row's value
            if memo is not None:
                memo.start(labels)
            for number, texts in cells():
                digest, known, check = b"", None, False
                if memo is not None and number not in extra:
                    digest, known, check = memo.find(texts)
                    if known is not None and not check:
                        stats.rows += 1
                        yield Row(number, {}, {}, None, digest, known)
                        continue
                added = out.added
                errors, values = checker.check(number, texts)
                result = _row(
                    resource, labels, number, texts, errors, values, out, domain,
                    extra.pop(number, 0),
                )  # fmt: skip
                if result is not None:
                    stats.rows += 1
                    if digest:
                        clean = result.error is None and out.added == added
                        result = Row(
                            number, result.values, result.texts, result.error,
                            digest if clean else b"", None, known,
                        )  # fmt: skip
                    yield result
            return
        schema = Schema.from_descriptor(ordered)
        table = TableResource(data=lambda: _with_header(labels, cells()), schema=schema)
        with table:
            for row in table.row_stream:
                number = row.row_number
                result = _row(
                    resource, labels, number, row.cells, row.errors, row.to_dict(), out, domain,
                    extra.pop(number, 0),
                )  # fmt: skip
                if result is not None:
                    stats.rows += 1
                    yield result
    except FrictionlessException as exc:  # defensive: frictionless gave up on the table
        out.add(
            Severity.ERROR,
            "list.unreadable",
            f"frictionless could not read the table: {exc.error.message}",
            Location(resource.path, row=stats.rows + 2),
        )


def _with_header(labels: list[str], rows: Iterator[tuple[int, list[str]]]) -> Iterator[list[str]]:
    yield labels
    for _, cells in rows:
        yield cells


def _row(
    resource: ResourceFile,
    labels: list[str],
    number: int,
    cells: list[str],
    errors: list[Any],  # frictionless's errors for the row
    values: dict[str, Any],  # frictionless's values for the row
    out: _Capped,
    domain: DomainContext | None,
    cells_given: int = 0,  # when the row had more cells than the header, how many
) -> Row | None:
    if errors and any(e.type == "blank-row" for e in errors):
        out.add(
            Severity.WARNING,
            "list.blank-row",
            "blank row skipped (it is not a record)",
            Location(resource.path, row=number),
        )
        return None
    if len(cells) == len(labels):
        texts = dict(zip(labels, cells, strict=True))
    else:
        texts = {label: (cells[i] if i < len(cells) else "") for i, label in enumerate(labels)}
    codes: list[str] = []
    # One search over the whole row; cell by cell only when it found something.
    joined = "".join(cells)
    for label, text in texts.items() if len(joined) > CELL_LIMIT else ():
        if isinstance(text, str) and len(text) > CELL_LIMIT:
            out.add(
                Severity.ERROR,
                CELL_TOO_LONG,
                f"the cell has {len(text):,} characters, more than the {CELL_LIMIT:,} a cell may "
                "have; is a quote left open?",
                Location(resource.path, row=number, field=label),
            )
            codes.append(CELL_TOO_LONG)
    suspect = not decodes_cleanly(joined) and undecoded(joined) is not None
    for label, text in texts.items() if suspect else ():
        bad = undecoded(text)
        if bad:
            out.add(
                Severity.ERROR,
                ENCODING,
                encoding_message(resource, bad),
                Location(resource.path, row=number, field=label),
            )
            codes.append(ENCODING)
    if codes:  # the other errors would only echo the wrong decoding or the runaway cell
        return Row(number, {}, texts, codes[0])
    failed: set[str | None] = set()
    for error in errors:
        name = getattr(error, "field_name", None) or None
        code = "list." + error.type
        out.add(
            Severity.ERROR, code, error.message, Location(resource.path, row=number, field=name)
        )
        codes.append(code)
        failed.add(name)
    if cells_given:
        message = f"the row has {cells_given:,} cells; the header has {len(labels)}"
        out.add(Severity.ERROR, "list.extra-cell", message, Location(resource.path, row=number))
        codes.append("list.extra-cell")
    if domain is not None:
        for check_ in CHECKS:
            for finding in check_.func(values, texts, domain):
                if finding.field in failed:
                    continue  # frictionless already reported this cell
                where = Location(resource.path, row=number, field=finding.field)
                out.add(finding.severity, finding.code, finding.message, where)
                if finding.severity is Severity.ERROR:
                    codes.append(finding.code)
    return Row(number, values, texts, codes[0] if codes else None)


# --- Domain checks --------------------------------------------------------------------------
# Small functions, one concern each. They see typed values (frictionless's) and the cells as
# written; a field that frictionless already found invalid is skipped by the caller.


@functools.lru_cache(maxsize=4096)
def _uscc(text: str) -> UsccResult:
    """check_uscc, remembered: the same authority codes come back on nearly every row."""
    return check_uscc(text)


def _role_text(texts: Mapping[str, str], ctx: DomainContext, role: str) -> tuple[str | None, str]:
    name = ctx.roles.get(role)
    if not isinstance(name, str):
        return None, ""
    return name, texts.get(name, "")


@check("list.uscc-check", severity="error; a wrong check character: warning")
def unified_social_credit_codes(
    values: Mapping[str, Any], texts: Mapping[str, str], ctx: DomainContext
) -> Iterator[Finding]:
    """GB 32100-2015: the subject's and the authority's unified social credit codes must be
    well formed (an error); a wrong check character only warns, as some early pilot codes fail it."""
    for role in ("subject_uscc", "authority_code"):
        name, text = _role_text(texts, ctx, role)
        if not text:
            continue
        result = _uscc(text)
        if result is UsccResult.BAD_FORMAT:
            problem = uscc_format_problem(text)
            yield Finding("list.uscc-check", name, f"{text!r} is not a credit code: {problem}")
        elif result is UsccResult.BAD_CHECK:
            expected = uscc_check_char(text[:17])
            yield Finding(
                "list.uscc-check",
                name,
                f"{text}: the check character should be {expected!r}; accepted, since some "
                "early pilot codes fail the check",
                Severity.WARNING,
            )


@check("list.org-code-check", severity="warning")
def organisation_code(
    values: Mapping[str, Any], texts: Mapping[str, str], ctx: DomainContext
) -> Iterator[Finding]:
    """GB 11714-1997: the organisation code inside the subject's credit code (characters 9-17)
    should pass its own check; a warning, since the credit code's check already passed."""
    name, text = _role_text(texts, ctx, "subject_uscc")
    if text and _uscc(text) is UsccResult.VALID and not check_org_code(uscc_org_code(text)):
        yield Finding(
            "list.org-code-check",
            name,
            f"{text}: the organisation code {uscc_org_code(text)} fails the GB 11714 check",
            Severity.WARNING,
        )


def looks_like_resident_id(text: str) -> bool:
    """Digits (a final X allowed), 14 to 19 long: meant as a resident ID, not a passport number."""
    body = text[:-1] if text[-1:] in "Xx" else text
    return 14 <= len(text) <= 19 and body.isascii() and body.isdigit()


@check("list.resident-id-check")
def resident_id_number(
    values: Mapping[str, Any], texts: Mapping[str, str], ctx: DomainContext
) -> Iterator[Finding]:
    """GB 11643-1999: a subject's resident ID number needs a real birth date (not after --as-of)
    and the right check character. Other documents (passports, permits) are not checked."""
    name, text = _role_text(texts, ctx, "subject_id_number")
    if not text or not looks_like_resident_id(text):
        return
    # The number itself stays out of the message: diagnostics end up in CI logs.
    result = check_resident_id(text, today=ctx.as_of)
    if result is IdResult.BAD_FORMAT:
        yield Finding("list.resident-id-check", name, "not a resident ID number (18 characters)")
    elif result is IdResult.BAD_BIRTH_DATE:
        yield Finding("list.resident-id-check", name, "the birth date in the ID number is not real")
    elif result is IdResult.BAD_CHECK:
        yield Finding("list.resident-id-check", name, "the ID number's check character is wrong")


@check("list.no-subject-id")
def subject_identifier(
    values: Mapping[str, Any], texts: Mapping[str, str], ctx: DomainContext
) -> Iterator[Finding]:
    """Lists contract: a record names its subject by credit code or, failing that, ID number;
    the record key is built from it."""
    uscc_name, uscc = _role_text(texts, ctx, "subject_uscc")
    _, id_number = _role_text(texts, ctx, "subject_id_number")
    if not uscc and not id_number:
        yield Finding(
            "list.no-subject-id",
            uscc_name,
            "the subject has neither a credit code nor an ID number",
        )


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


# Dates outside these bounds are placeholders (0001-01-01, 1900-01-01, 9999-12-31), not dates:
# no decision of the People's Republic is older, and 2099-12-31 already means "no end".
EARLIEST_DATE = dt.date(1949, 10, 1)
LATEST_DATE = dt.date(2099, 12, 31)


@check("list.implausible-date")
def plausible_dates(
    values: Mapping[str, Any], texts: Mapping[str, str], ctx: DomainContext
) -> Iterator[Finding]:
    """Every date lies between 1949-10-01 and 2099-12-31 (which means "no end"): years such as
    0001 or 9999 are placeholders for an unknown date, and a record cannot rest on one."""
    for name, value in values.items():
        if not isinstance(value, dt.date):
            continue  # most values are text: the cheap test first, on every row
        day = value.date() if isinstance(value, dt.datetime) else value
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            yield Finding(
                "list.implausible-date",
                name,
                f"{day.isoformat()} is not a plausible date (it must lie between "
                f"{EARLIEST_DATE} and {LATEST_DATE}); write the real date, or leave the cell "
                "empty where the schema allows it",
            )


@check("list.future-decision")
def decision_not_in_future(
    values: Mapping[str, Any], texts: Mapping[str, str], ctx: DomainContext
) -> Iterator[Finding]:
    """The decision date may not be after --as-of: a decision not yet made cannot be published."""
    name = ctx.roles.get("decision_date")
    decided = _date(values.get(name)) if isinstance(name, str) else None
    if decided is not None and decided > ctx.as_of:
        yield Finding(
            "list.future-decision", name, f"decision date {decided} is after as-of {ctx.as_of}"
        )


@check("list.publicity-end-before-decision")
def publicity_end_after_decision(
    values: Mapping[str, Any], texts: Mapping[str, str], ctx: DomainContext
) -> Iterator[Finding]:
    """The end of publicity may not be before the decision date."""
    start_name, end_name = ctx.roles.get("decision_date"), ctx.roles.get("publicity_end")
    if not isinstance(start_name, str) or not isinstance(end_name, str):
        return
    start, end = _date(values.get(start_name)), _date(values.get(end_name))
    if start is not None and end is not None and end < start:
        yield Finding(
            "list.publicity-end-before-decision",
            end_name,
            f"publicity ends {end}, before the decision date {start}",
        )


@check("list.negative-amount", "list.amount-not-number")
def amounts(
    values: Mapping[str, Any], texts: Mapping[str, str], ctx: DomainContext
) -> Iterator[Finding]:
    """Amounts (fines and confiscations, in 10,000 yuan) may not be negative, NaN or infinite."""
    names = ctx.roles.get("amount_fields") or ()
    for name in names if isinstance(names, list | tuple) else ():
        value = values.get(name)
        if value is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            continue
        if (isinstance(value, Decimal) and not value.is_finite()) or (
            isinstance(value, float) and not math.isfinite(value)
        ):
            yield Finding("list.amount-not-number", name, f"{texts.get(name)!r} is not an amount")
        elif value < 0:
            yield Finding("list.negative-amount", name, f"amount {value} is negative")


@check("list.unknown-authority")
def authority_known(
    values: Mapping[str, Any], texts: Mapping[str, str], ctx: DomainContext
) -> Iterator[Finding]:
    """Art. 7, 11: the deciding authority's credit code must be a department in
    catalogue/departments.yaml."""
    name, text = _role_text(texts, ctx, "authority_code")
    if text and _uscc(text) is not UsccResult.BAD_FORMAT and text not in ctx.authority_codes:
        yield Finding(
            "list.unknown-authority",
            name,
            f"no department in catalogue/departments.yaml has the credit code {text}",
        )


def raw_rows(resource: ResourceFile, diags: Diagnostics) -> Iterator[tuple[int, dict[str, str]]]:
    """Stream (row number, cells by column) without validation: for packages that are withheld
    or rejected as a whole, whose rows are only counted and keyed."""
    state = _ReadState()
    records = _records(resource, state)
    header = next(records, None)
    labels = [cell.strip() for cell in header or ()]
    for number, cells in enumerate(records, start=2):
        if any(c.strip() for c in cells):
            yield number, {label: c.strip() for label, c in zip(labels, cells, strict=False)}
    if state.broken is not None:
        diags.error(CSV_ERROR, state.broken, Location(resource.path, row=state.records + 1))
