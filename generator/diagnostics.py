"""Problems found in the inputs, as data: a stable code, a severity, a message and a location.

Content errors are never exceptions (frictionless-py's Report is the model): every stage appends to a
`Diagnostics` collection, and the build reports them all at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a text file (`path:line:col`, 1-based) or a cell in a table (`path:row N:field`)."""

    path: str
    line: int | None = None
    col: int | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        if self.row is not None:
            return f"{self.path}:row {self.row}:{self.field or '-'}"
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}:{self.col or 1}"

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True, order=True)
class Diagnostic:
    location: Location
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}[{self.code}]: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "location": self.location.as_dict(),
            "text": str(self),
        }


@dataclass
class Diagnostics:
    """An append-only collection that every stage reports into; sorted when printed."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, location: Location) -> None:
        self.items.append(Diagnostic(location, Severity.ERROR, code, message))

    def warning(self, code: str, message: str, location: Location) -> None:
        self.items.append(Diagnostic(location, Severity.WARNING, code, message))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def has_errors(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=_sort_key)


def _sort_key(d: Diagnostic) -> tuple[object, ...]:
    loc = d.location
    return (loc.path, loc.row or 0, loc.line or 0, loc.col or 0, loc.field or "", d.code, d.message)


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    return "".join(f"{d}\n" for d in diagnostics)


def format_json(diagnostics: Iterable[Diagnostic], summary: dict[str, object] | None = None) -> str:
    items = [d.as_dict() for d in diagnostics]
    payload: dict[str, object] = {
        "errors": sum(1 for d in items if d["severity"] == "error"),
        "warnings": sum(1 for d in items if d["severity"] == "warning"),
        "diagnostics": items,
    }
    if summary:
        payload["summary"] = summary
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands, so errors show as annotations on the changed files."""
    lines = []
    for d in diagnostics:
        loc = d.location
        props = [f"file={_gh_escape_prop(loc.path)}"]
        if loc.line is not None:
            props.append(f"line={loc.line}")
            if loc.col is not None:
                props.append(f"col={loc.col}")
        props.append(f"title={_gh_escape_prop(d.code)}")
        where = f"row {loc.row}, {loc.field}: " if loc.row is not None else ""
        lines.append(
            f"::{d.severity.value} {','.join(props)}::{_gh_escape_data(where + d.message)}"
        )
    return "".join(f"{line}\n" for line in lines)


def _gh_escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_prop(s: str) -> str:
    return _gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")
