"""Accounting: every input row ends in exactly one outcome, and the build says how many of each.

A broken invariant is a bug in the generator, not bad content, so it raises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from generator.lists.model import OUTCOMES, PUBLISHED, REJECTED, WITHHELD, Outcome, PublishedRecord
from generator.lists.store import Outcomes, PublishedRecords

if TYPE_CHECKING:
    from generator.lists.decide import ListResult, ListsDecision


class AccountingError(AssertionError):
    """Rows and outcomes disagree: a bug in the lists stage."""


def check_accounting(result: ListResult, input_rows: int) -> None:
    """Every input row has exactly one outcome, and the counts add up; raise if not.

    Everything is checked from counts of (outcome, reason), so that a million rows are never held
    at once; where the rows are in the store, the store counts them, and it answers the two
    checks that need every row's identity too.
    """
    code = result.item_code
    outcomes = result.outcomes
    if len(outcomes) != input_rows:
        raise AccountingError(f"{code}: {input_rows} input rows but {len(outcomes)} outcomes")
    twice = _repeated_places(outcomes)
    if twice:
        raise AccountingError(f"{code}: rows with more than one outcome: {twice[:5]}")
    counted: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    unreasoned = False
    for (outcome, reason), n in _outcome_reasons(outcomes).items():
        counted[outcome] += n
        if reason:
            reasons[reason] += n
        elif outcome != PUBLISHED:
            unreasoned = True
    unknown = set(counted) - set(OUTCOMES)
    if unknown:
        raise AccountingError(f"{code}: unknown outcomes {sorted(unknown)}")
    if unreasoned:
        raise AccountingError(f"{code}: a withheld or rejected row has no reason")
    if any(result.counts.get(name, 0) != counted.get(name, 0) for name in OUTCOMES):
        raise AccountingError(f"{code}: counts {result.counts} but outcomes give {dict(counted)}")
    if sum(result.counts.values()) != input_rows:
        raise AccountingError(f"{code}: counts {result.counts} do not add up to {input_rows}")
    if result.reasons != dict(sorted(reasons.items())):
        raise AccountingError(f"{code}: reasons {result.reasons} do not match the outcomes")
    if len(result.published) != result.counts[PUBLISHED]:
        raise AccountingError(
            f"{code}: {len(result.published)} published records for "
            f"{result.counts[PUBLISHED]} published rows"
        )
    if not _keys_unique(result.published):
        raise AccountingError(f"{code}: a record key is published twice")


def _outcome_reasons(outcomes: Sequence[Outcome]) -> Counter[tuple[str, str]]:
    if isinstance(outcomes, Outcomes):
        return outcomes.outcome_reasons()
    return Counter((o.outcome, o.reason) for o in outcomes)


def _repeated_places(outcomes: Sequence[Outcome]) -> list[tuple[str, int | None]]:
    if isinstance(outcomes, Outcomes):
        return list(outcomes.repeated_places())
    places = Counter((o.location.path, o.location.row) for o in outcomes)
    return sorted((p, r) for (p, r), n in places.items() if n > 1)


def _keys_unique(published: Sequence[PublishedRecord]) -> bool:
    if isinstance(published, PublishedRecords):
        return published.keys_unique()
    return len({r.key for r in published}) == len(published)


def reasons_by_outcome(result: ListResult) -> dict[str, dict[str, int]]:
    """{outcome: {reason: rows}}, each sorted by reason."""
    table: dict[str, Counter[str]] = {name: Counter() for name in OUTCOMES}
    for (outcome, reason), n in _outcome_reasons(result.outcomes).items():
        if reason:
            table[outcome][reason] += n
    return {name: dict(sorted(c.items())) for name, c in table.items()}


def summary_line(result: ListResult) -> str:
    """`SX-02: 1503 rows → 1102 published, 380 withheld (expired 200, …), 21 rejected (…)`."""
    by = reasons_by_outcome(result)
    parts = []
    for name in (PUBLISHED, WITHHELD, REJECTED):
        reasons = by[name]
        detail = (
            f" ({', '.join(f'{r} {n}' for r, n in _largest_first(reasons))})" if reasons else ""
        )
        parts.append(f"{result.counts[name]} {name}{detail}")
    state = "" if result.public else f" [list not public: {result.withheld_reason or 'rejected'}]"
    return f"{result.item_code}: {result.input_rows} rows → {', '.join(parts)}{state}"


def _largest_first(reasons: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))


def summary_lines(decision: ListsDecision) -> list[str]:
    return [summary_line(result) for result in decision.lists]


def summary(decision: ListsDecision) -> dict[str, object]:
    """Aggregate counts per list for BuildResult.summary["lists"] (and the public site)."""
    return {
        result.item_code: {
            "packages": list(result.packages),
            "public": result.public,
            "rows": result.input_rows,
            "counts": dict(result.counts),
            "reasons": reasons_by_outcome(result),
        }
        for result in decision.lists
    }
