"""Load stage for `content/consultations/<id>/`: the YAML, the notice, the comments and the outcome.

Every problem is reported with its location and the loading goes on, so one run shows them all;
the rules that look across files are in `rules.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.catalogue.model import Catalogue, Edition
from generator.consultations.model import Comment, Consultation, Outcome, WaysToRespond
from generator.consultations.rules import Subject, run_rules
from generator.consultations.table import COMMENTS_SCHEMA, TableRow, read_table
from generator.content import split_front_matter
from generator.diagnostics import Diagnostics, Location
from generator.fields import Reader
from generator.lists.identifiers import mask_person_name
from generator.model import LangText
from generator.yamlio import YMap, load_yaml_file, read_text

CONSULTATIONS_DIR = "content/consultations"
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KEYS = (
    "id",
    "title",
    "draft_edition",
    "base_edition",
    "approved_edition",
    "opens",
    "closes",
    "ways_to_respond",
    "contact",
    "short_period_reason",
)
WAYS_KEYS = ("email", "postal_address", "form_url")
APPROVED_STATUSES = ("approved", "superseded")


def load_consultations(
    root: Path, catalogue: Catalogue | None, as_of: dt.date, diags: Diagnostics
) -> tuple[Consultation, ...]:
    """Every consultation that loaded, sorted by id. `as_of` is unused: loading is date-free."""
    folder = root / CONSULTATIONS_DIR
    if not folder.is_dir():
        return ()
    loaded = (
        load_consultation(path, root, catalogue, diags)
        for path in sorted(p for p in folder.iterdir() if p.is_dir())
    )
    return tuple(c for c in loaded if c is not None)


def load_consultation(
    folder: Path, root: Path, catalogue: Catalogue | None, diags: Diagnostics
) -> Consultation | None:
    rel_dir = folder.relative_to(root).as_posix()
    yaml_rel = f"{rel_dir}/consultation.yaml"
    if not (folder / "consultation.yaml").is_file():
        diags.error(
            "consultation.missing-file",
            "a consultation folder needs consultation.yaml",
            Location(rel_dir),
        )
        return None
    data = load_yaml_file(folder / "consultation.yaml", yaml_rel, diags)
    if data is None:
        return None
    if not isinstance(data, YMap):
        diags.error(
            "consultation.wrong-type",
            "consultation.yaml must be a mapping",
            Location(yaml_rel, 1, 1),
        )
        return None
    r = Reader(data, "consultation", diags)
    r.unknown_keys(KEYS)
    consultation_id = r.string("id")
    if consultation_id and consultation_id != folder.name:
        r.error(
            "id-mismatch",
            f"id {consultation_id!r} must equal the folder name {folder.name!r}",
            "id",
        )
    elif consultation_id and not ID_RE.match(consultation_id):
        r.error("invalid-id", f"id {consultation_id!r} may use only a-z, 0-9 and hyphens", "id")
    title = r.text("title", need_en=True)
    opens, closes = r.date("opens"), r.date("closes")
    ways = _ways(r, diags)
    contact = r.text("contact", required=False)
    reason = r.text("short_period_reason", required=False)
    editions = catalogue.editions if catalogue is not None else ()
    draft = _edition(r, "draft_edition", editions, required=True)
    base_id = r.string("base_edition", required=False)
    base = _edition(r, "base_edition", editions) if base_id else _in_force(catalogue)
    notice = _markdown_pair(folder / "notice.md", root, diags, required=True)
    outcome = _outcome(folder, root, diags)
    approved = _approved(r, editions, draft, outcome is not None)
    comments_rel = f"{rel_dir}/comments.csv"
    rows = (
        read_table(
            folder / "comments.csv", comments_rel, COMMENTS_SCHEMA, "consultation.comments", diags
        )
        if (folder / "comments.csv").is_file()
        else ()
    )
    if not (consultation_id and title and opens and closes and notice):
        return None
    consultation = Consultation(
        id=consultation_id,
        title=title,
        draft=draft or _placeholder(r.string("draft_edition")),
        base=base,
        approved=approved,
        opens=opens,
        closes=closes,
        ways=ways,
        contact=contact,
        short_period_reason=reason,
        notice=notice[0],
        comments=tuple(sorted((_comment(row, closes, catalogue) for row in rows), key=_id_key)),
        outcome=outcome,
        source=yaml_rel,
        locations={key: data.loc(key) for key in data},
    )
    run_rules(Subject(consultation, comments_rel, catalogue, draft, base), diags)
    return consultation if draft is not None else None


def _ways(r: Reader, diags: Diagnostics) -> WaysToRespond:
    m = r.mapping("ways_to_respond")
    if m is None:
        return WaysToRespond()
    w = Reader(m, "consultation", diags)
    w.unknown_keys(WAYS_KEYS)
    email = w.string("email", required=False) or None
    if email and not EMAIL_RE.match(email):
        w.error("invalid-email", f"{email!r} is not an e-mail address", "email")
    form_url = w.string("form_url", required=False) or None
    if form_url:
        parts = urlsplit(form_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            w.error(
                "invalid-url",
                f"form_url must be an absolute http(s) address without a query, not {form_url!r}",
                "form_url",
            )
    postal = w.text("postal_address", required=False)
    if not (email or postal or form_url):
        w.error(
            "no-way-to-respond",
            "give at least one way to respond: email, postal_address or form_url",
        )
    return WaysToRespond(email, postal, form_url)


def _edition(
    r: Reader, key: str, editions: tuple[Edition, ...], required: bool = False
) -> Edition | None:
    edition_id = r.string(key, required=required)
    if not edition_id:
        return None
    found = next((e for e in editions if e.id == edition_id), None)
    if found is None:
        known = ", ".join(e.id for e in editions) or "none"
        r.error("unknown-edition", f"no catalogue edition {edition_id!r} (known: {known})", key)
    return found


def _in_force(catalogue: Catalogue | None) -> Edition | None:
    return catalogue.in_force if catalogue is not None else None


def _approved(
    r: Reader, editions: tuple[Edition, ...], draft: Edition | None, concluded: bool
) -> Edition | None:
    """The edition finally approved: `approved_edition` if given, else the one the draft became."""
    if "approved_edition" in r.m:
        return _edition(r, "approved_edition", editions)
    if draft is None or not concluded:
        return None
    return find_approved(draft, editions)


def find_approved(draft: Edition, editions: tuple[Edition, ...]) -> Edition | None:
    """An approved edition whose id is the draft's without `-draft`, or that replaces what it would.

    With several candidates the earliest approved wins: later ones answer later consultations.
    """
    stem = draft.id.removesuffix("-draft")
    candidates = [
        e
        for e in editions
        if e.id != draft.id
        and e.status in APPROVED_STATUSES
        and (e.id == stem or (draft.supersedes is not None and e.supersedes == draft.supersedes))
    ]
    candidates.sort(key=lambda e: (e.id != stem, e.approval_date or dt.date.max, e.id))
    return candidates[0] if candidates else None


def _placeholder(edition_id: str) -> Edition:
    """Stands in for an unknown draft so the other rules still run; never rendered."""
    return Edition(edition_id, LangText(edition_id), "draft", None, None, None, None, None, (), "")


def _markdown_pair(
    path: Path, root: Path, diags: Diagnostics, required: bool
) -> tuple[LangText, YMap | None] | None:
    """A Markdown file and its optional `.en.md` sibling; front matter (if any) is returned apart."""
    rel = path.relative_to(root).as_posix()
    if not path.is_file():
        if required:
            diags.error("consultation.missing-file", f"{path.name} is missing", Location(rel))
        return None
    text = read_text(path, rel, diags)
    if text is None:
        return None
    meta, body = split_front_matter(text, rel, diags)
    en_path = path.with_name(path.name.removesuffix(".md") + ".en.md")
    en_body = None
    if en_path.is_file():
        en_text = read_text(en_path, en_path.relative_to(root).as_posix(), diags)
        if en_text is not None:
            en_body = split_front_matter(en_text, en_path.relative_to(root).as_posix(), diags)[1]
    if not body.strip():
        diags.error("consultation.empty-file", f"{path.name} is empty", Location(rel, 1, 1))
    return LangText(body, en_body), meta


def _outcome(folder: Path, root: Path, diags: Diagnostics) -> Outcome | None:
    loaded = _markdown_pair(folder / "response.md", root, diags, required=False)
    if loaded is None:
        return None
    body, meta = loaded
    rel = (folder / "response.md").relative_to(root).as_posix()
    date, where = None, None
    if meta is not None:
        r = Reader(meta, "consultation", diags)
        r.unknown_keys(("date",))
        date, where = r.date("date", required=False), meta.loc("date")
    return Outcome(body, date, rel, where)


def _comment(row: TableRow, closes: dt.date, catalogue: Catalogue | None) -> Comment:
    cells: dict[str, Any] = {
        k: (v.strip() if isinstance(v, str) else v) for k, v in row.cells.items()
    }
    commenter_type = cells["commenter_type"]
    department = cells.get("department") or None
    received: dt.date = cells["received"]
    return Comment(
        id=cells["id"],
        row=row.number,
        received=received,
        channel=cells["channel"],
        commenter_type=commenter_type,
        commenter=cells["commenter"],
        department=department,
        item_code=cells.get("item_code") or None,
        field=cells.get("field") or None,
        text=cells["text"],
        disposition=cells["disposition"],
        response=cells.get("response") or "",
        late=received > closes,
        public_name=public_name(commenter_type, cells["commenter"], department, catalogue),
    )


def public_name(
    commenter_type: str, commenter: str, department: str | None, catalogue: Catalogue | None
) -> LangText:
    """How a commenter is shown: an individual as surname + ** (privacy, Art. 4), others by name."""
    if commenter_type == "individual":
        return LangText(mask_person_name(commenter))
    if commenter_type == "department" and department and catalogue is not None:
        found = catalogue.department(department)
        if found is not None:
            return found.name
    return LangText(commenter)


def _id_key(comment: Comment) -> tuple[str, int, str]:
    """C2 before C10: ids sort by their prefix, then their number."""
    match = re.match(r"^(.*?)(\d+)$", comment.id)
    if match:
        return match.group(1), int(match.group(2)), comment.id
    return comment.id, -1, comment.id
