"""Every edition as downloadable data: a CSV for spreadsheets, a JSON, and a data package describing both.

The CSV is UTF-8 with a byte-order mark so that Excel opens Chinese correctly, and its cells are
guarded against formula injection. Both files are described by a `datapackage.json` that passes
`frictionless validate`, with sizes and hashes so a copy can be checked against the published one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from generator.catalogue.load import UPDATE_FREQUENCIES
from generator.catalogue.model import (
    CATEGORIES,
    DISCLOSURES,
    TIERS,
    Edition,
    FieldSpec,
    Item,
)
from generator.config import SiteConfig
from generator.model import LangText, OutputFile

Labels = Callable[[str], LangText]
CSV_NAME, JSON_NAME, PACKAGE_NAME = "catalogue.csv", "catalogue.json", "datapackage.json"
LIST_SEPARATOR = ";"
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# (column, frictionless type, message key of its label); the header is the column codes.
CSV_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("edition", "string", "catalogue.edition_id"),
    ("code", "string", "catalogue.attr.code"),
    ("name_zh", "string", "catalogue.attr.name"),
    ("name_en", "string", "catalogue.attr.name"),
    ("category", "string", "catalogue.attr.category"),
    ("article_12_clause", "integer", "catalogue.attr.article_12_clause"),
    ("subject_types", "string", "catalogue.attr.subject_types"),
    ("providers", "string", "catalogue.attr.providers"),
    ("disclosure", "string", "catalogue.attr.disclosure"),
    ("description_zh", "string", "catalogue.attr.description"),
    ("description_en", "string", "catalogue.attr.description"),
    ("scope_zh", "string", "catalogue.attr.scope"),
    ("scope_en", "string", "catalogue.attr.scope"),
    ("right_to_use_zh", "string", "catalogue.attr.right_to_use"),
    ("right_to_use_en", "string", "catalogue.attr.right_to_use"),
    ("legal_basis_zh", "string", "catalogue.attr.legal_basis"),
    ("legal_basis_en", "string", "catalogue.attr.legal_basis"),
    ("schema", "string", "catalogue.attr.schema"),
    ("fields", "string", "catalogue.attr.fields"),
    ("publicity_tier", "string", "catalogue.attr.publicity"),
    ("publicity_min_months", "integer", "catalogue.attr.publicity"),
    ("publicity_max_months", "integer", "catalogue.attr.publicity"),
    ("update_frequency", "string", "catalogue.attr.update_frequency"),
)
ENUMS: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "disclosure": DISCLOSURES,
    "publicity_tier": TIERS,
    "update_frequency": UPDATE_FREQUENCIES,
}


def guard_cell(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _en(text: LangText | None) -> str:
    return (text.en or "") if text is not None else ""


def _zh(text: LangText | None) -> str:
    return text.zh if text is not None else ""


def _fields_cell(fields: tuple[FieldSpec, ...]) -> str:
    return LIST_SEPARATOR.join(f"{f.name}:{f.publish}" for f in fields)


def csv_row(edition: Edition, item: Item) -> list[str]:
    p = item.publicity
    values: dict[str, object] = {
        "edition": edition.id,
        "code": item.code,
        "name_zh": _zh(item.name),
        "name_en": _en(item.name),
        "category": item.category,
        "article_12_clause": item.article_12_clause,
        "subject_types": LIST_SEPARATOR.join(item.subject_types),
        "providers": LIST_SEPARATOR.join(item.providers),
        "disclosure": item.disclosure,
        "description_zh": _zh(item.description),
        "description_en": _en(item.description),
        "scope_zh": _zh(item.scope),
        "scope_en": _en(item.scope),
        "right_to_use_zh": _zh(item.right_to_use),
        "right_to_use_en": _en(item.right_to_use),
        "legal_basis_zh": LIST_SEPARATOR.join(b.zh for b in item.legal_basis),
        "legal_basis_en": LIST_SEPARATOR.join(b.en or "" for b in item.legal_basis),
        "schema": item.schema,
        "fields": _fields_cell(item.fields),
        "publicity_tier": p.tier if p else None,
        "publicity_min_months": p.min_months if p else None,
        "publicity_max_months": p.max_months if p else None,
        "update_frequency": item.update_frequency,
    }
    return [guard_cell("" if values[c] is None else str(values[c])) for c, _, _ in CSV_COLUMNS]


def edition_csv(edition: Edition) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c for c, _, _ in CSV_COLUMNS])
    for item in edition.items:
        writer.writerow(csv_row(edition, item))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _lang(text: LangText | None) -> dict[str, str] | None:
    if text is None:
        return None
    return {"zh-CN": text.zh, **({"en": text.en} if text.en else {})}


def item_record(item: Item) -> dict[str, Any]:
    p = item.publicity
    return {
        "code": item.code,
        "name": _lang(item.name),
        "description": _lang(item.description),
        "category": item.category,
        "article_12_clause": item.article_12_clause,
        "subject_types": list(item.subject_types),
        "providers": list(item.providers),
        "disclosure": item.disclosure,
        "scope": _lang(item.scope),
        "right_to_use": _lang(item.right_to_use),
        "legal_basis": [_lang(b) for b in item.legal_basis],
        "schema": item.schema,
        "fields": [
            {"name": f.name, "title": _lang(f.title), "type": f.type, "publish": f.publish}
            for f in item.fields
        ],
        "publicity": (
            {"tier": p.tier, "min_months": p.min_months, "max_months": p.max_months} if p else None
        ),
        "update_frequency": item.update_frequency,
    }


def edition_record(edition: Edition) -> dict[str, Any]:
    return {
        "id": edition.id,
        "title": _lang(edition.title),
        "status": edition.status,
        "approving_body": _lang(edition.approving_body),
        "approval_document": edition.approval_document,
        "approval_date": edition.approval_date.isoformat() if edition.approval_date else None,
        "effective_date": edition.effective_date.isoformat() if edition.effective_date else None,
        "supersedes": edition.supersedes,
    }


def edition_json(edition: Edition) -> bytes:
    payload = {"edition": edition_record(edition), "items": [item_record(i) for i in edition.items]}
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    return text.encode("utf-8")


def _integrity(data: bytes) -> dict[str, Any]:
    return {"bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest()}


def _title(labels: Labels, key: str, column: str) -> tuple[str, str]:
    label = labels(key)
    suffix = {"_zh": " (zh-CN)", "_en": " (en)"}.get(column[-3:], "")
    return label.get("en") + suffix, label.zh


def datapackage(
    edition: Edition, config: SiteConfig, labels: Labels, csv_data: bytes, json_data: bytes
) -> bytes:
    csv_fields = []
    for column, kind, key in CSV_COLUMNS:
        title, description = _title(labels, key, column)
        spec: dict[str, Any] = {
            "name": column,
            "type": kind,
            "title": title,
            "description": description,
        }
        if column in ENUMS:
            spec["constraints"] = {"enum": list(ENUMS[column])}
        if column in ("edition", "code", "name_zh", "category", "disclosure"):
            spec.setdefault("constraints", {})["required"] = True
        if column == "code":
            spec["constraints"]["unique"] = True
        csv_fields.append(spec)
    package = {
        "name": f"tianjin-public-credit-catalogue-{edition.id}",
        "title": f"{edition.title.zh} / {edition.title.get('en')}",
        "version": edition.id,
        "licenses": [{"name": config.licence_name, "path": config.licence_url}],
        "resources": [
            {
                "name": "catalogue-csv",
                "path": CSV_NAME,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                **_integrity(csv_data),
                "dialect": {"delimiter": ",", "header": True},
                "schema": {"fields": csv_fields, "primaryKey": ["code"]},
            },
            {
                # A plain JSON resource: read as a table, frictionless would need its optional
                # `ijson` extra; as JSON it is parsed and checked against its size and hash.
                "name": "catalogue-json",
                "path": JSON_NAME,
                "type": "json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                **_integrity(json_data),
            },
        ],
    }
    return (json.dumps(package, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode(
        "utf-8"
    )


def edition_downloads(
    edition: Edition, config: SiteConfig, labels: Labels, route: str
) -> Iterator[OutputFile]:
    """The three files under `route` (an edition's folder, ending in '/'), written once for both languages."""
    csv_data, json_data = edition_csv(edition), edition_json(edition)
    yield OutputFile(route + CSV_NAME, csv_data)
    yield OutputFile(route + JSON_NAME, json_data)
    yield OutputFile(
        route + PACKAGE_NAME, datapackage(edition, config, labels, csv_data, json_data)
    )
