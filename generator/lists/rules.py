"""The publication rules: what the law lets the portal show, one small named function per rule.

Each rule has a stable number and code(s) and cites its legal source in its docstring; the rule
table in docs/publication-rules.md is generated from RULES (`python -m generator.lists.ruletable`).
Row rules run in their number's order and the first that withholds or rejects gives the reason.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator import native
from generator.catalogue.model import Item, TableSchema
from generator.config import PublicationPolicy, Tier
from generator.diagnostics import Location
from generator.lists.identifiers import mask_person_name, mask_resident_id
from generator.lists.model import PUBLISHED, REJECTED, WITHHELD

NATURAL_PERSON_CATEGORY = "自然人"
FULL_MASK = "****"
# Art. 12(2) is the clause whose records carry procedure, minor and severity columns.
PENALTY_CLAUSE = 2


@dataclass(frozen=True)
class Rule:
    number: int
    name: str
    title: str  # first line of the docstring
    doc: str  # the rest of the docstring
    source: str  # legal source, e.g. "Art. 12(2)"
    scope: str  # package | row | list | record
    outcome: str  # what the rule can lead to
    codes: tuple[str, ...]
    func: Callable[..., Any]


RULES: list[Rule] = []


def rule(
    number: int, *, source: str, scope: str, outcome: str, codes: Sequence[str]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        lines = native.docstring(func).strip().split("\n\n", 1)
        title = " ".join(lines[0].split())
        doc = " ".join(lines[1].split()) if len(lines) > 1 else ""
        RULES.append(
            Rule(number, func.__name__, title, doc, source, scope, outcome, tuple(codes), func)
        )
        return func

    return register


@dataclass(frozen=True)
class Withdrawal:
    reason: str  # repaired | revoked | corrected
    number: str  # the withdrawal document's number
    date: dt.date
    location: Location  # its row in withdrawals.csv


@dataclass(frozen=True)
class Objection:
    status: str  # under_review | upheld | rejected
    received: dt.date
    location: Location  # its row in objections.csv


@dataclass(frozen=True)
class Facts:
    """What the row rules need to know about one valid record."""

    item: Item
    decision_number: str
    decision_date: dt.date | None
    publicity_end: dt.date | None
    natural_person: bool
    procedure: str | None = None  # SX-02's `procedure`
    minor: bool = False  # SX-02's `minor`
    severity: str | None = None  # SX-02's `severity`
    publication_date: dt.date | None = None  # the optional `publication_date` role
    withdrawal: Withdrawal | None = None
    objection: Objection | None = None


@dataclass(frozen=True)
class Context:
    as_of: dt.date
    policy: PublicationPolicy


@dataclass(frozen=True)
class Verdict:
    outcome: str  # withheld | rejected
    reason: str


@dataclass(frozen=True)
class Window:
    """The publicity window: shown on start <= day < end."""

    tier: str
    published: bool  # False: the tier is not published at all
    start: dt.date
    end: dt.date
    min_end: dt.date  # start + the minimum period: credit repair is possible from here


# --- 1. The item ---------------------------------------------------------------------------


@rule(
    1,
    source="Art. 10, Art. 12",
    scope="package",
    outcome=WITHHELD,
    codes=("item-not-in-force", "item-not-untrustworthy", "item-not-public"),
)
def item_published(item: Item | None) -> str | None:
    """The package's item is in the in-force catalogue edition, untrustworthy and public.

    Otherwise every row of the package is withheld with the reason, and the build warns. A
    package naming an item that no catalogue edition has is an error (`list.unknown-item`).
    `item` is the item as the in-force edition has it, or None.
    """
    if item is None:
        return "item-not-in-force"
    if item.category != "untrustworthy":
        return "item-not-untrustworthy"
    if item.disclosure != "public":
        return "item-not-public"
    return None


# --- 2 to 7. One record ----------------------------------------------------------------------


@rule(
    2,
    source="Art. 12, last paragraph",
    scope="row",
    outcome=REJECTED,
    codes=("no-legal-document",),
)
def legally_binding_document(facts: Facts, ctx: Context) -> Verdict | None:
    """Every untrustworthy record rests on a legally binding document.

    A row without its decision document number or decision date is rejected (an error).
    """
    if not facts.decision_number.strip() or facts.decision_date is None:
        return Verdict(REJECTED, "no-legal-document")
    return None


@rule(
    3,
    source="Art. 12(2)",
    scope="row",
    outcome=WITHHELD,
    codes=("simplified-procedure", "minor-exception"),
)
def general_procedure(facts: Facts, ctx: Context) -> Verdict | None:
    """Only penalties under the general procedure, and not minor or mitigated ones, are untrustworthy.

    Applies to Art. 12(2) items (SX-02): `procedure` must be `general`, and `minor = true`
    (a minor violation, or harm actively eliminated or mitigated) withholds the record.
    """
    if facts.item.article_12_clause != PENALTY_CLAUSE:
        return None
    if facts.procedure != "general":
        return Verdict(WITHHELD, "simplified-procedure")
    if facts.minor:
        return Verdict(WITHHELD, "minor-exception")
    return None


@rule(
    4,
    source="Art. 4; national publicity rules",
    scope="row",
    outcome=WITHHELD,
    codes=("natural-person",),
)
def natural_person_penalty(facts: Facts, ctx: Context) -> Verdict | None:
    """Penalties against natural persons are, in principle, not displayed.

    Applies to Art. 12(2) items while site.yaml's `publication.natural_person_penalties` is
    `withhold` (the default). Natural persons on other lists (SX-04) are published, masked.
    """
    if (
        facts.item.article_12_clause == PENALTY_CLAUSE
        and facts.natural_person
        and ctx.policy.natural_person_penalties == "withhold"
    ):
        return Verdict(WITHHELD, "natural-person")
    return None


@rule(
    5,
    source="national publicity rules (minimum and maximum periods)",
    scope="row",
    outcome=WITHHELD,
    codes=("tier-not-published", "not-yet-public", "expired"),
)
def publicity_window(facts: Facts, ctx: Context) -> Verdict | None:
    """A record is shown only inside its publicity window, and never in an unpublished tier.

    The window starts at the decision date (or the `publication_date` role, when site.yaml's
    `publicity_start` says so). It ends at the publicity end the department gives, clamped into
    [start + minimum, start + maximum] for the record's tier; without one, at start + maximum.
    The tier is the `severity` column's, else the item's `publicity`; the item's explicit months
    override the tier's, which come from site.yaml. The record is shown up to the day before
    its end date and withheld as `expired` from the end date on.
    """
    window = publicity_window_of(facts, ctx)
    if window is None:
        return None  # no decision date: rule 2 has rejected the row already
    if not window.published:
        return Verdict(WITHHELD, "tier-not-published")
    if window.start > ctx.as_of:
        return Verdict(WITHHELD, "not-yet-public")
    if window.end <= ctx.as_of:
        return Verdict(WITHHELD, "expired")
    return None


@rule(
    6,
    source="credit repair and revocation rules",
    scope="row",
    outcome=WITHHELD,
    codes=("repaired", "revoked", "corrected"),
)
def withdrawn(facts: Facts, ctx: Context) -> Verdict | None:
    """A repaired, revoked or corrected record leaves public view from its withdrawal date.

    Withdrawals come from the `withdrawals` resource of any package of the same item, matched
    by record key. A repair dated before the minimum period warns (`list.early-repair`); a
    withdrawal that matches no record warns (`list.withdrawal-unmatched`).
    """
    w = facts.withdrawal
    if w is not None and w.date <= ctx.as_of:
        return Verdict(WITHHELD, w.reason)
    return None


@rule(
    7,
    source="objection procedure",
    scope="row",
    outcome=WITHHELD,
    codes=("objection-upheld",),
)
def objection_upheld(facts: Facts, ctx: Context) -> Verdict | None:
    """An upheld objection withholds the record; one under review marks it, published.

    Objections come from the `objections` resource, matched by record key. `under_review`
    publishes the record with `under_objection`; `rejected` changes nothing.
    """
    o = facts.objection
    if o is not None and o.received <= ctx.as_of and o.status == "upheld":
        return Verdict(WITHHELD, "objection-upheld")
    return None


ROW_RULES: tuple[Callable[[Facts, Context], Verdict | None], ...] = (
    legally_binding_document,
    general_procedure,
    natural_person_penalty,
    publicity_window,
    withdrawn,
    objection_upheld,
)


def decide_row(facts: Facts, ctx: Context) -> Verdict | None:
    """The first row rule that withholds or rejects, or None: the record is published."""
    for row_rule in ROW_RULES:
        verdict = row_rule(facts, ctx)
        if verdict is not None:
            return verdict
    return None


def next_change(facts: Facts, ctx: Context) -> dt.date | None:
    """The first day after `ctx.as_of` on which the row rules may judge these facts otherwise,
    for a row that no withdrawal or objection names; None if no later day can.

    Without those, rule 5 is the only row rule that reads the date (rules 6 and 7, and the
    objection mark, read it only through them): its verdict changes the day the window starts
    and the day it ends. The decide stage's row memo (generator.lists.rowmemo) reuses a verdict
    from the day it was made up to the day before this one, so a rule that comes to read the date
    must be reflected here (tests/lists/test_rules.py checks which functions read it).
    """
    assert facts.withdrawal is None and facts.objection is None
    window = publicity_window_of(facts, ctx)
    if window is None or not window.published:
        return None
    for day in (window.start, window.end):
        if day > ctx.as_of:
            return day
    return None


def under_objection(facts: Facts, ctx: Context) -> bool:
    o = facts.objection
    return o is not None and o.received <= ctx.as_of and o.status == "under_review"


def early_repair(facts: Facts, ctx: Context) -> bool:
    """A repair dated before start + minimum period: worth a warning (rule 6)."""
    w, window = facts.withdrawal, publicity_window_of(facts, ctx)
    return (
        w is not None and w.reason == "repaired" and window is not None and w.date < window.min_end
    )


# Pure, and asked about the same few thousand decision dates on every row of a list.
@functools.lru_cache(maxsize=65_536)
def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic; the day is clamped (31 January + 1 month = 28/29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def tier_of(facts: Facts) -> str:
    """The record's tier: its `severity`, else the item's; "" when the item gives only months."""
    publicity = facts.item.publicity
    if facts.severity:
        return facts.severity
    if publicity is not None and publicity.tier:
        return publicity.tier
    if publicity is not None and publicity.max_months is not None:
        return ""
    return "general"


# The window of the row last asked about: rule 5, the decide stage and the early-repair check
# each ask for the same row's window in turn. Facts and Context are frozen and the slot holds
# them, so `is` cannot mistake a new row for the old one.
_last_window: tuple[Facts | None, Context | None, Window | None] = (None, None, None)


def publicity_window_of(facts: Facts, ctx: Context) -> Window | None:
    global _last_window
    last_facts, last_ctx, last = _last_window
    if last_facts is facts and last_ctx is ctx:
        return last
    window = _window(facts, ctx)
    _last_window = (facts, ctx, window)
    return window


def _window(facts: Facts, ctx: Context) -> Window | None:
    if facts.decision_date is None:
        return None
    name = tier_of(facts)
    # An unknown tier name is never published; explicit months alone always are.
    tier = ctx.policy.tiers.get(name, Tier(published=False)) if name else Tier(published=True)
    lo, hi = tier.min_months, tier.max_months
    publicity = facts.item.publicity
    if publicity is not None and publicity.min_months is not None:
        lo = publicity.min_months
    if publicity is not None and publicity.max_months is not None:
        hi = publicity.max_months
    start = facts.decision_date
    if ctx.policy.publicity_start == "publication_date" and facts.publication_date is not None:
        start = max(start, facts.publication_date)
    earliest, latest = add_months(start, lo), add_months(start, hi)
    given = facts.publicity_end or latest
    end = min(max(given, earliest), latest)
    return Window(name, tier.published, start, end, earliest)


# --- 8. Duplicates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
    """One package's copy of a record, for choosing which copy is the record."""

    package: str
    municipal: bool


