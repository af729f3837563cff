"""Loading and validating catalogue/: every rule reports (path, line, code), all in one run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.catalogue.load import load_catalogue
from generator.diagnostics import Diagnostics, Severity
from tests.conftest import REPO, make_project

AS_OF = dt.date(2026, 11, 30)
ED = "catalogue/editions"

# A tiny valid catalogue. Each test replaces one or two files with a faulty version written out in full.
# Every item ends with these three texts, so that they do not shift the line numbers asserted on.
TEXTS = """\
description: {zh-CN: 说明, en: Description}
scope: {zh-CN: 范围, en: Scope}
right_to_use: {zh-CN: 依法公开, en: Public}
"""
DEPARTMENTS = """\
departments:
- code: TJ-A
  name: {zh-CN: 甲局, en: Bureau A}
  uscc: 11120000MB18473187
  level: municipal
  district: '120000'
"""
EDITION_2025 = """\
id: '2025'
title: {zh-CN: 2025年版, en: 2025 edition}
status: approved
approving_body: {zh-CN: 协调机构, en: Coordination body}
approval_document: 津信用办〔2025〕3号
approval_date: 2025-02-18
effective_date: 2025-03-01
supersedes: null
"""
SX_02 = """\
code: SX-02
name: {zh-CN: 行政处罚, en: Penalties}
category: untrustworthy
article_12_clause: 2
subject_types: [legal_person]
providers:
- TJ-A
disclosure: public
legal_basis:
- {zh-CN: 条例第十二条, en: Art. 12}
fields:
- {name: mc, title: {zh-CN: 名称, en: Name}, publish: as_is}
publicity: serious
update_frequency: daily
""" + TEXTS
BASE = {
    "catalogue/departments.yaml": DEPARTMENTS,
    f"{ED}/2025/edition.yaml": EDITION_2025,
    f"{ED}/2025/items/SX-02.yaml": SX_02,
}


def problems(
    tmp_path: Path, files: dict[str, str | None], as_of: dt.date = AS_OF
) -> list[tuple[str, int | None, str]]:
    project = make_project(tmp_path, {**BASE, **files})
    diags = Diagnostics()
    catalogue = load_catalogue(project, as_of, diags)
    assert catalogue is not None
    return [
        (d.location.path, d.location.line, d.code)
        for d in diags.sorted()
        if d.severity is Severity.ERROR
    ]


def test_the_small_catalogue_is_valid(tmp_path: Path) -> None:
    assert problems(tmp_path, {}) == []


def test_the_sample_catalogue_is_valid() -> None:
    diags = Diagnostics()
    catalogue = load_catalogue(REPO, AS_OF, diags)
    assert [str(d) for d in diags] == []
    assert catalogue is not None and catalogue.in_force is not None
    assert catalogue.in_force.id == "2025"


def test_no_catalogue_folder_means_no_catalogue(tmp_path: Path) -> None:
    project = make_project(tmp_path, {})
    diags = Diagnostics()
    assert load_catalogue(project, AS_OF, diags) is None
    assert list(diags) == []


def test_codes_are_unique_within_an_edition(tmp_path: Path) -> None:
    # SX-09.yaml claims the code SX-02, which SX-02.yaml already has.
    copy = SX_02
    assert problems(tmp_path, {f"{ED}/2025/items/SX-09.yaml": copy}) == [
        (f"{ED}/2025/items/SX-09.yaml", 1, "catalogue.duplicate-code"),
        (f"{ED}/2025/items/SX-09.yaml", 1, "catalogue.item.code-mismatch"),
    ]


def test_untrustworthy_item_needs_its_article_12_clause(tmp_path: Path) -> None:
    item = """\
code: SX-02
name: {zh-CN: 行政处罚, en: Penalties}
category: untrustworthy
subject_types: [legal_person]
providers: [TJ-A]
disclosure: public
legal_basis: [{zh-CN: 条例第十二条, en: Art. 12}]
fields: [{name: mc, title: {zh-CN: 名称, en: Name}, publish: as_is}]
publicity: general
update_frequency: daily
""" + TEXTS
    assert problems(tmp_path, {f"{ED}/2025/items/SX-02.yaml": item}) == [
        (f"{ED}/2025/items/SX-02.yaml", 3, "catalogue.article-12-missing"),
    ]


def test_only_untrustworthy_items_have_an_article_12_clause(tmp_path: Path) -> None:
    item = """\
