"""The catalogue's cross-file rules, one small function each, all reported in one run.

Each rule yields Diagnostics located at the offending key (`file:line:col`); `validate_catalogue`
runs them all, so an author sees every problem at once rather than one per build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from generator.catalogue.in_force import in_force_candidates
from generator.catalogue.load import EDITIONS_DIR, Sources
from generator.catalogue.model import Catalogue, Edition
from generator.diagnostics import Diagnostic, Location, Severity

Rule = Callable[[Catalogue, Sources, dt.date], Iterator[Diagnostic]]
RULES: list[Rule] = []
APPROVED_ONCE = ("approved", "superseded")
# Withdrawn editions were approved before they were revoked, so they keep their approval data.
NEEDS_APPROVAL = ("approved", "superseded", "withdrawn")
CODE_PREFIXES = {"basic": "JC", "untrustworthy": "SX", "trustworthy": "SY", "other": "QT"}
APPROVAL_KEYS = ("approval_document", "approval_date", "effective_date")


def rule(func: Rule) -> Rule:
    RULES.append(func)
    return func


def validate_catalogue(catalogue: Catalogue, sources: Sources, as_of: dt.date) -> list[Diagnostic]:
    return [d for check in RULES for d in check(catalogue, sources, as_of)]


def _error(code: str, message: str, location: Location) -> Diagnostic:
    return Diagnostic(location, Severity.ERROR, code, message)


@rule
def unique_codes(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """`catalogue.duplicate-code`: item codes are unique within an edition.

    Compared without case, because codes become URLs and file names, and some file systems
    would merge `SX-01` and `sx-01`.
    """
    for edition in cat.editions:
        seen: dict[str, str] = {}
        for item in edition.items:
            key = item.code.upper()
            if key in seen:
                yield _error(
                    "catalogue.duplicate-code",
                    f"code {item.code!r} is already used in edition {edition.id!r} by {seen[key]}",
                    src.loc(item.source, "code"),
                )
            else:
                seen[key] = item.source


@rule
def code_prefix(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """`catalogue.code-prefix`: an item code's prefix names its category (JC, SX, SY, QT)."""
    for edition in cat.editions:
        for item in edition.items:
            prefix = CODE_PREFIXES[item.category]
            if not item.code.startswith(prefix + "-"):
                yield _error(
                    "catalogue.code-prefix",
                    f"a {item.category} item's code starts with {prefix}-, not {item.code!r}",
                    src.loc(item.source, "code"),
                )


