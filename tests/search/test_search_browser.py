"""The search page in headless Chromium.

The six behaviours the issue asks for are checked against the built sample site (`served_site`).
The sample's lists are generated data, so a company's code and decision numbers are looked up
in the built site by its name, 琉璃鲸 being one that scripts/gen_sample_lists.py plants on purpose.

The page's own behaviour (untrusted names, the address, keyboard, filters, no JavaScript) is
checked against a small site built here from the pages and SearchDocs written below.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from bs4 import BeautifulSoup

from generator.build import BuildOptions, build
from generator.content import load_content
from generator.diagnostics import Diagnostics
from generator.model import SearchDoc
from generator.pages import search_docs as page_search_docs
from generator.search.index import index_files
from generator.search.shards import shard_of
from generator.search.tokenizer import tokenize
from tests.conftest import make_project

pytestmark = pytest.mark.browser

PAGES = {
    "content/pages/index.md": (
        "---\ntitle:\n  zh-CN: 首页\n  en: Home\nslug: index\n---\n欢迎访问信用天津。\n"
    ),
    "content/pages/index.en.md": "Welcome to Credit Tianjin.\n",
    "content/pages/credit-repair.md": (
        "---\ntitle:\n  zh-CN: 信用修复\n  en: Credit repair\nslug: credit-repair\n---\n"
        "信用主体纠正失信行为后，可以申请信用修复。\n"
    ),
    "content/pages/credit-repair.en.md": (
        "A subject that has corrected its conduct may apply for credit repair of its "
        "untrustworthy records.\n"
    ),
}

NAME = "天津鑫达科技有限公司"
CODE = "91120116MA05XXXXX1"
DOCNO = "津市监罚〔2025〕123号"
EVIL = "<img src=x id=evil>天津恶意名称有限公司"


STEMS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水"


def subject(name: str, code: str, lists: str | None = None) -> SearchDoc:
    # Shaped like generator.lists.render's: its names; its decisions are in its records' docs.
    return SearchDoc(
        ref=f"subject:zh-CN:{code}",
        kind="subject",
        lang="zh-CN",
        title=name,
        text=name,
        url=f"subjects/00/{code}/",
        codes=(code,),
        list_code=lists,
    )


def record(name: str, code: str, number: str, key: str) -> SearchDoc:
    return SearchDoc(
        ref=f"record:zh-CN:{key}",
        kind="record",
        lang="zh-CN",
        title=f"{name} {number}",
        text="天津市市场监督管理局 罚款 2.5 万元",
        url=f"subjects/00/{code}/#{key}",
        codes=(code, number),
        list_code="SX-02",
    )


LIST_DOCS = [
    subject(NAME, CODE, lists="SX-01 SX-02"),  # on two lists, as the lists section says
    subject("天津市和平区华信贸易有限公司", "91120101MA06YYYYY2"),
    subject("鑫达（天津）建筑工程有限公司", "91120104MA07ZZZZZ3"),
    subject(EVIL, "91120104MA07EVIL04"),
    record(NAME, CODE, DOCNO, "r1"),
    record("天津市和平区华信贸易有限公司", "91120101MA06YYYYY2", "津和市监罚〔2024〕88号", "r2"),
    # More subjects than one batch (20) for one query.
    *(
        subject(f"天津青松{c}有限公司", f"911201{i:02d}MA08QQQQQ{i % 10}")
        for i, c in enumerate(STEMS)
    ),
]


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("search-browser")
    project = make_project(tmp, PAGES)
    out = tmp / "site"
    result = build(BuildOptions(root=project, out=out))
    assert result.ok, result.diagnostics
    # The lists' documents go in next to the pages', as the build's index stage will do.
    for name in ("shards", "docs"):
        shutil.rmtree(out / "search" / name, ignore_errors=True)
    content = load_content(project, Diagnostics())
    for file in index_files(chain(page_search_docs(content), LIST_DOCS)):
        target = out / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read())

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(out))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def search(page: Any, site: str, q: str, lang: str = "zh-CN") -> Any:
    prefix = "/en" if lang == "en" else ""
    page.goto(f"{site}{prefix}/search/?q={quote(q)}")
    page.wait_for_selector("#search-results[data-state=done]")
    return page


def group_titles(page: Any, group: str) -> list[str]:
    section = page.locator(f'.search-group[data-group="{group}"]')
    if section.get_attribute("hidden") is not None:
        return []
    return [t.strip() for t in section.locator(".search-result h3").all_inner_texts()]


# -- the sample site ------------------------------------------------------------------------------

SAMPLE_PART = "琉璃鲸"  # of 天津市和平区琉璃鲸文化传媒有限公司, a name found nowhere else


@dataclass(frozen=True)
class SampleSubject:
    name: str
    code: str
    numbers: tuple[str, ...]


@pytest.fixture(scope="module")
def sample_subject(built_site: Path) -> SampleSubject:
    """The published subject whose name holds SAMPLE_PART, from the site's search display data."""
    found: list[SampleSubject] = []
    numbers: list[str] = []
    groups = json.loads((built_site / "search/manifest.json").read_text("utf-8"))["groups"]
    for path in sorted((built_site / "search" / "docs").glob("*.json")):
        for ref, (title, _url, _text, codes) in json.loads(path.read_text("utf-8")).items():
            if SAMPLE_PART not in title:
                continue
            if groups[int(ref.split(".")[0], 36)][0] == "subject":  # a ref's prefix: its group
                found.append(SampleSubject(title, codes[0], ()))
            else:
                numbers.append(codes[-1])
    assert len(found) == 1, found
    return SampleSubject(found[0].name, found[0].code, tuple(sorted(numbers)))


