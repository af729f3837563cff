"""Property-based tests of the portal's promises: nothing leaked, and nothing brought back.

The other two properties the issue names live with their code and are not repeated here:
- every row is accounted for exactly once: tests/lists/test_accounting.py (including broken
  tables and packages withheld or rejected whole);
- the Python and JavaScript tokenizers agree: tests/search/test_tokenizer_parity.py.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import BuildOptions, build
from generator.config import PublicationPolicy
from generator.diagnostics import Location
from generator.lists import rules
from generator.lists.model import WITHHELD
from tests.conftest import REPO, make_project
from tests.lists.test_decide import DEBTORS, PENALTIES
from tests.lists.test_decide import decide as decide_packages
from tests.lists.test_decide import package_files as list_package_files
from tests.lists.test_decide import penalty as short_penalty
from tests.lists.test_decide import to_csv as short_csv
from tests.reliability.helpers import CI
from tests.reliability.project import (
    AS_OF,
    RECORDS,
    good_files,
    make_resident_id,
    make_uscc,
    penalty,
    to_csv,
)

# --- No masked or never-published value appears anywhere under site/ ------------------------

# Rare characters, so that a given name found in the site can only have come from the input.
RARE = "龘靐齉爩鱻麤龗灪籱驫"
DIVISIONS = ("120101", "120102", "120103", "120104", "120110", "120116", "110105", "310115")
CATEGORIES = ("法人及非法人组织", "自然人", "个体工商户")


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    born = draw(st.dates(dt.date(1950, 1, 1), dt.date(2005, 12, 31)))
    seq = draw(st.integers(0, 999))
    return make_resident_id(draw(st.sampled_from(DIVISIONS)), born.strftime("%Y%m%d"), f"{seq:03d}")


@st.composite
def rows(draw: st.DrawFn, index: int) -> dict[str, str]:
    """One valid SX-02 row: a natural person's, an individual business's or a company's."""
    category = draw(st.sampled_from(CATEGORIES))
    person = category == "自然人"
    id_number = draw(resident_ids())
    rep_id = draw(resident_ids())
    name = "王" + "".join(draw(st.lists(st.sampled_from(RARE), min_size=2, max_size=3)))
    # Free text that repeats the secrets: the masking must scrub them from it as well.
    facts = draw(
        st.sampled_from(
            [
                "经查，当事人销售不合格产品。",
                f"经查，当事人（身份证号{id_number}）销售不合格产品。",
                f"法定代表人证件号码{rep_id}。",
                f"{name}承认违法事实。" if person else "当事人承认违法事实。",
            ]
        )
    )
    return penalty(
        f"津市监罚〔2026〕{100 + index}号",
        name=name if person else f"天津{index}号贸易有限公司",
        category=category,
        uscc="" if person else make_uscc(f"MA{index:02d}K7Q2"),
        id_number="" if category == "法人及非法人组织" else id_number,
        rep_name="" if person else "张伟",  # published as it is
        rep_id="" if person else rep_id,
        facts=facts,
    )


@st.composite
def packages(draw: st.DrawFn) -> list[dict[str, str]]:
    count = draw(st.integers(1, 4))
    return [draw(rows(i)) for i in range(count)]


def secrets_of(row: dict[str, str]) -> set[str]:
    """What must never be published: ID numbers, and a natural person's given name."""
    found = {row["id_number"], row["rep_id"]} - {""}
    if row["category"] == "自然人":
        found |= {row["name"], row["name"][1:]}  # only the surname is shown
    return found


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def decoded_forms(data: bytes) -> Iterator[str]:
    """A file's text as written and with every encoding used on the site undone."""
    text = data.decode("utf-8", errors="replace")
    yield text
    yield html.unescape(text)  # &#12345; &#x3039; &amp;
    unescaped = _JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    yield unescaped.encode("utf-16", "surrogatepass").decode("utf-16", errors="replace")
    yield unquote(text)  # %E7%8E%8B
    yield unquote(html.unescape(text))


def site_texts(site: Path) -> Iterator[tuple[str, bytes]]:
    """Every file under site/, and every member of its zip-based downloads (.xlsx)."""
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        data = path.read_bytes()
        if data[:2] == b"PK":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{rel}!{member}", archive.read(member)
        else:
            yield rel, data


def leaks(site: Path, secrets: set[str]) -> list[tuple[str, str]]:
    found = []
    for where, data in site_texts(site):
        for form in decoded_forms(data):
            found += [(where, s) for s in secrets if s in form]
    return sorted(set(found))


def test_the_leak_scan_sees_every_encoding(tmp_path: Path) -> None:
    """The scan finds a secret however the site would have encoded it."""
    secret = "龘靐" + make_resident_id()
    forms = {
        "raw.html": secret,
        "dec.html": "".join(f"&#{ord(c)};" for c in secret),
        "hex.html": "".join(f"&#x{ord(c):X};" for c in secret),
        "json.json": json.dumps(secret),  # ensure_ascii: \u9f98...
        "url.html": "".join(f"%{b:02X}" for b in secret.encode()),
    }
    for name, text in forms.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "book.xlsx", "w") as book:
        book.writestr("xl/sharedStrings.xml", f"<t>{secret}</t>")
    found = sorted(where for where, _ in leaks(tmp_path, {secret}))
    assert found == sorted([*forms, "book.xlsx!xl/sharedStrings.xml"])


