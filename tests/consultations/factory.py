"""A small hand-built catalogue for the consultation tests, so they do not depend on the sample data.

Editions: `2023` (superseded: SX-01, SX-02, QT-08), `2025-draft` (draft: SX-01, SX-02 renamed, SX-06)
and `2025` (approved, in force: SX-01, SX-02, SX-06, SY-07). Departments: TJ-SCJG and TJ-FGW.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.catalogue.model import Catalogue, Department, Edition, FieldSpec, Item
from generator.consultations.load import load_consultations
from generator.consultations.model import Consultation
from generator.diagnostics import Diagnostics
from generator.model import LangText


def item(code: str, zh: str, en: str, category: str = "untrustworthy") -> Item:
    return Item(
        code=code,
        name=LangText(zh, en),
        description=LangText(f"{zh}的说明", f"About {en}"),
        category=category,
        article_12_clause=2 if category == "untrustworthy" else None,
        subject_types=("legal_person",),
        providers=("TJ-SCJG",),
        disclosure="public",
        scope=LangText("范围", "Scope"),
        right_to_use=LangText("依法公开", "Public"),
        legal_basis=(LangText("条例第十二条", "Art. 12"),),
        schema=None,
        fields=(FieldSpec("cf_wsh", LangText("决定书文号", "Decision number"), "as_is"),),
        publicity=None,
        update_frequency="daily",
        source=f"catalogue/editions/x/items/{code}.yaml",
    )


def edition(
    edition_id: str, status: str, items: tuple[Item, ...], supersedes: str | None = None
) -> Edition:
    approved = status in ("approved", "superseded")
    return Edition(
        id=edition_id,
        title=LangText(f"目录（{edition_id}）", f"Catalogue ({edition_id})"),
        status=status,
        approving_body=None,
        approval_document="津信用办〔2025〕3号" if approved else None,
        approval_date=dt.date(2025, 2, 18) if approved else None,
        effective_date=dt.date(2025, 3, 1) if approved else None,
        supersedes=supersedes,
        items=tuple(sorted(items, key=lambda i: i.code)),
        source=f"catalogue/editions/{edition_id}/edition.yaml",
    )


SX01 = item("SX-01", "不正当手段取得许可信息", "Improper means")
SX02 = item("SX-02", "行政处罚信息", "Administrative penalties")
SX02_RENAMED = item("SX-02", "适用一般程序的行政处罚信息", "Penalties under the general procedure")
SX06 = item("SX-06", "欠缴社会保险费信息", "Social insurance arrears")
QT08 = item("QT-08", "行业协会评价信息", "Trade association evaluations", "other")
SY07 = item("SY-07", "志愿服务记录信息", "Volunteer service records", "trustworthy")

BASE = edition("2023", "superseded", (SX01, SX02, QT08))
DRAFT = edition("2025-draft", "draft", (SX01, SX02_RENAMED, SX06), supersedes="2023")
APPROVED = edition("2025", "approved", (SX01, SX02_RENAMED, SX06, SY07), supersedes="2023")

CATALOGUE = Catalogue(
    departments=(
        Department(
            "TJ-FGW",
            LangText("天津市发展和改革委员会", "Tianjin DRC"),
            "",
            "municipal",
            "120000",
            "",
        ),
        Department(
            "TJ-SCJG",
            LangText("天津市市场监督管理委员会", "Tianjin Market Regulation"),
            "",
            "municipal",
            "120000",
            "",
        ),
    ),
    schemas={},
    editions=(BASE, DRAFT, APPROVED),
    in_force=APPROVED,
)

HEADER = "id,received,channel,commenter_type,commenter,department,item_code,field,text,disposition,response\n"

# A consultation.yaml that passes every check; tests replace the lines they are about.
CONSULTATION_YAML = """\
id: c1
title: {zh-CN: 征求意见, en: Consultation}
draft_edition: 2025-draft
base_edition: '2023'
opens: 2024-11-01
closes: 2024-12-10
ways_to_respond:
  email: consultation@example.org
  form_url: https://forms.example.org/c1
"""


def write(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (paths relative to content/consultations/c1/ unless they contain a slash)."""
    for name, text in files.items():
        path = root / (name if "/" in name else f"content/consultations/c1/{name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def load(
    root: Path, files: dict[str, str], catalogue: Catalogue | None = CATALOGUE
) -> tuple[tuple[Consultation, ...], list[tuple[object, ...]]]:
    """Load the consultation written from `files`; diagnostics as (location, code) tuples."""
    write(root, {"notice.md": "说明。\n", **files})
    diags = Diagnostics()
    loaded = load_consultations(root, catalogue, dt.date(2026, 11, 30), diags)
    return loaded, [(str(d.location), d.severity.value, d.code) for d in diags.sorted()]
