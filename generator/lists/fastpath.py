"""Check table rows as Frictionless would, without building a Frictionless row for every row.

Frictionless builds a Row object per row, runs every cell through its field's cell reader (a
date goes through `strptime`) and collects errors; at a million rows that is most of the decide
stage. Here each field gets a checker compiled once from the Table Schema:

- a plain string field (default format; constraints among required, pattern, enum, minLength,
  maxLength) is checked inline, with the very tests Frictionless's reader makes;
- any other field (dates, numbers, booleans, ...) asks Frictionless's own cell reader, and
  remembers its answer per distinct text: the same dates, amounts and flags come back on
  nearly every row, and the reader is a pure function of the text.

A row every checker accepts gets exactly the values Frictionless would give it. A row that any
checker doubts (a failed constraint, a type error, a missing or blank cell, a repeated unique
value) goes to Frictionless's own Row, so its errors -- codes, messages, fields -- are
Frictionless's. tests/lists/test_fastpath_equivalence.py holds the two paths to that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from frictionless import Schema, errors
from frictionless.resources import TableResource
from frictionless.table.row import Row, create_cell_handlers

# Answers remembered per field, at most: enough for four years of dates and every amount a
# list repeats; past it, the reader is simply asked again.
MEMO_SIZE = 8192

_FAIL = object()  # a checker's answer when Frictionless must look at the cell
_MISS = object()

STRING_CONSTRAINTS = frozenset({"required", "pattern", "enum", "minLength", "maxLength"})

FieldCheck = Callable[[str], Any]


class RowChecker:
    """Frictionless's row checks for one table, with its header already known to match."""

    def __init__(self, descriptor: Mapping[str, Any], labels: Sequence[str]) -> None:
        self.table = _compiled(descriptor, labels)
        # Frictionless compares unique fields' cast values across rows (TableResource's row
        # stream); this keeps the same memory, so the fast path can see a repeat coming.
        self.unique: dict[str, dict[Any, int]] = {
            f.name: {} for f in self.table.fields if f.constraints.get("unique")
        }

    @staticmethod
    def supports(descriptor: Mapping[str, Any]) -> bool:
        """Whether the fast path covers the schema: primary and foreign keys are left to
        Frictionless's own row stream (no catalogue schema has them)."""
        return not descriptor.get("primaryKey") and not descriptor.get("foreignKeys")

    def check(self, number: int, cells: list[str]) -> tuple[list[Any], dict[str, Any]]:
        """Frictionless's errors for the row (an empty list when it is valid) and its values."""
        values = self._fast(cells)
        if values is not None:
            unique = self.unique
            if not unique:
                return [], values
            if not any(
                values[name] is not None and values[name] in seen for name, seen in unique.items()
            ):
                for name, seen in unique.items():
                    if values[name] is not None:
                        seen[values[name]] = number
                return [], values
        return self._frictionless(number, cells)

    def _fast(self, cells: list[str]) -> dict[str, Any] | None:
        table = self.table
        if len(cells) != table.width:
            return None  # missing cells: Frictionless reports each
        if table.empty_is_missing:
            if not any(cells):
                return None  # a blank row: Frictionless says so
            values = dict(zip(table.names, [cell or None for cell in cells], strict=True))
            for i, name, check in table.checked:
                value = check(cells[i])
                if value is _FAIL:
                    return None
                values[name] = value
            return values
        values = {}
        blank = True
        for name, check, cell in zip(table.names, table.checks, cells, strict=True):
            value = check(cell)
            if value is _FAIL:
                return None
            if value is not None:
                blank = False
            values[name] = value
        return None if blank else values  # a blank row: Frictionless says so

    def _frictionless(self, number: int, cells: list[str]) -> tuple[list[Any], dict[str, Any]]:
        """The row as Frictionless's TableResource row stream sees it: its Row, then the
        unique check, in the same order and with the same notes."""
        row = Row(cells, handlers=self.table.handlers(), row_number=number)
        for name, seen in self.unique.items():
            cell = row[name]
            if cell is not None:
                match = seen.get(cell)
                seen[cell] = row.row_number
                if match:
                    note = f"the same as in the row at position {match}"
                    error = errors.UniqueError.from_row(row, note=note, field_name=name)
                    row.errors.append(error)
        return row.errors, row.to_dict()


