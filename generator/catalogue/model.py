"""The catalogue as immutable values, shared by the catalogue, lists and consultations stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from generator.model import LangText

CATEGORIES = ("basic", "untrustworthy", "trustworthy", "other")
DISCLOSURES = ("public", "government_shared", "authorized_query")
SUBJECT_TYPES = ("legal_person", "unincorporated_org", "individual_business", "natural_person")
STATUSES = ("draft", "approved", "superseded", "withdrawn")
PUBLISH_MODES = ("as_is", "masked", "never")
TIERS = ("minor", "general", "serious")


@dataclass(frozen=True)
class Department:
    code: str
    name: LangText
    uscc: str
    level: str  # municipal | district
    district: str  # 6-digit division code
    source: str  # "catalogue/departments.yaml:12:5"


@dataclass(frozen=True)
class FieldSpec:
    """One column of an item's records and whether it may be published (Art. 4: privacy)."""

    name: str
    title: LangText
    publish: str  # as_is | masked | never
    type: str = "string"
    description: LangText | None = None


@dataclass(frozen=True)
class TableSchema:
    """A Frictionless table schema from catalogue/schemas/, with our custom keys split out."""

    name: str
    source: str  # repository-relative path
    fields: tuple[FieldSpec, ...]
    roles: dict[str, Any]  # subject_name, subject_uscc, decision_number, decision_date, ...
    descriptor: dict[str, Any]  # plain Frictionless descriptor (custom keys removed)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Publicity:
    """A tier (minor/general/serious) or explicit months; explicit months override the tier."""

    tier: str | None = None
    min_months: int | None = None
    max_months: int | None = None


@dataclass(frozen=True)
class Item:
    code: str
    name: LangText
    description: LangText | None
    category: str
    article_12_clause: int | None
    subject_types: tuple[str, ...]
    providers: tuple[str, ...]
    disclosure: str
    scope: LangText | None
    right_to_use: LangText | None
    legal_basis: tuple[LangText, ...]
    schema: str | None  # name of a TableSchema
    fields: tuple[FieldSpec, ...]  # inline fields, or the schema's fields once resolved
    publicity: Publicity | None
    update_frequency: str
    source: str  # repository-relative path of the item file


@dataclass(frozen=True)
class Edition:
    id: str
    title: LangText
    status: str
    approving_body: LangText | None
    approval_document: str | None
    approval_date: dt.date | None
    effective_date: dt.date | None
    supersedes: str | None
    items: tuple[Item, ...]  # sorted by code
    source: str

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)


@dataclass(frozen=True)
class Catalogue:
    departments: tuple[Department, ...]
    schemas: dict[str, TableSchema]
    editions: tuple[Edition, ...]  # oldest first
    in_force: Edition | None  # at the build's --as-of
    extra: dict[str, Any] = field(default_factory=dict)

    def edition(self, edition_id: str) -> Edition | None:
        return next((e for e in self.editions if e.id == edition_id), None)

    def department(self, code: str) -> Department | None:
        return next((d for d in self.departments if d.code == code), None)