def test_sample_a_chinese_substring_of_a_company_name_finds_it(
    browser_page: Any, served_site: str, sample_subject: SampleSubject
) -> None:
    page = search(browser_page, served_site, SAMPLE_PART)
    assert group_titles(page, "subject") == [sample_subject.name]
    marks = page.locator('.search-group[data-group="subject"] h3 mark').all_inner_texts()
    assert marks == [SAMPLE_PART]


def test_sample_a_credit_code_finds_exactly_one_subject(
    browser_page: Any, served_site: str, sample_subject: SampleSubject
) -> None:
    page = search(browser_page, served_site, sample_subject.code)
    assert group_titles(page, "subject") == [sample_subject.name]
    link = page.locator('.search-group[data-group="subject"] h3 a').get_attribute("href")
    assert link is not None and link.startswith("/subjects/") and sample_subject.code in link


def test_sample_a_decision_number_finds_its_record(
    browser_page: Any, served_site: str, sample_subject: SampleSubject
) -> None:
    number = sample_subject.numbers[0]
    page = search(browser_page, served_site, number)
    assert group_titles(page, "record") == [f"{sample_subject.name} {number}"]
    # The record links to its subject's page; the subject is not listed again for it.
    assert group_titles(page, "subject") == []


def test_sample_an_english_word_finds_an_english_page(browser_page: Any, served_site: str) -> None:
    page = search(browser_page, served_site, "reconsideration", lang="en")
    pages = page.locator('.search-group[data-group="page"] h3 a')
    hrefs = pages.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert "/en/objections/" in hrefs
    assert all(h.startswith("/en/") for h in hrefs)
    assert page.locator("html").get_attribute("lang") == "en"


def test_sample_chinese_names_on_english_pages_are_marked_as_chinese(
    browser_page: Any, served_site: str, sample_subject: SampleSubject
) -> None:
    page = search(browser_page, served_site, SAMPLE_PART, lang="en")
    link = page.locator('.search-group[data-group="subject"] h3 a')
    assert link.inner_text() == sample_subject.name
    assert link.get_attribute("lang") == "zh-CN"
    assert link.get_attribute("href", timeout=1000).startswith("/en/subjects/")


def test_sample_filtering_by_a_list_keeps_its_subjects(
    browser_page: Any, served_site: str, built_site: Path, sample_subject: SampleSubject
) -> None:
    manifest = json.loads((built_site / "search/manifest.json").read_text("utf-8"))
    lists = {code for kind, codes in manifest["groups"] for code in (codes or "").split()}
    page = search(browser_page, served_site, sample_subject.code)
    meta = page.locator('.search-group[data-group="subject"] .search-meta').inner_text()
    on = sorted(code for code in lists if code in meta)
    assert on  # the subject's own lists are shown with it
    for code in on:
        browser_page.goto(f"{served_site}/search/?q={quote(SAMPLE_PART)}&list={code}")
        browser_page.wait_for_selector("#search-results[data-state=done]")
        assert group_titles(browser_page, "subject") == [sample_subject.name]
    options = browser_page.locator("#search-list option").all_inner_texts()
    assert all(" " not in o for o in options)  # each list once, never a subject's several
    other = sorted(lists - set(on))
    if other:
        browser_page.goto(f"{served_site}/search/?q={quote(SAMPLE_PART)}&list={other[0]}")
        browser_page.wait_for_selector("#search-results[data-state=done]")
        assert group_titles(browser_page, "subject") == []