code: JC-01
name: {zh-CN: 登记信息, en: Registration}
category: basic
article_12_clause: 2
subject_types: [legal_person]
providers: [TJ-A]
disclosure: public
legal_basis: []
fields: [{name: mc, title: {zh-CN: 名称, en: Name}, publish: as_is}]
publicity: general
update_frequency: daily
""" + TEXTS
    assert problems(tmp_path, {f"{ED}/2025/items/JC-01.yaml": item}) == [
        (f"{ED}/2025/items/JC-01.yaml", 4, "catalogue.article-12-unexpected"),
    ]


def test_untrustworthy_item_needs_a_legal_basis(tmp_path: Path) -> None:
    empty = """\
code: SX-02
name: {zh-CN: 行政处罚, en: Penalties}
category: untrustworthy
article_12_clause: 2
subject_types: [legal_person]
providers: [TJ-A]
disclosure: public
legal_basis: []
fields: [{name: mc, title: {zh-CN: 名称, en: Name}, publish: as_is}]
publicity: general
update_frequency: daily
""" + TEXTS
    missing = """\
code: SX-04
name: {zh-CN: 失信被执行人, en: Judgment debtors}
category: untrustworthy
article_12_clause: 4
subject_types: [legal_person]
providers: [TJ-A]
disclosure: public
fields: [{name: mc, title: {zh-CN: 名称, en: Name}, publish: as_is}]
publicity: general
update_frequency: daily
""" + TEXTS
    assert problems(
        tmp_path, {f"{ED}/2025/items/SX-02.yaml": empty, f"{ED}/2025/items/SX-04.yaml": missing}
    ) == [
        (f"{ED}/2025/items/SX-02.yaml", 8, "catalogue.legal-basis-missing"),
        (f"{ED}/2025/items/SX-04.yaml", 1, "catalogue.item.missing-key"),
        (f"{ED}/2025/items/SX-04.yaml", 1, "catalogue.legal-basis-missing"),
    ]


def test_providers_exist(tmp_path: Path) -> None:
    item = SX_02.replace("providers:\n- TJ-A\n", "providers:\n- TJ-A\n- TJ-NOPE\n")
    assert problems(tmp_path, {f"{ED}/2025/items/SX-02.yaml": item}) == [
        (f"{ED}/2025/items/SX-02.yaml", 8, "catalogue.unknown-provider"),
    ]


def test_schema_references_resolve(tmp_path: Path) -> None:
    item = """\
code: SX-02
name: {zh-CN: 行政处罚, en: Penalties}
category: untrustworthy
article_12_clause: 2
subject_types: [legal_person]
providers: [TJ-A]
disclosure: public
legal_basis: [{zh-CN: 条例第十二条, en: Art. 12}]
schema: sx-02-missing
publicity: general
update_frequency: daily
""" + TEXTS
    assert problems(tmp_path, {f"{ED}/2025/items/SX-02.yaml": item}) == [
        (f"{ED}/2025/items/SX-02.yaml", 9, "catalogue.unknown-schema"),
    ]


def test_a_schema_reference_gives_the_item_its_fields(tmp_path: Path) -> None:
    schema = """\
fields:
- {name: mc, type: string, title: 名称, title_en: Name, publish: as_is}
- {name: wsh, type: string, title: 文号, title_en: Number, publish: as_is}
- {name: rq, type: date, title: 日期, title_en: Date, publish: as_is}
- {name: zjhm, type: string, title: 证件号码, title_en: ID number, publish: never}
- {name: jg, type: string, title: 机关, title_en: Authority, publish: as_is}
- {name: jgdm, type: string, title: 机关代码, title_en: Authority code, publish: as_is}
roles:
  subject_name: mc
  subject_uscc: mc
  decision_number: wsh
  decision_date: rq
  authority: jg
  authority_code: jgdm
