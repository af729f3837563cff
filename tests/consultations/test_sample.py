"""The sample consultations as the issue asks for them, and the site built from them."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup

from generator.catalogue.load import load_catalogue
from generator.consultations.load import load_consultations
from generator.consultations.rules import RULES
from generator.consultations.state import State, state_at
from generator.diagnostics import Diagnostics
from tests.conftest import REPO, SAMPLE_AS_OF
from tests.consultations.conftest import build_sample

AS_OF = dt.date.fromisoformat(SAMPLE_AS_OF)


def sample_rows(consultation_id: str) -> list[dict[str, str]]:
    path = REPO / "content/consultations" / consultation_id / "comments.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def html(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "lxml")


def test_the_sample_consultations_load_cleanly_in_the_states_the_issue_asks_for() -> None:
    diags = Diagnostics()
    catalogue = load_catalogue(REPO, AS_OF, diags)
    loaded = {c.id: c for c in load_consultations(REPO, catalogue, AS_OF, diags)}
    assert [str(d) for d in diags if d.location.path.startswith("content/consultations")] == []
    concluded, open_ = loaded["catalogue-2025"], loaded["catalogue-2027"]

    assert state_at(concluded, AS_OF) is State.CONCLUDED
    assert (concluded.draft.id, concluded.base and concluded.base.id) == ("2025-draft", "2023")
    assert concluded.approved is not None and concluded.approved.id == "2025"
    assert (concluded.opens, concluded.closes) == (dt.date(2024, 11, 1), dt.date(2024, 12, 10))
    rows = sample_rows("catalogue-2025")
    assert 35 <= len(rows) <= 45
    assert len({r["department"] for r in rows if r["commenter_type"] == "department"}) >= 6
    assert {"individual", "organisation", "department"} <= {r["commenter_type"] for r in rows}
    assert set(Counter(r["disposition"] for r in rows)) == {
        "adopted",
        "partially_adopted",
        "not_adopted",
    }

    assert state_at(open_, AS_OF) is State.OPEN
    assert open_.opens <= AS_OF <= open_.closes
    assert open_.draft.id == "2027-draft"
    assert open_.ways.email and open_.ways.postal_address
    assert open_.ways.form_url == "https://forms.example.org/credit-catalogue-2027"
    assert open_.comments and {x.disposition for x in open_.comments} == {"pending"}


def test_the_built_section(consultation_site: Path) -> None:
    index = html(consultation_site, "consultations/index.html")
    sections = [s.h2.get_text() for s in index.select("section.consultation-section")]
    assert sections == ["正在征求意见", "已结束"]
    assert [a["href"] for a in index.select(".consultation-card h3 a")] == [
        "/consultations/catalogue-2027/",
        "/consultations/catalogue-2025/",
    ]
    for path in (
        "consultations/index.html",
        "en/consultations/catalogue-2027/index.html",
        "consultations/catalogue-2025/outcome-diff/index.html",
    ):
        feed = html(consultation_site, path).find(
            "link", rel="alternate", href=re.compile("consultations/feed")
        )
        assert feed is not None and feed["type"] == "application/atom+xml", path
    nav = [a["href"] for a in index.select("nav.site-nav a")]
    assert "/consultations/" in nav

    home = html(consultation_site, "index.html")
    notice = home.select_one("section.consultation-home-notice")
    assert notice is not None
    assert notice.find("a")["href"] == "/consultations/catalogue-2027/"
    assert "剩余 20 天" in notice.get_text()

    concluded = html(consultation_site, "en/consultations/catalogue-2025/index.html")
    rows = sample_rows("catalogue-2025")
    assert len(concluded.select("li.comment")) == len(rows)
    totals = {
        tr["data-disposition"]: tr.td.get_text() for tr in concluded.select(".summary-table tr")[1:]
    }
    counts = Counter(r["disposition"] for r in rows)
    assert totals == {
        "adopted": str(counts["adopted"]),
        "partially_adopted": str(counts["partially_adopted"]),
        "not_adopted": str(counts["not_adopted"]),
        "total": str(len(rows)),
    }
    assert concluded.select_one("a.approved-edition")["href"] == "/en/catalogue/editions/2025/"
    assert (consultation_site / "catalogue/editions/2025/index.html").is_file()
    assert (consultation_site / "en/consultations/catalogue-2025/outcome-diff/index.html").is_file()
    for name in ("comment-template.csv", "comment-template.xlsx"):
        assert (consultation_site / "consultations/catalogue-2027" / name).is_file()


def test_two_builds_give_identical_bytes(consultation_site: Path, tmp_path: Path) -> None:
    again = build_sample(tmp_path)
    first = sorted(
        p.relative_to(consultation_site)
        for p in (consultation_site / "consultations").rglob("*")
        if p.is_file()
    )
    second = sorted(
        p.relative_to(again) for p in (again / "consultations").rglob("*") if p.is_file()
    )
    assert first == second
    for rel in first:
        assert (consultation_site / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_the_format_docs_list_every_rule_and_column() -> None:
    from generator.consultations.table import COMMENTS_SCHEMA, column_names

    docs = (REPO / "docs/consultations-format.md").read_text(encoding="utf-8")
    for r in RULES:
        assert f"| `{r.code}` | {r.severity.value} |" in docs, r.code
    for name in column_names(COMMENTS_SCHEMA):
        assert f"| `{name}` |" in docs, name
