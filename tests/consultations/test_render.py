"""The consultation pages as rendered, checked through BeautifulSoup: states, actions, masking,
escaping of hostile comments and the computed summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup

from generator.config import load_config
from generator.consultations.render import render_consultations
from generator.diagnostics import Diagnostics
from generator.render import Renderer
from tests.conftest import REPO
from tests.consultations.factory import CATALOGUE, CONSULTATION_YAML, HEADER, load


def render(tmp_path: Path, files: dict[str, str], as_of: dt.date) -> dict[str, bytes]:
    """Load the consultation `c1` from `files` and render its section as of `as_of`."""
    loaded, diags = load(tmp_path, files)
    assert [d for d in diags if d[1] == "error"] == []
    config = load_config(REPO, Diagnostics())
    assert config is not None
    renderer = Renderer(config, REPO / "templates", as_of)
    return {f.path: f.data for f in render_consultations(loaded, CATALOGUE, renderer)}


def soup(out: dict[str, bytes], path: str) -> BeautifulSoup:
    return BeautifulSoup(out[path].decode("utf-8"), "lxml")


HOSTILE = (
    HEADER
    + 'C001,2024-11-02,form,individual,"<b>王</b>小明",,SX-01,,"<script>alert(1)</script>",not_adopted,"<img src=x onerror=alert(2)>"\n'
    + 'C002,2024-11-03,form,organisation,"<img src=x onerror=alert(3)>",,SX-02,,"<img src=x onerror=alert(4)> **bold** [x](javascript:alert(5))",adopted,"javascript:alert(6)"\n'
    + 'C003,2024-11-04,email,individual,"<svg onload=alert(7)>",,,,"<a href=""javascript:alert(8)"">click</a>\n<iframe src=//evil></iframe>",partially_adopted,ok\n'
)


def test_hostile_comment_text_is_shown_as_escaped_text(tmp_path: Path) -> None:
    out = render(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "response.md": "结果。\n",
            "comments.csv": HOSTILE,
        },
        dt.date(2025, 3, 1),
    )
    for path in ("consultations/c1/index.html", "en/consultations/c1/index.html"):
        page = soup(out, path)
        scripts = page.find_all("script")
        assert [s.get("src") for s in scripts] == ["/assets/js/consultations.js"]
        assert all(not s.string for s in scripts)
        for tag in page.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
            for attr in ("href", "src", "action", "formaction"):
                assert not str(tag.get(attr, "")).strip().lower().startswith("javascript:"), tag
        assert page.find("img") is None and page.find("iframe") is None and page.find("svg") is None
        texts = [b.get_text() for b in page.select("li.comment blockquote.comment-text")]
        assert texts == [
            '<a href="javascript:alert(8)">click</a>\n<iframe src=//evil></iframe>',
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(4)> **bold** [x](javascript:alert(5))",
        ]
        responses = [r.get_text() for r in page.select("li.comment .response-text span:last-child")]
        assert "<img src=x onerror=alert(2)>" in responses and "javascript:alert(6)" in responses
        names = [n.get_text() for n in page.select("li.comment .commenter-name")]
        assert names == ["<**", "<**", "<img src=x onerror=alert(3)>"]


def test_individuals_are_masked_and_departments_and_organisations_named(tmp_path: Path) -> None:
    out = render(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "response.md": "结果。\n",
            "comments.csv": HEADER
            + "C001,2024-11-02,email,individual,王小明,,SX-01,,意见一。,adopted,采纳。\n"
            + "C002,2024-11-02,email,individual,欧阳明华,,SX-01,,意见二。,adopted,采纳。\n"
            + "C003,2024-11-02,email,department,市场监管委员会（经办人：张三）,TJ-SCJG,SX-01,,意见三。,adopted,采纳。\n"
            + "C004,2024-11-02,post,organisation,天津市律师协会,,SX-01,,意见四。,not_adopted,不采纳。\n",
        },
        dt.date(2025, 3, 1),
    )
    for path, department in (
        ("consultations/c1/index.html", "天津市市场监督管理委员会"),
        ("en/consultations/c1/index.html", "Tianjin Market Regulation"),
    ):
        page = soup(out, path)
        names = {
            li["id"]: li.select_one(".commenter-name").get_text()
            for li in page.select("li.comment")
        }
        assert names == {
            "comment-C001": "王**",
            "comment-C002": "欧阳**",
            "comment-C003": department,
            "comment-C004": "天津市律师协会",
        }
        text = page.get_text()
        for private in ("王小明", "欧阳明华", "张三"):
            assert private not in text
    # Nothing else the build writes for the section carries the names either.
    for data in out.values():
        if data.startswith(b"PK"):
            continue
        assert "王小明".encode() not in data and "欧阳明华".encode() not in data


def test_the_summary_counts_are_computed(tmp_path: Path) -> None:
    out = render(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "response.md": "---\ndate: 2025-02-20\n---\n共收到意见若干条。\n",
            "comments.csv": HEADER
            + "C001,2024-11-02,email,individual,王小明,,SX-01,,一。,adopted,是。\n"
            + "C002,2024-11-02,email,individual,王小明,,SX-01,,二。,adopted,是。\n"
            + "C003,2024-11-02,email,individual,王小明,,SX-02,,三。,partially_adopted,部分。\n"
            + "C004,2024-11-02,email,individual,王小明,,SX-02,,四。,not_adopted,否。\n"
            + "C005,2024-11-02,email,individual,王小明,,QT-08,,五。,not_adopted,否。\n"
            + "C006,2024-11-02,email,individual,王小明,,,,六。,not_adopted,否。\n",
        },
        dt.date(2025, 3, 1),
    )
    page = soup(out, "en/consultations/c1/index.html")
    rows = {
        tr["data-disposition"]: int(tr.td.get_text())
        for tr in page.select(".summary-table tr[data-disposition]")
    }
    assert rows == {"adopted": 2, "partially_adopted": 1, "not_adopted": 3, "total": 6}
    assert (
        page.select_one(".summary-text")
        .get_text(" ", strip=True)
        .startswith("6 comments received: 2 adopted, 1 partially adopted, 3 not adopted.")
    )
    counts = {
        li["id"]: int(li.select_one(".item-comment-count")["data-count"])
        for li in page.select("li.draft-item")
    }
    assert counts == {"item-SX-01": 2, "item-SX-02": 2, "item-SX-06": 0}
    groups = [g["id"] for g in page.select("section.comment-group")]
    assert groups == ["comments-general", "comments-SX-01", "comments-SX-02", "comments-QT-08"]
    feed = BeautifulSoup(out["en/consultations/feed.xml"].decode(), "xml")
    concluded = [e for e in feed.find_all("entry") if e.category["term"] == "concluded"]
    assert (
        concluded[0].summary.get_text()
        == "6 comments received: 2 adopted, 1 partially adopted, 3 not adopted."
    )


def test_an_open_consultation_offers_a_comment_action_on_every_item(tmp_path: Path) -> None:
    out = render(tmp_path, {"consultation.yaml": CONSULTATION_YAML}, dt.date(2024, 11, 20))
    page = soup(out, "consultations/c1/index.html")
    assert page.select_one(".consultation-state").get_text() == "征求意见中"
    assert page.select_one(".days-left").get_text() == "剩余 20 天"
    items = page.select("ol.draft-items > li.draft-item")
    assert [li["id"] for li in items] == ["item-SX-01", "item-SX-02", "item-SX-06"]
    for li in items:
        code = li["id"].removeprefix("item-")
        mailto = urlsplit(li.select_one("a.comment-mailto")["href"])
        assert (mailto.scheme, mailto.path) == ("mailto", "consultation@example.org")
        query = dict(part.split("=", 1) for part in mailto.query.split("&"))
        subject, body = unquote(query["subject"]), unquote(query["body"])
        assert "c1" in subject and code in subject
        assert code in body and "\r\n" in body and "+" not in query["subject"]
        form = urlsplit(li.select_one("a.comment-form")["href"])
        assert f"{form.scheme}://{form.netloc}{form.path}" == "https://forms.example.org/c1"
        assert parse_qs(form.query) == {"consultation": ["c1"], "item": [code]}
    # The changes against the base edition: SX-06 is new, SX-02 renamed, QT-08 dropped.
    assert [b.get_text() for b in page.select("li.draft-item .badge")] == ["修改", "新增"]
    diff = page.select_one(".consultation-changes")
    assert diff.select_one(".diff-added").get_text().count("SX-06") == 1
    assert "QT-08" in diff.select_one(".diff-removed").get_text()
    assert page.select("li.comment") == []  # comments are published after the close
    # The templates are language-neutral files: the English page links to the same ones.
    en = soup(out, "en/consultations/c1/index.html")
    hrefs = {a["href"] for a in en.select(".downloads a")}
    assert hrefs == {
        "/consultations/c1/comment-template.csv",
        "/consultations/c1/comment-template.xlsx",
    }
    assert {h.removeprefix("/") for h in hrefs} <= set(out)
    assert {a.get_text() for a in page.select(".downloads a")} == {
        "意见模板（Excel）",
        "意见模板（CSV，UTF-8）",
    }


def test_after_the_close_the_ways_to_respond_give_way_to_analysing_feedback(tmp_path: Path) -> None:
    out = render(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "comments.csv": HEADER
            + "C001,2024-12-11,post,individual,王小明,,SX-01,,晚到的意见。,pending,\n",
        },
        dt.date(2024, 12, 20),
    )
    page = soup(out, "en/consultations/c1/index.html")
    assert page.select_one(".consultation-state").get_text() == "Analysing feedback"
    respond = page.select_one(".consultation-respond")
    assert respond.select("a") == [] and respond.select_one(".closed-notice") is not None
    assert page.select(".comment-action") == []
    # Without JavaScript the filter stays hidden and every comment is on the page.
    assert page.select_one("form.comment-filter").has_attr("hidden")
    (late,) = page.select("li.comment")
    assert late.select_one(".badge.late") is not None
    assert late.select_one(".badge.disposition").get_text() == "Pending"
    assert "consultations/c1/outcome-diff/index.html" not in out


def test_the_address_is_the_same_in_every_state(tmp_path: Path) -> None:
    files = {
        "consultation.yaml": CONSULTATION_YAML,
        "response.md": "---\ndate: 2025-02-20\n---\n结果。\n",
    }
    states = {}
    for as_of in (
        dt.date(2024, 10, 1),
        dt.date(2024, 11, 15),
        dt.date(2025, 1, 1),
        dt.date(2025, 3, 1),
    ):
        out = render(tmp_path / as_of.isoformat(), files, as_of)
        page = soup(out, "consultations/c1/index.html")
        states[as_of.isoformat()] = page.select_one(".consultation-state").get_text()
    assert states == {
        "2024-10-01": "即将开始",
        "2024-11-15": "征求意见中",
        "2025-01-01": "意见整理中",
        "2025-03-01": "已结束",
    }


def test_a_concluded_consultation_links_to_the_approved_edition_and_its_diff(
    tmp_path: Path,
) -> None:
    out = render(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "response.md": "---\ndate: 2025-02-20\n---\n结果。\n",
        },
        dt.date(2025, 3, 1),
    )
    page = soup(out, "consultations/c1/index.html")
    # No approved_edition key: found as the approved edition that the draft's id names.
    assert page.select_one("a.approved-edition")["href"] == "/catalogue/editions/2025/"
    assert page.select_one("a.outcome-diff")["href"] == "/consultations/c1/outcome-diff/"
    diff = soup(out, "consultations/c1/outcome-diff/index.html")
    assert "SY-07" in diff.select_one(".diff-added").get_text()
    # The draft's other items were kept as they were.
    assert diff.select_one(".diff-changed") is None
    assert diff.h1.get_text() == "征求意见稿与最终审定版本的差异"
