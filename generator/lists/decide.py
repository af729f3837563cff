"""Load every list package, validate it and apply the publication rules: the lists' decide stage.

API for the render, downloads and changes stages (stable; extend, never rename):

    load_and_decide(root: Path, catalogue: Catalogue, config: SiteConfig, as_of: date,
                    diags: Diagnostics, jobs: int = 1) -> ListsDecision

    ListsDecision (frozen)
        lists: tuple[ListResult, ...]        # one per item code that has packages, sorted by code
        withheld_reasons: Mapping[str, str]  # record key -> reason, for keys that are not published
                                             # (expired, repaired, revoked, item-not-public, ...)
        published_items() -> frozenset[str]  # item codes whose list may be shown (rule 1 passed),
                                             # even when no record is published today
        get(item_code) -> ListResult | None
        records() -> Iterator[PublishedRecord]  # every published record of every public list
        subject_groups() -> .parts(n) -> [part], .groups(part=None) -> Iterator[(subject key,
                                             # [records])]: the public lists' records by subject
        close()                              # remove the on-disk store now (else at exit)

    ListResult (frozen)
        item_code: str
        packages: tuple[str, ...]            # package names, sorted
        public: bool                         # rule 1 passed: render this list
        withheld_reason: str | None          # rule 1's reason when not public
        input_rows: int                      # data rows read (the header is row 1, not counted)
        published: Sequence[PublishedRecord] # newest decision first, then key
        outcomes: Sequence[Outcome]          # exactly one per input row, in input order
        counts: dict[str, int]               # published / withheld / rejected -> rows
        reasons: dict[str, int]              # withheld and rejected reasons -> rows

PublishedRecord and Outcome are in generator.lists.model. Every value of a PublishedRecord is
already masked or dropped as its schema says, so a renderer may print any of them.

Memory stays bounded at any number of rows (issue 4): outcomes and published records go to an
on-disk store (generator.lists.store) as they are decided, and `published` and `outcomes` are
sequences that read from it (len, iteration, indexing and slicing), not tuples in memory. Each
iteration decodes the records afresh, so iterate once where you can. A decision built by hand
from tuples (as tests do) works the same.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import marshal
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from generator import forked
from generator.catalogue.model import Catalogue, Department, Item, TableSchema
from generator.config import SiteConfig
from generator.diagnostics import Diagnostics, Location
from generator.lists import rules
from generator.lists.accounting import check_accounting
from generator.lists.model import (
    OUTCOMES,
    PUBLISHED,
    REJECTED,
    WITHHELD,
    Outcome,
    PublishedRecord,
    person_key,
    record_key,
)
from generator.lists.package import ListPackage, ResourceFile, discover_packages
from generator.lists.rowmemo import RowLookup, RowMemo, TableMemo
from generator.lists.store import (
    Encoded,
    KeyIndex,
    ListsStore,
    ListWriter,
    MemorySubjects,
    StoredSubjects,
)
from generator.lists.validate import (
    OBJECTIONS_SCHEMA,
    WITHDRAWALS_SCHEMA,
    DomainContext,
    Row,
    Share,
    ShareFindings,
    TableStats,
    merge_shares,
    raw_rows,
    read_share,
    read_table,
)


@dataclass(frozen=True)
class ListResult:
    item_code: str
    packages: tuple[str, ...]
    public: bool
    withheld_reason: str | None
    input_rows: int
    published: Sequence[PublishedRecord]
    outcomes: Sequence[Outcome]
    counts: dict[str, int]
    reasons: dict[str, int]
    # Each package's `extracted` date (None where it gives none): how current its records are.
    extracted: tuple[tuple[str, dt.date | None], ...] = ()


@dataclass(frozen=True)
class ListsDecision:
    lists: tuple[ListResult, ...] = ()
    withheld_reasons: Mapping[str, str] = field(default_factory=dict)
    # Where `published`, `outcomes` and `withheld_reasons` live; None for a decision built from
    # values in memory.
    store: ListsStore | None = field(default=None, compare=False, repr=False)

    def published_items(self) -> frozenset[str]:
        return frozenset(r.item_code for r in self.lists if r.public)

    def get(self, item_code: str) -> ListResult | None:
        return next((r for r in self.lists if r.item_code == item_code), None)

    def records(self) -> Iterator[PublishedRecord]:
        for result in self.lists:
            yield from result.published

    def published_keys(self) -> Iterator[str]:
        """The keys of `records()`, from the store's column where there is one."""
        if self.store is not None:
            return self.store.published_keys()
        return (r.key for r in self.records())

    def packages_of(self, provider: str) -> list[str]:
        """The packages of a provider's published records (a diagnostic's location)."""
        return sorted({r.package for r in self.records() if r.provider == provider})

    def subject_groups(self) -> StoredSubjects | MemorySubjects:
        """The public lists' records grouped by subject key, for the subject pages and search."""
        if self.store is not None:
            return self.store.subject_groups()
        return MemorySubjects.of(r.published for r in self.lists if r.public)

    def close(self) -> None:
        """Remove the on-disk store now; without this it goes when collected or at exit."""
        if self.store is not None:
            self.store.close()