"""
    item = SX_02.replace(
        "fields:\n- {name: mc, title: {zh-CN: 名称, en: Name}, publish: as_is}\n", "schema: s\n"
    )
    project = make_project(
        tmp_path, {**BASE, "catalogue/schemas/s.yaml": schema, f"{ED}/2025/items/SX-02.yaml": item}
    )
    diags = Diagnostics()
    catalogue = load_catalogue(project, AS_OF, diags)
    assert [str(d) for d in diags] == []
    assert catalogue is not None
    sx02 = catalogue.editions[0].item("SX-02")
    assert sx02 is not None and sx02.schema == "s"
    assert [(f.name, f.publish) for f in sx02.fields][-3:] == [
        ("zjhm", "never"),
        ("jg", "as_is"),
        ("jgdm", "as_is"),
    ]
    descriptor = catalogue.schemas["s"].descriptor
    assert "roles" not in descriptor
    assert all("publish" not in f and "title_en" not in f for f in descriptor["fields"])


def test_schema_problems_are_located(tmp_path: Path) -> None:
    schema = """\
fields:
- {name: mc, type: strin, title: 名称, publish: as_is}
- {name: wsh, type: string, title: 文号, publish: sometimes}
roles:
  subject_name: mc
  subject_uscc: nope
  decision_number: mc
  decision_date: mc
  authority: mc
  authority_code: mc
"""
    assert problems(tmp_path, {"catalogue/schemas/s.yaml": schema}) == [
        ("catalogue/schemas/s.yaml", 1, "catalogue.schema.invalid"),
        ("catalogue/schemas/s.yaml", 3, "catalogue.schema.invalid-value"),
        ("catalogue/schemas/s.yaml", 6, "catalogue.schema.unknown-role-field"),
    ]


def test_approved_edition_has_its_approval_data(tmp_path: Path) -> None:
    edition = """\
id: '2025'
title: {zh-CN: 2025年版, en: 2025 edition}
status: approved
approving_body: {zh-CN: 协调机构, en: Coordination body}
approval_document: null
effective_date: 2025-03-01
supersedes: null
"""
    assert problems(tmp_path, {f"{ED}/2025/edition.yaml": edition}) == [
        (f"{ED}/2025/edition.yaml", 1, "catalogue.approval-incomplete"),  # approval_date: no key
        (f"{ED}/2025/edition.yaml", 1, "catalogue.edition.missing-key"),
        (f"{ED}/2025/edition.yaml", 5, "catalogue.approval-incomplete"),  # approval_document: null
    ]


def test_approval_comes_before_effect(tmp_path: Path) -> None:
    edition = EDITION_2025.replace("approval_date: 2025-02-18", "approval_date: 2025-04-18")
    assert problems(tmp_path, {f"{ED}/2025/edition.yaml": edition}) == [
        (f"{ED}/2025/edition.yaml", 6, "catalogue.approval-after-effective"),
    ]


def test_a_draft_has_no_approval_yet(tmp_path: Path) -> None:
    draft = """\
id: 2027-draft
title: {zh-CN: 2027年版（征求意见稿）, en: 2027 draft}
status: draft
approving_body: {zh-CN: 协调机构, en: Coordination body}
approval_document: null
approval_date: null
effective_date: 2027-03-01
supersedes: '2025'
"""
    assert problems(tmp_path, {f"{ED}/2027-draft/edition.yaml": draft}) == [
        (f"{ED}/2027-draft/edition.yaml", 7, "catalogue.draft-has-approval"),
    ]


def test_supersedes_resolves(tmp_path: Path) -> None:
    edition = EDITION_2025.replace("supersedes: null", "supersedes: '2019'")
    assert problems(tmp_path, {f"{ED}/2025/edition.yaml": edition}) == [
        (f"{ED}/2025/edition.yaml", 8, "catalogue.unknown-supersedes"),
    ]


def test_supersedes_has_no_cycles(tmp_path: Path) -> None:
    a = """\
id: a-draft
title: {zh-CN: 甲稿, en: Draft A}
status: draft
supersedes: b-draft
approving_body: {zh-CN: 协调机构, en: Coordination body}
approval_document: null
approval_date: null
effective_date: null
"""
    b = """\