@settings(CI, max_examples=8)
@given(records=packages(), publish_persons=st.booleans())
def test_no_masked_or_never_published_value_reaches_the_site(
    records: list[dict[str, str]], publish_persons: bool
) -> None:
    config = (REPO / "site.yaml").read_text(encoding="utf-8")
    if publish_persons:  # natural persons' penalties shown, masked
        config = config.replace(
            "natural_person_penalties: withhold", "natural_person_penalties: publish_masked"
        )
    files = {**good_files(), RECORDS: to_csv(records), "site.yaml": config}
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp), files)
        out = Path(tmp) / "site"
        result = build(BuildOptions(project, out, dt.date.fromisoformat(AS_OF), allow_shrink=True))
        assert result.ok, [str(d) for d in result.diagnostics]
        secrets = set().union(*(secrets_of(r) for r in records))
        assert leaks(out, secrets) == []


# --- Publication is monotone in time ---------------------------------------------------------

# Reasons a record leaves view for good: nothing but new input may bring it back.
FINAL = {"expired", "repaired", "revoked", "corrected", "objection-upheld"}
DAYS = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))


@st.composite
def facts(draw: st.DrawFn) -> rules.Facts:
    decided = draw(DAYS)
    withdrawal = draw(
        st.none()
        | st.builds(
            rules.Withdrawal,
            st.sampled_from(["repaired", "revoked", "corrected"]),
            st.just("W-1"),
            DAYS,
            st.just(Location("withdrawals.csv", row=2)),
        )
    )
    objection = draw(
        st.none()
        | st.builds(
            rules.Objection,
            st.sampled_from(["under_review", "upheld", "rejected"]),
            DAYS,
            st.just(Location("objections.csv", row=2)),
        )
    )
    return rules.Facts(
        item=draw(st.sampled_from([PENALTIES, DEBTORS])),
        decision_number="D-1",
        decision_date=decided,
        publicity_end=draw(st.none() | DAYS),
        natural_person=draw(st.booleans()),
        procedure=draw(st.sampled_from(["general", "simplified", None])),
        minor=draw(st.booleans()),
        severity=draw(st.sampled_from([None, "minor", "general", "serious", "grave"])),
        publication_date=draw(st.none() | DAYS),
        withdrawal=withdrawal,
        objection=objection,
    )


policies = st.builds(
    PublicationPolicy,
    natural_person_penalties=st.sampled_from(["withhold", "publish_masked"]),
    publicity_start=st.sampled_from(["decision_date", "publication_date"]),
)


@settings(CI, max_examples=500)
@given(facts(), policies, DAYS, st.integers(1, 4000))
def test_a_record_that_left_view_never_comes_back_later(
    row: rules.Facts, policy: PublicationPolicy, day: dt.date, later_by: int
) -> None:
    first = rules.decide_row(row, rules.Context(day, policy))
    if first is None or first.reason not in FINAL:
        return
    later = rules.decide_row(row, rules.Context(day + dt.timedelta(days=later_by), policy))
    assert later is not None and later.outcome == WITHHELD, (first, later)


@settings(CI, max_examples=500)
@given(facts(), policies, DAYS, st.integers(1, 4000))
def test_the_publicity_window_never_moves_with_the_build_date(
    row: rules.Facts, policy: PublicationPolicy, day: dt.date, later_by: int
) -> None:
    """The window is a fact of the record, so a later build cannot extend it."""
    first = rules.publicity_window_of(row, rules.Context(day, policy))
    later = rules.publicity_window_of(row, rules.Context(day + dt.timedelta(days=later_by), policy))
    assert first == later


@settings(CI, max_examples=8)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2023-01-10", "2025-06-01", "2026-01-15", "2026-06-01"]),
            st.sampled_from(["", "2026-03-01", "2027-01-01"]),
            st.sampled_from(["general", "serious"]),
            st.sampled_from([None, "repaired", "revoked"]),
            st.sampled_from(["2026-02-01", "2026-09-01", "2027-05-01"]),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_through_the_decide_stage_nothing_reappears_as_the_date_advances(
    specs: list[tuple[str, str, str, str | None, str]],
) -> None:
    """The same package decided on a series of dates: once a record is gone for one of the
    final reasons, it stays gone (load_and_decide, as the build runs it)."""
    rows_, withdrawals = [], []
    for i, (decided, end, severity, withdrawn, on) in enumerate(specs):
        number = f"P-{i}"
        rows_.append(
            short_penalty(number, decision_date=decided, publicity_end=end, severity=severity)
        )
        if withdrawn:
            withdrawals.append(
                {
                    "decision_number": number,
                    "subject_id": rows_[-1]["uscc"],
                    "reason": withdrawn,
                    "withdrawal_number": f"W-{i}",
                    "withdrawal_date": on,
                }
            )
    header = list(rows_[0])
    w_header = ["decision_number", "subject_id", "reason", "withdrawal_number", "withdrawal_date"]
    files = list_package_files(
        "tj-scjg",
        short_csv(header, rows_),
        withdrawals=short_csv(w_header, withdrawals) if withdrawals else None,
    )
    gone: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp), files)
        for day in (dt.date(2026, m, 1) for m in range(1, 13, 2)):
            # Rows that are rejected on a day (a decision not yet made) are new input later.
            decision, _ = decide_packages(root, as_of=day)
            (result,) = decision.lists
            shown = {r.key for r in result.published}
            assert not shown & set(gone), f"{day}: back in view: {shown & set(gone)}"
            for o in result.outcomes:
                if o.outcome == WITHHELD and o.reason in FINAL and o.record_key:
                    gone.setdefault(o.record_key, o.reason)
