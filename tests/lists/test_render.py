"""The lists' pages, read through BeautifulSoup: list pages, pagination, sub-indexes, subject pages."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from generator import assets
from generator.catalogue.model import Catalogue, Edition, FieldSpec, Item
from generator.config import load_config
from generator.diagnostics import Diagnostics, Location
from generator.lists import routes
from generator.lists.changes import Manifest
from generator.lists.decide import ListResult, ListsDecision
from generator.lists.model import PUBLISHED, WITHHELD, Outcome, PublishedRecord
from generator.lists.render import (
    RECORD_TEXT_CAP,
    _record_text,
    data_as_of,
    paginate,
    render_lists,
    search_docs,
)
from generator.model import LangText
from generator.render import Renderer, templates_dir
from tests.conftest import make_project, run_cli

REPO = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 30)


# -- inputs built by hand, visible in each test ---------------------------------------------------

SX02_FIELDS = (
    FieldSpec("cf_xdr_mc", LangText("行政相对人名称", "Subject name"), "as_is"),
    FieldSpec("cf_xdr_shxym", LangText("统一社会信用代码", "Credit code"), "as_is"),
    FieldSpec("cf_fr_zjhm", LangText("法定代表人证件号码", "Rep. ID number"), "never"),
    FieldSpec("cf_wsh", LangText("行政处罚决定书文号", "Decision number"), "as_is"),
    FieldSpec("cf_cfjg", LangText("处罚机关", "Deciding authority"), "as_is"),
    FieldSpec("cf_nr_fk", LangText("罚款金额（万元）", "Fine (10k yuan)"), "as_is", "number"),
)
SX04_FIELDS = (
    FieldSpec("name", LangText("失信被执行人名称", "Debtor"), "as_is"),
    FieldSpec("case_number", LangText("案号", "Case number"), "as_is"),
    FieldSpec("court", LangText("执行法院", "Court"), "as_is"),
)


def item(code: str, name: LangText, fields: tuple[FieldSpec, ...]) -> Item:
    return Item(
        code=code,
        name=name,
        description=None,
        category="untrustworthy",
        article_12_clause=2 if code == "SX-02" else 4,
        subject_types=("legal_person",),
        providers=("TJ-SCJG",),
        disclosure="public",
        scope=None,
        right_to_use=None,
        legal_basis=(LangText("条例第十二条"),),
        schema=None,
        fields=fields,
        publicity=None,
        update_frequency="daily",
        source=f"catalogue/editions/2025/items/{code}.yaml",
    )


CATALOGUE = Catalogue(
    departments=(),
    schemas={},
    editions=(),
    in_force=Edition(
        id="2025",
        title=LangText("2025 年版"),
        status="approved",
        approving_body=None,
        approval_document=None,
        approval_date=None,
        effective_date=dt.date(2025, 3, 1),
        supersedes=None,
        items=(
            item("SX-02", LangText("行政处罚", "Administrative penalties"), SX02_FIELDS),
            item("SX-04", LangText("失信被执行人", "Dishonest judgment debtors"), SX04_FIELDS),
        ),
        source="catalogue/editions/2025/edition.yaml",
    ),
)


def uscc(n: int) -> str:
    return f"91120116MA05K{n:05d}"


def penalty(
    n: int,
    *,
    day: int = 0,
    authority: str = "天津市市场监督管理局",
    district: str = "120000",
    subject: str | None = None,
    objection: bool = False,
    fine: str = "1.5",
) -> PublishedRecord:
    code = subject or uscc(n)
    name, number = f"天津某某贸易有限公司{n}", f"津市监罚〔2026〕{n}号"
    return PublishedRecord(
        key=f"SX-02-{n:016x}",
        item_code="SX-02",
        package="tj-scjg-2026",
        provider="TJ-SCJG" if district == "120000" else "BH-SCJG",
        district=district,
        subject_key=code,
        subject_name=name,
        subject_code=code,
        decision_number=number,
        decision_date=dt.date(2026, 1, 1) + dt.timedelta(days=day),
        publicity_end=dt.date(2027, 1, 1) + dt.timedelta(days=day),
        authority=authority,
        fields=(
            ("cf_xdr_mc", name),
            ("cf_xdr_shxym", code),
            ("cf_wsh", number),
            ("cf_cfjg", authority),
            ("cf_nr_fk", fine),
        ),
        under_objection=objection,
    )


def debt(n: int, subject: str) -> PublishedRecord:
    name, number = f"天津某某贸易有限公司{n}", f"（2026）津0116执{n}号"
    return PublishedRecord(
        key=f"SX-04-{n:016x}",
        item_code="SX-04",
        package="tj-court-2026",
        provider="TJ-FY",
        district="120116",
        subject_key=subject,
        subject_name=name,
        subject_code=subject,
        decision_number=number,
        decision_date=dt.date(2026, 5, 1),
        publicity_end=dt.date(2028, 5, 1),
        authority="天津市滨海新区人民法院",
        fields=(("name", name), ("case_number", number), ("court", "天津市滨海新区人民法院")),
    )


def newest_first(records: Sequence[PublishedRecord]) -> tuple[PublishedRecord, ...]:
    return tuple(sorted(records, key=lambda r: (-r.decision_date.toordinal(), r.key)))


def list_result(
    code: str, published: Sequence[PublishedRecord], withheld: Sequence[str] = ()
) -> ListResult:
    outcomes = tuple(
        Outcome(Location(f"content/lists/{code}/records.csv", row=i + 2), r.key, PUBLISHED, "")
        for i, r in enumerate(published)
    ) + tuple(
        Outcome(Location(f"content/lists/{code}/records.csv", row=900 + i), None, WITHHELD, reason)
        for i, reason in enumerate(withheld)
    )
    return ListResult(
        item_code=code,
        packages=(code.lower(),),
        public=True,
        withheld_reason=None,
        input_rows=len(outcomes),
        published=newest_first(published),
        outcomes=outcomes,
        counts={"published": len(published), "withheld": len(withheld), "rejected": 0},
        reasons={r: withheld.count(r) for r in set(withheld)},
    )


def decision(*results: ListResult, withheld_reasons: dict[str, str] | None = None) -> ListsDecision:
    return ListsDecision(
        lists=tuple(sorted(results, key=lambda r: r.item_code)),
        withheld_reasons=withheld_reasons or {},
    )


def renderer() -> Renderer:
    diags = Diagnostics()
    config = load_config(REPO, diags)
    assert config is not None, diags.items
    return Renderer(config, templates_dir(REPO), AS_OF)


def render_site(
    tmp_path: Path, d: ListsDecision, previous: Manifest | None = None, with_assets: bool = False
) -> Path:
    site = tmp_path / "site"
    files = list(render_lists(d, CATALOGUE, renderer(), previous))
    if with_assets:
        files += list(assets.asset_files(REPO, templates_dir(REPO)))
    for file in files:
        target = site / file.path
        assert not target.exists(), f"{file.path} written twice"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read())
    return site


def soup(site: Path, route: str) -> BeautifulSoup:
    path = site / (route + "index.html" if route.endswith("/") or not route else route)
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def record_ids(page: BeautifulSoup) -> list[str]:
    return [a["id"] for a in page.select("article.record")]


def row_keys(page: BeautifulSoup) -> list[str]:
    """The records of a sub-index page: each row links to its record's anchor."""
    return [a["href"].partition("#")[2] for a in page.select("table.record-rows tbody th a")]