id: b-draft
title: {zh-CN: 乙稿, en: Draft B}
status: draft
supersedes: a-draft
approving_body: {zh-CN: 协调机构, en: Coordination body}
approval_document: null
approval_date: null
effective_date: null
"""
    assert problems(
        tmp_path, {f"{ED}/a-draft/edition.yaml": a, f"{ED}/b-draft/edition.yaml": b}
    ) == [
        (f"{ED}/a-draft/edition.yaml", 4, "catalogue.supersedes-cycle"),
        (f"{ED}/b-draft/edition.yaml", 4, "catalogue.supersedes-cycle"),
    ]


def test_an_edition_takes_effect_after_the_one_it_supersedes(tmp_path: Path) -> None:
    older = EDITION_2025.replace("id: '2025'", "id: '2026'").replace(
        "supersedes: null", "supersedes: '2025'"
    )
    # 2026 claims to supersede 2025 but takes effect on the same day.
    assert problems(tmp_path, {f"{ED}/2026/edition.yaml": older}) == [
        (f"{ED}/2025/edition.yaml", 7, "catalogue.duplicate-effective-date"),
        (f"{ED}/2026/edition.yaml", 7, "catalogue.duplicate-effective-date"),
        (f"{ED}/2026/edition.yaml", 7, "catalogue.supersedes-order"),
    ]


def test_some_edition_must_be_in_force(tmp_path: Path) -> None:
    assert problems(tmp_path, {}, as_of=dt.date(2025, 2, 28)) == [
        (ED, None, "catalogue.no-edition-in-force"),
    ]


def test_file_level_problems_are_located(tmp_path: Path) -> None:
    departments = DEPARTMENTS + """\
- code: TJ-A
  name: {zh-CN: 甲局, en: Bureau A}
  uscc: 11120000MB18473I87
  level: county
  district: '12'
"""
    item = SX_02.replace("code: SX-02\n", "code: SX-02\ncolour: red\n").replace(
        "disclosure: public", "disclosure: secret"
    )
    edition = EDITION_2025.replace("id: '2025'", "id: '2024'")
    assert problems(
        tmp_path,
        {
            "catalogue/departments.yaml": departments,
            f"{ED}/2025/items/SX-02.yaml": item,
            f"{ED}/2025/edition.yaml": edition,
        },
    ) == [
        ("catalogue/departments.yaml", 7, "catalogue.duplicate-department"),
        ("catalogue/departments.yaml", 9, "catalogue.department.invalid-uscc"),
        ("catalogue/departments.yaml", 10, "catalogue.department.invalid-value"),
        ("catalogue/departments.yaml", 11, "catalogue.department.invalid-district"),
        (f"{ED}/2025/edition.yaml", 1, "catalogue.edition.id-mismatch"),
        (f"{ED}/2025/items/SX-02.yaml", 2, "catalogue.item.unknown-key"),
        (f"{ED}/2025/items/SX-02.yaml", 9, "catalogue.item.invalid-value"),
    ]


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    item = """\
code: SX-02
name: {zh-CN: 行政处罚, en: Penalties}
category: untrustworthy
subject_types: [legal_person]
providers: [TJ-NOPE]
disclosure: public
schema: nowhere
publicity: general
update_frequency: daily
""" + TEXTS
    edition = EDITION_2025.replace("supersedes: null", "supersedes: '2019'")
    found = problems(
        tmp_path, {f"{ED}/2025/items/SX-02.yaml": item, f"{ED}/2025/edition.yaml": edition}
    )
    assert found == [
        (f"{ED}/2025/edition.yaml", 8, "catalogue.unknown-supersedes"),
        (f"{ED}/2025/items/SX-02.yaml", 1, "catalogue.item.missing-key"),
        (f"{ED}/2025/items/SX-02.yaml", 1, "catalogue.legal-basis-missing"),
        (f"{ED}/2025/items/SX-02.yaml", 3, "catalogue.article-12-missing"),
        (f"{ED}/2025/items/SX-02.yaml", 5, "catalogue.unknown-provider"),
        (f"{ED}/2025/items/SX-02.yaml", 7, "catalogue.unknown-schema"),
    ]


def test_located_text_form(tmp_path: Path) -> None:
    item = SX_02.replace("providers:\n- TJ-A\n", "providers:\n- TJ-NOPE\n")
    project = make_project(tmp_path, {**BASE, f"{ED}/2025/items/SX-02.yaml": item})
    diags = Diagnostics()
    load_catalogue(project, AS_OF, diags)
    assert [str(d) for d in diags.sorted()] == [
        f"{ED}/2025/items/SX-02.yaml:7:3: error[catalogue.unknown-provider]: "
        "provider 'TJ-NOPE' is not in catalogue/departments.yaml"
    ]


def test_code_prefix_names_the_category(tmp_path: Path) -> None:
    item = SX_02.replace("code: SX-02", "code: JC-09")
    assert problems(tmp_path, {f"{ED}/2025/items/JC-09.yaml": item}) == [
        (f"{ED}/2025/items/JC-09.yaml", 1, "catalogue.code-prefix"),
    ]


def test_a_superseded_edition_has_a_successor(tmp_path: Path) -> None:
    old = """\
