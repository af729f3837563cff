"""The built sample site, checked through an HTML parser (and the Atom feed through feedparser).

`built_site` is the repo's own sample built once with --as-of 2026-11-30. Checks of particular pages
use BeautifulSoup. Checks of every page (thousands, once the lists are built) read each page once with
lxml, the parser under BeautifulSoup, into a small `PageFacts`; BeautifulSoup's tree is ~15x slower.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import lxml.html
import pytest
from bs4 import BeautifulSoup, Tag

from generator.config import load_config
from generator.diagnostics import Diagnostics
from tests.conftest import REPO

LANGS = ("zh-CN", "en")
FOCUSABLE = "self::a or self::button or self::input or self::select or self::textarea"
RESOURCE_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}


@cache
def site_config() -> tuple[str, str]:
    """(base_url, base_path) of the sample site."""
    config = load_config(REPO, Diagnostics())
    assert config is not None
    return config.base_url, config.base_path


def url_of(route: str, lang: str) -> str:
    _, base_path = site_config()
    return base_path + ("en/" if lang == "en" else "") + route


def lang_and_route(rel: str) -> tuple[str, str]:
    """`en/about/index.html` -> ("en", "about/"); `404.html` -> ("zh-CN", "404.html")."""
    lang = "zh-CN"
    if rel.startswith("en/"):
        lang, rel = "en", rel[len("en/") :]
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return lang, rel


def squash(value: str) -> str:
    return " ".join(value.split())


# -- one pass over every page ----------------------------------------------------------------


@dataclass(frozen=True)
class PageFacts:
    """What the whole-site checks need from one page, read once."""

    rel: str
    lang: str  # from the page's path
    route: str
    html_lang: str | None
    lang_values: tuple[str, ...]
    switch: tuple[tuple[str, str | None, str | None, str], ...]  # href, lang, hreflang, text
    alternates: tuple[tuple[str, str], ...]  # hreflang, href
    first_focusable: tuple[str, str, str | None, str] | None  # tag, class, href, text
    main_tags: tuple[str, ...]  # tags of the elements with id="main"
    main_count: int
    navs: int
    nav_label: str | None
    nav: tuple[tuple[str, str, str | None], ...]  # href, text, aria-current
    headings: tuple[int, ...]
    title: str
    ids: tuple[str, ...]
    links: tuple[tuple[str, str], ...]  # attribute, value: every href, src and form action
    external_resources: tuple[str, ...]
    inline_code: tuple[str, ...]


def read_facts(rel: str, data: bytes) -> PageFacts:
    doc = lxml.html.document_fromstring(data)
    lang, route = lang_and_route(rel)
    switch = doc.xpath(
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' lang-switch ')]//a"
    )
    focusable = doc.xpath(f"(//body//*[{FOCUSABLE}])[1]")
    navs = doc.xpath(
        "//header//nav[contains(concat(' ', normalize-space(@class), ' '), ' site-nav ')]"
    )
    links, external, inline = [], [], []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue  # comments and processing instructions
        for attr in ("href", "src", "action"):
            value = el.get(attr)
            if value is not None:
                links.append((attr, value))
        if el.get("src") is not None and is_external(el.get("src")):
            external.append(f"<{el.tag} src={el.get('src')}>")
        rels = set((el.get("rel") or "").split())
        if el.tag == "link" and rels & RESOURCE_RELS and is_external(el.get("href") or ""):
            external.append(f"<link rel={el.get('rel')} href={el.get('href')}>")
        if el.tag == "script" and el.get("src") is None and is_executable(el.get("type")):
            inline.append("inline <script>")
        if el.tag == "style":
            inline.append("<style>")
        inline += [f"<{el.tag} {a}=…>" for a in el.attrib if a == "style" or a.startswith("on")]
    titles = doc.xpath("//head/title")
    return PageFacts(
        rel=rel,
        lang=lang,
        route=route,
        html_lang=doc.get("lang"),
        lang_values=tuple(doc.xpath("//@lang")),
        switch=tuple(
            (a.get("href"), a.get("lang"), a.get("hreflang"), squash(a.text_content()))
            for a in switch
        ),
        alternates=tuple(
            (link.get("hreflang"), link.get("href"))
            for link in doc.xpath("//head/link[@rel='alternate'][@hreflang]")
        ),
        first_focusable=(
            (
                focusable[0].tag,
                focusable[0].get("class") or "",
                focusable[0].get("href"),
                squash(focusable[0].text_content()),
            )
            if focusable
            else None
        ),
        main_tags=tuple(el.tag for el in doc.xpath("//*[@id='main']")),
        main_count=len(doc.xpath("//main")),
        navs=len(navs),
        nav_label=navs[0].get("aria-label") if navs else None,
        nav=tuple(
            (a.get("href"), squash(a.text_content()), a.get("aria-current"))
            for a in (navs[0].xpath(".//a[@href]") if navs else [])
        ),
        headings=tuple(
            int(h.tag[1])
            for h in doc.xpath(
                "//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
            )
        ),
        title=squash(titles[0].text_content()) if titles else "",
        ids=tuple(doc.xpath("//@id")),
        links=tuple(links),
        external_resources=tuple(external),
        inline_code=tuple(inline),
    )


def is_executable(script_type: str | None) -> bool:
    """Data blocks such as JSON-LD are never run, so the CSP does not concern them."""
    kind = (script_type or "").split(";")[0].strip().lower()
    return kind in ("", "module", "text/javascript", "application/javascript")


@cache
def site_facts(site: Path) -> tuple[PageFacts, ...]:
    files = sorted(site.rglob("*.html"))
    assert files, f"no HTML in {site}"
    return tuple(read_facts(p.relative_to(site).as_posix(), p.read_bytes()) for p in files)


@pytest.fixture
def facts(built_site: Path) -> tuple[PageFacts, ...]:
    return site_facts(built_site)


def failures(problems: Iterable[str], what: str) -> str:
    listed = sorted(set(problems))
    shown = "\n".join(listed[:40]) + (
        f"\n… and {len(listed) - 40} more" if len(listed) > 40 else ""
    )
    return f"{len(listed)} {what}:\n{shown}"


# -- particular pages, through BeautifulSoup -------------------------------------------------


@lru_cache(maxsize=64)
def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_bytes(), "lxml")


def page(site: Path, rel: str) -> BeautifulSoup:
    path = site / rel
    assert path.is_file(), f"{rel} was not built"
    return _soup(path)


def text(tag: Tag | None) -> str:
    assert tag is not None
    return squash(tag.get_text())


# -- languages -------------------------------------------------------------------------------


def test_lang_attributes(facts: tuple[PageFacts, ...]) -> None:
    problems = [f"{f.rel}: <html lang={f.html_lang}>" for f in facts if f.html_lang != f.lang]
    problems += [f"{f.rel}: lang={v!r}" for f in facts for v in f.lang_values if v not in LANGS]
    assert not problems, failures(problems, "wrong lang attributes")


def test_language_switch_on_every_page_leads_to_the_same_route(
    facts: tuple[PageFacts, ...], built_site: Path
) -> None:
    problems = []
    for f in facts:
        other = "en" if f.lang == "zh-CN" else "zh-CN"
        expected = (url_of(f.route, other), other, other, "English" if other == "en" else "中文")
        if f.switch != (expected,):
            problems.append(f"{f.rel}: {f.switch} instead of {expected}")
    assert not problems, failures(problems, "pages without a correct language switch")
    # …and the page in the other language exists.
    built = {f.rel for f in facts}
    for f in facts:
        other_rel = f.rel.removeprefix("en/") if f.lang == "en" else "en/" + f.rel
        assert other_rel in built, f"{f.rel} has no counterpart {other_rel}"


def test_alternate_language_links_in_head(facts: tuple[PageFacts, ...]) -> None:
    base_url, _ = site_config()
    problems = []
    for f in facts:
        expected = {"zh-CN": base_url + f.route, "en": base_url + "en/" + f.route}
        if dict(f.alternates) != expected or len(f.alternates) != 2:
            problems.append(f"{f.rel}: {f.alternates}")
    assert not problems, failures(problems, "pages with wrong hreflang alternates")


@pytest.mark.parametrize(
    "rel",
    ["en/accessibility/index.html", "en/notices/id-number-masking/index.html"],
)
def test_english_fallback_note_where_there_is_no_english(built_site: Path, rel: str) -> None:
    soup = page(built_site, rel)
    notes = soup.select("main .lang-note")
    assert len(notes) == 1, rel
    assert notes[0].get("role") == "note"
    assert (
        text(notes[0]) == "This page has no English text yet; the Chinese original is shown below."
    )
    # The Chinese text shown instead is marked as Chinese for screen readers.
    body = notes[0].find_next_sibling("div")
    assert body is not None and body.get("lang") == "zh-CN"
    assert re.search(r"[\u4e00-\u9fff]", text(body))
    # The Chinese page itself has no such note.
    assert page(built_site, rel.removeprefix("en/")).select(".lang-note") == []


@pytest.mark.parametrize(
    "rel", ["en/index.html", "en/about/index.html", "en/notices/lists-open-data/index.html"]
)
def test_no_fallback_note_where_english_exists(built_site: Path, rel: str) -> None:
    assert page(built_site, rel).select(".lang-note") == []


def test_titles_follow_the_language(built_site: Path) -> None:
    assert text(page(built_site, "about/index.html").h1) == "关于平台"
    assert text(page(built_site, "en/about/index.html").h1) == "About the platform"
    title = page(built_site, "en/about/index.html").title
    assert title is not None and title.get_text().startswith("About the platform · ")


# -- layout ----------------------------------------------------------------------------------


def test_skip_link_is_first_and_reaches_main(facts: tuple[PageFacts, ...]) -> None:
    problems = []
    for f in facts:
        label = "Skip to main content" if f.lang == "en" else "跳到正文"
        first = f.first_focusable
        if (
            first is None
            or "skip-link" not in first[1].split()
            or first[2] != "#main"
            or first[3] != label
        ):
            problems.append(f"{f.rel}: first focusable element is {first}")
        if f.main_tags != ("main",) or f.main_count != 1:
            problems.append(f"{f.rel}: id=main on {f.main_tags}, {f.main_count} <main>")
    assert not problems, failures(problems, "skip-link problems")


def test_the_home_navigation(built_site: Path) -> None:
    _, base_path = site_config()
    zh = [
        (a["href"], text(a))
        for a in page(built_site, "index.html").select("header nav.site-nav a[href]")
    ]
    en = [
        (a["href"], text(a))
        for a in page(built_site, "en/index.html").select("header nav.site-nav a[href]")
    ]
    # The same entries in both languages, in the same order, each in its own language.
    assert [base_path + "en/" + href.removeprefix(base_path) for href, _ in zh] == [
        h for h, _ in en
    ]
    assert zh[0] == (base_path, "首页") and en[0] == (base_path + "en/", "Home")
    zh_hrefs = [href for href, _ in zh]
    for route in ("about/", "regulations/", "objections/", "credit-repair/", "notices/"):
        assert base_path + route in zh_hrefs
    assert dict(en)[base_path + "en/about/"] == "About the platform"
    assert dict(en)[base_path + "en/notices/"] == "Notices"


def test_navigation_on_every_page(facts: tuple[PageFacts, ...]) -> None:
    by_rel = {f.rel: f for f in facts}
    reference = {"zh-CN": by_rel["index.html"].nav, "en": by_rel["en/index.html"].nav}
    problems = []
    for f in facts:
        if f.navs != 1 or not f.nav_label:
            problems.append(f"{f.rel}: {f.navs} main navigations, label {f.nav_label!r}")
            continue
        # Consistent navigation (WCAG 3.2.3): the same links, in the same order, on every page.
        links = [(href, label) for href, label, _ in f.nav]
        if links != [(href, label) for href, label, _ in reference[f.lang]]:
            problems.append(f"{f.rel}: navigation differs from the home page's")
        current = [href for href, _, flag in f.nav if flag == "page"]
        own = url_of(f.route, f.lang)
        if current != ([own] if own in [href for href, _ in links] else []):
            problems.append(f"{f.rel}: aria-current on {current}")
    assert not problems, failures(problems, "navigation problems")


def test_one_h1_and_headings_in_order(facts: tuple[PageFacts, ...]) -> None:
    problems = []
    for f in facts:
        if f.headings.count(1) != 1 or not f.headings or f.headings[0] != 1:
            problems.append(f"{f.rel}: headings {f.headings[:8]} (need exactly one h1, first)")
        jumps = [(a, b) for a, b in itertools.pairwise(f.headings) if b > a + 1]
        if jumps:
            problems.append(f"{f.rel}: heading levels skip {jumps}")
        if not f.title:
            problems.append(f"{f.rel}: empty <title>")
    assert not problems, failures(problems, "heading problems")


def test_ids_are_unique_on_every_page(facts: tuple[PageFacts, ...]) -> None:
    problems = []
    for f in facts:
        seen: defaultdict[str, int] = defaultdict(int)
        for i in f.ids:
            seen[i] += 1
        problems += [f"{f.rel}: id {i!r} ×{n}" for i, n in seen.items() if n > 1]
    assert not problems, failures(problems, "duplicate ids")


def test_footer_shows_the_as_of_date(built_site: Path) -> None:
    assert "数据截至 2026年11月30日" in text(page(built_site, "index.html").footer)
    assert "Data as of 2026-11-30" in text(page(built_site, "en/index.html").footer)


def test_every_sample_page_is_built_in_both_languages(built_site: Path) -> None:
    for source in sorted((REPO / "content" / "pages").glob("*.md")):
        if source.name.endswith(".en.md"):
            continue
        slug = re.search(r"^slug:\s*(\S+)", source.read_text(encoding="utf-8"), re.M)
        assert slug is not None, source
        route = "" if slug.group(1) == "index" else f"{slug.group(1)}/"
        for prefix in ("", "en/"):
            assert (built_site / prefix / route / "index.html").is_file(), f"{prefix}{route}"
    assert (built_site / "404.html").is_file() and (built_site / "en" / "404.html").is_file()


# -- notices ---------------------------------------------------------------------------------


def notice_dates(soup: BeautifulSoup, selector: str) -> list[str]:
    return [t["datetime"] for t in soup.select(f"{selector} time[datetime]")]


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_notices_newest_first(built_site: Path, prefix: str) -> None:
    built = sorted(p.name for p in (built_site / "notices").iterdir() if p.is_dir())
    assert len(built) >= 3
    listing = page(built_site, f"{prefix}notices/index.html")
    dates = notice_dates(listing, "main .notice-list")
    assert len(dates) == len(built)
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == "2026-11-16" and dates[-1] == "2025-02-20"
    slugs = [
        a["href"].rstrip("/").rsplit("/", 1)[-1] for a in listing.select("main .notice-list a")
    ]
    assert sorted(slugs) == built

    home = page(built_site, f"{prefix}index.html")
    latest = notice_dates(home, ".home-notices")
    assert latest == dates[: len(latest)] and len(latest) >= 3


@pytest.mark.parametrize("lang", LANGS)
def test_atom_feed(built_site: Path, lang: str) -> None:
    base_url, _ = site_config()
    prefix = "en/" if lang == "en" else ""
    feed = feedparser.parse((built_site / prefix / "notices" / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.get("language") == lang
    assert feed.feed.id == base_url + prefix + "notices/feed.xml"
    assert ("Credit Tianjin" if lang == "en" else "信用天津") in feed.feed.title
    entries = feed.entries
    built = sorted(p for p in (built_site / "notices").iterdir() if p.is_dir())
    assert len(entries) == len(built)
    published = [e.published_parsed for e in entries]
    assert published == sorted(published, reverse=True)
    for entry in entries:
        assert entry.link.startswith(base_url + prefix + "notices/")
        assert entry.id == entry.link
        assert entry.title and entry.summary
        target = built_site / entry.link.removeprefix(base_url) / "index.html"
        assert target.is_file(), entry.link
    titles = [e.title for e in entries]
    if lang == "en":
        assert "Masking of natural persons' ID numbers" in titles
    else:
        assert "关于自然人身份证件号码遮蔽处理的说明" in titles


def test_pages_announce_the_feed_of_their_language(built_site: Path) -> None:
    _, base_path = site_config()
    for rel, lang_prefix in (("index.html", ""), ("en/about/index.html", "en/")):
        link = page(built_site, rel).select_one('head link[type="application/atom+xml"]')
        assert link is not None and link["href"] == base_path + lang_prefix + "notices/feed.xml"


# -- self-contained output -------------------------------------------------------------------


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme and parts.scheme != "data") or bool(parts.netloc)


def test_no_external_resources(facts: tuple[PageFacts, ...], built_site: Path) -> None:
    problems = [f"{f.rel}: {what}" for f in facts for what in f.external_resources]
    css_url = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:https?:)?//[^'")\s]+)""")
    for css in sorted(built_site.rglob("*.css")):
        found = css_url.findall(css.read_text(encoding="utf-8"))
        problems += [f"{css.relative_to(built_site)}: {url}" for url in found]
    assert not problems, failures(problems, "external resources")