@rule(
    8,
    source="Art. 7, 11 (one platform, many providers)",
    scope="list",
    outcome=WITHHELD,
    codes=("duplicate",),
)
def kept_copy(copies: Sequence[Copy]) -> Copy:
    """The same record from several packages is published once.

    The municipal provider's copy is the record, then the lexicographically first package's.
    Its outcome stands; the other copies are withheld as `duplicate`, naming the kept one, and
    the build warns. The same key twice in one package is an error (`list.duplicate-key`).
    """
    return min(copies, key=lambda c: (not c.municipal, c.package))


# --- 9. Masking ----------------------------------------------------------------------------


@rule(
    9,
    source="Art. 4 (privacy); lists contract",
    scope="record",
    outcome=PUBLISHED,
    codes=(),
)
def public_values(
    texts: Mapping[str, str],
    schema: TableSchema,
    natural_person: bool,
    enumerated: frozenset[str] | None = None,
) -> dict[str, str]:
    """Only public values leave the build: `never` fields are dropped, `masked` fields masked.

    ID numbers show the first 6 and last 4 characters; natural persons' names show the surname
    and `**` (on every list, whatever the schema says); other masked values show as `****`.
    Free text may not repeat a masked or never-published identifier (6 characters or more) or
    a natural person's name: such a repeat is masked too.

    `enumerated` is `enumerated_fields(schema)`, passed in when masking many rows.
    """
    roles = schema.roles
    if enumerated is None:
        enumerated = enumerated_fields(schema)
    shown: dict[str, str] = {}
    plain: list[str] = []  # fields shown as written: the ones to scrub
    secrets: dict[str, str] = {}
    for spec in schema.fields:
        raw = texts.get(spec.name, "")
        person_name = natural_person and spec.name == roles.get("subject_name")
        if spec.publish == "as_is" and not person_name:
            shown[spec.name] = raw
            plain.append(spec.name)
            continue
        masked = "" if spec.publish == "never" else _mask(spec.name, raw, roles, natural_person)
        if spec.publish != "never":
            shown[spec.name] = masked
        # A short code from a closed list ("01", "general") is not a secret worth scrubbing.
        if raw and spec.name not in enumerated and (len(raw) >= 6 or person_name):
            secrets[raw] = masked or FULL_MASK
    if secrets:
        # Nearly always no secret is repeated anywhere: one search over all the shown text
        # settles that (a match across two fields only costs the field-by-field pass below).
        everything = "\x00".join(shown[name] for name in plain)
        if any(raw in everything for raw in secrets):
            longest_first = sorted(secrets, key=len, reverse=True)  # once per row
            for name in plain:
                shown[name] = _scrub(shown[name], longest_first, secrets)
    return shown