def test_sample_no_match_shows_the_no_results_message(browser_page: Any, served_site: str) -> None:
    page = search(browser_page, served_site, "没有这家公司", lang="en")
    assert page.locator("#search-none").is_visible()
    assert page.locator("#search-status").inner_text() == "No results for “没有这家公司”."
    assert page.locator(".search-group:visible").count() == 0


def test_sample_only_the_shards_of_the_query_terms_are_fetched(
    browser_page: Any, served_site: str, built_site: Path
) -> None:
    page = browser_page
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path))
    search(page, served_site, SAMPLE_PART + "文化")
    n = json.loads((built_site / "search/manifest.json").read_text("utf-8"))["shards"]
    shards = sorted(p for p in fetched if p.startswith("/search/shards/"))
    routed = {f"/search/shards/{shard_of(t, n)}.json" for t in tokenize(SAMPLE_PART + "文化")}
    assert shards == sorted(routed)
    assert len(shards) >= 2  # an AND across shards
    assert len(shards) < n


# -- a small site built here -------------------------------------------------------------------------


def test_a_chinese_substring_of_a_name_finds_it(browser_page: Any, site: str) -> None:
    page = search(browser_page, site, "鑫达科技")
    assert group_titles(page, "subject") == [NAME]
    marks = page.locator('.search-group[data-group="subject"] h3 mark').all_inner_texts()
    assert marks == ["鑫达科技"]
    assert "鑫达科技" in page.locator("#search-status").inner_text()
    link = page.locator('.search-group[data-group="subject"] h3 a')
    assert link.get_attribute("href") == f"/subjects/00/{CODE}/"


def test_a_credit_code_finds_exactly_one_subject(browser_page: Any, site: str) -> None:
    page = search(browser_page, site, CODE.lower())
    assert group_titles(page, "subject") == [NAME]
    assert page.locator(
        '.search-group[data-group="subject"] .search-code mark'
    ).all_inner_texts() == [CODE]


def test_a_decision_number_finds_its_record(browser_page: Any, site: str) -> None:
    page = search(browser_page, site, DOCNO)
    assert group_titles(page, "record") == [f"{NAME} {DOCNO}"]
    assert (
        page.locator('.search-group[data-group="record"] .search-meta')
        .inner_text()
        .startswith("名单 SX-02")
    )


def test_an_english_word_finds_an_english_page(browser_page: Any, site: str) -> None:
    page = search(browser_page, site, "untrustworthy", lang="en")
    assert group_titles(page, "page") == ["Credit repair"]
    link = page.locator('.search-group[data-group="page"] h3 a')
    assert link.get_attribute("href") == "/en/credit-repair/"
    assert page.locator(
        '.search-group[data-group="page"] .search-snippet mark'
    ).all_inner_texts() == ["untrustworthy"]
    assert page.locator("#search-status").inner_text() == "1 result for “untrustworthy”."


def test_no_match_shows_the_no_results_message(browser_page: Any, site: str) -> None:
    page = search(browser_page, site, "不存在的公司")
    assert page.locator("#search-none").is_visible()
    assert page.locator("#search-status").inner_text() == "没有找到与“不存在的公司”匹配的结果。"
    assert page.locator(".search-group:visible").count() == 0


def test_only_the_shards_of_the_query_terms_are_fetched(browser_page: Any, site: str) -> None:
    page = browser_page
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path))
    q = "华信贸易"
    search(page, site, q)
    manifest = json.loads(page.evaluate("fetch('/search/manifest.json').then(r => r.text())"))
    n = manifest["shards"]
    shards = sorted(p for p in fetched if p.startswith("/search/shards/"))
    assert shards == sorted({f"/search/shards/{shard_of(t, n)}.json" for t in tokenize(q)})
    assert len(shards) >= 2  # 华信, 信贸, 贸易 in more than one shard: an AND across shards
    assert group_titles(page, "subject") == ["天津市和平区华信贸易有限公司"]


def test_untrusted_names_are_shown_as_text(browser_page: Any, site: str) -> None:
    page = search(browser_page, site, "恶意名称")
    assert group_titles(page, "subject") == [EVIL]
    assert page.locator("#evil").count() == 0
    assert page.locator(".search-results img").count() == 0


def test_the_query_is_restored_and_kept_in_the_address(browser_page: Any, site: str) -> None:
    page = search(browser_page, site, "鑫达")
    assert page.locator("#search-q").input_value() == "鑫达"
    page.locator("#search-q").fill(DOCNO)
    page.locator("#search-q").press("Enter")
    page.wait_for_function(
        "q => document.getElementById('search-status').textContent.includes(q)", arg=DOCNO
    )
    assert parse_qs(urlsplit(page.url).query) == {"q": [DOCNO]}
    page.reload()
    page.wait_for_selector("#search-results[data-state=done]")
    assert page.locator("#search-q").input_value() == DOCNO
    assert group_titles(page, "record") == [f"{NAME} {DOCNO}"]