def load_and_decide(
    root: Path,
    catalogue: Catalogue,
    config: SiteConfig,
    as_of: dt.date,
    diags: Diagnostics,
    jobs: int = 1,
    memo: RowMemo | None = None,
) -> ListsDecision:
    """Read content/lists/, validate every row and decide each one's outcome.

    With `jobs` above 1, each package's rows are dealt in blocks to `jobs` forked children,
    which validate and judge them, while this process records the verdicts in row order
    (generator.forked, validate.Share): the same outcomes and diagnostics, on every core.
    With `memo` (a build with a cache), rows decided before in the same context are read back
    instead (generator.lists.rowmemo), and the rows decided now are added to it.
    """
    by_item: dict[str, list[ListPackage]] = {}
    for package in discover_packages(root, diags):
        by_item.setdefault(package.item_code, []).append(package)
    ctx = rules.Context(as_of, config.policy)
    plans = [
        _plan_list(code, tuple(by_item[code]), catalogue, ctx, diags, memo)
        for code in sorted(by_item)
    ]
    if memo is not None:
        memo.open()  # before any child forks, so that the children find it
    verdicts = _Verdicts([job for plan in plans for job in plan.jobs], diags, jobs)
    store = ListsStore()
    try:
        results = tuple(
            _decide_list(plan, store.begin_list(), diags, verdicts, memo) for plan in plans
        )
        public = (n for n, result in enumerate(results, start=1) if result.public)
        withheld = store.finish(public)
    except BaseException:
        verdicts.close()  # a child started ahead must not outlive the build
        store.close()  # a failed build leaves no temporary files behind
        raise
    return ListsDecision(results, withheld, store)


# --- One list: every package of one item --------------------------------------------------


@dataclass(frozen=True)
class _ListPlan:
    """One list before its rows are read: which packages are decided row by row (`jobs`, in
    order), and which get one outcome for every row (`problems`)."""

    code: str
    packages: tuple[ListPackage, ...]
    public: bool  # rule 1 passed
    reason: str | None  # rule 1's reason when not public
    schema: TableSchema | None  # the item's table schema, where it has one
    problems: Mapping[str, tuple[str, str]]  # package name -> (outcome, reason) for all its rows
    jobs: tuple[_RowJob, ...]
    withdrawals: _Actions
    objections: _Actions


def _plan_list(
    code: str,
    packages: tuple[ListPackage, ...],
    catalogue: Catalogue,
    ctx: rules.Context,
    diags: Diagnostics,
    memo: RowMemo | None = None,
) -> _ListPlan:
    in_force = catalogue.in_force.item(code) if catalogue.in_force else None
    known = in_force or _item_in_any_edition(catalogue, code)
    schema = catalogue.schemas.get(known.schema) if known and known.schema else None
    reason = rules.item_published(in_force)
    problems: dict[str, tuple[str, str]] = {}
    usable: list[tuple[ListPackage, Department]] = []
    for package in packages:
        department = catalogue.department(package.provider)
        problem = _package_problem(package, known, schema, department, reason, diags)
        if problem is not None:
            problems[package.name] = problem
        else:
            assert department is not None
            usable.append((package, department))
    withdrawals, objections = _Actions(), _Actions()
    jobs: tuple[_RowJob, ...] = ()
    if usable and known is not None and schema is not None:
        authority_codes = frozenset(d.uscc for d in catalogue.departments)
        domain = DomainContext(schema.roles, authority_codes, ctx.as_of)
        withdrawals, objections = _load_actions(code, [p for p, _ in usable], ctx, diags)
        enumerated = rules.enumerated_fields(schema)
        jobs = tuple(
            _RowJob(
                code,
                _Source(package, department, known, schema, enumerated),
                domain,
                ctx,
                withdrawals,
                objections,
                _table_memo(memo, code, known, package, department, schema),
            )
            for package, department in usable
        )
    return _ListPlan(
        code, packages, reason is None, reason, schema, problems, jobs, withdrawals, objections
    )


