"""Load stage for `catalogue/`: departments, schemas and editions, every problem with its location.

Departments are read by `departments.py` and schemas by `schemas.py`; this module reads the editions.
Each file is checked on its own here (types, allowed values, file names); the rules that look across
files (providers exist, dates agree, one edition in force…) are in `validate.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.catalogue.departments import load_departments
from generator.catalogue.in_force import edition_in_force
from generator.catalogue.model import (
    CATEGORIES,
    DISCLOSURES,
    PUBLISH_MODES,
    STATUSES,
    SUBJECT_TYPES,
    TIERS,
    Catalogue,
    Edition,
    FieldSpec,
    Item,
    Publicity,
    TableSchema,
)
from generator.catalogue.schemas import load_schemas
from generator.diagnostics import Diagnostics, Location
from generator.fields import Reader, lang_text
from generator.model import LangText
from generator.yamlio import YList, YMap, load_yaml_file

CATALOGUE_DIR = "catalogue"
EDITIONS_DIR = "catalogue/editions"
UPDATE_FREQUENCIES = ("realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "as_needed")
# Codes and ids become URL segments and file names, so they stay plain ASCII.
ITEM_CODE_RE = re.compile(r"^[A-Z]{2}-[0-9]{2}$")
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
EDITION_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
APPROVAL_KEYS = ("approval_document", "approval_date", "effective_date", "supersedes")
EDITION_KEYS = (
    "id",
    "title",
    "status",
    "approving_body",
    "approval_document",
    "approval_date",
    "effective_date",
    "supersedes",
)
ITEM_KEYS = (
    "code",
    "name",
    "description",
    "category",
    "article_12_clause",
    "subject_types",
    "providers",
    "disclosure",
    "scope",
    "right_to_use",
    "legal_basis",
    "schema",
    "fields",
    "publicity",
    "update_frequency",
)


@dataclass(frozen=True)
class Sources:
    """The parsed mappings behind the loaded values, so that rules can point at `file:line:col`."""

    files: dict[str, YMap]  # repository-relative path -> top-level mapping of that file

    def loc(self, source: str, key: str | None = None, index: int | None = None) -> Location:
        m = self.files.get(source)
        if m is None:
            return Location(source)
        if key is not None and index is not None:
            seq = m.get(key)
            if isinstance(seq, YList):
                return seq.loc(index)
        return m.loc(key)

    def has(self, source: str, key: str) -> bool:
        """Whether the file gives the key at all (even as null)."""
        m = self.files.get(source)
        return m is not None and key in m

    def value(self, source: str, key: str) -> Any:
        """The key's raw value in the file, None when absent."""
        m = self.files.get(source)
        return m.get(key) if m is not None else None


def load_catalogue(root: Path, as_of: dt.date, diags: Diagnostics) -> Catalogue | None:
    """Load and validate `catalogue/`; None when the project has no catalogue folder at all."""
    from generator.catalogue.validate import validate_catalogue

    catalogue, sources = read_catalogue(root, as_of, diags)
    if catalogue is None:
        return None
    diags.extend(validate_catalogue(catalogue, sources, as_of))
    return catalogue


def read_catalogue(
    root: Path, as_of: dt.date, diags: Diagnostics
) -> tuple[Catalogue | None, Sources]:
    if not (root / CATALOGUE_DIR).is_dir():
        return None, Sources({})
    departments = load_departments(root, diags)
    schemas = load_schemas(root, diags)
    files: dict[str, YMap] = {}
    editions = load_editions(root, schemas, files, diags)
    catalogue = Catalogue(
        departments=departments,
        schemas=schemas,
        editions=editions,
        in_force=edition_in_force(editions, as_of),
    )
    return catalogue, Sources(files)


# -- editions and items ----------------------------------------------------------------------


def load_editions(
    root: Path, schemas: dict[str, TableSchema], files: dict[str, YMap], diags: Diagnostics
) -> tuple[Edition, ...]:
    folder = root / EDITIONS_DIR
    if not folder.is_dir():
        diags.error(
            "catalogue.no-editions",
            f"{EDITIONS_DIR}/ is missing; each edition is a folder with edition.yaml and items/",
            Location(EDITIONS_DIR),
        )
        return ()
    editions = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        edition = _edition(sub, schemas, files, diags)
        if edition is not None:
            editions.append(edition)
    return order_editions(editions)


def order_editions(editions: list[Edition]) -> tuple[Edition, ...]:
    """Oldest first: by effective date; a dateless draft sits right after the edition it replaces."""
    by_id = {e.id: e for e in editions}

    def key(e: Edition) -> tuple[dt.date, int, str]:
        if e.effective_date is not None:
            return (e.effective_date, 0, e.id)
        target = by_id.get(e.supersedes or "")
        if target is not None and target.effective_date is not None:
            return (target.effective_date, 1, e.id)
        return (dt.date.max, 1, e.id)

    return tuple(sorted(editions, key=key))


