"""Values that pass between the lists' stages: rows in, outcomes decided, records published."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.diagnostics import Location

PUBLISHED, WITHHELD, REJECTED = "published", "withheld", "rejected"


@dataclass(frozen=True)
class Outcome:
    """What became of one input row: exactly one per row (the accounting invariant)."""

    location: Location  # resource path and row number
    record_key: str | None
    outcome: str  # published | withheld | rejected
    reason: str  # rule code, e.g. "minor-exception", "expired", or an error code


@dataclass(frozen=True)
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
    fields: tuple[tuple[str, str], ...]  # (field name, display value), public fields only, in schema order
    under_objection: bool = False