def _table_memo(
    memo: RowMemo | None,
    code: str,
    item: Item,
    package: ListPackage,
    department: Department,
    schema: TableSchema,
) -> TableMemo | None:
    """The row memo of one package's records: its rows are judged by the build's context (the
    memo's), by what is named here (the header is added as the file is read) and by the date
    (which each remembered verdict says it holds for)."""
    if memo is None:
        return None
    descriptor = json.dumps(schema.descriptor, sort_keys=True, ensure_ascii=False, default=str)
    return memo.table(
        code,
        repr(item),  # the edition in force on the build's date: not in the memo's context
        package.name,
        package.records.path,
        department.code,
        department.district,
        department.level,
        descriptor,
    )


def _decide_list(
    plan: _ListPlan,
    writer: ListWriter,
    diags: Diagnostics,
    verdicts: _Verdicts,
    memo: RowMemo | None = None,
) -> ListResult:
    builder = _ListBuilder(plan.code, writer, KeyIndex(writer.store), memo)
    for package in plan.packages:
        if package.name in plan.problems:
            builder.whole_package(package, plan.problems[package.name], plan.schema, diags)
    for job in plan.jobs:
        builder.package(job, verdicts.of(job), diags)
    if plan.jobs:
        builder.resolve_duplicates(diags)
        _warn_unmatched(builder.seen, plan.withdrawals, plan.objections, diags)
    result = builder.result(plan.packages, plan.public, plan.reason)
    check_accounting(result, builder.input_rows)
    return result


def _item_in_any_edition(catalogue: Catalogue, code: str) -> Item | None:
    for edition in reversed(catalogue.editions):
        item = edition.item(code)
        if item is not None:
            return item
    return None


def _package_problem(
    package: ListPackage,
    item: Item | None,
    schema: TableSchema | None,
    department: Department | None,
    reason: str | None,
    diags: Diagnostics,
) -> tuple[str, str] | None:
    """Why every row of the package gets one outcome, as (outcome, reason), or None."""
    if item is None:
        diags.error(
            "list.unknown-item",
            f"no catalogue edition has an item {package.item_code!r}",
            package.loc("catalogue_item"),
        )
        return REJECTED, "list.unknown-item"
    if department is None:
        diags.error(
            "list.unknown-provider",
            f"{package.provider!r} is not a department in catalogue/departments.yaml",
            package.loc("provider"),
        )
        return REJECTED, "list.unknown-provider"
    if package.provider not in item.providers:
        diags.warning(
            "list.provider-not-in-item",
            f"the catalogue does not list {package.provider} as a provider of {item.code}",
            package.loc("provider"),
        )
    if reason is not None:
        explain = {
            "item-not-in-force": "is not in the catalogue edition in force",
            "item-not-untrustworthy": "is not untrustworthy information (Art. 12)",
            "item-not-public": "is not disclosed to the public",
        }[reason]
        diags.warning(
            f"list.{reason}",
            f"item {item.code} {explain}; all rows of this package are withheld",
            package.loc("catalogue_item"),
        )
        return WITHHELD, reason
    if schema is None:
        diags.error(
            "list.no-schema",
            f"item {item.code} names no table schema, so its rows cannot be checked",
            package.loc("catalogue_item"),
        )
        return REJECTED, "list.no-schema"
    names = tuple(f["name"] for f in schema.descriptor.get("fields", ()))
    _check_declared(package.records, names, package, diags)
    return None


def _check_declared(
    resource: ResourceFile | None, names: tuple[str, ...], package: ListPackage, diags: Diagnostics
) -> None:
    """A package may declare a schema, but not a different one: the catalogue's applies."""
    if resource is None or resource.declared_fields is None:
        return
    declared = resource.declared_fields
    if sorted(declared) != sorted(names):
        missing = [n for n in names if n not in declared]
        extra = [n for n in declared if n not in names]
        diags.error(
            "list.schema-mismatch",
            f"the {resource.name} schema declared here differs from the one that applies "
            f"(missing: {', '.join(missing) or '-'}; extra: {', '.join(extra) or '-'})",
            Location(package.descriptor),
        )


# --- Withdrawals and objections ------------------------------------------------------------

_OBJECTION_PRIORITY = {"upheld": 2, "under_review": 1, "rejected": 0}


@dataclass
class _Actions:
    """Withdrawals or objections by record key, and where each was declared."""

    by_key: dict[str, Any] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)