def _mask(name: str, raw: str, roles: Mapping[str, Any], natural_person: bool) -> str:
    if not raw:
        return ""
    if name == roles.get("subject_id_number"):
        return mask_resident_id(raw)
    if name == roles.get("subject_name") and natural_person:
        return mask_person_name(raw)
    return FULL_MASK


def scrub(text: str, secrets: Mapping[str, str]) -> str:
    """Replace every occurrence of a secret value in `text` by its masked form, longest first."""
    return _scrub(text, sorted(secrets, key=len, reverse=True), secrets)


def _scrub(text: str, longest_first: Sequence[str], secrets: Mapping[str, str]) -> str:
    for raw in longest_first:
        if raw in text:
            text = text.replace(raw, secrets[raw])
    return text


def enumerated_fields(schema: TableSchema) -> frozenset[str]:
    """Fields whose values come from a closed list or are not text: codes, flags, dates."""
    names = set()
    for f in schema.descriptor.get("fields", ()):
        constraints = f.get("constraints") or {}
        if f.get("type", "string") != "string" or "enum" in constraints:
            names.add(f["name"])
    return frozenset(names)


def is_natural_person(texts: Mapping[str, str], roles: Mapping[str, Any]) -> bool:
    """Lists contract: category 自然人; without a category, an ID number and no credit code."""
    category = roles.get("subject_category")
    value = texts.get(category, "") if isinstance(category, str) else ""
    if value:
        return value == NATURAL_PERSON_CATEGORY
    uscc = texts.get(roles.get("subject_uscc") or "", "")
    id_number = texts.get(roles.get("subject_id_number") or "", "")
    return bool(id_number) and not uscc