# -- the lists index -------------------------------------------------------------------------------


def test_index_shows_each_list_with_aggregate_counts_only(tmp_path: Path) -> None:
    d = decision(
        list_result("SX-02", [penalty(1), penalty(2)], withheld=["expired", "expired", "repaired"]),
        list_result("SX-04", [debt(1, uscc(1))]),
    )
    page = soup(render_site(tmp_path, d), "lists/")
    rows = page.select("table.lists-table tbody tr")
    assert [r.th.a["href"] for r in rows] == ["/lists/SX-02/", "/lists/SX-04/"]
    cells = rows[0].find_all("td")
    assert cells[0].get_text(strip=True) == "2"
    assert [li.get_text(strip=True) for li in cells[1].find_all("li")] == [
        "公示期满: 2",
        "已信用修复: 1",
    ]
    assert all(th.get("scope") == "col" for th in page.select("table.lists-table thead th"))
    links = {a["href"] for a in rows[0].find_all("a")}
    assert {"/catalogue/items/SX-02/", "/lists/SX-02/data.csv", "/lists/SX-02/changes/"} <= links
    # Aggregate counts only: no record of the list is shown on the index.
    assert not page.select("article.record")


# -- list pages and pagination ---------------------------------------------------------------------


def test_list_page_shows_a_row_per_record_linked_to_it_in_full(tmp_path: Path) -> None:
    d = decision(list_result("SX-02", [penalty(1), penalty(2, day=5, objection=True)]))
    site = render_site(tmp_path, d)
    page = soup(site, "lists/SX-02/")
    assert page.h1.get_text(strip=True) == "SX-02 行政处罚"
    # Newest decision first, a row each: no record in full on the list page (issue 8: at a
    # million records, full records here were a quarter of the site's bytes).
    assert row_keys(page) == ["SX-02-0000000000000002", "SX-02-0000000000000001"]
    assert record_ids(page) == []
    rows = page.select("table.record-rows tbody tr")
    cells = [[c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])] for row in rows]
    assert cells[0][1:] == [penalty(2).decision_number, "2026年1月6日"]
    # The record under objection review carries its mark in its row too.
    assert [row.select_one(".badge") is not None for row in rows] == [True, False]
    # The subject's name links to the record on its subject page, its permanent address, where
    # it is shown in full: every public field, the publicity end and the two links (issue 4).
    href = rows[1].select_one("th a")["href"]
    assert href == f"/{routes.subject_route(uscc(1))}#SX-02-0000000000000001"
    subject = soup(site, routes.subject_route(uscc(1)))
    first = subject.find(id="SX-02-0000000000000001")
    titles = [dt_.get_text(strip=True) for dt_ in first.select("dl.record-fields dt")]
    assert titles == [
        "行政相对人名称",
        "统一社会信用代码",
        "行政处罚决定书文号",
        "处罚机关",
        "罚款金额（万元）",
        "公示截止日期",
        "记录标识",
    ]
    end = first.find("time")
    assert (end["datetime"], end.get_text()) == ("2027-01-01", "2027年1月1日")
    links = [a["href"] for a in first.select(".record-links a")]
    assert links == ["/objections/", "/credit-repair/"]
    # The page says once where the record is in full, with the objection and repair links.
    assert (
        page.select_one("section.records p.small")
        .get_text()
        .startswith("点击信用主体名称，可查看该条记录的全部公开信息")
    )
    # The downloads and the catalogue item are linked from the list page.
    hrefs = {a["href"] for a in page.find_all("a")}
    assert {
        "/lists/SX-02/data.csv",
        "/lists/SX-02/data.json",
        "/lists/SX-02/datapackage.json",
        "/catalogue/items/SX-02/",
        "/lists/SX-02/changes/",
    } <= hrefs


