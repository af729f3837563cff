"""Hostile content is inert: in pages, feeds, JSON-LD, the search index, downloads and the browser.

Subject names, facts, comments, titles and Markdown in the small project carry `<script>`,
`javascript:` URLs, event handlers, breakouts and broken HTML (hostile.py). The project is built
twice, first clean and then hostile, so that the hostile records also reach the change files.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import http.server
import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import feedparser
import openpyxl
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from generator.build import BuildOptions, build
from tests.conftest import make_project
from tests.reliability.hostile import (
    BREAKOUT,
    FORMULA_COMPANY,
    FORMULA_NAME,
    HOSTILE_COMPANY,
    HOSTILE_NAME,
    MARKUP,
    PWN,
    SCRIPT,
    dangerous_url,
    files,
    hostile_files,
    json_strings,
    live_markup,
)
from tests.reliability.project import AS_OF, good_files

ATOM = "{http://www.w3.org/2005/Atom}"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile project's site, built over the clean one's (in-process: faster)."""
    tmp = tmp_path_factory.mktemp("hostile")
    out = tmp / "site"
    for files_ in (good_files(), hostile_files()):
        project = make_project(tmp, files_)
        result = build(BuildOptions(root=project, out=out, as_of=dt.date.fromisoformat(AS_OF)))
        assert result.ok, [str(d) for d in result.diagnostics]
    return out


def rel(site: Path, path: Path) -> str:
    return path.relative_to(site).as_posix()


def subject_page(site: Path, code: str) -> Path:
    (page,) = site.glob(f"subjects/*/{code}.html")
    return page


# --- Pages ----------------------------------------------------------------------------------


def test_the_hostile_content_reached_the_site(site: Path) -> None:
    """Otherwise the other tests would pass on a site without it."""
    carriers = [p for p in files(site, ".html") if PWN.encode() in p.read_bytes()]
    assert len(carriers) >= 20
    for page in ("evil/index.html", "notices/evil/index.html", "consultations/c1/index.html"):
        assert site / page in carriers
    assert subject_page(site, HOSTILE_COMPANY) in carriers


def test_no_page_has_live_markup(site: Path) -> None:
    problems = [
        problem
        for page in files(site, ".html")
        for problem in live_markup(page.read_bytes(), rel(site, page))
    ]
    assert problems == []


def test_untrusted_text_is_shown_as_text(site: Path) -> None:
    """Names, facts and comments are escaped, not dropped: the reader sees what was sent."""
    subject = BeautifulSoup(subject_page(site, HOSTILE_COMPANY).read_bytes(), "lxml")
    assert HOSTILE_NAME in subject.h1.get_text()
    text = subject.get_text()
    assert MARKUP in text and BREAKOUT in text
    consultation = BeautifulSoup((site / "consultations/c1/index.html").read_bytes(), "lxml")
    comments = consultation.get_text()
    assert f"恶意组织{SCRIPT}" in comments
    assert MARKUP in comments
    # A `{{ }}` in content is text, never a template.
    assert "{{ 7*7 }}" in text


# --- Feeds, JSON-LD and the search index ----------------------------------------------------


def test_feeds_are_well_formed_and_inert(site: Path) -> None:
    feeds = [p for p in files(site, ".xml") if b"<feed" in p.read_bytes()[:400]]
    assert len(feeds) >= 6
    carried = 0
    for feed in feeds:
        where = rel(site, feed)
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, (where, parsed.get("bozo_exception"))
        root = etree.fromstring(feed.read_bytes())
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue  # a comment or processing instruction
            # Nothing outside Atom (an injected <script> would be in no namespace).
            assert element.tag.startswith(ATOM), (where, element.tag)
            if element.get("type") in ("html", "xhtml"):
                assert list(live_markup(element.text or "", where)) == []
            if element.tag in (f"{ATOM}title", f"{ATOM}summary") and element.get("type") is None:
                carried += PWN in (element.text or "")
        for entry in parsed.entries:
            assert not dangerous_url(entry.get("link", "")), where
    assert carried >= 4, "the hostile titles should reach the feeds as plain text"
    notices = feedparser.parse((site / "notices/feed.xml").read_bytes())
    assert notices.entries[0].title.startswith(f"通知{SCRIPT}")
    assert notices.entries[0].title_detail.type == "text/plain"