def test_no_inline_scripts_styles_or_event_handlers(facts: tuple[PageFacts, ...]) -> None:
    """The Content-Security-Policy forbids them, so a browser would silently ignore them."""
    problems = [f"{f.rel}: {what}" for f in facts for what in f.inline_code]
    assert not problems, failures(problems, "inline scripts, styles or handlers")


# -- links -----------------------------------------------------------------------------------


def internal_target(site: Path, page_url: str, link: str) -> tuple[Path, str] | None:
    """The built file a link points to (and its fragment), or None for links that leave the site."""
    base_url, base_path = site_config()
    parts = urlsplit(urljoin(page_url, link))
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(base_url).netloc:
        return None
    path = unquote(parts.path)
    if not path.startswith(base_path):
        return site / "__outside_the_base_path__", parts.fragment
    rel = path[len(base_path) :]
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return site / rel, unquote(parts.fragment)


def test_every_internal_link_resolves(facts: tuple[PageFacts, ...], built_site: Path) -> None:
    """Every href, src and form action inside the site points at a built file (and anchor)."""
    base_url, _ = site_config()
    ids = {f.rel: set(f.ids) for f in facts}
    broken: defaultdict[str, set[str]] = defaultdict(set)
    exists: dict[Path, bool] = {}
    checked = 0
    for f in facts:
        page_url = base_url + ("en/" if f.lang == "en" else "") + f.route
        for _, link in f.links:
            target = internal_target(built_site, page_url, link)
            if target is None:
                continue
            checked += 1
            file, fragment = target
            if file not in exists:
                exists[file] = file.is_file()
            if not exists[file]:
                broken[f"{link} (no file)"].add(f.rel)
                continue
            rel = file.relative_to(built_site).as_posix()
            if fragment and rel in ids and fragment not in ids[rel]:
                broken[f"{link} (no id {fragment!r})"].add(f.rel)
    assert checked > 100
    lines = []
    for link, pages in sorted(broken.items()):
        where = sorted(pages)
        more = f" and {len(where) - 3} more" if len(where) > 3 else ""
        lines.append(f"{link} <- {', '.join(where[:3])}{more}")
    assert not lines, failures(lines, "broken internal links")


def test_every_link_in_the_feed_resolves(built_site: Path) -> None:
    base_url, _ = site_config()
    for prefix in ("", "en/"):
        feed = feedparser.parse((built_site / prefix / "notices" / "feed.xml").read_bytes())
        links = [link.href for link in feed.feed.links] + [e.link for e in feed.entries]
        for link in links:
            target = internal_target(built_site, base_url, link)
            assert target is not None and target[0].is_file(), link