def test_objection_mark_only_on_the_record_under_review(tmp_path: Path) -> None:
    d = decision(list_result("SX-02", [penalty(1), penalty(2, objection=True)]))
    site = render_site(tmp_path, d)
    for route in (routes.subject_route(uscc(2)), routes.subject_route(uscc(1))):
        page = soup(site, route)
        marked = [a["id"] for a in page.select("article.record") if a.select_one(".objection-mark")]
        expected = ["SX-02-0000000000000002"] if route != routes.subject_route(uscc(1)) else []
        assert marked == expected, route
    en = soup(site, "en/" + routes.subject_route(uscc(2)))
    assert en.select_one(".objection-mark strong").get_text() == "Under objection review"
    # The rows of the list page and of a sub-index mark it too.
    for route in ("lists/SX-02/", "lists/SX-02/district/120000/"):
        rows = soup(site, route).select("table.record-rows tbody tr")
        assert [row.select_one("strong.badge") is not None for row in rows] == [False, True]
    row = soup(site, "en/lists/SX-02/").select("table.record-rows tbody tr")[1]
    assert row.select_one("strong.badge").get_text() == "Under objection review"


def test_51_records_make_two_pages_with_accessible_pagination(tmp_path: Path) -> None:
    records = [penalty(n, day=n) for n in range(1, 52)]
    site = render_site(tmp_path, decision(list_result("SX-02", records)))
    one, two = soup(site, "lists/SX-02/"), soup(site, "lists/SX-02/page/2/")
    assert len(row_keys(one)) == 50
    assert row_keys(two) == ["SX-02-0000000000000001"]  # the oldest decision comes last
    assert not (site / "lists/SX-02/page/3").exists()
    assert not (site / "lists/SX-02/page/1").exists()  # page 1 is the list's own address
    for page, current in ((one, "/lists/SX-02/"), (two, "/lists/SX-02/page/2/")):
        nav = page.find("nav", class_="pagination")
        assert nav["aria-label"] == "分页"
        assert [a["href"] for a in nav.select('a[aria-current="page"]')] == [current]
    assert (
        one.find("nav", class_="pagination").find("a", rel="next")["href"] == "/lists/SX-02/page/2/"
    )
    assert two.find("nav", class_="pagination").find("a", rel="prev")["href"] == "/lists/SX-02/"
    assert not set(record_ids(one)) & set(record_ids(two))