def test_json_ld_is_inert(site: Path) -> None:
    catalog = json.loads((site / "catalog.jsonld").read_text(encoding="utf-8"))
    assert any(PWN in s for s in json_strings(catalog))
    blocks = 0
    pattern = re.compile(rb'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
    for page in files(site, ".html"):
        for raw in pattern.findall(page.read_bytes()):
            blocks += 1
            # Inside a script element, "<" could end it: JSON-LD must escape every one.
            assert b"<" not in raw, rel(site, page)
            json.loads(raw)
    assert blocks >= 2


def test_the_search_index_holds_text_not_markup(site: Path) -> None:
    strings: list[str] = []
    for index in files(site / "search", ".json"):
        strings.extend(json_strings(json.loads(index.read_text(encoding="utf-8"))))
    # Names are kept verbatim, for search.js to show with textContent (never innerHTML)...
    assert HOSTILE_NAME in strings
    # ...and never as pre-rendered HTML, which a page would have to insert as markup.
    assert not [s for s in strings if "&lt;script" in s or "&lt;img" in s]
    for doc in files(site / "search" / "docs", ".json"):
        for title, url, *_ in json.loads(doc.read_text(encoding="utf-8")).values():
            assert not dangerous_url(url) and "//" not in url, (title, url)


# --- Downloads ------------------------------------------------------------------------------


def csv_cells(path: Path) -> Iterator[str]:
    for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")):
        yield from row


def test_csv_downloads_neutralise_formulas(site: Path) -> None:
    downloads = files(site, ".csv")
    assert len(downloads) >= 3
    cells = [(rel(site, path), cell) for path in downloads for cell in csv_cells(path)]
    assert [(where, c) for where, c in cells if c.startswith(FORMULA_STARTS)] == []
    written = {c for _, c in cells}
    assert "'" + FORMULA_NAME in written  # neutralised, not dropped
    assert "'=cmd|' /C calc'!A0" in written
    data = json.loads((site / "lists/SX-02/data.json").read_text(encoding="utf-8"))
    # JSON is not a spreadsheet: it keeps the value exactly as published.
    assert FORMULA_NAME in json_strings(data)
    assert FORMULA_COMPANY in json_strings(data)


def test_xlsx_downloads_hold_no_formulas(site: Path) -> None:
    workbooks = files(site, ".xlsx")
    assert workbooks
    for path in workbooks:
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    where = (rel(site, path), sheet.title, cell.coordinate)
                    assert cell.data_type != "f", where
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(FORMULA_STARTS), where


# --- In the browser -------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Watched:
    """A page whose dialogs are recorded and dismissed. The CSP is bypassed, so that escaping
    alone has to keep the payloads inert: the site's CSP is a second line, not the first."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(bypass_csp=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def pwned(self) -> Any:
        return self.page.evaluate("() => window.__pwned")


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = Watched(browser)
    try:
        yield w
    finally:
        w.context.close()


@pytest.mark.browser
def test_the_browser_check_sees_a_payload_that_runs(watched: Watched) -> None:
    """The check below can fail: the same payload, not escaped, is caught."""
    watched.page.set_content(f"<p>{MARKUP}</p>")
    watched.page.wait_for_function("() => window.__pwned === 1")
    watched.page.wait_for_timeout(100)
    assert watched.dialogs == ["1"]


@pytest.mark.browser
def test_no_script_runs_on_any_page_with_hostile_content(
    site: Path, served: str, watched: Watched
) -> None:
    pages = [p for p in files(site, ".html") if PWN.encode() in p.read_bytes()]
    assert len(pages) >= 20
    for page in pages:
        route = rel(site, page).removesuffix("index.html")
        watched.page.goto(f"{served}/{route}", wait_until="load")
        assert watched.pwned() is None, route
    assert watched.dialogs == []


@pytest.mark.browser
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_search_results_show_a_hostile_name_as_text(
    served: str, watched: Watched, prefix: str
) -> None:
    page = watched.page
    page.goto(f"{served}{prefix}/search/?q={quote('恶意')}")
    page.wait_for_selector("#search-results[data-state=done]")
    titles = page.locator('.search-group[data-group="subject"] .search-result h3')
    assert HOSTILE_NAME in [t.strip() for t in titles.all_inner_texts()]
    assert page.locator("#search-results img, #search-results script").count() == 0
    page.wait_for_timeout(200)  # an onerror handler would have fired by now
    assert watched.pwned() is None
    assert watched.dialogs == []
