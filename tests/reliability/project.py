"""A small, complete project for the reliability tests: everything a build reads, and little of it.

One catalogue with two editions (2025 in force, 2027-draft under consultation), one list package of
penalties (SX-02), one item that is not public (SX-06), one consultation and one page. Building it
takes a fraction of the sample's time, so every bad-input case can start from a good build.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from generator.lists.identifiers import (
    org_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)

AS_OF = "2026-11-30"
PACKAGE = "content/lists/tj-scjg-sx-02"
RECORDS = f"{PACKAGE}/records.csv"
DESCRIPTOR = f"{PACKAGE}/datapackage.json"
CONSULTATION = "content/consultations/c1"
EDITIONS = "catalogue/editions"


def make_uscc(body8: str, prefix: str = "91120000") -> str:
    """A unified social credit code whose organisation code and own check are both valid."""
    org = body8 + org_code_check_char(body8)
    return prefix + org + uscc_check_char(prefix + org)


def make_resident_id(division: str = "120101", born: str = "19900307", seq: str = "123") -> str:
    first17 = division + born + seq
    return first17 + resident_id_check_char(first17)


SCJG = "11120000MB18473187"
FGW = "111200000000301549"
COMPANY = make_uscc("MA05W7K1")
OTHER_COMPANY = make_uscc("MA06P2Q3")
PERSON_ID = make_resident_id()
REP_ID = make_resident_id("120102", "19751120", "456")

DEPARTMENTS = f"""\
departments:
- code: TJ-SCJG
  name: {{zh-CN: 天津市市场监督管理委员会, en: Tianjin Market Regulation Commission}}
  uscc: {SCJG}
  level: municipal
  district: '120000'
- code: TJ-FGW
  name: {{zh-CN: 天津市发展和改革委员会, en: Tianjin Development and Reform Commission}}
  uscc: '{FGW}'
  level: municipal
  district: '120000'
"""

# (name, type, publish, constraints)
FIELDS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("name", "string", "as_is", {"required": True}),
    ("category", "string", "as_is", {"enum": ["法人及非法人组织", "自然人", "个体工商户"]}),
    ("uscc", "string", "as_is", {}),
    ("id_number", "string", "masked", {}),
    ("rep_name", "string", "as_is", {}),
    ("rep_id", "string", "never", {}),
    ("decision_number", "string", "as_is", {"required": True}),
    ("decision_date", "date", "as_is", {"required": True}),
    ("publicity_end", "date", "as_is", {}),
    ("authority", "string", "as_is", {"required": True}),
    ("authority_code", "string", "as_is", {}),
    ("fine", "number", "as_is", {}),
    ("facts", "string", "as_is", {}),
    ("procedure", "string", "never", {"required": True, "enum": ["general", "simplified"]}),
    ("minor", "boolean", "never", {}),
    ("severity", "string", "as_is", {"enum": ["minor", "general", "serious"]}),
)
HEADER = tuple(name for name, *_ in FIELDS)


def schema_yaml() -> str:
    fields = []
    for name, type_, publish, constraints in FIELDS:
        entry: dict[str, Any] = {
            "name": name,
            "type": type_,
            "title": f"字段{name}",
            "title_en": name.replace("_", " ").capitalize(),
            "publish": publish,
        }
        if constraints:
            entry["constraints"] = constraints
        fields.append(entry)
    roles = {
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
    # JSON is YAML: no quoting surprises for dates or codes such as '01'.
    return json.dumps({"fields": fields, "roles": roles}, ensure_ascii=False, indent=1) + "\n"


def edition_yaml(
    edition_id: str,
    status: str,
    supersedes: str | None = None,
    effective: str | None = None,
    approved: str | None = None,
) -> str:
    return (
        f"id: '{edition_id}'\n"
        f"title: {{zh-CN: 目录（{edition_id}）, en: Catalogue ({edition_id})}}\n"
        f"status: {status}\n"
        "approving_body: {zh-CN: 协调机构, en: Coordination body}\n"
        f"approval_document: {'津信用办〔2025〕3号' if approved else 'null'}\n"
        f"approval_date: {approved or 'null'}\n"
        f"effective_date: {effective or 'null'}\n"
        f"supersedes: {repr(supersedes) if supersedes else 'null'}\n"
    )


def item_yaml(
    code: str = "SX-02",
    name: str = "行政处罚信息",
    disclosure: str = "public",
    clause: int = 2,
    schema: str = "penalties",
) -> str:
    return (
        f"code: {code}\n"
        f"name: {{zh-CN: {name}, en: Item {code}}}\n"
        f"description: {{zh-CN: {name}的说明。, en: About item {code}.}}\n"
        "category: untrustworthy\n"
        f"article_12_clause: {clause}\n"
        "subject_types: [legal_person, natural_person]\n"
        "providers: [TJ-SCJG]\n"
        f"disclosure: {disclosure}\n"
        "scope: {zh-CN: 范围。, en: Scope.}\n"
        "right_to_use: {zh-CN: 依法公开。, en: Public.}\n"
        "legal_basis:\n"
        "- {zh-CN: 《天津市社会信用条例》第十二条, en: 'Regulations, Art. 12'}\n"
        f"schema: {schema}\n"
        "publicity: serious\n"
        "update_frequency: daily\n"
    )


def penalty(number: str = "津市监罚〔2026〕1号", **values: str) -> dict[str, str]:
    """One SX-02 row against COMPANY, valid and published as of AS_OF; keywords override cells."""
    row = {
        "name": "天津市甲乙贸易有限公司",
        "category": "法人及非法人组织",
        "uscc": COMPANY,
        "id_number": "",
        "rep_name": "张三",
        "rep_id": REP_ID,
        "decision_number": number,
        "decision_date": "2026-06-01",
        "publicity_end": "",
        "authority": "天津市市场监督管理委员会",
        "authority_code": SCJG,
        "fine": "1.5",
        "facts": "经查，当事人销售不合格产品。",
        "procedure": "general",
        "minor": "false",
        "severity": "serious",
    }
    unknown = set(values) - set(row)
    assert not unknown, f"no such columns: {unknown}"
    row.update(values)
    return row


def person_penalty(number: str = "津市监罚〔2026〕2号", **values: str) -> dict[str, str]:
    """A natural person's penalty: withheld under the default policy, but read and checked."""
    return penalty(
        number,
        **{
            "name": "李四",
            "category": "自然人",
            "uscc": "",
            "id_number": PERSON_ID,
            "rep_name": "",
            "rep_id": "",
            **values,
        },
    )