def test_a_single_page_has_no_pagination(tmp_path: Path) -> None:
    site = render_site(tmp_path, decision(list_result("SX-02", [penalty(1)])))
    assert soup(site, "lists/SX-02/").find("nav", class_="pagination") is None


def test_pagination_windows_long_lists() -> None:
    records = [penalty(n) for n in range(1, 1001)]
    pagers = [pager for pager, _ in paginate(records, 10, "lists/SX-02/")]
    assert len(pagers) == 100
    assert pagers[49].links == [1, None, 48, 49, 50, 51, 52, None, 100]
    assert pagers[0].links == [1, 2, 3, None, 100]
    assert pagers[49].route(50) == "lists/SX-02/page/50/"


def test_sub_indexes_by_authority_and_district(tmp_path: Path) -> None:
    records = [
        penalty(1, day=1),
        penalty(2, day=2, authority="天津市滨海新区市场监督管理局", district="120116"),
        penalty(3, day=3, authority="Tianjin Customs", district="120116"),
    ]
    site = render_site(tmp_path, decision(list_result("SX-02", records)))
    index = soup(site, "lists/SX-02/")
    browse = index.find(id="browse")
    hrefs = [a["href"] for a in browse.find_all("a")]
    binhai = routes.authority_route("SX-02", routes.authority_slug("天津市滨海新区市场监督管理局"))
    assert binhai.startswith("lists/SX-02/authority/h_")
    assert "/lists/SX-02/authority/tianjin-customs/" in hrefs
    assert f"/{binhai}" in hrefs
    assert {"/lists/SX-02/district/120000/", "/lists/SX-02/district/120116/"} <= set(hrefs)
    assert "滨海新区" in browse.get_text()  # district names, not only codes
    assert row_keys(soup(site, binhai)) == ["SX-02-0000000000000002"]
    district = soup(site, "lists/SX-02/district/120116/")
    assert row_keys(district) == ["SX-02-0000000000000003", "SX-02-0000000000000002"]
    assert district.h1.get_text(strip=True) == "行政区划：滨海新区"
    # A sub-index shows a compact row per record, not the record again in full.
    assert not district.select("article.record")
    row = district.select_one("table.record-rows tbody tr")
    assert [c.get_text(strip=True) for c in row.find_all(["th", "td"])] == [
        "天津某某贸易有限公司3",
        "津市监罚〔2026〕3号",
        "2026年1月4日",
    ]
    assert row.th.a["href"] == f"/{routes.record_route(uscc(3), 'SX-02-0000000000000003')}"
    assert [th.get("scope") for th in district.select("table.record-rows thead th")] == ["col"] * 3


def test_sub_indexes_paginate_like_the_list_with_more_rows_a_page(tmp_path: Path) -> None:
    # A row is much smaller than a record, so a sub-index page holds four list pages' worth.
    records = [penalty(n, day=n, district="120116") for n in range(1, 202)]
    site = render_site(tmp_path, decision(list_result("SX-02", records)))
    page1 = soup(site, "lists/SX-02/district/120116/")
    assert len(row_keys(page1)) == 200
    assert page1.select_one("section.records p.meta").get_text() == "第 1–200 条，共 201 条"
    page2 = soup(site, "lists/SX-02/district/120116/page/2/")
    assert row_keys(page2) == ["SX-02-0000000000000001"]
    assert page2.select_one("section.records p.meta").get_text() == "第 201–201 条，共 201 条"
    assert not (site / "lists/SX-02/district/120116/page/3").exists()
    assert (site / "lists/SX-02/page/5/index.html").is_file()  # the list itself: 50 a page
    current = page2.select('nav.pagination a[aria-current="page"]')
    assert [a["href"] for a in current] == ["/lists/SX-02/district/120116/page/2/"]


# -- subject pages ---------------------------------------------------------------------------------