class _Compiled:
    """What every table with one schema and header shares: the fields in the header's order and
    their checkers, whose remembered answers thus serve every package of a list."""

    def __init__(self, descriptor: Mapping[str, Any], labels: Sequence[str]) -> None:
        schema = Schema.from_descriptor(dict(descriptor))
        # The fields exactly as Frictionless's row stream pairs them with this header.
        with TableResource(data=[list(labels)], schema=schema) as table:
            self.fields = table.header.get_expected_fields()
        self.names = [f.name for f in self.fields]
        self.width = len(self.fields)
        self.checks = [_field_check(f, schema) for f in self.fields]
        # The usual case, worth its own loop: every field's only missing value is "" (the
        # default), so a cell is missing exactly when it is empty, and text fields without
        # constraints need no call at all.
        self.empty_is_missing = all(_missing_values(f, schema) == [""] for f in self.fields)
        self.checked = [
            (i, f.name, check)
            for i, (f, check) in enumerate(zip(self.fields, self.checks, strict=True))
            if not _plain_text(f, schema)
        ]
        self._handlers: dict[str, Any] | None = None

    def handlers(self) -> dict[str, Any]:
        """Frictionless's cell handlers, made when a row first needs them (most tables never
        do); like Frictionless's own, they hold no state from row to row."""
        if self._handlers is None:
            self._handlers = create_cell_handlers(self.fields)
        return self._handlers


# A list's packages share one schema and, nearly always, one header; a few dozen of those is
# already a big site. Past this many, tables are compiled each time and not kept.
COMPILED_KEPT = 64
_COMPILED: dict[str, _Compiled] = {}


def _compiled(descriptor: Mapping[str, Any], labels: Sequence[str]) -> _Compiled:
    try:
        # Only a key: the schema itself is made from the descriptor as given. repr() keeps a
        # YAML date apart from the text of the same date.
        key = json.dumps([descriptor, list(labels)], sort_keys=True, default=repr)
    except (TypeError, ValueError):  # keys that are not text: compile it, keep nothing
        return _Compiled(descriptor, labels)
    found = _COMPILED.get(key)
    if found is None:
        found = _Compiled(descriptor, labels)
        if len(_COMPILED) < COMPILED_KEPT:
            _COMPILED[key] = found
    return found


def _missing_values(field: Any, schema: Schema) -> list[Any]:
    """Missing values as Frictionless's cell reader takes them: the field's own, else the
    schema's."""
    if field.has_defined("missing_values"):
        return list(field.missing_values)
    return list(schema.missing_values)


def _constraints(field: Any) -> dict[str, Any]:
    """The constraints the field's cell reader checks ("unique" is the row stream's)."""
    return {
        name: field.constraints[name]
        for name in field.supported_constraints
        if field.constraints.get(name) is not None
    }


def _is_text(field: Any) -> bool:
    return (
        field.type == "string"
        and field.format in (None, "default")
        and set(_constraints(field)) <= STRING_CONSTRAINTS
    )


def _plain_text(field: Any, schema: Schema) -> bool:
    """Text with no constraint and "" as its only missing value: the cell is the value."""
    return _is_text(field) and not _constraints(field) and _missing_values(field, schema) == [""]


def _field_check(field: Any, schema: Schema) -> FieldCheck:
    if _is_text(field):
        return _string_check(tuple(_missing_values(field, schema)), _constraints(field))
    return _memo_check(field.create_cell_reader())


def _string_check(missing: tuple[Any, ...], constraints: dict[str, Any]) -> FieldCheck:
    required = bool(constraints.get("required"))
    pattern = constraints.get("pattern")
    # The same anchored expression Frictionless compiles, used the same way (`match`).
    match = re.compile(f"^{pattern}$").match if pattern is not None else None
    enum = constraints.get("enum")
    # Frictionless reads the enum's entries as strings; an entry that is not one never matches.
    allowed = frozenset(e for e in enum if isinstance(e, str)) if enum is not None else None
    min_length = constraints.get("minLength")
    max_length = constraints.get("maxLength")

    def check(cell: str) -> Any:
        if cell in missing:
            return _FAIL if required else None
        if match is not None and not match(cell):
            return _FAIL
        if allowed is not None and cell not in allowed:
            return _FAIL
        if min_length is not None and len(cell) < min_length:
            return _FAIL
        if max_length is not None and len(cell) > max_length:
            return _FAIL
        return cell

    return check


def _memo_check(reader: Callable[[Any], tuple[Any, Any]]) -> FieldCheck:
    memo: dict[str, Any] = {}

    def check(cell: str) -> Any:
        known = memo.get(cell, _MISS)
        if known is not _MISS:
            return known
        value, notes = reader(cell)
        answer = _FAIL if notes else value
        if len(memo) < MEMO_SIZE:
            memo[cell] = answer
        return answer

    return check