@rule
def article_12_clause(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """`catalogue.article-12-missing` / `-unexpected`: a clause of Art. 12 exactly for untrustworthy items."""
    for edition in cat.editions:
        for item in edition.items:
            given = src.value(item.source, "article_12_clause") is not None
            if item.category == "untrustworthy" and not given:
                yield _error(
                    "catalogue.article-12-missing",
                    "an untrustworthy item must name its Art. 12 clause (article_12_clause: 1-5)",
                    src.loc(item.source, "category"),
                )
            elif item.category != "untrustworthy" and given:
                yield _error(
                    "catalogue.article-12-unexpected",
                    f"article_12_clause is only for untrustworthy items; this one is {item.category!r}",
                    src.loc(item.source, "article_12_clause"),
                )


@rule
def legal_basis(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """`catalogue.legal-basis-missing`: Art. 12: every untrustworthy record rests on a legal basis."""
    for edition in cat.editions:
        for item in edition.items:
            if item.category == "untrustworthy" and not item.legal_basis:
                has_key = src.has(item.source, "legal_basis")
                yield _error(
                    "catalogue.legal-basis-missing",
                    "an untrustworthy item needs a non-empty legal_basis list",
                    src.loc(item.source, "legal_basis" if has_key else None),
                )


@rule
def providers_exist(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """`catalogue.unknown-provider`: every provider is a department in departments.yaml."""
    known = {d.code for d in cat.departments}
    for edition in cat.editions:
        for item in edition.items:
            for i, code in enumerate(item.providers):
                if code not in known:
                    yield _error(
                        "catalogue.unknown-provider",
                        f"provider {code!r} is not in catalogue/departments.yaml",
                        src.loc(item.source, "providers", i),
                    )


@rule
def schemas_resolve(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """`catalogue.unknown-schema`: `schema: <name>` names a file catalogue/schemas/<name>.yaml."""
    for edition in cat.editions:
        for item in edition.items:
            if item.schema is not None and item.schema not in cat.schemas:
                yield _error(
                    "catalogue.unknown-schema",
                    f"no schema catalogue/schemas/{item.schema}.yaml",
                    src.loc(item.source, "schema"),
                )


@rule
def approval_dates(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """Dates agree: an approved edition has its approval data, approved on or before it takes effect;
    a draft has none yet (`catalogue.approval-incomplete`, `-after-effective`, `draft-has-approval`)."""
    for e in cat.editions:
        values = {
            "approval_document": e.approval_document,
            "approval_date": e.approval_date,
            "effective_date": e.effective_date,
        }
        if e.status in NEEDS_APPROVAL:
            for key, value in values.items():
                if value is None:
                    has_key = src.has(e.source, key)
                    yield _error(
                        "catalogue.approval-incomplete",
                        f"a {e.status} edition needs {key}",
                        src.loc(e.source, key if has_key else None),
                    )
        if e.status == "draft":
            for key, value in values.items():
                if value is not None:
                    yield _error(
                        "catalogue.draft-has-approval",
                        f"a draft has not been approved yet, so {key} must be null",
                        src.loc(e.source, key),
                    )
        if e.approval_date and e.effective_date and e.approval_date > e.effective_date:
            yield _error(
                "catalogue.approval-after-effective",
                f"approval_date {e.approval_date} is after effective_date {e.effective_date}",
                src.loc(e.source, "approval_date"),
            )


@rule
def supersedes_chain(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """`supersedes` names an existing edition, takes effect after it, and never loops
    (`catalogue.unknown-supersedes`, `catalogue.supersedes-order`, `catalogue.supersedes-cycle`)."""
    by_id = {e.id: e for e in cat.editions}
    for e in cat.editions:
        if e.supersedes is None:
            continue
        old = by_id.get(e.supersedes)
        if old is None:
            yield _error(
                "catalogue.unknown-supersedes",
                f"supersedes {e.supersedes!r}, which is not an edition in {EDITIONS_DIR}/",
                src.loc(e.source, "supersedes"),
            )
            continue
        if _in_cycle(e, by_id):
            yield _error(
                "catalogue.supersedes-cycle",
                f"edition {e.id!r} supersedes itself through the chain {_chain(e, by_id)}",
                src.loc(e.source, "supersedes"),
            )
        elif old.effective_date and e.effective_date and e.effective_date <= old.effective_date:
            yield _error(
                "catalogue.supersedes-order",
                f"takes effect on {e.effective_date}, not after {old.id!r} which it supersedes "
                f"({old.effective_date})",
                src.loc(e.source, "effective_date"),
            )


def _in_cycle(start: Edition, by_id: dict[str, Edition]) -> bool:
    seen: set[str] = set()
    current: Edition | None = start
    while current is not None and current.supersedes is not None:
        if current.supersedes == start.id:
            return True
        if current.id in seen:
            return False  # a loop further up the chain, reported on its own members
        seen.add(current.id)
        current = by_id.get(current.supersedes)
    return False


def _chain(start: Edition, by_id: dict[str, Edition]) -> str:
    ids = [start.id]
    current = by_id.get(start.supersedes or "")
    while current is not None and current.id != start.id:
        ids.append(current.id)
        current = by_id.get(current.supersedes or "")
    return " → ".join([*ids, start.id])


@rule
def superseded_has_successor(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """`catalogue.superseded-without-successor`: a superseded edition is named in the `supersedes`
    of a later approved edition; otherwise nothing replaced it and the status is wrong."""
    replaced = {e.supersedes for e in cat.editions if e.status in APPROVED_ONCE}
    for e in cat.editions:
        if e.status == "superseded" and e.id not in replaced:
            yield _error(
                "catalogue.superseded-without-successor",
                f"edition {e.id!r} is superseded, but no approved edition supersedes it",
                src.loc(e.source, "status"),
            )


@rule
def distinct_effective_dates(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """`catalogue.duplicate-effective-date`: no two approved or superseded editions take effect on
    the same day, so exactly one is in force on any later day (see in_force.py)."""
    by_date: dict[dt.date, list[Edition]] = {}
    for e in cat.editions:
        if e.status in APPROVED_ONCE and e.effective_date is not None:
            by_date.setdefault(e.effective_date, []).append(e)
    for day, editions in sorted(by_date.items()):
        if len(editions) > 1:
            ids = ", ".join(sorted(repr(e.id) for e in editions))
            for e in editions:
                yield _error(
                    "catalogue.duplicate-effective-date",
                    f"editions {ids} all take effect on {day}; only one can be in force",
                    src.loc(e.source, "effective_date"),
                )


@rule
def one_in_force(cat: Catalogue, src: Sources, as_of: dt.date) -> Iterator[Diagnostic]:
    """`catalogue.no-edition-in-force`: an edition is in force at --as-of (see in_force.py).

    Two editions tied on one day are reported by `distinct_effective_dates`."""
    if cat.editions and not in_force_candidates(cat.editions, as_of):
        yield _error(
            "catalogue.no-edition-in-force",
            f"no approved edition has taken effect on or before {as_of.isoformat()}",
            Location(EDITIONS_DIR),
        )