def test_subject_page_gathers_records_from_two_lists(tmp_path: Path) -> None:
    shared = uscc(7)
    d = decision(
        list_result("SX-02", [penalty(7, day=3), penalty(8, day=9, subject=shared), penalty(9)]),
        list_result("SX-04", [debt(7, shared)]),
    )
    site = render_site(tmp_path, d)
    route = routes.subject_route(shared)
    assert (
        route == f"subjects/{route.split('/')[1]}/{shared}.html" and len(route.split("/")[1]) == 2
    )
    page = soup(site, route)
    sections = page.select("section.subject-list")
    assert [s.h2.get_text(" ", strip=True) for s in sections] == [
        "SX-02 行政处罚",
        "SX-04 失信被执行人",
    ]
    assert record_ids(page) == [
        "SX-02-0000000000000008",
        "SX-02-0000000000000007",
        "SX-04-0000000000000007",
    ]
    assert page.select_one("dl.subject-facts code").get_text() == shared
    # Every list page's link to a record lands on an anchor of the subject page.
    for list_route in ("lists/SX-02/", "lists/SX-04/"):
        titles = soup(site, list_route).select("table.record-rows tbody th a")
        assert titles
        for a in titles:
            path, anchor = a["href"][1:].split("#")
            assert soup(site, path).find(id=anchor) is not None


# Sections other helpers publish; the lists only link to them.
OTHER_SECTIONS = (
    "objections/",
    "credit-repair/",
    "catalogue/",
    "licence/",
    "privacy/",
    "accessibility/",
    "notices/",
    "search/",
    "assets/",
)


@pytest.mark.parametrize("lang_prefix", ["", "en/"])
def test_every_link_into_the_lists_resolves(tmp_path: Path, lang_prefix: str) -> None:
    d = decision(
        list_result("SX-02", [penalty(n, day=n, district="120116") for n in range(1, 53)]),
        list_result("SX-04", [debt(1, uscc(1))]),
    )
    site = render_site(tmp_path, d)
    pages = sorted(site.glob(f"{lang_prefix}lists/**/index.html"))
    pages += sorted(site.glob(f"{lang_prefix}subjects/*/*.html"))
    assert len(pages) > 10
    for page in pages:
        for a in BeautifulSoup(page.read_bytes(), "lxml").find_all("a", href=True):
            path, _, anchor = a["href"].partition("#")
            target = path.lstrip("/")
            if not path.startswith("/") or target in ("", "en/"):
                continue
            if target.removeprefix("en/").startswith(OTHER_SECTIONS):
                continue
            file = site / (target + "index.html" if target.endswith("/") else target)
            assert file.is_file(), f"{page.relative_to(site)} links to missing {a['href']}"
            if anchor:
                assert BeautifulSoup(file.read_bytes(), "lxml").find(id=anchor), a["href"]


def test_english_pages_mark_chinese_values(tmp_path: Path) -> None:
    site = render_site(tmp_path, decision(list_result("SX-02", [penalty(1)])))
    page = soup(site, "en/lists/SX-02/")
    assert page.html["lang"] == "en"
    assert page.h1.get_text(strip=True) == "SX-02 Administrative penalties"
    assert page.select_one("table.record-rows tbody th a")["lang"] == "zh-CN"
    record = soup(site, "en/" + routes.subject_route(uscc(1))).find(id="SX-02-0000000000000001")
    assert record.select_one(".record-title")["lang"] == "zh-CN"
    values = {d.find_previous_sibling("dt").get_text(): d for d in record.select("dd")}
    assert values["Subject name"]["lang"] == "zh-CN"
    assert values["Fine (10k yuan)"].get("lang") is None


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    d = decision(list_result("SX-02", [penalty(n, day=n % 7) for n in range(1, 60)]))
    first = list(render_lists(d, CATALOGUE, renderer(), None))
    second = list(render_lists(d, CATALOGUE, renderer(), None))
    # Downloads are spooled to disk (generator.spool): compare what the files hold.
    assert [(f.path, f.read()) for f in first] == [(f.path, f.read()) for f in second]
    paths = [f.path for f in first]
    assert len(paths) == len(set(paths))


def test_render_lists_is_a_generator() -> None:
    d = decision(list_result("SX-02", [penalty(1)]))
    files = render_lists(d, CATALOGUE, renderer(), None)
    assert isinstance(files, Iterator)
    first = next(files)
    assert first.path == "lists/index.html"


# -- search ------------------------------------------------------------------------------------------


