"""Accounting: every input row ends in exactly one outcome, and the counts add up."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.diagnostics import Location
from generator.lists.accounting import (
    AccountingError,
    check_accounting,
    summary,
    summary_line,
    summary_lines,
)
from generator.lists.decide import ListResult, ListsDecision
from generator.lists.model import OUTCOMES, Outcome, PublishedRecord
from tests.conftest import make_project
from tests.lists.test_decide import (
    COMPANY,
    DEBTORS,
    OTHER_COMPANY,
    PENALTIES,
    PENALTY_HEADER,
    PERSON_ID,
    REP_ID,
    WITHDRAWAL_HEADER,
    decide,
    make_catalogue,
    make_item,
    package_files,
    penalty,
    record_strings,
    to_csv,
)

PATH = "content/lists/p/records.csv"


def outcome(row: int, kind: str = "published", reason: str = "", key: str | None = None) -> Outcome:
    return Outcome(Location(PATH, row=row), key or f"SX-02-{row:016x}", kind, reason)


def record(key: str) -> PublishedRecord:
    return PublishedRecord(
        key=key,
        item_code="SX-02",
        package="p",
        provider="TJ-SCJG",
        district="120000",
        subject_key=COMPANY,
        subject_name="甲",
        subject_code=COMPANY,
        decision_number="1",
        decision_date=dt.date(2026, 6, 1),
        publicity_end=dt.date(2027, 6, 1),
        authority="乙",
        fields=(),
    )


def result(outcomes: list[Outcome], **overrides: Any) -> ListResult:
    counts = Counter(o.outcome for o in outcomes)
    values: dict[str, Any] = {
        "item_code": "SX-02",
        "packages": ("p",),
        "public": True,
        "withheld_reason": None,
        "input_rows": len(outcomes),
        "published": tuple(
            record(o.record_key or "") for o in outcomes if o.outcome == "published"
        ),
        "outcomes": tuple(outcomes),
        "counts": {name: counts.get(name, 0) for name in OUTCOMES},
        "reasons": dict(sorted(Counter(o.reason for o in outcomes if o.reason).items())),
    }
    values.update(overrides)
    return ListResult(**values)


GOOD = [
    outcome(2),
    outcome(3, "withheld", "expired"),
    outcome(4, "rejected", "list.type-error"),
    outcome(5, "withheld", "expired"),
]


def test_a_consistent_result_passes() -> None:
    check_accounting(result(GOOD), 4)


@pytest.mark.parametrize(
    ("broken", "rows"),
    [
        (result(GOOD), 5),  # a row without an outcome
        (result([*GOOD, outcome(5, "withheld", "expired")]), 5),  # a row with two
        (result([*GOOD[:3], outcome(5, "hidden", "x")]), 4),  # no such outcome
        (result([*GOOD[:3], outcome(5, "withheld", "")]), 4),  # withheld without a reason
        (
            dataclasses.replace(
                result(GOOD), counts={"published": 2, "withheld": 1, "rejected": 1}
            ),
            4,
        ),
        (dataclasses.replace(result(GOOD), reasons={"expired": 1}), 4),
        (dataclasses.replace(result(GOOD), published=()), 4),
        (result([outcome(2, key="K"), outcome(3, key="K")]), 2),  # one key published twice
    ],
)
def test_violations_raise(broken: ListResult, rows: int) -> None:
    with pytest.raises(AccountingError):
        check_accounting(broken, rows)


def test_accounting_error_is_an_assertion_error() -> None:
    assert issubclass(AccountingError, AssertionError)


def test_summary_line() -> None:
    line = summary_line(result(GOOD))
    assert line == (
        "SX-02: 4 rows → 1 published, 2 withheld (expired 2), 1 rejected (list.type-error 1)"
    )
    hidden = result(
        [outcome(2, "withheld", "item-not-public")], public=False, withheld_reason="item-not-public"
    )
    assert summary_line(hidden).endswith("[list not public: item-not-public]")


def test_summary_for_the_build_result() -> None:
    decision = ListsDecision((result(GOOD),), {})
    assert summary_lines(decision) == [summary_line(result(GOOD))]
    assert summary(decision) == {
        "SX-02": {
            "packages": ["p"],
            "public": True,
            "rows": 4,
            "counts": {"published": 1, "withheld": 2, "rejected": 1},
            "reasons": {
                "published": {},
                "withheld": {"expired": 2},
                "rejected": {"list.type-error": 1},
            },
        }
    }


# --- The invariant, as a property ------------------------------------------------------------

# Values chosen to trigger every rule and many checks: each row draws one from each column.
CHOICES: dict[str, list[str]] = {
    "decision_number": ["P-1", "P-2", "P-3", ""],  # few numbers: duplicates happen
    "decision_date": ["2026-06-01", "2025-01-01", "2026-12-24", "", "not a date"],
    "publicity_end": ["", "2026-07-01", "2099-12-31", "2026-01-01"],
    "procedure": ["general", "simplified", ""],
    "minor": ["false", "true", "maybe"],
    "severity": ["general", "serious", "minor", "grave"],
    "fine": ["1.5", "-1", "NaN", ""],
}
SUBJECTS = [
    {"category": "法人及非法人组织", "uscc": COMPANY, "id_number": ""},
    {"category": "法人及非法人组织", "uscc": OTHER_COMPANY, "id_number": ""},
    {"category": "自然人", "uscc": "", "id_number": PERSON_ID},
    {"category": "法人及非法人组织", "uscc": "BAD", "id_number": ""},
    {"category": "", "uscc": "", "id_number": ""},
]


def _row(subject: dict[str, str], picks: dict[str, str]) -> dict[str, str]:
    values = {k: v for k, v in picks.items() if k != "decision_number"}
    return penalty(picks["decision_number"], **subject, **values)


row_strategy = st.builds(
    _row,
    st.sampled_from(SUBJECTS),
    st.fixed_dictionaries({k: st.sampled_from(v) for k, v in CHOICES.items()}),
)
withdrawal_strategy = st.tuples(
    st.sampled_from(["P-1", "P-2", "P-9"]),
    st.sampled_from([COMPANY, PERSON_ID]),
    st.sampled_from(["repaired", "revoked", "corrected", "forgotten"]),
    st.sampled_from(["2026-07-01", "2026-12-01", "soon"]),
)
packages_strategy = st.lists(
    st.tuples(
        st.sampled_from(["TJ-SCJG", "BH-SCJG", "HP-SCJG"]),
        st.lists(row_strategy, max_size=6),
        st.lists(withdrawal_strategy, max_size=2),
    ),
    min_size=1,
    max_size=3,
)


# Derandomized and without a database: CI runs the same examples every time.
@settings(max_examples=50, deadline=None, derandomize=True, database=None)
@given(packages=packages_strategy)
def test_every_row_has_exactly_one_outcome(packages: list[Any]) -> None:
    files: dict[str, str | bytes] = {}
    expected: set[tuple[str, int]] = set()
    for n, (provider, rows, withdrawals) in enumerate(packages):
        name = f"p{n}-{provider.lower()}"
        w_rows = [dict(zip(WITHDRAWAL_HEADER, (num, subj, why, "W-1", date), strict=True))
                  for num, subj, why, date in withdrawals]  # fmt: skip
        files.update(
            package_files(
                name,
                to_csv(PENALTY_HEADER, rows),
                provider=provider,
                withdrawals=to_csv(WITHDRAWAL_HEADER, w_rows) if w_rows else None,
            )
        )
        expected |= {(f"content/lists/{name}/records.csv", row) for row in range(2, len(rows) + 2)}
    with tempfile.TemporaryDirectory() as tmp:
        # load_and_decide runs check_accounting itself; this checks it from the outside too.
        decision, diags = decide(make_project(Path(tmp), files))
    results = decision.lists
    assert [r.item_code for r in results] == ["SX-02"]
    (sx02,) = results
    places = [(o.location.path, o.location.row) for o in sx02.outcomes]
    assert sorted(places) == sorted(expected)  # each row exactly once
    assert sx02.input_rows == len(expected) == sum(sx02.counts.values())
    assert sx02.counts == {name: sum(o.outcome == name for o in sx02.outcomes) for name in OUTCOMES}
    assert len(sx02.published) == sx02.counts["published"]
    assert len({r.key for r in sx02.published}) == len(sx02.published)
    # Every rejection is an error diagnostic: bad input fails the build.
    if sx02.counts["rejected"]:
        assert diags.has_errors()
    assert all(o.reason for o in sx02.outcomes if o.outcome != "published")
    # Nothing masked or never-published leaves in a published record.
    for published in sx02.published:
        assert REP_ID not in record_strings(published)
        assert PERSON_ID not in record_strings(published)


# --- The invariant on broken input: whole packages withheld or rejected, broken tables --------

# Items: public (SX-02), not public (SX-06: every row withheld), in no edition (SX-09: rejected).
NOT_PUBLIC = make_item("SX-06", 5, "penalties", disclosure="government_shared")
ITEMS = ["SX-02", "SX-02", "SX-06", "SX-09"]
# How a row is written: as it is, blank (not a record), a cell short, a cell over, in GBK.
ROW_SHAPES = ["ok", "ok", "ok", "blank", "short", "long", "gbk"]
HEADER_SHAPES = ["ok", "ok", "ok", "dropped", "doubled"]


def _broken_csv(
    header_shape: str, rows: list[tuple[str, dict[str, str]]]
) -> tuple[bytes, set[int]]:
    """The records file, and the numbers of its rows that are records (the header is row 1)."""
    header = list(PENALTY_HEADER)
    if header_shape == "dropped":
        header.remove("facts")
    elif header_shape == "doubled":
        header.append("facts")
    lines, records = [",".join(header).encode()], set()
    for number, (shape, row) in enumerate(rows, start=2):
        cells = [row.get(name, "") for name in header]
        if shape == "blank":
            cells = [""] * len(header)
        elif shape == "short":
            cells = cells[:-1]
        elif shape == "long":
            cells = [*cells, "extra"]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(cells)
        line = buffer.getvalue()
        lines.append(line.encode("gbk") if shape == "gbk" else line.encode())
        if shape != "blank":
            records.add(number)
    return b"\n".join(lines) + b"\n", records


broken_packages = st.lists(
    st.tuples(
        st.sampled_from(ITEMS),
        st.sampled_from(["TJ-SCJG", "BH-SCJG", "HP-SCJG"]),
        st.sampled_from(HEADER_SHAPES),
        st.lists(st.tuples(st.sampled_from(ROW_SHAPES), row_strategy), max_size=5),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(packages=broken_packages)
def test_every_row_is_accounted_for_when_packages_or_tables_are_broken(packages: list[Any]) -> None:
    files: dict[str, str | bytes] = {}
    expected: dict[str, set[tuple[str, int]]] = {}
    for n, (item, provider, header_shape, rows) in enumerate(packages):
        name = f"p{n}-{item.lower()}"
        data, records = _broken_csv(header_shape, rows)
        files.update(package_files(name, data, item=item, provider=provider))
        path = f"content/lists/{name}/records.csv"
        expected.setdefault(item, set()).update((path, row) for row in records)
    catalogue = make_catalogue(PENALTIES, DEBTORS, NOT_PUBLIC)
    with tempfile.TemporaryDirectory() as tmp:
        decision, diags = decide(make_project(Path(tmp), files), catalogue)
    assert sorted(r.item_code for r in decision.lists) == sorted(expected)
    for result in decision.lists:
        places = [(o.location.path, o.location.row) for o in result.outcomes]
        assert sorted(places) == sorted(expected[result.item_code])  # each record exactly once
        assert result.input_rows == len(places) == sum(result.counts.values())
        assert all(o.reason for o in result.outcomes if o.outcome != "published")
        if result.item_code != "SX-02":  # a whole package withheld or rejected: nothing shown
            assert result.published == ()
            assert {o.outcome for o in result.outcomes} <= {"withheld", "rejected"}
        if result.counts["rejected"]:
            assert diags.has_errors()