def _load_actions(
    code: str, packages: list[ListPackage], ctx: rules.Context, diags: Diagnostics
) -> tuple[_Actions, _Actions]:
    """Withdrawals and objections of every package of the item: they match records by key,
    whichever package the record came from. They are few, so they are held in memory."""
    withdrawals, objections = _Actions(), _Actions()
    for package in packages:
        if package.withdrawals is not None:
            _check_declared(package.withdrawals, _names(WITHDRAWALS_SCHEMA), package, diags)
            for row in read_table(package.withdrawals, WITHDRAWALS_SCHEMA, diags):
                if row.error is None:
                    _add_withdrawal(code, package.withdrawals, row, withdrawals)
        if package.objections is not None:
            _check_declared(package.objections, _names(OBJECTIONS_SCHEMA), package, diags)
            for row in read_table(package.objections, OBJECTIONS_SCHEMA, diags):
                if row.error is None:
                    _add_objection(code, package.objections, row, objections, ctx)
    return withdrawals, objections


def _names(descriptor: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(f["name"] for f in descriptor["fields"])


def _add_withdrawal(code: str, resource: ResourceFile, row: Row, into: _Actions) -> None:
    v = row.values
    key = record_key(code, row.texts["decision_number"], row.texts["subject_id"])
    location = Location(resource.path, row=row.number)
    new = rules.Withdrawal(v["reason"], v["withdrawal_number"], v["withdrawal_date"], location)
    old = into.by_key.get(key)
    # The earliest withdrawal is the one that takes the record out of view.
    if old is None or new.date < old.date:
        into.by_key[key] = new
    into.locations.setdefault(key, location)


def _add_objection(
    code: str, resource: ResourceFile, row: Row, into: _Actions, ctx: rules.Context
) -> None:
    v = row.values
    key = record_key(code, row.texts["decision_number"], row.texts["subject_id"])
    location = Location(resource.path, row=row.number)
    into.locations.setdefault(key, location)
    if v["received"] > ctx.as_of:
        return  # not received yet at --as-of
    new = rules.Objection(v["status"], v["received"], location)
    old = into.by_key.get(key)
    # An upheld objection outweighs one under review, which outweighs a rejected one.
    if old is None or (_OBJECTION_PRIORITY[new.status], new.received) > (
        _OBJECTION_PRIORITY[old.status],
        old.received,
    ):
        into.by_key[key] = new


def _warn_unmatched(
    seen: Callable[[str], bool], withdrawals: _Actions, objections: _Actions, diags: Diagnostics
) -> None:
    for kind, actions in (("withdrawal", withdrawals), ("objection", objections)):
        for key, location in actions.locations.items():
            if not seen(key):
                diags.warning(
                    f"list.{kind}-unmatched",
                    f"this {kind} matches no record (no record has this decision number and "
                    "subject identifier)",
                    location,
                )


# --- Building the outcomes of one list ------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One package being decided, with what all of its rows share."""

    package: ListPackage
    department: Department
    item: Item
    schema: TableSchema
    enumerated: frozenset[str]  # rules.enumerated_fields(schema), computed once


class RowVerdict(NamedTuple):
    """What the rules say of one row, before the duplicate rule and the store have a say.

    Computed from the row alone (`_RowJob.verdict`), so it may be computed in another process,
    and pickled back: a named tuple, which pickles alike whether this module runs as Python or
    compiled (generator/native.py), where a frozen dataclass would not unpickle.
    """

    number: int  # the row number (the header is row 1)
    key: str | None  # the record key, when the row has cells
    error: str | None = None  # the row failed validation: rejected with this code
    rejected: tuple[str, str | None] | None = None  # rule 2: (reason, field to point at)
    early_repair: tuple[dt.date, dt.date, Location] | None = None  # (repaired, min end, where)
    withheld: str | None = None  # the reason the record is not shown
    flagged: bool = False  # published, under objection
    record: Encoded | None = None  # published: ListWriter.publish_encoded's
    # With a row memo (generator.lists.rowmemo): what it did for this row, "reused", "decided"
    # (and remembered), "same" or "differs" (checked), or "" (not for the memo).
    memo: str = ""

    def stored(self, since: dt.date, until: dt.date | None) -> bytes:
        """What the row memo keeps of a verdict: the days it holds for (from `since` to the day
        before `until`, or on), and all of it but the row number, the error and the early repair
        (a remembered row had neither), and the memo's own fields."""
        span = (since.toordinal(), until.toordinal() if until is not None else 0)
        return marshal.dumps((*span, self.key, self.rejected, self.withheld, self.flagged,
                              self.record))  # fmt: skip


def _remembered(data: bytes, day: dt.date) -> RowVerdict | None:
    """A verdict the row memo kept (`RowVerdict.stored`), without its row number yet; None if
    it does not hold on `day`."""
    since, until, key, rejected, withheld, flagged, record = marshal.loads(data)
    if not since <= day.toordinal() < (until or _NEVER):
        return None
    return RowVerdict(0, key, None, rejected, None, withheld, flagged, record, "reused")


_NEVER = dt.date.max.toordinal() + 1


@dataclass(frozen=True)
class _RowJob:
    """One package's rows, validated and judged one by one: here, or in a forked child."""

    code: str
    source: _Source
    domain: DomainContext
    ctx: rules.Context
    withdrawals: _Actions
    objections: _Actions
    memo: TableMemo | None = None

    def here(self, diags: Diagnostics, stats: TableStats) -> Iterator[RowVerdict]:
        records, schema = self.source.package.records, self.source.schema
        lookup = self._lookup()
        rows = read_table(records, schema.descriptor, diags, self.domain, stats, memo=lookup)
        for row in rows:
            yield self.verdict(row, lookup)
        if lookup is not None:
            lookup.done()

    def _lookup(self) -> RowLookup | None:
        return self.memo.lookup(self._usable) if self.memo is not None else None

    def _usable(self, data: bytes) -> RowVerdict | None:
        """A remembered verdict that holds on this build's date, unless a withdrawal or an
        objection names its key now."""
        found = _remembered(data, self.ctx.as_of)
        return None if found is None or self._named(found.key) else found

    def _named(self, key: str | None) -> bool:
        """Does a withdrawal or an objection name this record key? (Its verdict then depends on
        more than the row: the row memo neither keeps nor uses it.)"""
        return key in self.withdrawals.by_key or key in self.objections.by_key

    def start(self, diags: Diagnostics, stats: TableStats, shares: int) -> _Started:
        """The same verdicts, computed in `shares` children forked now: each validates and
        judges its share of the rows (validate.Share); iterating the result merges their
        verdicts back into row order."""
        records, descriptor = self.source.package.records, self.source.schema.descriptor
        parts: list[ShareFindings] = [ShareFindings() for _ in range(shares)]

        def produce(share: Share) -> Iterator[RowVerdict]:
            found = parts[share.index]  # the child's own copy, sent back by `collect`
            lookup = self._lookup()
            for row in read_share(records, descriptor, self.domain, share, found, lookup):
                yield self.verdict(row, lookup)
            if lookup is not None:
                lookup.done()

        children: list[forked.Started[RowVerdict]] = []
        try:
            for k in range(shares):
                children.append(
                    forked.start(
                        partial(produce, Share(k, shares)),
                        partial(parts.__getitem__, k),
                        partial(parts.__setitem__, k),
                    )
                )
        except BaseException:
            for child in children:
                child.close()
            raise
        return _Started(children, parts, diags, stats)

    def verdict(self, row: Row, lookup: RowLookup | None = None) -> RowVerdict:
        if row.known is not None:  # remembered (generator.lists.rowmemo), and not validated
            known: RowVerdict = row.known
            return known._replace(number=row.number)
        found, facts = self._decided(row)
        if lookup is None:
            return found
        if row.expected is not None:  # the memo's first find: decided all the same, to check it
            expected: RowVerdict = row.expected
            if row.digest and found == expected._replace(number=row.number, memo=""):
                return found._replace(memo="same")
            lookup.distrust()  # the rest of this read is decided row by row
            what = "differs"
        else:
            what = "decided"
        # Kept: a row validated without a finding, whose key no withdrawal or objection names.
        if row.digest and not self._named(found.key):
            until = rules.next_change(facts, self.ctx) if facts is not None else None
            lookup.remember(row.digest, found.stored(self.ctx.as_of, until))
            return found._replace(memo=what)
        return found._replace(memo="differs") if what == "differs" else found

    def _decided(self, row: Row) -> tuple[RowVerdict, rules.Facts | None]:
        """The row's verdict, and the facts it was judged on (None for a row not judged)."""
        source, ctx = self.source, self.ctx
        roles = source.schema.roles
        key = _key(self.code, row.texts, roles) if row.texts else None
        if row.error is not None:
            return RowVerdict(row.number, key, row.error), None
        assert key is not None
        facts = _facts(
            source.item,
            row,
            roles,
            self.withdrawals.by_key.get(key),
            self.objections.by_key.get(key),
        )
        verdict = rules.decide_row(facts, ctx)
        if verdict is not None and verdict.outcome == REJECTED:
            field_ = roles.get("decision_number")
            if facts.decision_number and facts.decision_date is None:
                field_ = roles.get("decision_date")
            return RowVerdict(row.number, key, rejected=(verdict.reason, field_)), facts
        window = rules.publicity_window_of(facts, ctx)
        assert window is not None  # rule 2 rejected rows without a decision date
        early = None
        if facts.withdrawal is not None and rules.early_repair(facts, ctx):
            early = (facts.withdrawal.date, window.min_end, facts.withdrawal.location)
        if verdict is not None:
            return RowVerdict(row.number, key, early_repair=early, withheld=verdict.reason), facts
        flagged = rules.under_objection(facts, ctx)
        shown = rules.public_values(row.texts, source.schema, facts.natural_person,
                                    source.enumerated)  # fmt: skip
        fields = tuple((f.name, shown[f.name]) for f in source.schema.fields if f.name in shown)
        record = _published(key, source, row, facts, window, flagged, fields)
        return RowVerdict(row.number, key, early_repair=early, flagged=flagged,
                          record=ListWriter.encoded(record)), facts  # fmt: skip


class Verdicts(Protocol):
    """One package's verdicts in row order; `stats` is complete once they have all been read."""

    @property
    def stats(self) -> TableStats: ...

    def __iter__(self) -> Iterator[RowVerdict]: ...


@dataclass(frozen=True)
class _Here:
    """Verdicts computed in this process, as they are read."""

    job: _RowJob
    diags: Diagnostics
    stats: TableStats = field(default_factory=TableStats)

    def __iter__(self) -> Iterator[RowVerdict]:
        return self.job.here(self.diags, self.stats)


@dataclass(frozen=True)
class _Started:
    """Verdicts computed by forked children (`_RowJob.start`)."""

    children: list[forked.Started[RowVerdict]]
    parts: list[ShareFindings]
    diags: Diagnostics
    stats: TableStats

    def __iter__(self) -> Iterator[RowVerdict]:
        yield from heapq.merge(*self.children, key=attrgetter("number"))
        merge_shares(self.parts, self.diags, self.stats)  # every child has sent its findings

    def close(self) -> None:
        for child in self.children:
            child.close()


class _Verdicts:
    """Every package's verdicts, in turn, with the next packages' children started early.

    When the last verdict of a package has been read, the children of the next AHEAD packages
    are at work already, so they validate while this process finishes that package and its
    list (the duplicate rule, the store's sort of the published records), instead of after it:
    on two cores, that was most of the time between two lists. Two, not one, so that a small
    package next does not leave a core idle again. Each child runs at most forked.LOOKAHEAD
    messages ahead of this process, which bounds the memory they take.
    """

    AHEAD = 2

    def __init__(self, jobs: list[_RowJob], diags: Diagnostics, shares: int) -> None:
        self.jobs = jobs
        self.diags = diags
        self.shares = shares if forked.AVAILABLE else 1
        self.taken = 0  # jobs handed out so far
        self.ahead: deque[_Started] = deque()  # the next jobs', started early

    def of(self, job: _RowJob) -> Verdicts:
        assert self.jobs[self.taken] is job, "jobs are taken in the order they were planned"
        self.taken += 1
        if self.shares <= 1:
            return _Here(job, self.diags)
        started = self.ahead.popleft() if self.ahead else self._start(job)
        return _Then(started, self._start_ahead)

    def _start(self, job: _RowJob) -> _Started:
        return job.start(self.diags, TableStats(), self.shares)

    def _start_ahead(self) -> None:
        while len(self.ahead) < self.AHEAD and self.taken + len(self.ahead) < len(self.jobs):
            self.ahead.append(self._start(self.jobs[self.taken + len(self.ahead)]))

    def close(self) -> None:
        while self.ahead:
            self.ahead.popleft().close()


@dataclass(frozen=True)
class _Then:
    """`verdicts`, then `after()` once the last of them has been read."""

    verdicts: _Started
    after: Callable[[], None]

    @property
    def stats(self) -> TableStats:
        return self.verdicts.stats

    def __iter__(self) -> Iterator[RowVerdict]:
        yield from self.verdicts
        self.after()


class _ListBuilder:
    """Decides one outcome per row and hands it, and any published record, to the store at once.

    Rows, outcomes and records are never all in memory: only the duplicates' outcome numbers.
    """

    def __init__(
        self, code: str, writer: ListWriter, keys: KeyIndex, memo: RowMemo | None = None
    ) -> None:
        self.code = code
        self.memo = memo
        self.outcomes = writer  # outcome number -> Outcome, on disk
        self.keys = keys  # record key -> outcome numbers of its first and last non-rejected copy
        self.more: dict[str, list[int]] = {}  # record key -> indexes of further copies
        self.starts: list[int] = []  # outcome index where each package's rows begin
        self.package_info: list[tuple[str, bool]] = []  # (package name, municipal provider)
        self.input_rows = 0

    def _begin(self, package: ListPackage, municipal: bool) -> int:
        self.starts.append(len(self.outcomes))
        self.package_info.append((package.name, municipal))
        return len(self.outcomes)

    def whole_package(
        self,
        package: ListPackage,
        problem: tuple[str, str],
        schema: TableSchema | None,
        diags: Diagnostics,
    ) -> None:
        """Every row gets the package's outcome; rows are read only to count and key them."""
        self._begin(package, False)
        outcome, reason = problem
        roles = schema.roles if schema else {}
        for number, texts in raw_rows(package.records, diags):
            self.input_rows += 1
            key = _key(self.code, texts, roles) if roles else None
            self.outcomes.add(package.records.path, number, key, outcome, reason)

    def package(self, job: _RowJob, verdicts: Verdicts, diags: Diagnostics) -> None:
        package = job.source.package
        start = self._begin(package, job.source.department.level == "municipal")
        path = package.records.path
        memo = self.memo
        # A row's Location (and Outcome) is made only for a diagnostic: the store takes the
        # path and row number as they are (ListWriter.add), once per input row.
        for v in verdicts:
            if memo is not None and v.memo:
                memo.count(v.memo)
            if v.error is not None:
                self._reject(path, v.number, v.key, v.error)
                continue
            assert v.key is not None
            copies = self.keys.get(v.key)
            last = copies[1] if copies is not None else None
            if last is not None and last >= start:
                diags.error(
                    "list.duplicate-key",
                    f"the same record (decision number and subject) is in row "
                    f"{self.outcomes[last].location.row} of this file already",
                    Location(path, row=v.number),
                )
                self._reject(path, v.number, v.key, "list.duplicate-key", known=True)
                continue
            self._apply(v, v.key, copies, path, diags)
        self.input_rows += verdicts.stats.rows

    def _reject(
        self, path: str, number: int, key: str | None, reason: str, known: bool = False
    ) -> None:
        """A rejected row; `known`: its key is in the index already, which it then leaves as is."""
        if key and not known:
            self.keys.reject(key)
        self.outcomes.add(path, number, key, REJECTED, reason)

    def _apply(
        self,
        v: RowVerdict,
        key: str,
        copies: list[int | None] | None,
        path: str,
        diags: Diagnostics,
    ) -> None:
        """Record a row's verdict (`_RowJob.verdict`), once the row is known not to repeat one;
        `copies` is what the key index holds for its key."""
        if v.rejected is not None:
            reason, field_ = v.rejected
            diags.error(
                f"list.{reason}",
                "no legally binding document: the decision number and date are required "
                "(Art. 12, last paragraph)",
                Location(path, row=v.number, field=field_),
            )
            self._reject(path, v.number, key, reason, known=copies is not None)
            return
        if v.early_repair is not None:
            repaired, min_end, where = v.early_repair
            diags.warning(
                "list.early-repair",
                f"repaired on {repaired}, before the minimum publicity period ends on {min_end}",
                where,
            )
        index = len(self.outcomes)
        if copies is not None and copies[0] is not None:
            self.more.setdefault(key, []).append(index)
        self.keys.copy_found(key, index, copies)
        if v.withheld is not None:
            self.outcomes.add(path, v.number, key, WITHHELD, v.withheld)
            return
        assert v.record is not None
        self.outcomes.publish_encoded(index, *v.record)
        self.outcomes.add(path, v.number, key, PUBLISHED, "under-objection" if v.flagged else "")

    def resolve_duplicates(self, diags: Diagnostics) -> None:
        """Rule 8: one copy of a record across packages is the record; the others are withheld."""
        for key in sorted(self.more):
            entry = self.keys.get(key)
            assert entry is not None and entry[0] is not None
            indexes = [entry[0], *self.more[key]]
            copies = {i: rules.Copy(*self.package_info[self._package_index(i)]) for i in indexes}
            kept = rules.kept_copy(list(copies.values()))
            kept_index = next(i for i in indexes if copies[i] == kept)
            kept_at = self.outcomes[kept_index].location
            for i in indexes:
                if i == kept_index:
                    continue
                old = self.outcomes[i]
                duplicate = Outcome(old.location, key, WITHHELD, "duplicate", kept.package)
                self.outcomes.replace(i, duplicate)
                if old.outcome == PUBLISHED:
                    self.outcomes.unpublish(i)
                diags.warning(
                    "list.duplicate",
                    f"the same record is in {kept_at.path} row {kept_at.row}, which is kept "
                    "(municipal provider first, then package name); this copy is withheld",
                    old.location,
                )

    def _package_index(self, outcome_index: int) -> int:
        return bisect_right(self.starts, outcome_index) - 1

    def seen(self, key: str) -> bool:
        """Whether any row of the list has this record key (for unmatched withdrawals)."""
        return self.keys.get(key) is not None

    def result(
        self, packages: Sequence[ListPackage], public: bool, reason: str | None
    ) -> ListResult:
        counts, reasons = self.outcomes.counts, self.outcomes.reasons
        published, outcomes = self.outcomes.finish()
        return ListResult(
            item_code=self.code,
            packages=tuple(p.name for p in packages),
            public=public,
            withheld_reason=reason,
            input_rows=self.input_rows,
            published=published,
            outcomes=outcomes,
            counts={name: counts.get(name, 0) for name in OUTCOMES},
            reasons={r: n for r, n in sorted(reasons.items()) if n},
            extracted=tuple((p.name, p.extracted) for p in packages),
        )


# --- From a row to facts and to a published record --------------------------------------


def _text(texts: Mapping[str, str], roles: Mapping[str, Any], role: str) -> str:
    name = roles.get(role)
    return texts.get(name, "") if isinstance(name, str) else ""


def _subject_id(texts: Mapping[str, str], roles: Mapping[str, Any]) -> str:
    """Lists contract: the credit code if there is one, else the ID number."""
    return _text(texts, roles, "subject_uscc") or _text(texts, roles, "subject_id_number")


def _key(code: str, texts: Mapping[str, str], roles: Mapping[str, Any]) -> str:
    return record_key(code, _text(texts, roles, "decision_number"), _subject_id(texts, roles))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _role_value(row: Row, roles: Mapping[str, Any], role: str) -> Any:
    name = roles.get(role)
    return row.values.get(name) if isinstance(name, str) else None


def _facts(
    item: Item,
    row: Row,
    roles: Mapping[str, Any],
    withdrawal: rules.Withdrawal | None,
    objection: rules.Objection | None,
) -> rules.Facts:
    minor = row.values.get("minor")
    severity = row.values.get("severity")
    procedure = row.values.get("procedure")
    return rules.Facts(
        item=item,
        decision_number=_text(row.texts, roles, "decision_number"),
        decision_date=_date(_role_value(row, roles, "decision_date")),
        publicity_end=_date(_role_value(row, roles, "publicity_end")),
        natural_person=rules.is_natural_person(row.texts, roles),
        procedure=procedure if isinstance(procedure, str) else None,
        # A text column (not boolean) still counts "true" as true.
        minor=minor is True or (isinstance(minor, str) and minor.lower() in ("true", "1", "yes")),
        severity=severity if isinstance(severity, str) and severity else None,
        publication_date=_date(_role_value(row, roles, "publication_date")),
        withdrawal=withdrawal,
        objection=objection,
    )


def _published(
    key: str,
    source: _Source,
    row: Row,
    facts: rules.Facts,
    window: rules.Window,
    under_objection: bool,
    fields: tuple[tuple[str, str], ...],
) -> PublishedRecord:
    """Rule 9: the record as it may be shown, built only from public (masked) values."""
    roles = source.schema.roles
    shown = dict(fields)  # the shared values, so that repeats are not copied
    assert facts.decision_date is not None
    uscc = _text(row.texts, roles, "subject_uscc")
    uscc_field = source.schema.field(roles.get("subject_uscc") or "")
    uscc_public = bool(uscc) and uscc_field is not None and uscc_field.publish == "as_is"

    def public(role: str) -> str:
        name = roles.get(role)
        return shown.get(name, "") if isinstance(name, str) else ""

    return PublishedRecord(
        key=key,
        item_code=facts.item.code,
        package=source.package.name,
        provider=source.department.code,
        district=source.department.district,
        subject_key=uscc if uscc_public else person_key(_subject_id(row.texts, roles)),
        subject_name=public("subject_name"),
        subject_code=uscc if uscc_public else None,
        decision_number=public("decision_number"),
        decision_date=facts.decision_date,
        publicity_end=window.end,
        authority=public("authority"),
        fields=fields,
        under_objection=under_objection,
        authority_code=public("authority_code"),
        natural_person=facts.natural_person,
        tier=window.tier,
        publicity_start=window.start,
    )
