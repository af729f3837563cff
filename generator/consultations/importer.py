"""`credit-portal comments import`: check a returned comment template and append it to comments.csv.

All or nothing: every row is checked (frictionless for the table, then the same comment rules the
build runs) and if any row is bad nothing is written. Good rows get new ids and `pending`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import stat
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.catalogue.load import load_catalogue
from generator.catalogue.model import Catalogue
from generator.config import load_config
from generator.consultations.load import CONSULTATIONS_DIR, load_consultation, public_name
from generator.consultations.model import Comment, Consultation
from generator.consultations.rules import Subject, run_rules
from generator.consultations.table import COMMENTS_SCHEMA, TEMPLATE_SCHEMA, column_names, read_table
from generator.diagnostics import Diagnostic, Diagnostics, Location

CODE = "comments.import"
ID_RE = re.compile(r"^(.*?)(\d+)$")


@dataclass(frozen=True)
class ImportResult:
    diagnostics: tuple[Diagnostic, ...]
    added: tuple[str, ...]  # ids of the comments appended; empty when nothing was written
    target: str  # comments.csv, relative to the project

    @property
    def ok(self) -> bool:
        return not any(d.severity.value == "error" for d in self.diagnostics)


def import_comments(
    root: Path,
    file: Path,
    consultation_id: str,
    *,
    received: dt.date,
    channel: str,
    file_label: str | None = None,
) -> ImportResult:
    """Check `file` (CSV or XLSX) and append its comments; `file_label` names it in messages."""
    label = file_label or file.as_posix()
    diags = Diagnostics()
    folder = root / CONSULTATIONS_DIR / consultation_id
    target = f"{CONSULTATIONS_DIR}/{consultation_id}/comments.csv"
    consultation, catalogue = _consultation(root, folder, consultation_id, diags)
    if consultation is None:
        return ImportResult(tuple(diags.sorted()), (), target)
    if file.suffix.lower() not in (".csv", ".xlsx"):
        diags.error(f"{CODE}.format", "the template must be a .csv or .xlsx file", Location(label))
        return ImportResult(tuple(diags.sorted()), (), target)
    rows = read_table(file, label, TEMPLATE_SCHEMA, CODE, diags)
    comments = []
    for row in rows:
        comment = _comment(row.number, row.cells, consultation, received, channel, label, diags)
        if comment is not None:
            comments.append(comment)
    if not comments and not diags.has_errors():
        diags.error(f"{CODE}.empty", "no row has a comment in the 'text' column", Location(label))
    subject = Subject(
        replace(consultation, comments=tuple(comments)),
        label,
        catalogue,
        consultation.draft,
        consultation.base,
    )
    run_rules(subject, diags, scopes=("comment",))
    if diags.has_errors():
        return ImportResult(tuple(diags.sorted()), (), target)
    added = _append(folder / "comments.csv", comments)
    return ImportResult(tuple(diags.sorted()), added, target)


def _consultation(
    root: Path, folder: Path, consultation_id: str, diags: Diagnostics
) -> tuple[Consultation | None, Catalogue | None]:
    """The consultation as the build would load it; its own problems are the build's to report."""
    if not (folder / "consultation.yaml").is_file():
        diags.error(
            f"{CODE}.unknown-consultation",
            f"no consultation {consultation_id!r} (no {folder.relative_to(root).as_posix()}/consultation.yaml)",
            Location(CONSULTATIONS_DIR),
        )
        return None, None
    quiet = Diagnostics()
    catalogue = load_catalogue(root, _as_of(root, quiet), quiet)
    consultation = load_consultation(folder, root, catalogue, quiet)
    if consultation is None:
        diags.extend(d for d in quiet.sorted() if d.severity.value == "error")
        diags.error(
            f"{CODE}.broken-consultation",
            "the consultation has errors of its own; run `credit-portal check` and fix them first",
            Location(f"{CONSULTATIONS_DIR}/{consultation_id}/consultation.yaml"),
        )
    return consultation, catalogue


def _as_of(root: Path, diags: Diagnostics) -> dt.date:
    """The day that decides the edition in force (the default base edition), as the build does."""
    config = load_config(root, diags)
    if config is None:
        return dt.date.today()
    return config.as_of or config.today()


def _comment(
    number: int,
    raw: dict[str, Any],
    c: Consultation,
    received: dt.date,
    channel: str,
    label: str,
    diags: Diagnostics,
) -> Comment | None:
    cells = {k: (v.strip() if isinstance(v, str) else v) or "" for k, v in raw.items()}
    if not cells["text"]:
        return None  # a prefilled row nobody commented on
    missing = [name for name in ("commenter_type", "commenter") if not cells[name]]
    for name in missing:
        diags.error(
            f"{CODE}.missing-value",
            f"{name!r} must be filled in for a row with a comment",
            Location(label, row=number, field=name),
        )
    if missing:
        return None
    department = cells["department"] or None
    return Comment(
        id="",
        row=number,
        received=received,
        channel=channel,
        commenter_type=cells["commenter_type"],
        commenter=cells["commenter"],
        department=department,
        item_code=cells["item_code"] or None,
        field=cells["field"] or None,
        text=cells["text"],
        disposition="pending",
        response="",
        late=received > c.closes,
        public_name=public_name(cells["commenter_type"], cells["commenter"], department, None),
    )


def _append(path: Path, comments: list[Comment]) -> tuple[str, ...]:
    """Append the comments with new ids, replacing the file in one step (never half-written)."""
    existing = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    newline = "\r\n" if "\r\n" in existing else "\n"
    ids = _next_ids(existing, len(comments))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    if not existing.strip():
        existing = ""
        writer.writerow(column_names(COMMENTS_SCHEMA))
    elif not existing.endswith("\n"):
        existing += newline
    for new_id, x in zip(ids, comments, strict=True):
        writer.writerow(
            [
                new_id,
                x.received.isoformat(),
                x.channel,
                x.commenter_type,
                x.commenter,
                x.department or "",
                x.item_code or "",
                x.field or "",
                x.text,
                x.disposition,
                x.response,
            ]
        )
    bom = "\ufeff" if path.is_file() and path.read_bytes().startswith(b"\xef\xbb\xbf") else ""
    data = (bom + existing + buffer.getvalue()).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".comments-", suffix=".csv", dir=path.parent)
    try:
        # The file keeps its mode (a new one gets the umask's), not mkstemp's private 0o600.
        os.fchmod(fd, _file_mode(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tuple(ids)


def _file_mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # a command-line step with no other threads: safe to read back
        os.umask(umask)
        return 0o666 & ~umask


def _next_ids(existing: str, count: int) -> list[str]:
    """Continue the file's numbering (C040 → C041); a new file starts at C001."""
    prefix, width, highest = "C", 3, 0
    rows = list(csv.reader(io.StringIO(existing)))
    for row in rows[1:]:
        match = ID_RE.match(row[0]) if row else None
        if match:
            number = int(match.group(2))
            if number >= highest:
                prefix, width, highest = match.group(1), len(match.group(2)), number
    return [f"{prefix}{highest + n:0{width}d}" for n in range(1, count + 1)]