def _edition(
    folder: Path, schemas: dict[str, TableSchema], files: dict[str, YMap], diags: Diagnostics
) -> Edition | None:
    rel = f"{EDITIONS_DIR}/{folder.name}/edition.yaml"
    path = folder / "edition.yaml"
    if not path.is_file():
        diags.error(
            "catalogue.edition-missing",
            f"edition folder {folder.name!r} has no edition.yaml",
            Location(f"{EDITIONS_DIR}/{folder.name}"),
        )
        return None
    data = load_yaml_file(path, rel, diags)
    if data is None:
        return None
    if not isinstance(data, YMap):
        diags.error(
            "catalogue.edition.wrong-type", "edition.yaml must be a mapping", Location(rel, 1, 1)
        )
        return None
    files[rel] = data
    r = Reader(data, "catalogue.edition", diags)
    r.unknown_keys(EDITION_KEYS)
    edition_id = r.string("id")
    if edition_id and edition_id != folder.name:
        r.error(
            "id-mismatch", f"id {edition_id!r} must equal its folder name {folder.name!r}", "id"
        )
    if not EDITION_ID_RE.match(folder.name):
        r.error(
            "invalid-id",
            f"edition folder {folder.name!r} must be lower-case letters, digits and '-'",
            "id",
        )
    title = r.text("title", need_en=True)
    status = r.choice("status", STATUSES)
    approving_body = r.text("approving_body", need_en=True)
    for key in APPROVAL_KEYS:
        # Written out even when null, so that a draft visibly has no approval yet.
        if key not in data:
            r.error("missing-key", f"required key {key!r} is missing (write null if it has none)")
    approval_document = r.string("approval_document", required=False) or None
    approval_date = r.date("approval_date", required=False)
    effective_date = r.date("effective_date", required=False)
    supersedes = r.string("supersedes", required=False) or None
    items = _items(folder / "items", f"{EDITIONS_DIR}/{folder.name}/items", schemas, files, diags)
    if title is None or not status:
        return None
    return Edition(
        id=folder.name,
        title=title,
        status=status,
        approving_body=approving_body,
        approval_document=approval_document,
        approval_date=approval_date,
        effective_date=effective_date,
        supersedes=supersedes,
        items=items,
        source=rel,
    )


def _items(
    folder: Path,
    rel_folder: str,
    schemas: dict[str, TableSchema],
    files: dict[str, YMap],
    diags: Diagnostics,
) -> tuple[Item, ...]:
    if not folder.is_dir():
        return ()
    items = []
    for path in sorted(folder.glob("*.yaml")):
        rel = f"{rel_folder}/{path.name}"
        data = load_yaml_file(path, rel, diags)
        if data is None:
            continue
        if not isinstance(data, YMap):
            diags.error(
                "catalogue.item.wrong-type", "an item file must be a mapping", Location(rel, 1, 1)
            )
            continue
        files[rel] = data
        item = read_item(data, path.stem, rel, schemas, diags)
        if item is not None:
            items.append(item)
    return tuple(sorted(items, key=lambda i: (i.code, i.source)))


