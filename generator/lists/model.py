"""Values that pass between the lists' stages: rows in, outcomes decided, records published."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import NamedTuple

from generator.diagnostics import Location

PUBLISHED, WITHHELD, REJECTED = "published", "withheld", "rejected"
OUTCOMES = (PUBLISHED, WITHHELD, REJECTED)


# slots: a million of each may be alive at once, and slots roughly halve their size.
@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one input row: exactly one per row (the accounting invariant)."""

    location: Location  # resource path and row number
    record_key: str | None
    outcome: str  # published | withheld | rejected
    # Rule code, e.g. "minor-exception", "expired", or an error code such as "list.uscc-check".
    # A published row's reason is "" or, while an objection is under review, "under-objection".
    reason: str
    detail: str = ""  # for a withheld duplicate: the package whose copy was kept


@dataclass(frozen=True, slots=True)
class PublishedRecord:
    """A record that may be shown: every value here is already masked or dropped as its schema says."""

    key: str  # stable record key: item + decision number + subject identifier
    item_code: str
    package: str
    provider: str  # department code
    district: str  # the provider's division code
    subject_key: str  # URL key of /subjects/<key>/: the credit code for organisations
    subject_name: str
    subject_code: str | None  # unified social credit code, where the subject has one
    decision_number: str
    decision_date: dt.date
    publicity_end: dt.date
    authority: str
    # (field name, display value), public fields only, in schema order
    fields: tuple[tuple[str, str], ...]
    under_objection: bool = False
    authority_code: str = ""  # the deciding authority's credit code, for the by-authority index
    natural_person: bool = False  # the subject is a natural person (name and ID masked)
    tier: str = ""  # publicity tier: general | serious | minor, or "" for explicit months
    # The first day shown; publicity_end is the first day no longer shown.
    publicity_start: dt.date | None = None


class RecordRow(NamedTuple):
    """What a record's row on a list page or a sub-index shows (and groups it by): read from the
    store without the rest of the record (`PublishedRecords.rows`)."""

    key: str
    subject_key: str
    subject_name: str
    decision_number: str
    decision_date: dt.date
    under_objection: bool
    authority: str
    authority_code: str
    district: str


ROW_FIELDS = RecordRow._fields


def row_of(record: PublishedRecord) -> RecordRow:
    return RecordRow._make([getattr(record, name) for name in ROW_FIELDS])


def record_key(item_code: str, decision_number: str, subject_id: str) -> str:
    """The stable key of a record: the same across re-exports and re-ordered rows (lists contract)."""
    text = f"{item_code}\x1f{decision_number}\x1f{subject_id}"
    # surrogateescape: a cell with undecodable bytes (a rejected row) still gets a stable key.
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{item_code}-{digest[:16]}"


def person_key(id_number: str) -> str:
    """The subject key of a natural person: a hash, so the raw ID number never appears in a URL."""
    return "p-" + hashlib.sha256(id_number.encode("utf-8", "surrogateescape")).hexdigest()[:16]


# One encoder for every record: json.dumps with these options makes a new one per call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def record_hash(record: PublishedRecord) -> str:
    """A hash of everything the site shows about a record; where it came from is not content.

    The lists manifest keeps it per record (generator.lists.changes); the decide stage computes
    it with the record, on every core, and the store keeps it beside the record.
    """
    shown = [
        record.key,
        record.subject_key,
        record.subject_name,
        record.subject_code,
        record.decision_number,
        record.decision_date.isoformat(),
        record.publicity_end.isoformat(),
        record.authority,
        record.under_objection,
        record.fields,  # pairs: JSON arrays, as lists are
    ]
    text = _COMPACT.encode(shown)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
