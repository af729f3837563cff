"""Row validation: the column set, Frictionless's checks mapped to our codes, and each domain check."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from generator.diagnostics import Diagnostics, Severity
from generator.lists import validate
from generator.lists.identifiers import check_org_code, uscc_check_char
from generator.lists.package import ResourceFile
from generator.lists.validate import (
    CHECKS,
    DomainContext,
    Finding,
    TableStats,
    looks_like_resident_id,
    read_table,
)
from tests.conftest import make_project
from tests.lists.test_decide import (
    COMPANY,
    COURT,
    PENALTY_HEADER,
    PERSON_ID,
    SCJG,
    decide,
    found,
    make_resident_id,
    make_uscc,
    package_files,
    penalty,
    to_csv,
)

AS_OF = dt.date(2026, 11, 30)
ROLES = {
    "subject_uscc": "uscc",
    "subject_id_number": "id_number",
    "decision_number": "number",
    "decision_date": "decided",
    "publicity_end": "until",
    "authority_code": "authority_code",
    "amount_fields": ["fine"],
}
CTX = DomainContext(ROLES, frozenset({SCJG, COURT}), AS_OF)
SCHEMA = {
    "fields": [
        {"name": "number", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "uscc", "type": "string", "constraints": {"pattern": "[0-9A-Z]{18}"}},
        {"name": "id_number", "type": "string"},
        {"name": "decided", "type": "date"},
        {"name": "until", "type": "date"},
        {"name": "fine", "type": "number"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["fine", "warning"]}},
        {"name": "authority_code", "type": "string"},
    ]
}
HEADER = "number,uscc,id_number,decided,until,fine,kind,authority_code\n"


# Every test that reads through `table` runs twice: the whole table at once, and in three
# shares of single-row blocks put back together (validate.read_share, merge_shares), as the
# decide stage's forked children read it. Both must give the same rows and diagnostics.
SHARES = [0]


@pytest.fixture(autouse=True, params=[0, 3], ids=["whole", "shares"])
def _shares(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    SHARES[0] = request.param
    monkeypatch.setattr(validate, "SHARE_BLOCK", 1)


def table(
    tmp_path: Path, text: str | bytes, schema: dict[str, Any] = SCHEMA, domain: bool = True
) -> tuple[list[validate.Row], list[tuple[Any, ...]], int]:
    """Validate one CSV; returns the rows, the diagnostics as (row, field, code) and the row count."""
    path = tmp_path / "records.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    resource = ResourceFile("records", "content/lists/p/records.csv", path, "utf-8-sig", "")
    diags, stats = Diagnostics(), TableStats()
    context = CTX if domain else None
    if SHARES[0]:
        parts = [validate.ShareFindings() for _ in range(SHARES[0])]
        streams = [
            list(validate.read_share(resource, schema, context, validate.Share(k, SHARES[0]), part))
            for k, part in enumerate(parts)
        ]
        rows = sorted((row for stream in streams for row in stream), key=lambda r: r.number)
        validate.merge_shares(parts, diags, stats)
    else:
        rows = list(read_table(resource, schema, diags, context, stats))
    return rows, [(d.location.row, d.location.field, d.code) for d in diags.sorted()], stats.rows


def good(number: str = "P-1", **values: str) -> str:
    row = {
        "number": number,
        "uscc": COMPANY,
        "id_number": "",
        "decided": "2026-06-01",
        "until": "",
        "fine": "1.5",
        "kind": "fine",
        "authority_code": SCJG,
    }
    row.update(values)
    return ",".join(row.values()) + "\n"


# --- Frictionless ------------------------------------------------------------------------


def test_a_clean_table_gives_typed_values(tmp_path: Path) -> None:
    rows, diags, count = table(tmp_path, HEADER + good())
    assert (diags, count) == ([], 1)
    (row,) = rows
    assert (row.number, row.error) == (2, None)
    assert row.values["decided"] == dt.date(2026, 6, 1)
    assert row.values["fine"] == Decimal("1.5")
    assert row.texts["uscc"] == COMPANY


def test_frictionless_errors_become_located_diagnostics(tmp_path: Path) -> None:
    text = (
        HEADER
        + good("P-1", decided="2026-13-01")  # not a date
        + good("P-2", kind="prison")  # not in the enum
        + good("", uscc="short")  # required, pattern
        + good("P-2")  # not unique
        + "P-5,,\n"  # missing cells
        + good("P-6").rstrip("\n")
        + ",extra\n"
    )
    rows, diags, count = table(tmp_path, text)
    assert diags == [
        (2, "decided", "list.type-error"),
        (3, "kind", "list.constraint-error"),
        (4, "number", "list.constraint-error"),
        (4, "uscc", "list.constraint-error"),
        (5, "number", "list.unique-error"),
        (6, "authority_code", "list.missing-cell"),
        (6, "decided", "list.missing-cell"),
        (6, "fine", "list.missing-cell"),
        (6, "kind", "list.missing-cell"),
        (6, "until", "list.missing-cell"),
        (6, "uscc", "list.no-subject-id"),
        (7, None, "list.extra-cell"),
    ]
    assert [(r.number, r.error) for r in rows] == [
        (2, "list.type-error"),
        (3, "list.constraint-error"),
        (4, "list.constraint-error"),
        (5, "list.unique-error"),
        (6, "list.missing-cell"),
        (7, "list.extra-cell"),
    ]
    assert count == 6


def test_frictionless_message_is_kept_and_printed_with_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text(HEADER + good("P-1", decided="yesterday"), encoding="utf-8")
    resource = ResourceFile("records", "content/lists/p/records.csv", path, "utf-8-sig", "")
    diags = Diagnostics()
    list(read_table(resource, SCHEMA, diags, CTX))
    (d,) = diags.sorted()
    assert str(d).startswith("content/lists/p/records.csv:row 2:decided: error[list.type-error]: ")
    assert 'Type error in the cell "yesterday"' in d.message


def test_columns_may_come_in_any_order(tmp_path: Path) -> None:
    header = "kind,number,uscc,id_number,decided,until,fine,authority_code\n"
    row = f"fine,P-1,{COMPANY},,2026-06-01,,2,{SCJG}\n"
    rows, diags, _ = table(tmp_path, header + row)
    assert diags == []
    assert rows[0].values["number"] == "P-1" and rows[0].values["fine"] == Decimal(2)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("number,uscc,id_number,decided,until,fine,kind\n", "missing: authority_code"),
        (HEADER.rstrip("\n") + ",note\n", "not in the item's schema: note"),
        (
            HEADER.replace("kind", "penalty_kind"),
            "missing: kind; not in the item's schema: penalty_kind",
        ),
        (HEADER.rstrip("\n") + ",kind\n", "named twice: kind"),
    ],
)
def test_column_set_mismatch_rejects_every_row(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "records.csv"
    path.write_text(header + good("P-1") + "\n" + good("P-2"), encoding="utf-8")
    resource = ResourceFile("records", "content/lists/p/records.csv", path, "utf-8-sig", "")
    diags, stats = Diagnostics(), TableStats()
    rows = list(read_table(resource, SCHEMA, diags, CTX, stats))
    assert [(r.number, r.error) for r in rows] == [
        (2, "list.columns-mismatch"),
        (4, "list.columns-mismatch"),
    ]
    assert stats.rows == 2
    (d,) = diags.sorted()
    assert (d.location.row, d.code) == (1, "list.columns-mismatch")
    assert message in d.message


def test_empty_file_is_a_columns_mismatch(tmp_path: Path) -> None:
    rows, diags, count = table(tmp_path, "")
    assert (rows, diags, count) == ([], [(1, None, "list.columns-mismatch")], 0)


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    assert table(tmp_path, HEADER) == ([], [], 0)


def test_blank_rows_are_skipped_with_a_warning(tmp_path: Path) -> None:
    rows, diags, count = table(tmp_path, HEADER + good("P-1") + "\n" + ",,,,,,,\n" + good("P-2"))
    assert [r.number for r in rows] == [2, 5]
    assert diags == [(3, None, "list.blank-row"), (4, None, "list.blank-row")]
    assert count == 2


def test_broken_csv_is_an_error_at_its_row(tmp_path: Path) -> None:
    # Frictionless's CSV parser lifts the csv module's field size limit on import; import it
    # now, so that the low limit set below is still in force when the table is read.
    import frictionless.formats.csv.parser  # noqa: F401

    limit = csv.field_size_limit(1000)
    try:
        rows, diags, _ = table(tmp_path, HEADER + good("P-1") + good("P-2", kind="x" * 2000))
    finally:
        csv.field_size_limit(limit)
    assert [r.number for r in rows] == [2]
    assert diags == [(3, None, "list.csv-error")]


def test_diagnostics_per_code_are_capped_but_every_row_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validate, "DIAGNOSTICS_PER_CODE", 2)
    text = HEADER + "".join(good(f"P-{i}", kind="bad") for i in range(5))
    rows, diags, _ = table(tmp_path, text)
    assert [r.error for r in rows] == ["list.constraint-error"] * 5
    assert diags == [
        (None, None, "list.constraint-error"),  # "3 more rows with this problem"
        (2, "kind", "list.constraint-error"),
        (3, "kind", "list.constraint-error"),
    ]


def test_shares_put_together_read_as_the_whole_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a unique field, every share validates its own rows; put together, their rows
    and diagnostics (capped per code in row order, then counted) are the whole table's."""
    monkeypatch.setattr(validate, "DIAGNOSTICS_PER_CODE", 3)
    schema = {"fields": [dict(f, constraints={}) if f["name"] == "number" else f
                         for f in SCHEMA["fields"]]}  # fmt: skip
    lines = [good(f"P-{i}", kind="bad" if i % 3 else "fine") for i in range(20)]
    lines[4] = ",,,,,,,\n"  # blank
    lines[7] = good("P-7").rstrip("\n") + ",extra\n"
    lines[11] = good("P-11", decided="2026-13-01")
    text = HEADER + "".join(lines)
    results = {}
    for shares in (0, 2, 3):
        SHARES[0] = shares
        results[shares] = table(tmp_path, text, schema)
    rows, diags, count = results[0]
    assert count == 19 and len(diags) > 6
    assert ("list.constraint-error" in {c for *_, c in diags}) and (
        None,
        None,
        "list.constraint-error",
    ) in diags
    for shares in (2, 3):
        got_rows, got_diags, got_count = results[shares]
        assert [(r.number, r.error, r.values, r.texts) for r in got_rows] == [
            (r.number, r.error, r.values, r.texts) for r in rows
        ]
        assert (got_diags, got_count) == (diags, count)


