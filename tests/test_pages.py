"""pages: routes, navigation, the English fallback, notices and their feed, search documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
from bs4 import BeautifulSoup

from generator import pages
from generator.config import load_config
from generator.content import Content, Notice, Page, load_content
from generator.diagnostics import Diagnostics
from generator.model import LangText
from generator.render import Renderer, templates_dir
from tests.conftest import make_project

INDEX = Page(
    "content/pages/index.md", "index", LangText("首页", "Home"), LangText("欢迎", "Welcome"), 1
)
ABOUT = Page(
    "content/pages/about.md",
    "about",
    LangText("关于", "About"),
    LangText("## 定位\n\n正文", None),
    2,
)
HIDDEN = Page("content/pages/privacy.md", "privacy", LangText("隐私"), LangText("正文"))
NOTICES = tuple(
    Notice(
        f"content/notices/{slug}.md",
        slug,
        day,
        LangText(f"通知{slug}", en),
        LangText("**正文**", en and "Text"),
    )
    for slug, day, en in (
        ("b", dt.date(2026, 6, 10), None),
        ("a", dt.date(2025, 2, 20), "First"),
    )
)


def renderer(tmp_path: Path) -> Renderer:
    root = make_project(tmp_path, {})
    config = load_config(root, Diagnostics())
    assert config is not None
    return Renderer(config, templates_dir(root), dt.date(2026, 11, 30))


def test_routes() -> None:
    assert pages.page_route(INDEX) == ""
    assert pages.page_route(ABOUT) == "about/"
    assert pages.notice_route(NOTICES[0]) == "notices/b/"


def test_nav_has_pages_with_a_nav_order_and_the_notices(tmp_path: Path) -> None:
    entries = pages.nav_entries(Content((INDEX, ABOUT, HIDDEN), NOTICES), renderer(tmp_path))
    assert [(e.route, e.label.en) for e in entries] == [
        ("", "Home"),
        ("about/", "About"),
        ("notices/", "Notices"),
    ]


def test_render_content_in_both_languages_with_fallback(tmp_path: Path) -> None:
    r = renderer(tmp_path)
    r.set_nav(pages.nav_entries(Content((INDEX, ABOUT), NOTICES), r))
    rendered = list(pages.render_content(Content((INDEX, ABOUT), NOTICES), r, {}))
    files = {f.path: BeautifulSoup(f.data, "lxml") for f in rendered if f.path.endswith(".html")}
    assert sorted(f.path for f in rendered) == [
        "about/index.html",
        "en/about/index.html",
        "en/index.html",
        "en/notices/a/index.html",
        "en/notices/b/index.html",
        "en/notices/feed.xml",
        "en/notices/index.html",
        "index.html",
        "notices/a/index.html",
        "notices/b/index.html",
        "notices/feed.xml",
        "notices/index.html",
    ]
    # About has no English body: the English page shows the Chinese with a note.
    en_about = files["en/about/index.html"]
    assert en_about.select_one(".lang-note") is not None
    assert en_about.h1 is not None and en_about.h1.get_text(strip=True) == "About"
    assert en_about.select_one("h2#定位") is not None
    assert files["about/index.html"].select_one(".lang-note") is None
    assert files["en/index.html"].select_one(".lang-note") is None
    # Notice b has no English; notice a has.
    assert files["en/notices/b/index.html"].select_one(".lang-note") is not None
    assert files["en/notices/a/index.html"].select_one(".lang-note") is None


def test_home_lists_the_latest_five_notices(tmp_path: Path) -> None:
    many = tuple(
        Notice(
            f"n{i}.md",
            f"n{i}",
            dt.date(2026, 1, 1) + dt.timedelta(days=i),
            LangText(f"通知{i}"),
            LangText("x"),
        )
        for i in reversed(range(7))
    )
    r = renderer(tmp_path)
    home = next(
        f for f in pages.render_content(Content((INDEX,), many), r, {}) if f.path == "index.html"
    )
    dates = [t["datetime"] for t in BeautifulSoup(home.data, "lxml").select(".home-notices time")]
    assert dates == ["2026-01-07", "2026-01-06", "2026-01-05", "2026-01-04", "2026-01-03"]


def test_feed(tmp_path: Path) -> None:
    r = renderer(tmp_path)
    files = {f.path: f.data for f in pages.render_content(Content((INDEX,), NOTICES), r, {})}
    feed = feedparser.parse(files["en/notices/feed.xml"])
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["通知b", "First"]
    assert feed.entries[0].link == "https://credit.tianjin.example.gov.cn/en/notices/b/"
    assert feed.entries[0].published_parsed[:3] == (
        2026,
        6,
        9,
    )  # midnight +08:00 is 16:00 UTC the day before
    assert "<strong>正文</strong>" in feed.entries[0].content[0].value


def test_empty_notices(tmp_path: Path) -> None:
    r = renderer(tmp_path)
    files = {f.path: f.data for f in pages.render_content(Content((INDEX,), ()), r, {})}
    listing = BeautifulSoup(files["notices/index.html"], "lxml")
    assert listing.select(".notice-list") == []
    feed = feedparser.parse(files["notices/feed.xml"])
    assert not feed.bozo and feed.entries == []


def test_plain_text_for_search() -> None:
    assert (
        pages.plain_text("## 标题\n\n**重要** [链接](/lists/) <b>x</b> | a | b |")
        == "标题 重要 链接 /lists/ x a b"
    )


def test_search_docs_fall_back_to_chinese(tmp_path: Path) -> None:
    docs = list(pages.search_docs(Content((INDEX, ABOUT), NOTICES[:1])))
    assert [(d.ref, d.lang, d.title, d.url) for d in docs] == [
        ("page:zh-CN:index", "zh-CN", "首页", ""),
        ("page:en:index", "en", "Home", ""),
        ("page:zh-CN:about", "zh-CN", "关于", "about/"),
        ("page:en:about", "en", "About", "about/"),
        ("notice:zh-CN:b", "zh-CN", "通知b", "notices/b/"),
        ("notice:en:b", "en", "通知b", "notices/b/"),
    ]
    assert docs[3].text == "定位 正文"  # no English body: the Chinese is indexed


def test_sample_pages_render(tmp_path: Path) -> None:
    root = make_project(tmp_path, {}, with_sample=True)
    diags = Diagnostics()
    content = load_content(root, diags)
    r = renderer(tmp_path / "other")
    out = list(pages.render_content(content, r, {}))
    assert len(out) == 2 * (len(content.pages) + len(content.notices) + 2)