def test_search_docs_for_subjects_and_records() -> None:
    shared = uscc(7)
    d = decision(
        list_result("SX-02", [penalty(7)]),
        list_result("SX-04", [debt(7, shared)]),
    )
    docs = [doc for doc in search_docs(d) if doc.lang == "zh-CN"]
    subjects = [doc for doc in docs if doc.kind == "subject"]
    assert [(s.url, s.codes, s.title) for s in subjects] == [
        (routes.subject_route(shared), (shared,), "天津某某贸易有限公司7")
    ]
    records = sorted((doc for doc in docs if doc.kind == "record"), key=lambda doc: doc.ref)
    assert [(r.list_code, r.codes) for r in records] == [
        ("SX-02", (shared, "津市监罚〔2026〕7号")),
        ("SX-04", (shared, "（2026）津0116执7号")),
    ]
    assert records[0].url == routes.subject_route(shared) + "#SX-02-0000000000000007"
    # A subject is found by its names (and its code); a decision number finds its record, not
    # the subject as well: in both, they were a quarter of the index's postings (issue 8).
    assert subjects[0].text == "天津某某贸易有限公司7"
    # Indexed once, in language-neutral shards: no copy per language.
    assert {doc.lang for doc in search_docs(d)} == {"zh-CN"}


@given(
    st.text(max_size=80),
    st.lists(st.text(max_size=120), max_size=30),
)
def test_a_records_search_text_is_its_values_joined_and_cut(
    authority: str, values: list[str]
) -> None:
    record = replace(
        penalty(1), authority=authority, fields=tuple((f"f{i}", v) for i, v in enumerate(values))
    )
    joined = " ".join([authority, *(v for v in values if v)])
    assert _record_text(record) == joined[:RECORD_TEXT_CAP]


# -- in the browser ----------------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def constructed_site(tmp_path: Path) -> Iterator[str]:
    """A site of 51 penalties and one debtor sharing a subject, served on localhost."""
    records = [penalty(n, day=n) for n in range(1, 52)]
    d = decision(list_result("SX-02", records), list_result("SX-04", [debt(1, uscc(1))]))
    site = render_site(tmp_path, d, with_assets=True)
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.browser
def test_browse_a_list_page_through_it_and_reach_a_subject(
    constructed_site: str, browser_page: Any
) -> None:
    page = browser_page
    page.goto(constructed_site + "/lists/")
    page.get_by_role("link", name="SX-02 行政处罚").click()
    page.wait_for_url("**/lists/SX-02/")
    rows = page.locator("table.record-rows tbody tr")
    assert rows.count() == 50
    pagination = page.get_by_role("navigation", name="分页")
    assert pagination.locator('[aria-current="page"]').inner_text() == "1"
    pagination.get_by_role("link", name="下一页").click()
    page.wait_for_url("**/lists/SX-02/page/2/")
    assert (
        page.get_by_role("navigation", name="分页").locator('[aria-current="page"]').inner_text()
        == "2"
    )
    page.get_by_role("row").get_by_role("link", name="天津某某贸易有限公司1", exact=True).click()
    page.wait_for_url(f"**/{routes.record_route(uscc(1), 'SX-02-0000000000000001')}")
    assert page.get_by_role("heading", level=1).inner_text() == "天津某某贸易有限公司1"
    assert page.locator("section.subject-list").count() == 2
    assert page.locator("article#SX-04-0000000000000001").is_visible()


@pytest.mark.browser
def test_sample_site_list_to_subject(served_site: str, browser_page: Any) -> None:
    page = browser_page
    page.goto(served_site + "/en/lists/")
    page.get_by_role("table").get_by_role("link", name="SX-02", exact=False).first.click()
    page.wait_for_url("**/en/lists/SX-02/")
    pagination = page.get_by_role("navigation", name="Pages")
    pagination.get_by_role("link", name="Page 3").click()
    page.wait_for_url("**/en/lists/SX-02/page/3/")
    rows = page.locator("table.record-rows tbody tr")
    assert rows.count() == 50
    current = page.get_by_role("navigation", name="Pages").locator('[aria-current="page"]')
    assert current.inner_text() == "3"
    link = rows.first.get_by_role("link")
    key = (link.get_attribute("href") or "").partition("#")[2]
    link.click()
    page.wait_for_url(f"**/en/subjects/**#{key}")
    assert page.locator(f"article#{key}").is_visible()
    assert page.locator("h1").get_attribute("lang") == "zh-CN"