id: '2023'
title: {zh-CN: 2023年版, en: 2023 edition}
status: superseded
approving_body: {zh-CN: 协调机构, en: Coordination body}
approval_document: 津信用办〔2023〕2号
approval_date: 2023-03-10
effective_date: 2023-04-01
supersedes: null
"""
    # 2025 (in BASE) does not say `supersedes: '2023'`.
    assert problems(tmp_path, {f"{ED}/2023/edition.yaml": old}) == [
        (f"{ED}/2023/edition.yaml", 3, "catalogue.superseded-without-successor"),
    ]


def test_a_withdrawn_edition_keeps_its_approval_data(tmp_path: Path) -> None:
    withdrawn = """\
id: '2026'
title: {zh-CN: 2026年版, en: 2026 edition}
status: withdrawn
approving_body: {zh-CN: 协调机构, en: Coordination body}
approval_document: null
approval_date: 2026-01-10
effective_date: 2026-02-01
supersedes: '2025'
"""
    assert problems(tmp_path, {f"{ED}/2026/edition.yaml": withdrawn}) == [
        (f"{ED}/2026/edition.yaml", 5, "catalogue.approval-incomplete"),
    ]


def test_item_lists_are_well_formed(tmp_path: Path) -> None:
    item = SX_02.replace("providers:\n- TJ-A\n", "providers:\n- TJ-A\n- TJ-A\n").replace(
        "subject_types: [legal_person]", "subject_types: [legal_person, robot]"
    )
    assert problems(tmp_path, {f"{ED}/2025/items/SX-02.yaml": item}) == [
        (f"{ED}/2025/items/SX-02.yaml", 5, "catalogue.item.invalid-value"),
        (f"{ED}/2025/items/SX-02.yaml", 8, "catalogue.item.duplicate-provider"),
    ]


def test_amount_fields_are_numbers(tmp_path: Path) -> None:
    schema = """\
fields:
- {name: mc, type: string, title: 名称, title_en: Name, publish: as_is}
- {name: je, type: string, title: 金额, title_en: Amount, publish: as_is}
roles:
  subject_name: mc
  subject_uscc: mc
  decision_number: mc
  decision_date: mc
  authority: mc
  authority_code: mc
  amount_fields: [je]
"""
    assert problems(tmp_path, {"catalogue/schemas/s.yaml": schema}) == [
        ("catalogue/schemas/s.yaml", 11, "catalogue.schema.amount-not-number"),
    ]


def test_a_department_whose_code_fails_the_check_is_a_warning(tmp_path: Path) -> None:
    departments = DEPARTMENTS.replace("11120000MB18473187", "11120000MB18473188")
    project = make_project(tmp_path, {**BASE, "catalogue/departments.yaml": departments})
    diags = Diagnostics()
    load_catalogue(project, AS_OF, diags)
    # GB 32100: some early pilot codes fail the check yet are real, so warn rather than reject.
    assert [(d.location.line, d.severity, d.code) for d in diags.sorted()] == [
        (4, Severity.WARNING, "catalogue.department.uscc-check"),
    ]


def test_district_codes_match_the_level(tmp_path: Path) -> None:
    departments = DEPARTMENTS + """\
- code: BH-B
  name: {zh-CN: 乙局, en: Bureau B}
  uscc: 11120000MB18473187
  level: district
  district: '120000'
"""
    assert problems(tmp_path, {"catalogue/departments.yaml": departments}) == [
        ("catalogue/departments.yaml", 11, "catalogue.department.invalid-district"),
    ]