def to_csv(rows: Sequence[Mapping[str, str]], header: Sequence[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def descriptor(**overrides: Any) -> str:
    data: dict[str, Any] = {
        "name": "tj-scjg-sx-02",
        "catalogue_item": "SX-02",
        "provider": "TJ-SCJG",
        "extracted": "2026-11-28",
        "resources": [{"name": "records", "path": "records.csv", "format": "csv"}],
    }
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


CONSULTATION_YAML = """\
id: c1
title: {zh-CN: 目录草案征求意见, en: Consultation on the draft catalogue}
draft_edition: 2027-draft
opens: 2026-11-16
closes: 2026-12-20
ways_to_respond:
  email: consultation@example.org
"""
COMMENTS = (
    "id,received,channel,commenter_type,commenter,department,item_code,field,text,disposition,response\n"
    "C001,2026-11-17,email,individual,王小明,,SX-02,,建议写明处罚是否已经履行。,pending,\n"
)

HOME = "---\ntitle: {zh-CN: 首页, en: Home}\nslug: index\nnav_order: 1\n---\n欢迎。\n"


def good_files() -> dict[str, str | bytes | None]:
    """Every input of the small project (site.yaml comes from the repo through make_project)."""
    return {
        "content/pages/index.md": HOME,
        "catalogue/departments.yaml": DEPARTMENTS,
        "catalogue/schemas/penalties.yaml": schema_yaml(),
        f"{EDITIONS}/2025/edition.yaml": edition_yaml(
            "2025", "approved", None, "2025-03-01", "2025-02-18"
        ),
        f"{EDITIONS}/2025/items/SX-02.yaml": item_yaml(),
        f"{EDITIONS}/2025/items/SX-06.yaml": item_yaml(
            "SX-06", "欠缴社会保险费信息", "government_shared", 5
        ),
        f"{EDITIONS}/2027-draft/edition.yaml": edition_yaml("2027-draft", "draft", "2025"),
        f"{EDITIONS}/2027-draft/items/SX-02.yaml": item_yaml(name="适用一般程序的行政处罚信息"),
        DESCRIPTOR: descriptor(),
        RECORDS: to_csv(
            [penalty(), penalty("津市监罚〔2026〕3号", uscc=OTHER_COMPANY), person_penalty()]
        ),
        f"{CONSULTATION}/consultation.yaml": CONSULTATION_YAML,
        f"{CONSULTATION}/notice.md": "### 说明\n\n征求意见稿的说明。\n",
        f"{CONSULTATION}/comments.csv": COMMENTS,
    }
