"""The lists' decide stage end to end: packages on disk in, outcomes and published records out.

The catalogue is built here as values (short column names keep the rows readable); one test at
the end runs the repo's real catalogue and SX-02 column names through the same path.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from generator.catalogue.model import (
    Catalogue,
    Department,
    Edition,
    FieldSpec,
    Item,
    Publicity,
    TableSchema,
)
from generator.config import PublicationPolicy, SiteConfig
from generator.diagnostics import Diagnostics
from generator.lists import validate
from generator.lists.decide import ListResult, ListsDecision, load_and_decide
from generator.lists.identifiers import (
    org_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)
from generator.lists.model import PublishedRecord, person_key, record_key
from generator.lists.report import write_report
from generator.model import LANGS, LangText
from tests.conftest import REPO, make_project, run_cli

AS_OF = dt.date(2026, 11, 30)

# --- Identifiers with valid check characters -----------------------------------------------


def make_uscc(body8: str, prefix: str = "91120000") -> str:
    """A credit code whose embedded organisation code and own check character are both valid."""
    org = body8 + org_code_check_char(body8)
    first17 = prefix + org
    return first17 + uscc_check_char(first17)


def make_resident_id(division: str = "120101", born: str = "19900307", seq: str = "123") -> str:
    first17 = division + born + seq
    return first17 + resident_id_check_char(first17)


SCJG = "11120000MB18473187"  # TJ-SCJG's code in the departments below
COURT = "11120000000130761M"
COMPANY = make_uscc("MA05W7K1")
OTHER_COMPANY = make_uscc("MA06P2Q3")
PERSON_ID = make_resident_id()
REP_ID = make_resident_id("120102", "19751120", "456")

# --- A small catalogue as values ----------------------------------------------------------


def _dept(code: str, uscc: str, level: str, district: str) -> Department:
    return Department(
        code, LangText(code, code), uscc, level, district, "catalogue/departments.yaml"
    )


DEPARTMENTS = (
    _dept("TJ-SCJG", SCJG, "municipal", "120000"),
    _dept("BH-SCJG", "11120116MB0U22581N", "district", "120116"),
    _dept("HP-SCJG", "11120101MB1P66047Q", "district", "120101"),
    _dept("TJ-GY", COURT, "municipal", "120000"),
)


def field(name: str, type_: str = "string", publish: str = "as_is", **constraints: Any) -> dict:
    entry: dict[str, Any] = {"name": name, "type": type_, "publish": publish}
    if constraints:
        entry["constraints"] = constraints
    return entry


PENALTY_FIELDS = [
    field("name", required=True),
    field("category", enum=["法人及非法人组织", "自然人", "个体工商户"]),
    field("uscc", pattern="[0-9A-HJ-NPQRTUWXY]{18}"),
    field("id_number", publish="masked"),
    field("rep_id", publish="never"),
    field("decision_number"),
    field("decision_date", "date"),
    field("publicity_end", "date"),
    field("authority", required=True),
    field("authority_code"),
    field("fine", "number"),
    field("facts"),
    field("procedure", publish="never", required=True, enum=["general", "simplified"]),
    field("minor", "boolean", publish="never"),
    field("severity", enum=["minor", "general", "serious"]),
]
PENALTY_ROLES = {
    "subject_name": "name",
    "subject_category": "category",
    "subject_uscc": "uscc",
    "subject_id_number": "id_number",
    "decision_number": "decision_number",
    "decision_date": "decision_date",
    "publicity_end": "publicity_end",
    "authority": "authority",
    "authority_code": "authority_code",
    "amount_fields": ["fine"],
}
DEBTOR_FIELDS = [
    field("name", required=True),
    field("category", enum=["法人及非法人组织", "自然人"]),
    field("uscc"),
    field("id_number", publish="masked"),
    field("case_number"),
    field("filed", "date"),
    field("published_on", "date"),
    field("publicity_end", "date"),
    field("court", required=True),
    field("court_code"),
]
DEBTOR_ROLES = {
    "subject_name": "name",
    "subject_category": "category",
    "subject_uscc": "uscc",
    "subject_id_number": "id_number",
    "decision_number": "case_number",
    "decision_date": "filed",
    "publication_date": "published_on",
    "publicity_end": "publicity_end",
    "authority": "court",
    "authority_code": "court_code",
}


def table_schema(name: str, fields: Sequence[dict], roles: Mapping[str, Any]) -> TableSchema:
    specs = tuple(
        FieldSpec(f["name"], LangText(f["name"], f["name"]), f["publish"], f["type"])
        for f in fields
    )
    descriptor = {"fields": [{k: v for k, v in f.items() if k != "publish"} for f in fields]}
    return TableSchema(name, f"catalogue/schemas/{name}.yaml", specs, dict(roles), descriptor)


SCHEMAS = {
    "penalties": table_schema("penalties", PENALTY_FIELDS, PENALTY_ROLES),
    "debtors": table_schema("debtors", DEBTOR_FIELDS, DEBTOR_ROLES),
}


def make_item(
    code: str = "SX-02",
    clause: int | None = 2,
    schema: str = "penalties",
    category: str = "untrustworthy",
    disclosure: str = "public",
    publicity: Publicity | None = None,
    providers: tuple[str, ...] = ("TJ-SCJG", "BH-SCJG", "HP-SCJG", "TJ-GY"),
) -> Item:
    return Item(
        code=code,
        name=LangText(code, code),
        description=None,
        category=category,
        article_12_clause=clause,
        subject_types=("legal_person", "natural_person"),
        providers=providers,
        disclosure=disclosure,
        scope=None,
        right_to_use=None,
        legal_basis=(LangText("第十二条", "Art. 12"),),
        schema=schema,
        fields=(),
        publicity=publicity or Publicity(tier="serious"),
        update_frequency="daily",
        source=f"catalogue/editions/2025/items/{code}.yaml",
    )


PENALTIES = make_item()
DEBTORS = make_item("SX-04", 4, "debtors", publicity=Publicity(min_months=24, max_months=60))


def make_catalogue(*items: Item, superseded: Iterable[Item] = ()) -> Catalogue:
    def edition(id_: str, status: str, its: Iterable[Item]) -> Edition:
        return Edition(
            id=id_,
            title=LangText(id_, id_),
            status=status,
            approving_body=None,
            approval_document=None,
            approval_date=None,
            effective_date=dt.date(2025, 3, 1) if status == "approved" else dt.date(2023, 1, 1),
            supersedes=None,
            items=tuple(sorted(its, key=lambda i: i.code)),
            source=f"catalogue/editions/{id_}/edition.yaml",
        )

    old = edition("2023", "superseded", superseded)
    current = edition("2025", "approved", items or (PENALTIES, DEBTORS))
    return Catalogue(DEPARTMENTS, dict(SCHEMAS), (old, current), current)


def site_config(**policy: Any) -> SiteConfig:
    return SiteConfig(
        name=LangText("信用", "Credit"),
        base_url="https://credit.example.org/",
        time_zone="Asia/Shanghai",
        languages=LANGS,
        publisher=LangText("中心", "Centre"),
        licence_name="CC-BY-4.0",
        licence_url="https://creativecommons.org/licenses/by/4.0/",
        contact_email="x@example.org",
        policy=PublicationPolicy(**policy),
    )


# --- Packages on disk ---------------------------------------------------------------------

PENALTY_HEADER = [f["name"] for f in PENALTY_FIELDS]
DEBTOR_HEADER = [f["name"] for f in DEBTOR_FIELDS]
WITHDRAWAL_HEADER = [
    "decision_number",
    "subject_id",
    "reason",
    "withdrawal_number",
    "withdrawal_date",
]
OBJECTION_HEADER = ["decision_number", "subject_id", "received", "status"]


def penalty(number: str, **values: str) -> dict[str, str]:
    """An SX-02 row that is published as of AS_OF unless `values` say otherwise."""
    row = {
        "name": "天津甲乙商贸有限公司",
        "category": "法人及非法人组织",
        "uscc": COMPANY,
        "id_number": "",
        "rep_id": REP_ID,
        "decision_number": number,
        "decision_date": "2026-06-01",
        "publicity_end": "",
        "authority": "天津市市场监督管理委员会",
        "authority_code": SCJG,
        "fine": "1.5",
        "facts": "未按规定公示年度报告",
        "procedure": "general",
        "minor": "false",
        "severity": "general",
    }
    row.update(values)
    return row


def debtor(number: str, **values: str) -> dict[str, str]:
    row = {
        "name": "王小明",
        "category": "自然人",
        "uscc": "",
        "id_number": PERSON_ID,
        "case_number": number,
        "filed": "2026-03-01",
        "published_on": "2026-03-05",
        "publicity_end": "",
        "court": "天津市高级人民法院",
        "court_code": COURT,
    }
    row.update(values)
    return row


def to_csv(header: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def package_files(
    name: str,
    records: str | bytes,
    item: str = "SX-02",
    provider: str = "TJ-SCJG",
    withdrawals: str | None = None,
    objections: str | None = None,
    records_extra: Mapping[str, Any] | None = None,
) -> dict[str, str | bytes]:
    """The files of one package: a datapackage.json and its CSVs."""
    resources: list[dict[str, Any]] = [
        {"name": "records", "path": "records.csv", "format": "csv", **(records_extra or {})}
    ]
    files: dict[str, str | bytes] = {f"content/lists/{name}/records.csv": records}
    if withdrawals is not None:
        resources.append({"name": "withdrawals", "path": "withdrawals.csv"})
        files[f"content/lists/{name}/withdrawals.csv"] = withdrawals
    if objections is not None:
        resources.append({"name": "objections", "path": "objections.csv"})
        files[f"content/lists/{name}/objections.csv"] = objections
    descriptor = {
        "name": name,
        "catalogue_item": item,
        "provider": provider,
        "extracted": "2026-11-29",
        "resources": resources,
    }
    files[f"content/lists/{name}/datapackage.json"] = json.dumps(descriptor, ensure_ascii=False)
    return files


# Every test here runs twice: rows judged in this process, and in a forked child while this
# process records them (load_and_decide's jobs > 1). Both must give the same decision.
JOBS = [1]


@pytest.fixture(autouse=True, params=[1, 2], ids=["here", "forked"])
def _jobs(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterable[None]:
    JOBS[0] = request.param
    # Rows dealt to the children one by one, so that even a short file is shared between them.
    monkeypatch.setattr(validate, "SHARE_BLOCK", 1)
    yield
    JOBS[0] = 1


def decide(
    root: Path, catalogue: Catalogue | None = None, as_of: dt.date = AS_OF, **policy: Any
) -> tuple[ListsDecision, Diagnostics]:
    diags = Diagnostics()
    decision = load_and_decide(
        root, catalogue or make_catalogue(), site_config(**policy), as_of, diags, JOBS[0]
    )
    return decision, diags


def found(diags: Diagnostics, severity: str | None = None) -> list[tuple[Any, ...]]:
    """Diagnostics as (path, row, field, code) tuples, sorted."""
    return [
        (d.location.path, d.location.row, d.location.field, d.code)
        for d in diags.sorted()
        if severity is None or d.severity.value == severity
    ]


def outcome_of(result: ListResult, number: str, subject: str = COMPANY) -> tuple[str, str]:
    key = record_key(result.item_code, number, subject)
    matches = [(o.outcome, o.reason) for o in result.outcomes if o.record_key == key]
    assert len(matches) == 1, (number, matches)
    return matches[0]


def record_strings(record: PublishedRecord) -> str:
    """Every value of a published record, flattened into one string."""
    return repr(dataclasses.astuple(record))


# --- Every rule, end to end ---------------------------------------------------------------


def test_every_row_rule_gives_its_outcome(tmp_path: Path) -> None:
    rows = [
        penalty("P-published"),
        penalty("P-minor", minor="true"),
        penalty("P-simplified", procedure="simplified"),
        penalty("P-person", category="自然人", uscc="", id_number=PERSON_ID),
        penalty("P-tier-minor", severity="minor"),
        penalty("P-expired", decision_date="2025-01-10"),
        penalty("P-no-document-date", decision_date=""),
        penalty("P-repaired"),
        penalty("P-revoked"),
        penalty("P-corrected"),
        penalty("P-upheld"),
        penalty("P-under-review"),
        penalty("P-objection-rejected"),
    ]
    withdrawals = to_csv(
        WITHDRAWAL_HEADER,
        [
            dict(zip(WITHDRAWAL_HEADER, (n, COMPANY, reason, f"W-{n}", "2026-10-01"), strict=True))
            for n, reason in (
                ("P-repaired", "repaired"),
                ("P-revoked", "revoked"),
                ("P-corrected", "corrected"),
            )
        ],
    )
    objections = to_csv(
        OBJECTION_HEADER,
        [
            dict(zip(OBJECTION_HEADER, (n, COMPANY, "2026-11-01", status), strict=True))
            for n, status in (
                ("P-upheld", "upheld"),
                ("P-under-review", "under_review"),
                ("P-objection-rejected", "rejected"),
            )
        ],
    )
    files = package_files(
        "tj-scjg", to_csv(PENALTY_HEADER, rows), withdrawals=withdrawals, objections=objections
    )
    decision, diags = decide(make_project(tmp_path, files))
    (result,) = decision.lists
    assert outcome_of(result, "P-published") == ("published", "")
    assert outcome_of(result, "P-minor") == ("withheld", "minor-exception")
    assert outcome_of(result, "P-simplified") == ("withheld", "simplified-procedure")
    assert outcome_of(result, "P-tier-minor") == ("withheld", "tier-not-published")
    assert outcome_of(result, "P-expired") == ("withheld", "expired")
    assert outcome_of(result, "P-person", PERSON_ID) == ("withheld", "natural-person")
    assert outcome_of(result, "P-no-document-date") == ("rejected", "no-legal-document")
    assert outcome_of(result, "P-repaired") == ("withheld", "repaired")
    assert outcome_of(result, "P-revoked") == ("withheld", "revoked")
    assert outcome_of(result, "P-corrected") == ("withheld", "corrected")
    assert outcome_of(result, "P-upheld") == ("withheld", "objection-upheld")
    assert outcome_of(result, "P-under-review") == ("published", "under-objection")
    assert outcome_of(result, "P-objection-rejected") == ("published", "")
    flagged = {r.decision_number: r.under_objection for r in result.published}
    assert flagged == {"P-published": False, "P-under-review": True, "P-objection-rejected": False}
    assert result.counts == {"published": 3, "withheld": 9, "rejected": 1}
    assert result.input_rows == 13
    assert found(diags, "error") == [
        ("content/lists/tj-scjg/records.csv", 8, "decision_date", "list.no-legal-document")
    ]


def test_missing_decision_number_is_rejected(tmp_path: Path) -> None:
    files = package_files("tj-scjg", to_csv(PENALTY_HEADER, [penalty("")]))
    decision, diags = decide(make_project(tmp_path, files))
    assert [(o.outcome, o.reason) for o in decision.lists[0].outcomes] == [
        ("rejected", "no-legal-document")
    ]
    assert found(diags) == [
        ("content/lists/tj-scjg/records.csv", 2, "decision_number", "list.no-legal-document")
    ]


def test_natural_person_penalty_published_masked_when_site_yaml_allows(tmp_path: Path) -> None:
    row = penalty("P-1", category="自然人", name="欧阳修文", uscc="", id_number=PERSON_ID)
    files = package_files("tj-scjg", to_csv(PENALTY_HEADER, [row]))
    decision, _ = decide(make_project(tmp_path, files), natural_person_penalties="publish_masked")
    (record,) = decision.lists[0].published
    assert record.natural_person
    assert record.subject_name == "欧阳**"
    assert record.subject_code is None
    assert record.subject_key == person_key(PERSON_ID)
    assert dict(record.fields)["id_number"] == PERSON_ID[:6] + "********" + PERSON_ID[-4:]
    assert "欧阳修文" not in record_strings(record)
    assert PERSON_ID not in record_strings(record)


def test_natural_person_debtor_is_published_masked(tmp_path: Path) -> None:
    files = package_files(
        "tj-gy", to_csv(DEBTOR_HEADER, [debtor("(2026)津01执1号")]), "SX-04", "TJ-GY"
    )
    decision, diags = decide(make_project(tmp_path, files))
    (record,) = decision.get("SX-04").published  # type: ignore[union-attr]
    assert found(diags) == []
    assert (record.subject_name, record.natural_person) == ("王**", True)
    assert record.subject_key.startswith("p-")
    assert dict(record.fields)["name"] == "王**"
    assert "王小明" not in record_strings(record)
    assert PERSON_ID not in record_strings(record)
    assert PERSON_ID[6:14] not in record_strings(record)  # the birth date


def test_never_published_values_are_dropped_and_scrubbed_from_free_text(tmp_path: Path) -> None:
    row = penalty("P-1", facts=f"法定代表人证件号{REP_ID}，经查属实")
    files = package_files("tj-scjg", to_csv(PENALTY_HEADER, [row]))
    decision, _ = decide(make_project(tmp_path, files))
    (record,) = decision.lists[0].published
    names = [name for name, _ in record.fields]
    assert "rep_id" not in names and "procedure" not in names and "minor" not in names
    assert REP_ID not in record_strings(record)
    assert dict(record.fields)["facts"] == "法定代表人证件号****，经查属实"
    # Short closed-list values are not secrets: "general" stays visible as the severity.
    assert dict(record.fields)["severity"] == "general"


def test_published_record_carries_the_public_values(tmp_path: Path) -> None:
    files = package_files(
        "tj-scjg", to_csv(PENALTY_HEADER, [penalty("P-1", publicity_end="2027-01-15")])
    )
    decision, _ = decide(make_project(tmp_path, files))
    (record,) = decision.lists[0].published
    assert record == PublishedRecord(
        key=record_key("SX-02", "P-1", COMPANY),
        item_code="SX-02",
        package="tj-scjg",
        provider="TJ-SCJG",
        district="120000",
        subject_key=COMPANY,
        subject_name="天津甲乙商贸有限公司",
        subject_code=COMPANY,
        decision_number="P-1",
        decision_date=dt.date(2026, 6, 1),
        publicity_end=dt.date(2027, 1, 15),
        authority="天津市市场监督管理委员会",
        fields=(
            ("name", "天津甲乙商贸有限公司"),
            ("category", "法人及非法人组织"),
            ("uscc", COMPANY),
            ("id_number", ""),
            ("decision_number", "P-1"),
            ("decision_date", "2026-06-01"),
            ("publicity_end", "2027-01-15"),
            ("authority", "天津市市场监督管理委员会"),
            ("authority_code", SCJG),
            ("fine", "1.5"),
            ("facts", "未按规定公示年度报告"),
            ("severity", "general"),
        ),
        authority_code=SCJG,
        tier="general",
        publicity_start=dt.date(2026, 6, 1),
    )


def test_published_records_are_newest_first_then_by_key(tmp_path: Path) -> None:
    rows = [
        penalty("A", decision_date="2026-05-01"),
        penalty("B", decision_date="2026-07-01"),
        penalty("C", decision_date="2026-05-01"),
    ]
    decision, _ = decide(
        make_project(tmp_path, package_files("tj-scjg", to_csv(PENALTY_HEADER, rows)))
    )
    published = decision.lists[0].published
    assert published[0].decision_number == "B"
    assert [r.key for r in published[1:]] == sorted(r.key for r in published[1:])


def test_publication_date_start_can_make_a_record_not_yet_public(tmp_path: Path) -> None:
    rows = [debtor("D-1", published_on="2026-12-15"), debtor("D-2", publicity_end="2027-01-01")]
    files = package_files("tj-gy", to_csv(DEBTOR_HEADER, rows), "SX-04", "TJ-GY")
    decision, _ = decide(make_project(tmp_path, files), publicity_start="publication_date")
    result = decision.get("SX-04")
    assert result is not None
    assert outcome_of(result, "D-1", PERSON_ID) == ("withheld", "not-yet-public")
    assert outcome_of(result, "D-2", PERSON_ID) == ("published", "")
    (record,) = result.published
    assert record.publicity_start == dt.date(2026, 3, 5)
    # Clamped up to the item's own 24-month minimum; the item has months, not a tier.
    assert (record.publicity_end, record.tier) == (dt.date(2028, 3, 5), "")


# --- Withdrawals and objections -----------------------------------------------------------


def _withdrawal(number: str, reason: str, date: str, subject: str = COMPANY) -> dict[str, str]:
    return dict(
        zip(WITHDRAWAL_HEADER, (number, subject, reason, f"撤-{number}", date), strict=True)
    )


def test_withdrawal_from_another_package_of_the_item_applies(tmp_path: Path) -> None:
    files = {
        **package_files("tj-scjg", to_csv(PENALTY_HEADER, [penalty("P-1")])),
        **package_files(
            "hp-scjg",
            to_csv(PENALTY_HEADER, [penalty("P-2")]),
            provider="HP-SCJG",
            withdrawals=to_csv(WITHDRAWAL_HEADER, [_withdrawal("P-1", "revoked", "2026-11-01")]),
        ),
    }
    decision, diags = decide(make_project(tmp_path, files))
    result = decision.lists[0]
    assert outcome_of(result, "P-1") == ("withheld", "revoked")
    assert decision.withheld_reasons == {record_key("SX-02", "P-1", COMPANY): "revoked"}
    assert found(diags) == []


def test_withdrawal_dated_after_as_of_is_not_yet_effective(tmp_path: Path) -> None:
    files = package_files(
        "tj-scjg",
        to_csv(PENALTY_HEADER, [penalty("P-1")]),
        withdrawals=to_csv(WITHDRAWAL_HEADER, [_withdrawal("P-1", "repaired", "2026-12-01")]),
    )
    decision, _ = decide(make_project(tmp_path, files))
    assert outcome_of(decision.lists[0], "P-1") == ("published", "")


def test_early_repair_warns_and_still_withholds(tmp_path: Path) -> None:
    # Decided 2026-10-01, general tier: the 3-month minimum runs to 2027-01-01.
    files = package_files(
        "tj-scjg",
        to_csv(PENALTY_HEADER, [penalty("P-1", decision_date="2026-10-01")]),
        withdrawals=to_csv(WITHDRAWAL_HEADER, [_withdrawal("P-1", "repaired", "2026-11-15")]),
    )
    decision, diags = decide(make_project(tmp_path, files))
    assert outcome_of(decision.lists[0], "P-1") == ("withheld", "repaired")
    assert found(diags) == [("content/lists/tj-scjg/withdrawals.csv", 2, None, "list.early-repair")]


def test_unmatched_withdrawal_and_objection_warn(tmp_path: Path) -> None:
    files = package_files(
        "tj-scjg",
        to_csv(PENALTY_HEADER, [penalty("P-1")]),
        withdrawals=to_csv(WITHDRAWAL_HEADER, [_withdrawal("P-9", "repaired", "2026-11-01")]),
        objections=to_csv(OBJECTION_HEADER, [{"decision_number": "P-1", "subject_id": OTHER_COMPANY,
                                               "received": "2026-11-01", "status": "upheld"}]),
    )  # fmt: skip
    decision, diags = decide(make_project(tmp_path, files))
    assert outcome_of(decision.lists[0], "P-1") == ("published", "")
    assert found(diags) == [
        ("content/lists/tj-scjg/objections.csv", 2, None, "list.objection-unmatched"),
        ("content/lists/tj-scjg/withdrawals.csv", 2, None, "list.withdrawal-unmatched"),
    ]


def test_invalid_withdrawal_rows_are_errors(tmp_path: Path) -> None:
    files = package_files(
        "tj-scjg",
        to_csv(PENALTY_HEADER, [penalty("P-1")]),
        withdrawals=to_csv(WITHDRAWAL_HEADER, [_withdrawal("P-1", "forgiven", "soon")]),
    )
    decision, diags = decide(make_project(tmp_path, files))
    assert outcome_of(decision.lists[0], "P-1") == ("published", "")
    assert found(diags) == [
        ("content/lists/tj-scjg/withdrawals.csv", 2, "reason", "list.constraint-error"),
        ("content/lists/tj-scjg/withdrawals.csv", 2, "withdrawal_date", "list.type-error"),
    ]


# --- Duplicates -----------------------------------------------------------------------------


def test_duplicate_across_packages_keeps_the_municipal_copy(tmp_path: Path) -> None:
    rows = to_csv(PENALTY_HEADER, [penalty("P-1"), penalty("P-2")])
    files = {
        **package_files("a-binhai", rows, provider="BH-SCJG"),
        **package_files("z-municipal", rows, provider="TJ-SCJG"),
    }
    decision, diags = decide(make_project(tmp_path, files))
    result = decision.lists[0]
    assert [
        (o.location.path, o.location.row, o.outcome, o.reason, o.detail) for o in result.outcomes
    ] == [
        ("content/lists/a-binhai/records.csv", 2, "withheld", "duplicate", "z-municipal"),
        ("content/lists/a-binhai/records.csv", 3, "withheld", "duplicate", "z-municipal"),
        ("content/lists/z-municipal/records.csv", 2, "published", "", ""),
        ("content/lists/z-municipal/records.csv", 3, "published", "", ""),
    ]
    assert {r.package for r in result.published} == {"z-municipal"}
    assert found(diags) == [
        ("content/lists/a-binhai/records.csv", 2, None, "list.duplicate"),
        ("content/lists/a-binhai/records.csv", 3, None, "list.duplicate"),
    ]
    assert decision.withheld_reasons == {}


def test_duplicate_between_districts_keeps_the_first_package(tmp_path: Path) -> None:
    rows = to_csv(PENALTY_HEADER, [penalty("P-1")])
    files = {
        **package_files("hp-scjg", rows, provider="HP-SCJG"),
        **package_files("bh-scjg", rows, provider="BH-SCJG"),
    }
    decision, _ = decide(make_project(tmp_path, files))
    (record,) = decision.lists[0].published
    assert record.package == "bh-scjg"


def test_duplicate_outcome_follows_the_kept_copy(tmp_path: Path) -> None:
    # The municipal copy has expired (its own decision date); the district copy is still withheld.
    files = {
        **package_files("bh-scjg", to_csv(PENALTY_HEADER, [penalty("P-1")]), provider="BH-SCJG"),
        **package_files(
            "tj-scjg",
            to_csv(PENALTY_HEADER, [penalty("P-1", decision_date="2025-01-01")]),
        ),
    }
    decision, _ = decide(make_project(tmp_path, files))
    result = decision.lists[0]
    assert [(o.outcome, o.reason) for o in result.outcomes] == [
        ("withheld", "duplicate"),
        ("withheld", "expired"),
    ]
    assert result.published == ()
    assert decision.withheld_reasons == {record_key("SX-02", "P-1", COMPANY): "expired"}


def test_same_record_twice_in_one_package_is_an_error(tmp_path: Path) -> None:
    files = package_files("tj-scjg", to_csv(PENALTY_HEADER, [penalty("P-1"), penalty("P-1")]))
    decision, diags = decide(make_project(tmp_path, files))
    assert [(o.outcome, o.reason) for o in decision.lists[0].outcomes] == [
        ("published", ""),
        ("rejected", "list.duplicate-key"),
    ]
    assert found(diags) == [("content/lists/tj-scjg/records.csv", 3, None, "list.duplicate-key")]


# --- Rule 1: the item, and the package as a whole ------------------------------------------


@pytest.mark.parametrize(
    ("catalogue", "reason"),
    [
        (make_catalogue(DEBTORS, superseded=[PENALTIES]), "item-not-in-force"),
        (
            make_catalogue(make_item(category="basic", clause=None), DEBTORS),
            "item-not-untrustworthy",
        ),
        (make_catalogue(make_item(disclosure="government_shared"), DEBTORS), "item-not-public"),
    ],
)
def test_package_of_an_unpublishable_item_is_withheld_whole(
    tmp_path: Path, catalogue: Catalogue, reason: str
) -> None:
    # Even a row that would be rejected is only withheld: the package is not read for content.
    rows = [penalty("P-1"), penalty("P-2", uscc="BAD")]
    files = package_files("tj-scjg", to_csv(PENALTY_HEADER, rows))
    decision, diags = decide(make_project(tmp_path, files), catalogue)
    (result,) = decision.lists
    assert (result.public, result.withheld_reason) == (False, reason)
    assert [(o.outcome, o.reason) for o in result.outcomes] == [("withheld", reason)] * 2
    assert result.outcomes[0].record_key == record_key("SX-02", "P-1", COMPANY)
    assert found(diags) == [
        ("content/lists/tj-scjg/datapackage.json", None, None, f"list.{reason}")
    ]
    assert decision.published_items() == frozenset()
    assert decision.withheld_reasons[record_key("SX-02", "P-1", COMPANY)] == reason


def test_package_of_an_unknown_item_is_rejected(tmp_path: Path) -> None:
    files = package_files("x", to_csv(PENALTY_HEADER, [penalty("P-1")]), item="SX-99")
    decision, diags = decide(make_project(tmp_path, files))
    (result,) = decision.lists
    assert [(o.outcome, o.reason) for o in result.outcomes] == [("rejected", "list.unknown-item")]
    assert found(diags) == [("content/lists/x/datapackage.json", None, None, "list.unknown-item")]


def test_unknown_provider_is_an_error_and_rejects_the_rows(tmp_path: Path) -> None:
    files = package_files("x", to_csv(PENALTY_HEADER, [penalty("P-1")]), provider="TJ-NOPE")
    decision, diags = decide(make_project(tmp_path, files))
    assert [o.reason for o in decision.lists[0].outcomes] == ["list.unknown-provider"]
    assert found(diags, "error") == [
        ("content/lists/x/datapackage.json", None, None, "list.unknown-provider")
    ]


def test_provider_not_listed_for_the_item_warns(tmp_path: Path) -> None:
    catalogue = make_catalogue(make_item(providers=("TJ-SCJG",)), DEBTORS)
    files = package_files("hp", to_csv(PENALTY_HEADER, [penalty("P-1")]), provider="HP-SCJG")
    decision, diags = decide(make_project(tmp_path, files), catalogue)
    assert decision.lists[0].counts["published"] == 1
    assert found(diags) == [
        ("content/lists/hp/datapackage.json", None, None, "list.provider-not-in-item")
    ]


def test_declared_schema_must_match_the_catalogue(tmp_path: Path) -> None:
    declared = {"schema": {"fields": [{"name": n} for n in PENALTY_HEADER if n != "facts"]}}
    files = package_files("tj", to_csv(PENALTY_HEADER, [penalty("P-1")]), records_extra=declared)
    _, diags = decide(make_project(tmp_path, files))
    assert found(diags) == [
        ("content/lists/tj/datapackage.json", None, None, "list.schema-mismatch")
    ]


def test_published_items_and_lookup(tmp_path: Path) -> None:
    files = {
        **package_files(
            "tj-scjg", to_csv(PENALTY_HEADER, [penalty("P-1", decision_date="2020-01-01")])
        ),
        **package_files("tj-gy", to_csv(DEBTOR_HEADER, [debtor("D-1")]), "SX-04", "TJ-GY"),
    }
    decision, _ = decide(make_project(tmp_path, files))
    # A public list is published even when none of its records is shown today.
    assert decision.published_items() == frozenset({"SX-02", "SX-04"})
    assert [r.item_code for r in decision.lists] == ["SX-02", "SX-04"]
    assert [r.decision_number for r in decision.records()] == ["D-1"]
    assert decision.get("SX-01") is None


def test_no_lists_folder_gives_an_empty_decision(tmp_path: Path) -> None:
    decision, diags = decide(make_project(tmp_path, {}))
    assert decision == ListsDecision()
    assert found(diags) == []


# --- The report --------------------------------------------------------------------------


def test_report_lists_every_row_and_is_deterministic(tmp_path: Path) -> None:
    rows = [penalty("P-1"), penalty("P-2", minor="true"), penalty("P-3", decision_date="")]
    decision, _ = decide(make_project(tmp_path, package_files("tj", to_csv(PENALTY_HEADER, rows))))
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_report(first, {"ok": False, "as_of": "2026-11-30"}, decision)
    write_report(second, {"ok": False, "as_of": "2026-11-30"}, decision)
    assert first.read_bytes() == second.read_bytes()
    report = json.loads(first.read_text(encoding="utf-8"))
    sx02 = report["lists"]["SX-02"]
    assert sx02["counts"] == {"published": 1, "withheld": 1, "rejected": 1}
    assert sx02["reasons"] == {
        "published": {},
        "withheld": {"minor-exception": 1},
        "rejected": {"no-legal-document": 1},
    }
    assert [(r["location"]["row"], r["outcome"], r["reason"]) for r in sx02["rows"]] == [
        (2, "published", ""),
        (3, "withheld", "minor-exception"),
        (4, "rejected", "no-legal-document"),
    ]
    assert sx02["rows"][0]["key"] == record_key("SX-02", "P-1", COMPANY)
    assert sx02["rows"][0]["location"]["path"] == "content/lists/tj/records.csv"


# --- The repo's catalogue and the command line ---------------------------------------------


def _project_with_real_catalogue(tmp_path: Path, files: Mapping[str, str | bytes]) -> Path:
    project = make_project(tmp_path, files)
    shutil.copytree(REPO / "catalogue", project / "catalogue")
    return project


SX02_COLUMNS = [
    "cf_xdr_mc",
    "cf_xdr_lb",
    "cf_xdr_shxym",
    "cf_xdr_zjlx",
    "cf_xdr_zjhm",
    "cf_frdb",
    "cf_fr_zjlx",
    "cf_fr_zjhm",
    "cf_wsh",
    "cf_wfxw",
    "cf_sy",
    "cf_yj",
    "cf_cflb",
    "cf_nr",
    "cf_nr_fk",
    "cf_nr_wfff",
    "cf_nr_zkdx",
    "cf_jdrq",
    "cf_yxq",
    "cf_gsjzq",
    "cf_cfjg",
    "cf_cfjgdm",
    "cf_sjly",
    "cf_sjlydm",
    "bz",
    "procedure",
    "minor",
    "severity",
]


def _sx02(number: str, **values: str) -> dict[str, str]:
    row = dict.fromkeys(SX02_COLUMNS, "")
    row.update(
        cf_xdr_mc="天津丙丁科技有限公司",
        cf_xdr_lb="法人及非法人组织",
        cf_xdr_shxym=COMPANY,
        cf_frdb="李四",
        cf_fr_zjlx="01",
        cf_fr_zjhm=REP_ID,
        cf_wsh=number,
        cf_cflb="罚款",
        cf_nr_fk="2",
        cf_jdrq="2026-08-01",
        cf_cfjg="天津市市场监督管理委员会",
        cf_cfjgdm=SCJG,
        procedure="general",
        minor="false",
        severity="general",
    )
    row.update(values)
    return row


def test_repo_catalogue_sx02_package(tmp_path: Path) -> None:
    from generator.catalogue.load import load_catalogue

    rows = [
        _sx02("津市监罚〔2026〕1号"),
        _sx02("津市监罚〔2026〕2号", cf_xdr_shxym=COMPANY[:17] + ("0" if COMPANY[17] != "0" else "1")),
        _sx02("津市监罚〔2026〕3号", cf_xdr_lb="自然人", cf_xdr_shxym="", cf_xdr_zjlx="01",
              cf_xdr_zjhm=PERSON_ID),
    ]  # fmt: skip
    project = _project_with_real_catalogue(
        tmp_path, package_files("tj-scjg-sx02", to_csv(SX02_COLUMNS, rows))
    )
    diags = Diagnostics()
    catalogue = load_catalogue(project, AS_OF, diags)
    assert catalogue is not None
    decision = load_and_decide(project, catalogue, site_config(), AS_OF, diags, JOBS[0])
    result = decision.get("SX-02")
    assert result is not None
    assert [(o.outcome, o.reason) for o in result.outcomes] == [
        ("published", ""),
        ("published", ""),  # a wrong check character only warns (pilot codes)
        ("withheld", "natural-person"),
    ]
    assert [d for d in found(diags) if d[0].startswith("content/")] == [
        ("content/lists/tj-scjg-sx02/records.csv", 3, "cf_xdr_shxym", "list.uscc-check")
    ]
    for record in result.published:
        assert REP_ID not in record_strings(record)
        assert "cf_fr_zjhm" not in dict(record.fields)


def test_cli_build_prints_the_summary_and_writes_the_report(tmp_path: Path) -> None:
    rows = [_sx02("津市监罚〔2026〕1号"), _sx02("津市监罚〔2026〕2号", minor="true")]
    project = _project_with_real_catalogue(
        tmp_path, package_files("tj-scjg-sx02", to_csv(SX02_COLUMNS, rows))
    )
    report = tmp_path / "report.json"
    result = run_cli(
        "build", "--as-of", "2026-11-30", "--out", str(tmp_path / "site"), "--report", str(report),
        cwd=project,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "SX-02: 2 rows → 1 published, 1 withheld (minor-exception 1), 0 rejected" in result.stderr
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["ok"] is True
    assert [r["reason"] for r in data["lists"]["SX-02"]["rows"]] == ["", "minor-exception"]


def test_cli_fails_on_a_rejected_row_and_still_reports_it(tmp_path: Path) -> None:
    rows = [_sx02("津市监罚〔2026〕1号", cf_jdrq="")]
    project = _project_with_real_catalogue(
        tmp_path, package_files("tj-scjg-sx02", to_csv(SX02_COLUMNS, rows))
    )
    report = tmp_path / "report.json"
    result = run_cli("check", "--as-of", "2026-11-30", cwd=project)
    assert result.exit_code == 1, result.output
    assert (
        "content/lists/tj-scjg-sx02/records.csv:row 2:cf_jdrq: error[list.no-legal-document]"
        in result.stderr
    )
    assert (
        "SX-02: 1 rows → 0 published, 0 withheld, 1 rejected (no-legal-document 1)" in result.stderr
    )
    result = run_cli(
        "build", "--as-of", "2026-11-30", "--quiet", "--out", str(tmp_path / "site"),
        "--report", str(report), cwd=project,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "SX-02:" not in result.stderr  # --quiet
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["lists"]["SX-02"]["rows"][0]["outcome"] == "rejected"
    assert not (tmp_path / "site").exists()


def test_the_example_package_in_the_docs_is_valid(tmp_path: Path) -> None:
    from generator.catalogue.load import load_catalogue

    text = (REPO / "docs/lists-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^`(content/lists/[^`]+)`:\n\n```\w+\n(.*?)^```", text, re.M | re.S)
    files = dict(blocks)
    assert sorted(files) == [
        "content/lists/tj-scjg-sx-02-example/datapackage.json",
        "content/lists/tj-scjg-sx-02-example/records.csv",
        "content/lists/tj-scjg-sx-02-example/withdrawals.csv",
    ]
    project = _project_with_real_catalogue(tmp_path, files)
    diags = Diagnostics()
    catalogue = load_catalogue(project, AS_OF, diags)
    assert catalogue is not None
    decision = load_and_decide(project, catalogue, site_config(), AS_OF, diags, JOBS[0])
    assert [d for d in found(diags) if d[0].startswith("content/")] == []
    result = decision.get("SX-02")
    assert result is not None
    assert [(o.outcome, o.reason) for o in result.outcomes] == [
        ("published", ""),
        ("withheld", "repaired"),
    ]
    (record,) = result.published
    assert record.publicity_end == dt.date(2027, 9, 15)
    assert "120104198507120314" not in record_strings(record)


def test_the_sample_lists_are_decided_alike_here_and_forked() -> None:
    """The shipped sample (duplicates, early repairs, rejected rows, several encodings): every
    outcome, published record and diagnostic is the same whether rows are judged here or in a
    forked child."""
    from generator.catalogue.load import load_catalogue
    from generator.config import load_config

    as_of = dt.date(2026, 11, 30)

    def run(jobs: int) -> tuple[list[Any], list[Any], list[Any]]:
        diags = Diagnostics()
        config = load_config(REPO, diags)
        catalogue = load_catalogue(REPO, as_of, diags)
        assert config is not None and catalogue is not None
        decision = load_and_decide(REPO, catalogue, config, as_of, diags, jobs)
        try:
            outcomes = [
                (r.item_code, list(r.outcomes), r.counts, r.reasons) for r in decision.lists
            ]
            records = [list(r.published) for r in decision.lists]
            return outcomes, records, diags.sorted()
        finally:
            decision.close()

    here, forked = run(1), run(2)
    assert sum(len(outcomes) for _, outcomes, *_ in here[0]) > 1000
    assert here[2]  # the sample has warnings to compare
    assert forked == here


def test_the_next_packages_children_work_while_a_list_is_finished(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between two lists this process sorts the list before into the store, alone: the next
    package's children are forked before that, so that they validate meanwhile (both cores)."""
    import multiprocessing

    from generator.catalogue.load import load_catalogue
    from generator.config import load_config
    from generator.lists import store

    at_work: list[bool] = []  # at each list's finish: is any child validating?
    finish = store.ListWriter.finish

    def finishing(self: store.ListWriter) -> Any:
        at_work.append(bool(multiprocessing.active_children()))
        return finish(self)

    monkeypatch.setattr(store.ListWriter, "finish", finishing)
    as_of = dt.date(2026, 11, 30)
    diags = Diagnostics()
    config = load_config(REPO, diags)
    catalogue = load_catalogue(REPO, as_of, diags)
    assert config is not None and catalogue is not None
    decision = load_and_decide(REPO, catalogue, config, as_of, diags, 2)
    try:
        with_rows = [r.item_code for r in decision.lists if r.counts["published"]]
        assert len(with_rows) >= 2  # more than one list decided row by row
        assert at_work[0] is True  # the first list was finished while the next one's ran
        assert at_work[-1] is False  # nothing is left running after the last
    finally:
        decision.close()
    assert multiprocessing.active_children() == []