# --- Domain checks, one by one ---------------------------------------------------------------


def run_checks(**texts: str) -> list[tuple[str, str | None, Severity]]:
    """Run every domain check on one row given as texts (typed values derived simply)."""
    values: dict[str, Any] = dict(texts)
    for name in ("decided", "until"):
        if texts.get(name):
            values[name] = dt.date.fromisoformat(texts[name])
    if "fine" in texts:
        values["fine"] = Decimal(texts["fine"])
    findings: list[Finding] = [f for c in CHECKS for f in c.func(values, texts, CTX)]
    return [(f.code, f.field, f.severity) for f in findings]


BASE = {"uscc": COMPANY, "number": "P-1", "decided": "2026-06-01", "authority_code": SCJG}
E, W = Severity.ERROR, Severity.WARNING
# A credit code with a valid check character around an organisation code that fails GB 11714.
BAD_ORG = "91120000MA05W7K1X" + uscc_check_char("91120000MA05W7K1X")


def test_a_good_row_passes_every_check() -> None:
    assert not check_org_code("MA05W7K1X")  # BAD_ORG's premise
    assert run_checks(**BASE) == []


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # GB 32100: format is an error, a wrong check character (pilot codes) a warning.
        ({"uscc": "9112000MA05W7K1X"}, [("list.uscc-check", "uscc", E)]),
        ({"uscc": COMPANY.lower()}, [("list.uscc-check", "uscc", E)]),
        ({"uscc": COMPANY[:17] + ("0" if COMPANY[17] != "0" else "1")}, [("list.uscc-check", "uscc", W)]),
        ({"authority_code": "11120000MB1847318X"}, [("list.uscc-check", "authority_code", W),
                                                    ("list.unknown-authority", "authority_code", E)]),
        # GB 11714 inside a valid credit code: a warning.
        ({"uscc": BAD_ORG}, [("list.org-code-check", "uscc", W)]),
        # GB 11643: check character and birth date.
        ({"uscc": "", "id_number": PERSON_ID}, []),
        ({"uscc": "", "id_number": PERSON_ID[:17] + ("0" if PERSON_ID[17] != "0" else "1")},
         [("list.resident-id-check", "id_number", E)]),
        ({"uscc": "", "id_number": make_resident_id(born="19900230")},
         [("list.resident-id-check", "id_number", E)]),
        ({"uscc": "", "id_number": make_resident_id(born="20270101")},
         [("list.resident-id-check", "id_number", E)]),
        ({"uscc": "", "id_number": "12010119900307123"}, [("list.resident-id-check", "id_number", E)]),
        ({"uscc": "", "id_number": "E12345678"}, []),  # a passport: not a resident ID
        ({"uscc": "", "id_number": ""}, [("list.no-subject-id", "uscc", E)]),
        # Dates.
        ({"decided": "2026-12-01"}, [("list.future-decision", "decided", E)]),
        ({"decided": "2026-11-30"}, []),
        ({"until": "2026-05-31"}, [("list.publicity-end-before-decision", "until", E)]),
        ({"until": "2026-06-01"}, []),
        # Amounts.
        ({"fine": "-0.5"}, [("list.negative-amount", "fine", E)]),
        ({"fine": "NaN"}, [("list.amount-not-number", "fine", E)]),
        ({"fine": "Infinity"}, [("list.amount-not-number", "fine", E)]),
        ({"fine": "0"}, []),
        # Departments: an authority that is not in departments.yaml.
        ({"authority_code": make_uscc("MB1234AB", "11120000")},
         [("list.unknown-authority", "authority_code", E)]),
        ({"authority_code": COURT}, []),
    ],
)  # fmt: skip
def test_domain_check(values: dict[str, str], expected: list[Any]) -> None:
    assert run_checks(**{**BASE, **values}) == expected