def read_item(
    m: YMap, stem: str, rel: str, schemas: dict[str, TableSchema], diags: Diagnostics
) -> Item | None:
    r = Reader(m, "catalogue.item", diags)
    r.unknown_keys(ITEM_KEYS)
    code = r.string("code")
    if code and code != stem:
        r.error("code-mismatch", f"code {code!r} must equal the file name {stem!r}", "code")
    if code and not ITEM_CODE_RE.match(code):
        r.error("invalid-code", f"{code!r} is not a code like 'SX-02'", "code")
    name = r.text("name", need_en=True)
    category = r.choice("category", CATEGORIES)
    clause = r.integer("article_12_clause", required=False)
    if clause is not None and not 1 <= clause <= 5:
        r.error(
            "invalid-value", f"article_12_clause must be 1 to 5, not {clause}", "article_12_clause"
        )
        clause = None
    subject_types = _choices(r, m, "subject_types", SUBJECT_TYPES, diags)
    if m.get("subject_types") == []:
        r.error("missing-key", "an item covers at least one kind of subject", "subject_types")
    providers = r.strings("providers")
    if m.get("providers") == []:
        r.error("missing-key", "an item needs at least one provider", "providers")
    for i, provider in enumerate(providers):
        if provider in providers[:i]:
            seq = m["providers"]
            diags.error(
                f"{r.prefix}.duplicate-provider",
                f"provider {provider!r} is listed twice",
                seq.loc(i) if isinstance(seq, YList) else m.loc("providers"),
            )
    disclosure = r.choice("disclosure", DISCLOSURES)
    legal_basis = _legal_basis(r, m, diags)
    schema_name = r.string("schema", required=False) or None
    inline = _inline_fields(r, diags)
    if schema_name is not None and "fields" in m:
        r.error("schema-and-fields", "give either 'schema' or 'fields', not both", "fields")
    elif schema_name is None and "fields" not in m:
        r.error("no-fields", "give either 'schema' (a file in catalogue/schemas/) or 'fields'")
    fields = inline
    if schema_name is not None and schema_name in schemas:
        fields = schemas[schema_name].fields
    publicity = _publicity(r, m, diags)
    frequency = r.choice("update_frequency", UPDATE_FREQUENCIES)
    description = r.text("description", need_en=True)
    scope = r.text("scope", need_en=True)
    right_to_use = r.text("right_to_use", need_en=True)
    if not code or name is None or not category or not disclosure:
        return None
    return Item(
        code=code,
        name=name,
        description=description,
        category=category,
        article_12_clause=clause,
        subject_types=subject_types,
        providers=providers,
        disclosure=disclosure,
        scope=scope,
        right_to_use=right_to_use,
        legal_basis=legal_basis,
        schema=schema_name,
        fields=fields,
        publicity=publicity,
        update_frequency=frequency,
        source=rel,
    )


def _choices(
    r: Reader, m: YMap, key: str, allowed: tuple[str, ...], diags: Diagnostics
) -> tuple[str, ...]:
    values = r.strings(key)
    seq = m.get(key)
    out = []
    for i, value in enumerate(values):
        if value in allowed:
            out.append(value)
        else:
            diags.error(
                f"{r.prefix}.invalid-value",
                f"{value!r} is not one of: {', '.join(allowed)}",
                seq.loc(i) if isinstance(seq, YList) else m.loc(key),
            )
    return tuple(out)


def _legal_basis(r: Reader, m: YMap, diags: Diagnostics) -> tuple[LangText, ...]:
    seq = r.sequence("legal_basis")
    if seq is None:
        return ()
    out = []
    for i, value in enumerate(seq):
        text = lang_text(value, seq.loc(i), r.prefix, diags, "legal_basis", need_en=True)
        if text is not None:
            out.append(text)
    return tuple(out)


def _inline_fields(r: Reader, diags: Diagnostics) -> tuple[FieldSpec, ...]:
    seq = r.sequence("fields", required=False)
    if seq is None:
        return ()
    out: list[FieldSpec] = []
    for i, value in enumerate(seq):
        if not isinstance(value, YMap):
            diags.error(f"{r.prefix}.wrong-type", "each field must be a mapping", seq.loc(i))
            continue
        fr = Reader(value, r.prefix, diags)
        fr.unknown_keys(("name", "title", "publish", "type", "description"))
        name = fr.string("name")
        if name and not FIELD_NAME_RE.match(name):
            fr.error("invalid-field-name", f"{name!r} is not a lower-case column name", "name")
        title = fr.text("title", need_en=True)
        publish = fr.choice("publish", PUBLISH_MODES)
        if any(f.name == name for f in out):
            fr.error("duplicate-field", f"field {name!r} is listed twice", "name")
        if name and title is not None and publish:
            out.append(
                FieldSpec(
                    name=name,
                    title=title,
                    publish=publish,
                    type=fr.string("type", required=False, default="string"),
                    description=fr.text("description", required=False, need_en=True),
                )
            )
    return tuple(out)


def _publicity(r: Reader, m: YMap, diags: Diagnostics) -> Publicity | None:
    value: Any = m.get("publicity")
    if value is None:
        r.error("missing-key", "required key 'publicity' is missing")
        return None
    if isinstance(value, str):
        tier = r.choice("publicity", TIERS)
        return Publicity(tier=tier) if tier else None
    if not isinstance(value, YMap):
        r.error(
            "wrong-type",
            "publicity must be a tier (minor, general, serious) or {min_months, max_months}",
            "publicity",
        )
        return None
    pr = Reader(value, r.prefix, diags)
    pr.unknown_keys(("tier", "min_months", "max_months"))
    named_tier = pr.choice("tier", TIERS, required=False) or None
    lo = pr.integer("min_months")
    hi = pr.integer("max_months")
    if lo is not None and hi is not None and not (0 <= lo <= hi and hi >= 1):
        pr.error(
            "invalid-value",
            "publicity needs 0 <= min_months <= max_months and max_months >= 1",
            "max_months",
        )
    return Publicity(tier=named_tier, min_months=lo, max_months=hi)
