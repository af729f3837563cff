"""Each publication rule on its own, with the outcome it gives; and the generated rule table."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from generator.catalogue.model import Publicity
from generator.config import PublicationPolicy, Tier
from generator.diagnostics import Location
from generator.lists import rules
from generator.lists.rules import (
    RULES,
    Context,
    Copy,
    Facts,
    Objection,
    Verdict,
    Withdrawal,
    add_months,
    decide_row,
    early_repair,
    is_natural_person,
    item_published,
    kept_copy,
    public_values,
    publicity_window_of,
    scrub,
    under_objection,
)
from generator.lists.ruletable import render
from tests.conftest import REPO
from tests.lists.test_decide import (
    DEBTORS,
    PENALTIES,
    PENALTY_ROLES,
    PERSON_ID,
    REP_ID,
    SCHEMAS,
    make_item,
)

AS_OF = dt.date(2026, 11, 30)
CTX = Context(AS_OF, PublicationPolicy())
HERE = Location("content/lists/p/withdrawals.csv", row=2)


def facts(**overrides: Any) -> Facts:
    """An SX-02 record, general tier, decided 2026-06-01: published as of AS_OF."""
    values: dict[str, Any] = {
        "item": PENALTIES,
        "decision_number": "津市监罚〔2026〕1号",
        "decision_date": dt.date(2026, 6, 1),
        "publicity_end": None,
        "natural_person": False,
        "procedure": "general",
        "minor": False,
        "severity": "general",
    }
    values.update(overrides)
    return Facts(**values)


def withheld(reason: str) -> Verdict:
    return Verdict("withheld", reason)


# --- 1. The item ---------------------------------------------------------------------------


def test_item_rule() -> None:
    assert item_published(PENALTIES) is None
    assert item_published(None) == "item-not-in-force"
    assert (
        item_published(make_item(category="trustworthy", clause=None)) == "item-not-untrustworthy"
    )
    assert item_published(make_item(disclosure="authorized_query")) == "item-not-public"


# --- 2. Legally binding document -----------------------------------------------------------


def test_legally_binding_document() -> None:
    assert rules.legally_binding_document(facts(), CTX) is None
    assert rules.legally_binding_document(facts(decision_number=" "), CTX) == Verdict(
        "rejected", "no-legal-document"
    )
    assert rules.legally_binding_document(facts(decision_date=None), CTX) == Verdict(
        "rejected", "no-legal-document"
    )


# --- 3. General procedure ------------------------------------------------------------------


def test_general_procedure() -> None:
    assert rules.general_procedure(facts(), CTX) is None
    assert rules.general_procedure(facts(procedure="simplified"), CTX) == withheld(
        "simplified-procedure"
    )
    assert rules.general_procedure(facts(procedure=None), CTX) == withheld("simplified-procedure")
    assert rules.general_procedure(facts(minor=True), CTX) == withheld("minor-exception")
    # Only Art. 12(2) penalties have a procedure: SX-04 rows have none and are not affected.
    assert rules.general_procedure(facts(item=DEBTORS, procedure=None), CTX) is None


# --- 4. Natural persons --------------------------------------------------------------------


def test_natural_person_penalty() -> None:
    person = facts(natural_person=True)
    assert rules.natural_person_penalty(person, CTX) == withheld("natural-person")
    publish = Context(AS_OF, PublicationPolicy(natural_person_penalties="publish_masked"))
    assert rules.natural_person_penalty(person, publish) is None
    assert rules.natural_person_penalty(facts(), CTX) is None
    assert rules.natural_person_penalty(facts(item=DEBTORS, natural_person=True), CTX) is None


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ({"category": "自然人", "uscc": "", "id_number": PERSON_ID}, True),
        ({"category": "个体工商户", "uscc": "", "id_number": PERSON_ID}, False),
        ({"category": "", "uscc": "", "id_number": PERSON_ID}, True),
        ({"category": "", "uscc": "91120000MA05W7K10T", "id_number": PERSON_ID}, False),
        ({"category": "", "uscc": "", "id_number": ""}, False),
    ],
)
def test_is_natural_person(texts: dict[str, str], expected: bool) -> None:
    assert is_natural_person(texts, PENALTY_ROLES) is expected


def test_is_natural_person_without_a_category_role() -> None:
    roles = {k: v for k, v in PENALTY_ROLES.items() if k != "subject_category"}
    assert is_natural_person({"uscc": "", "id_number": PERSON_ID}, roles)


# --- 5. Publicity window -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 3, 31), 12, dt.date(2027, 3, 31)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2026, 6, 1), 0, dt.date(2026, 6, 1)),
    ],
)
def test_add_months_clamps_the_day(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def window(**overrides: Any) -> tuple[dt.date, dt.date, str]:
    w = publicity_window_of(facts(**overrides), CTX)
    assert w is not None
    return w.start, w.end, w.tier


def test_window_without_an_end_runs_to_the_maximum() -> None:
    assert window() == (dt.date(2026, 6, 1), dt.date(2027, 6, 1), "general")
    assert window(severity="serious") == (dt.date(2026, 6, 1), dt.date(2029, 6, 1), "serious")


def test_window_end_is_clamped_into_minimum_and_maximum() -> None:
    assert window(publicity_end=dt.date(2026, 7, 1))[1] == dt.date(2026, 9, 1)  # up to 3 months
    assert window(publicity_end=dt.date(2026, 12, 24))[1] == dt.date(2026, 12, 24)  # kept
    assert window(publicity_end=dt.date(2099, 12, 31))[1] == dt.date(2027, 6, 1)  # down to 12


def test_tier_comes_from_severity_else_the_item() -> None:
    assert window(severity=None)[2] == "serious"  # PENALTIES' publicity is serious
    assert (
        window(item=make_item(publicity=Publicity(tier="general")), severity=None)[2] == "general"
    )


def test_item_months_override_the_tier() -> None:
    item = make_item(publicity=Publicity(tier="general", min_months=6, max_months=9))
    assert window(item=item, publicity_end=dt.date(2026, 7, 1))[1] == dt.date(2026, 12, 1)
    assert window(item=item)[1] == dt.date(2027, 3, 1)
    _, end, tier = window(item=DEBTORS, severity=None)
    assert (end, tier) == (dt.date(2031, 6, 1), "")


def test_site_yaml_tiers_are_used() -> None:
    policy = PublicationPolicy(tiers={"general": Tier(True, 1, 2), "minor": Tier(True, 0, 3)})
    ctx = Context(AS_OF, policy)
    w = publicity_window_of(facts(), ctx)
    assert w is not None and w.end == dt.date(2026, 8, 1)
    # A published minor tier: a record of it is shown while its window lasts.
    assert (
        rules.publicity_window(facts(severity="minor", decision_date=dt.date(2026, 10, 1)), ctx)
        is None
    )


def test_publicity_window_rule() -> None:
    assert rules.publicity_window(facts(), CTX) is None
    assert rules.publicity_window(facts(severity="minor"), CTX) == withheld("tier-not-published")
    assert rules.publicity_window(facts(severity="unheard-of"), CTX) == withheld(
        "tier-not-published"
    )
    expired = facts(decision_date=dt.date(2025, 11, 30))  # 12 months end on AS_OF itself
    assert rules.publicity_window(expired, CTX) == withheld("expired")
    last_day = facts(decision_date=dt.date(2025, 12, 1))
    assert rules.publicity_window(last_day, CTX) is None
    assert rules.publicity_window(facts(decision_date=None), CTX) is None  # rule 2's business


def test_not_yet_public_when_the_window_starts_at_a_later_publication() -> None:
    ctx = Context(AS_OF, PublicationPolicy(publicity_start="publication_date"))
    later = facts(publication_date=dt.date(2026, 12, 2))
    assert rules.publicity_window(later, ctx) == withheld("not-yet-public")
    assert rules.publicity_window(later, CTX) is None  # counted from the decision by default
    assert rules.publicity_window(facts(publication_date=dt.date(2026, 7, 1)), ctx) is None


@pytest.mark.parametrize(
    "row",
    [
        facts(),  # published, until its window ends
        facts(decision_date=dt.date(2025, 11, 30)),  # expired: for good
        facts(severity="minor"),  # a tier never published: whatever the date
        facts(decision_number=""),  # rejected by rule 2: whatever the date
        facts(procedure="summary"),  # withheld by rule 3: whatever the date
        facts(natural_person=True, severity="serious"),
        facts(publication_date=dt.date(2027, 3, 1)),  # not yet public, with a later start
        facts(decision_date=dt.date(2026, 11, 29), publicity_end=dt.date(2030, 1, 1)),
    ],
)
@pytest.mark.parametrize("start", ["decision_date", "publication_date"])
def test_next_change_is_no_later_than_the_rules_judge_otherwise(row: Facts, start: str) -> None:
    """The row memo (generator.lists.rowmemo) reuses a verdict from its day up to the day
    before `next_change`: every day in between must get the same verdict. Checked day by day."""
    policy = PublicationPolicy(publicity_start=start)
    first, days = dt.date(2025, 1, 1), 5 * 366
    verdicts = [rules.decide_row(row, Context(first + dt.timedelta(n), policy)) for n in range(days)]
    changes = [days] * days  # changes[n]: the first later day with another verdict
    for n in range(days - 2, -1, -1):
        changes[n] = n + 1 if verdicts[n + 1] != verdicts[n] else changes[n + 1]
    for n in range(days):
        until = rules.next_change(row, Context(first + dt.timedelta(n), policy))
        limit = (until - first).days if until is not None else days
        assert limit <= changes[n], (first + dt.timedelta(n), until)


def test_the_date_is_read_only_where_next_change_knows_it() -> None:
    """A function of the rules or of the domain checks that comes to read the build's date must
    be reflected in `rules.next_change` (and the row memo's docstring): this lists the ones that
    do."""
    import ast

    readers: dict[str, set[str]] = {}
    for module in ("rules", "validate"):
        tree = ast.parse((REPO / "generator" / "lists" / f"{module}.py").read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                reads = any(
                    isinstance(n, ast.Attribute) and n.attr == "as_of" for n in ast.walk(node)
                )
                if reads:
                    readers.setdefault(module, set()).add(node.name)
    assert readers == {
        # rule 5 and next_change; rules 6 and 7 and the objection mark, only with a withdrawal
        # or objection (never remembered)
        "rules": {
            "publicity_window",
            "withdrawn",
            "objection_upheld",
            "under_objection",
            "next_change",
        },
        # only ever find fewer problems on a later day
        "validate": {"resident_id_number", "decision_not_in_future"},
    }


# --- 6. Withdrawals -----------------------------------------------------------------------


def test_withdrawal_rule() -> None:
    for reason in ("repaired", "revoked", "corrected"):
        w = Withdrawal(reason, "撤-1", dt.date(2026, 11, 1), HERE)
        assert rules.withdrawn(facts(withdrawal=w), CTX) == withheld(reason)
    future = Withdrawal("revoked", "撤-1", dt.date(2026, 12, 1), HERE)
    assert rules.withdrawn(facts(withdrawal=future), CTX) is None
    today = Withdrawal("revoked", "撤-1", AS_OF, HERE)
    assert rules.withdrawn(facts(withdrawal=today), CTX) == withheld("revoked")


def test_early_repair() -> None:
    # Decided 2026-06-01, general tier: repair is possible from 2026-09-01.
    early = Withdrawal("repaired", "修-1", dt.date(2026, 8, 31), HERE)
    on_time = Withdrawal("repaired", "修-1", dt.date(2026, 9, 1), HERE)
    early_revocation = Withdrawal("revoked", "撤-1", dt.date(2026, 6, 2), HERE)
    assert early_repair(facts(withdrawal=early), CTX)
    assert not early_repair(facts(withdrawal=on_time), CTX)
    assert not early_repair(facts(withdrawal=early_revocation), CTX)
    assert not early_repair(facts(), CTX)


# --- 7. Objections ------------------------------------------------------------------------


def test_objection_rule() -> None:
    def objection(status: str, received: dt.date = dt.date(2026, 11, 1)) -> Facts:
        return facts(objection=Objection(status, received, HERE))

    assert rules.objection_upheld(objection("upheld"), CTX) == withheld("objection-upheld")
    assert rules.objection_upheld(objection("under_review"), CTX) is None
    assert under_objection(objection("under_review"), CTX)
    assert rules.objection_upheld(objection("rejected"), CTX) is None
    assert not under_objection(objection("rejected"), CTX)
    # Not received yet at as-of: no effect at all.
    assert rules.objection_upheld(objection("upheld", dt.date(2026, 12, 1)), CTX) is None
    assert not under_objection(objection("under_review", dt.date(2026, 12, 1)), CTX)


# --- Order of the row rules ---------------------------------------------------------------


def test_first_rule_that_withholds_gives_the_reason() -> None:
    w = Withdrawal("repaired", "修-1", dt.date(2026, 11, 1), HERE)
    assert decide_row(facts(), CTX) is None
    assert decide_row(facts(decision_date=None, minor=True), CTX) == Verdict(
        "rejected", "no-legal-document"
    )
    assert decide_row(facts(minor=True, natural_person=True), CTX) == withheld("minor-exception")
    assert decide_row(facts(natural_person=True, severity="minor"), CTX) == withheld(
        "natural-person"
    )
    assert decide_row(facts(decision_date=dt.date(2020, 1, 1), withdrawal=w), CTX) == withheld(
        "expired"
    )
    assert decide_row(facts(withdrawal=w), CTX) == withheld("repaired")


# --- 8. Duplicates ------------------------------------------------------------------------


def test_kept_copy_prefers_the_municipal_provider_then_the_package_name() -> None:
    assert kept_copy([Copy("a-district", False), Copy("z-city", True)]) == Copy("z-city", True)
    assert kept_copy([Copy("hp", False), Copy("bh", False)]) == Copy("bh", False)
    assert kept_copy([Copy("tj-b", True), Copy("tj-a", True)]) == Copy("tj-a", True)


# --- 9. Masking ---------------------------------------------------------------------------

PENALTIES_SCHEMA = SCHEMAS["penalties"]
DEBTORS_SCHEMA = SCHEMAS["debtors"]


def test_masking_of_an_organisation() -> None:
    texts = {
        "name": "天津甲乙商贸有限公司",
        "uscc": "91120000MA05W7K10T",
        "id_number": "",
        "rep_id": REP_ID,
        "procedure": "general",
        "minor": "false",
        "facts": "无",
    }
    shown = public_values(texts, PENALTIES_SCHEMA, natural_person=False)
    assert "rep_id" not in shown and "procedure" not in shown and "minor" not in shown
    assert shown["name"] == "天津甲乙商贸有限公司"
    assert shown["id_number"] == ""


def test_masking_of_a_natural_person() -> None:
    texts = {
        "name": "王小明",
        "category": "自然人",
        "id_number": PERSON_ID,
        "case_number": "(2026)1",
    }
    shown = public_values(texts, DEBTORS_SCHEMA, natural_person=True)
    assert shown["name"] == "王**"
    assert shown["id_number"] == PERSON_ID[:6] + "********" + PERSON_ID[-4:]
    assert shown["case_number"] == "(2026)1"


def test_other_masked_values_are_fully_masked() -> None:
    schema = dataclass_replace_field(PENALTIES_SCHEMA, "facts", "masked")
    shown = public_values({"facts": "某某内部说明"}, schema, natural_person=False)
    assert shown["facts"] == "****"


def test_passport_numbers_keep_only_their_last_four() -> None:
    shown = public_values({"id_number": "E12345678"}, DEBTORS_SCHEMA, natural_person=True)
    assert shown["id_number"] == "****5678"


def test_free_text_may_not_repeat_a_secret() -> None:
    texts = {
        "name": "王小明",
        "id_number": PERSON_ID,
        "court": "天津市高级人民法院",
        "case_number": f"王小明（{PERSON_ID}）",
    }
    shown = public_values(texts, DEBTORS_SCHEMA, natural_person=True)
    masked_id = PERSON_ID[:6] + "********" + PERSON_ID[-4:]
    assert shown["case_number"] == f"王**（{masked_id}）"
    assert all("王小明" not in v and PERSON_ID not in v for v in shown.values())


def test_scrub_replaces_longest_first() -> None:
    assert scrub("ab abc", {"ab": "X", "abc": "Y"}) == "X Y"


def dataclass_replace_field(schema: Any, name: str, publish: str) -> Any:
    import dataclasses

    fields = tuple(
        dataclasses.replace(f, publish=publish) if f.name == name else f for f in schema.fields
    )
    return dataclasses.replace(schema, fields=fields)


# --- The registry and the generated table --------------------------------------------------


def test_every_rule_cites_its_source_and_has_a_stable_number() -> None:
    assert [r.number for r in RULES] == list(range(1, 10))
    for r in RULES:
        assert r.title and r.source, r.name
        assert r.scope in ("package", "row", "list", "record")
        assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", code) for code in r.codes), r.codes


def test_the_committed_rule_table_is_generated_from_the_code() -> None:
    committed = (REPO / "docs/publication-rules.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/publication-rules.md is stale: run "
        "`python -m generator.lists.ruletable > docs/publication-rules.md`"
    )


def test_rule_table_lists_every_rule_and_check() -> None:
    text = render()
    for r in RULES:
        assert f"### {r.number}. {r.title}" in text
        for code in r.codes:
            assert f"`{code}`" in text
    for code in ("list.uscc-check", "list.resident-id-check", "list.future-decision"):
        assert f"`{code}`" in text


def test_rule_table_module_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "generator.lists.ruletable"],
        capture_output=True,
        check=True,
        cwd=REPO,
    )
    assert out.stdout.decode("utf-8") == render()
