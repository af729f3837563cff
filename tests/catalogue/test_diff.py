"""diff_editions on a small pair of editions built here: added, removed, changed with before and after."""

from __future__ import annotations

import datetime as dt

from generator.catalogue.diff import EMPTY, diff_editions, format_text
from generator.catalogue.model import Edition, FieldSpec, Item, Publicity
from generator.model import LangText


def item(code: str, **changes: object) -> Item:
    base: dict[str, object] = {
        "code": code,
        "name": LangText(f"事项{code}", f"Item {code}"),
        "description": None,
        "category": "basic",
        "article_12_clause": None,
        "subject_types": ("legal_person",),
        "providers": ("TJ-A",),
        "disclosure": "public",
        "scope": None,
        "right_to_use": None,
        "legal_basis": (),
        "schema": None,
        "fields": (
            FieldSpec("mc", LangText("名称", "Name"), "as_is"),
            FieldSpec("zjhm", LangText("证件号码", "ID number"), "masked"),
        ),
        "publicity": Publicity(tier="general"),
        "update_frequency": "daily",
        "source": f"catalogue/editions/x/items/{code}.yaml",
    }
    base.update(changes)
    return Item(**base)  # type: ignore[arg-type]


def edition(edition_id: str, *items: Item) -> Edition:
    return Edition(
        id=edition_id,
        title=LangText(edition_id),
        status="approved",
        approving_body=None,
        approval_document="doc",
        approval_date=dt.date(2025, 1, 1),
        effective_date=dt.date(2025, 1, 1),
        supersedes=None,
        items=tuple(sorted(items, key=lambda i: i.code)),
        source=f"catalogue/editions/{edition_id}/edition.yaml",
    )


OLD = edition(
    "old",
    item("JC-01"),
    item("JC-02"),
    item("QT-01", disclosure="government_shared", providers=("TJ-A",)),
    item("SY-01"),
)
NEW = edition(
    "new",
    item("JC-01"),  # unchanged
    item(
        "QT-01",
        disclosure="public",
        providers=("TJ-A", "TJ-B"),
        publicity=Publicity(min_months=3, max_months=12),
        fields=(
            FieldSpec("mc", LangText("名称", "Name"), "as_is"),
            FieldSpec("zjhm", LangText("证件号码", "ID number"), "never"),
        ),
    ),
    item("SX-06", category="untrustworthy", article_12_clause=5),
    item("SY-01", name=LangText("新名称", "New name")),
)


def test_added_removed_changed() -> None:
    diff = diff_editions(OLD, NEW)
    assert (diff.old_id, diff.new_id) == ("old", "new")
    assert [i.code for i in diff.added] == ["SX-06"]
    assert [i.code for i in diff.removed] == ["JC-02"]
    assert [(c.code, [a.attribute for a in c.changes]) for c in diff.changed] == [
        ("QT-01", ["providers", "disclosure", "fields", "publicity"]),
        ("SY-01", ["name"]),
    ]
    assert diff.unchanged == 1
    assert not diff.is_empty


def test_each_change_has_before_and_after_display_texts() -> None:
    qt01 = diff_editions(OLD, NEW).changed[0]
    shown = {a.attribute: (a.before.get("en"), a.after.get("en")) for a in qt01.changes}
    assert shown == {
        "providers": ("TJ-A", "TJ-A, TJ-B"),
        "disclosure": ("Shared within government", "Public"),
        # Only the field that changed is listed, not the whole table.
        "fields": ("zjhm (ID number): Published masked", "zjhm (ID number): Never published"),
        "publicity": ("General (3 months to 1 year)", "3–12 months"),
    }
    zh = {a.attribute: (a.before.zh, a.after.zh) for a in qt01.changes}
    assert zh["disclosure"] == ("政务共享", "社会公开")
    assert zh["providers"] == ("TJ-A", "TJ-A、TJ-B")


def test_an_edition_compared_with_itself_is_empty() -> None:
    diff = diff_editions(OLD, OLD)
    assert diff.is_empty and diff.unchanged == 4


def test_added_fields_show_as_empty_before() -> None:
    extra = FieldSpec("bz", LangText("备注", "Remarks"), "as_is")
    old = edition("a", item("JC-01"))
    new = edition("b", item("JC-01", fields=(*item("JC-01").fields, extra)))
    (change,) = diff_editions(old, new).changed[0].changes
    assert change.attribute == "fields"
    assert change.before == EMPTY
    assert change.after.get("en") == "bz (Remarks): Published as is"


def test_as_dict_is_the_json_form() -> None:
    data = diff_editions(OLD, NEW).as_dict()
    assert data["added"] == [{"code": "SX-06", "name": {"zh-CN": "事项SX-06", "en": "Item SX-06"}}]
    assert data["removed"][0]["code"] == "JC-02"
    assert data["changed"][1] == {
        "code": "SY-01",
        "name": {"zh-CN": "新名称", "en": "New name"},
        "changes": [
            {
                "attribute": "name",
                "before": {"zh-CN": "事项SY-01", "en": "Item SY-01"},
                "after": {"zh-CN": "新名称", "en": "New name"},
            }
        ],
    }


def test_text_form() -> None:
    text = format_text(diff_editions(OLD, NEW), "en")
    assert text.splitlines()[:9] == [
        "Catalogue edition changes: old → new",
        "",
        "Items added (1)",
        "  + SX-06  Item SX-06",
        "",
        "Items removed (1)",
        "  - JC-02  Item JC-02",
        "",
        "Items changed (2)",
    ]
    assert "      Public nature:" in text.splitlines()
    assert "        + Public" in text.splitlines()