def test_a_rebuild_the_next_day_keeps_every_page_of_list_data_that_did_not_change(
    tmp_path: Path,
) -> None:
    """Publishers rebuild daily, each day with a new --as-of. Subject and list pages say as of
    which day their data holds by their packages' `extracted` date, not the build's, so on a day
    when none of their records changes their bytes do not either, and the files are kept (same
    inode and mtime): a deploy that syncs changed files uploads none of them. Other pages still
    say as of which day the build holds."""
    project = make_project(tmp_path, {}, with_sample=True)
    out = tmp_path / "site"

    def pages() -> dict[str, tuple[int, int, bytes]]:
        return {
            p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(
                [*out.glob("**/subjects/*/*.html"), *out.glob("**/lists/SX-*/**/*.html")]
            )
            # Not what changed since the build before (new with each build), nor a list's first
            # page, its dataset page, whose metadata (JSON-LD) say as of which day it is built.
            if "/changes/" not in p.as_posix()
            and not re.search(r"/lists/SX-\d+/index\.html$", p.as_posix())
        }

    first = run_cli("build", "-q", "--as-of", "2026-11-30", "--out", str(out), cwd=project)
    assert first.exit_code == 0, first.output
    before, home_before = pages(), (out / "index.html").read_bytes()
    # In the sample, no record starts, ends, or is withdrawn on 1 December.
    second = run_cli("build", "-q", "--as-of", "2026-12-01", "--out", str(out), cwd=project)
    assert second.exit_code == 0, second.output

    assert len(before) > 2400 and pages() == before
    # The sample's packages were extracted from 26 to 29 November.
    days = {
        re.search(r'<p class="as-of">数据截至 (2026年11月2[6-9]日)（', data.decode()).group(1)  # type: ignore[union-attr]
        for path, (_, _, data) in before.items()
        if not path.startswith("en/") and "/subjects/" in f"/{path}"
    }
    assert days == {"2026年11月26日", "2026年11月27日", "2026年11月28日", "2026年11月29日"}
    home = (out / "index.html").read_bytes()
    assert home != home_before and "数据截至 2026年12月1日" in home.decode("utf-8")


def test_a_page_of_list_data_holds_as_of_its_packages_earliest_extraction() -> None:
    extracted = {"a": dt.date(2026, 11, 20), "b": dt.date(2026, 11, 27), "c": None}
    assert data_as_of(["a"], extracted) == dt.date(2026, 11, 20)
    assert data_as_of({"a", "b"}, extracted) == dt.date(2026, 11, 20)  # all of it as of that day
    assert data_as_of(["b"], extracted) == dt.date(2026, 11, 27)
    # A package without an `extracted` date: the page says the build's --as-of instead.
    assert data_as_of(["a", "c"], extracted) is None
    assert data_as_of(["d"], extracted) is None
    assert data_as_of([], extracted) is None


def test_pages_without_extraction_dates_say_the_builds_as_of(tmp_path: Path) -> None:
    site = render_site(tmp_path, decision(list_result("SX-02", [penalty(1)])))
    _assert_as_of_the_build(site)


def test_pages_extracted_after_the_builds_day_say_the_builds_as_of(tmp_path: Path) -> None:
    result = list_result("SX-02", [penalty(1)])
    packages = (*result.packages, penalty(1).package)  # the list's, the record's

    def extracted(day: dt.date) -> ListResult:
        return replace(result, extracted=tuple((name, day) for name in packages))

    _assert_as_of_the_build(render_site(tmp_path, decision(extracted(AS_OF + dt.timedelta(3)))))
    site = render_site(tmp_path / "sooner", decision(extracted(AS_OF - dt.timedelta(3))))
    subject = next(site.glob("subjects/*/*.html")).relative_to(site).as_posix()
    for route in (subject, "lists/SX-02/"):
        footer = soup(site, route).select_one(".as-of")
        assert footer is not None and footer.get_text().startswith("数据截至 2026年11月27日（"), (
            route
        )


def _assert_as_of_the_build(site: Path) -> None:
    subject = next(site.glob("subjects/*/*.html")).relative_to(site).as_posix()
    for route in (subject, "lists/SX-02/"):
        footer = soup(site, route).select_one(".as-of")
        assert footer is not None and footer.get_text() == "数据截至 2026年11月30日", route