def test_keyboard_only_search_is_announced(browser_page: Any, site: str) -> None:
    page = browser_page
    page.goto(f"{site}/search/")
    page.wait_for_function("window.cpSearchPage !== undefined")
    page.locator("#search-q").focus()
    page.keyboard.type("华信")
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-results[data-state=done]")
    status = page.locator("#search-status")
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == "找到 2 条与“华信”匹配的结果。"  # the subject and its record
    # Tab from the box reaches the search button, the filters and then the first result.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    for _ in range(6):  # five type checkboxes and the list select
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search-list"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "天津市和平区华信贸易有限公司"


def test_filters_by_type_and_list(browser_page: Any, site: str) -> None:
    page = search(browser_page, site, "鑫达")
    assert sorted(group_titles(page, "subject")) == sorted([NAME, "鑫达（天津）建筑工程有限公司"])
    assert group_titles(page, "record") == [f"{NAME} {DOCNO}"]
    page.locator('input[name="type"][value="subject"]').uncheck()
    page.wait_for_function(
        "() => document.querySelector('.search-group[data-group=subject]').hidden"
    )
    assert group_titles(page, "record") == [f"{NAME} {DOCNO}"]
    assert parse_qs(urlsplit(page.url).query)["type"] == ["record", "item", "consultation", "page"]
    page.locator('input[name="type"][value="subject"]').check()
    page.wait_for_function(
        "() => !document.querySelector('.search-group[data-group=subject]').hidden"
    )
    assert page.locator("#search-list option").all_inner_texts()[1:] == ["SX-01", "SX-02"]
    page.locator("#search-list").select_option("SX-02")
    # The subject on SX-01 and SX-02 stays; the one on no list goes.
    page.wait_for_function(
        "() => document.querySelectorAll('.search-group[data-group=subject] h3').length === 1"
    )
    assert group_titles(page, "subject") == [NAME]
    assert group_titles(page, "record") == [f"{NAME} {DOCNO}"]
    assert parse_qs(urlsplit(page.url).query)["list"] == ["SX-02"]
    page.locator("#search-list").select_option("SX-01")
    page.wait_for_function(
        "() => document.querySelector('.search-group[data-group=record]').hidden"
    )
    assert group_titles(page, "subject") == [NAME]


def test_without_javascript_a_message_links_to_browse(browser: Any, site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site}/search/?q=鑫达")
        assert page.locator("#search-nojs").is_visible()
        hrefs = page.locator("#search-nojs a").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        )
        assert hrefs == ["/lists/", "/catalogue/items/", "/consultations/"]
        assert not page.locator(".search-filters").is_visible()
    finally:
        context.close()


def test_the_page_is_labelled_and_loads_no_inline_script(site: str, browser_page: Any) -> None:
    html = browser_page.request.get(f"{site}/en/search/").text()
    soup = BeautifulSoup(html, "lxml")
    form = soup.select_one("form#search-form")
    assert form is not None and form["data-base"] == "/" and form["data-home"] == "/en/"
    assert soup.select_one("label[for=search-q]") is not None
    assert soup.select_one("#search-list") is not None
    assert soup.select_one("label[for=search-list]") is not None
    assert soup.select_one(".search-filters fieldset legend") is not None
    scripts = soup.select("script")
    assert [s.get("src") for s in scripts] == [
        "/assets/vendor/lunr.min.js",
        "/assets/js/cp-tokenizer.js",
        "/assets/js/search.js",
    ]
    assert all(s.has_attr("defer") and not s.string for s in scripts)
    nav = [a["href"] for a in soup.select("nav.site-nav a")]
    assert "/en/search/" in nav


def test_more_results_on_request_with_focus_on_the_first_new_one(
    browser_page: Any, site: str
) -> None:
    page = search(browser_page, site, "青松")
    assert len(group_titles(page, "subject")) == 20
    assert (
        page.locator("#search-status").inner_text()
        == "找到 25 条与“青松”匹配的结果，显示前 20 条。"
    )
    more = page.locator("#search-more")
    assert more.is_visible()
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 25")
    assert sorted(group_titles(page, "subject")) == sorted(f"天津青松{c}有限公司" for c in STEMS)
    assert not more.is_visible()
    focused = page.evaluate("document.activeElement.closest('.search-result').dataset.ref")
    refs = page.locator(".search-result").evaluate_all("rs => rs.map(r => r.dataset.ref)")
    assert focused == refs[20]
    assert page.locator("#search-status").inner_text() == "找到 25 条与“青松”匹配的结果。"