def test_looks_like_resident_id() -> None:
    assert looks_like_resident_id(PERSON_ID)
    assert looks_like_resident_id("120101900307123")  # the old 15-digit form
    assert looks_like_resident_id("12010119900307123X")
    assert not looks_like_resident_id("E12345678")
    assert not looks_like_resident_id("H0123456789")  # a permit number
    assert not looks_like_resident_id("")


def test_domain_checks_skip_cells_frictionless_already_rejected(tmp_path: Path) -> None:
    # A negative fine against a schema with minimum 0 is reported once, by frictionless.
    schema = {
        "fields": [
            {**f, "constraints": {"minimum": 0}} if f["name"] == "fine" else f
            for f in SCHEMA["fields"]
        ]
    }
    _, diags, _ = table(tmp_path, HEADER + good("P-1", fine="-2"), schema)
    assert diags == [(2, "fine", "list.constraint-error")]


def test_a_warning_does_not_reject_the_row(tmp_path: Path) -> None:
    pilot = COMPANY[:17] + ("0" if COMPANY[17] != "0" else "1")
    rows, diags, _ = table(tmp_path, HEADER + good("P-1", uscc=pilot))
    assert diags == [(2, "uscc", "list.uscc-check")]
    assert rows[0].error is None


def test_all_errors_of_a_file_are_reported_in_one_run(tmp_path: Path) -> None:
    """The issue's example: every bad row of a real package, with its row and column."""
    rows = [
        penalty("P-1", uscc="91120000MA05W7K1I"),
        penalty("P-2"),
        penalty("P-3", decision_date="2027-01-01"),
        penalty("P-4", fine="-1"),
        penalty("P-5", category="自然人", uscc="", id_number=make_resident_id(born="19991340")),
    ]
    files = package_files("tj-scjg", to_csv(PENALTY_HEADER, rows))
    decision, diags = decide(make_project(tmp_path, files))
    assert [str(d).split(": ", 1)[0] for d in diags.sorted()] == [
        "content/lists/tj-scjg/records.csv:row 2:uscc",
        "content/lists/tj-scjg/records.csv:row 4:decision_date",
        "content/lists/tj-scjg/records.csv:row 5:fine",
        "content/lists/tj-scjg/records.csv:row 6:id_number",
    ]
    assert [(o.outcome, o.reason) for o in decision.lists[0].outcomes] == [
        ("rejected", "list.constraint-error"),
        ("published", ""),
        ("rejected", "list.future-decision"),
        ("rejected", "list.negative-amount"),
        ("rejected", "list.resident-id-check"),
    ]
    assert found(diags, "warning") == []
