"""render: routes to files and URLs, the Jinja environment (autoescape, StrictUndefined), filters."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import jinja2
import pytest
from bs4 import BeautifulSoup
from rich.console import Console

from generator import assets
from generator.config import SiteConfig, load_config
from generator.diagnostics import Diagnostics
from generator.model import LangText, OutputFile
from generator.progress import Reporter, RichReporter
from generator.render import (
    NavEntry,
    Renderer,
    _tz_offset,
    format_date,
    format_number,
    lang_prefix,
    output_path,
    templates_dir,
)
from tests.conftest import REPO, make_project


def config_for(tmp_path: Path, base_url: str = "https://credit.example.org/") -> SiteConfig:
    site = (REPO / "site.yaml").read_text(encoding="utf-8")
    site = "\n".join(
        f"base_url: {base_url}" if line.startswith("base_url:") else line
        for line in site.splitlines()
    )
    root = make_project(tmp_path, {"site.yaml": site + "\n"})
    diags = Diagnostics()
    config = load_config(root, diags)
    assert config is not None, list(diags)
    return config


@pytest.fixture
def renderer(tmp_path: Path) -> Renderer:
    return Renderer(
        config_for(tmp_path, "https://example.org/portal/"),
        templates_dir(tmp_path),
        dt.date(2026, 11, 30),
    )


@pytest.mark.parametrize(
    ("route", "lang", "path"),
    [
        ("", "zh-CN", "index.html"),
        ("", "en", "en/index.html"),
        ("about/", "zh-CN", "about/index.html"),
        ("catalogue/items/SX-02/", "en", "en/catalogue/items/SX-02/index.html"),
        ("notices/feed.xml", "en", "en/notices/feed.xml"),
        ("404.html", "zh-CN", "404.html"),
    ],
)
def test_output_path(route: str, lang: str, path: str) -> None:
    assert output_path(route, lang) == path


def test_lang_prefix() -> None:
    assert (lang_prefix("zh-CN"), lang_prefix("en")) == ("", "en/")


def test_urls_live_under_the_base_path(renderer: Renderer) -> None:
    assert renderer.url("", "zh-CN") == "/portal/"
    assert renderer.url("about/", "en") == "/portal/en/about/"
    assert (
        renderer.abs_url("notices/feed.xml", "en")
        == "https://example.org/portal/en/notices/feed.xml"
    )
    assert renderer.asset("css/site.css") == "/portal/assets/css/site.css"


def test_dates_and_numbers() -> None:
    day = dt.date(2026, 3, 1)
    assert format_date(day, "zh-CN") == "2026年3月1日"
    assert format_date(day, "en") == "2026-03-01"
    assert format_date(None, "en") == ""
    assert format_number(1234567) == "1,234,567"
    assert format_number(0.5) == "0.5"


def test_time_zone_offset() -> None:
    assert _tz_offset("Asia/Shanghai", dt.date(2026, 7, 1)) == "+08:00"
    assert _tz_offset("UTC", dt.date(2026, 7, 1)) == "+00:00"
    assert _tz_offset("America/New_York", dt.date(2026, 1, 15)) == "-05:00"


def test_templates_dir_prefers_the_project_then_the_shipped_theme(tmp_path: Path) -> None:
    assert templates_dir(tmp_path) == REPO / "templates"
    (tmp_path / "templates").mkdir()
    assert templates_dir(tmp_path) == REPO / "templates"  # no base.html: not a theme
    (tmp_path / "templates" / "base.html").write_text("x", encoding="utf-8")
    assert templates_dir(tmp_path) == tmp_path / "templates"


def test_helpers_follow_the_page_language(renderer: Renderer) -> None:
    template = renderer.env.from_string(
        "{{ t('site.home') }}|{{ tx(title) }}|{{ url('about/') }}|{{ as_of|date(lang) }}|{{ has_en(title) }}"
    )
    title = LangText("关于", "About")
    assert (
        template.render(lang="zh-CN", title=title) == "首页|关于|/portal/about/|2026年11月30日|True"
    )
    assert template.render(lang="en", title=title) == "Home|About|/portal/en/about/|2026-11-30|True"
    assert template.render(lang="en", title=LangText("关于")).split("|")[1] == "关于"
    assert template.render(lang="en", title=LangText("关于")).endswith("|False")


def test_output_is_escaped(renderer: Renderer) -> None:
    html = renderer.env.from_string("<p>{{ tx(x) }}</p>").render(
        lang="en", x=LangText("甲", "<script>x</script>")
    )
    assert html == "<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_undefined_variables_fail_loudly(renderer: Renderer) -> None:
    with pytest.raises(jinja2.UndefinedError):
        renderer.env.from_string("{{ nope }}").render(lang="en")


def test_unknown_message_key_fails_loudly(renderer: Renderer) -> None:
    with pytest.raises(KeyError):
        renderer.env.from_string("{{ t('no.such.key') }}").render(lang="en")


def test_render_gives_the_file_of_the_route_and_language(renderer: Renderer) -> None:
    renderer.set_nav(
        (
            NavEntry("notices/", LangText("通知", "Notices"), 2),
            NavEntry("", LangText("首页", "Home"), 1),
        )
    )
    out = renderer.render("404.html", "404.html", "en")
    assert isinstance(out, OutputFile)
    assert out.path == "en/404.html"
    soup = BeautifulSoup(out.data, "lxml")
    assert soup.html is not None and soup.html["lang"] == "en"
    assert [a["href"] for a in soup.select("nav.site-nav a")] == [
        "/portal/en/",
        "/portal/en/notices/",
    ]
    both = list(renderer.render_all_langs("404.html", "404.html"))
    assert [f.path for f in both] == ["404.html", "en/404.html"]


def test_assets_come_from_the_theme_and_node_modules(tmp_path: Path) -> None:
    files = {f.path: f.data for f in assets.asset_files(tmp_path, REPO / "templates")}
    assert "assets/css/site.css" in files
    assert "assets/vendor/lunr.min.js" in files
    assert files["assets/css/site.css"] == (REPO / "templates/static/css/site.css").read_bytes()
    assert assets.node_modules(tmp_path) == REPO / "node_modules"


def test_missing_npm_assets_are_reported(tmp_path: Path) -> None:
    (tmp_path / "node_modules").mkdir()
    diags = Diagnostics()
    assets.check_vendor(tmp_path, diags)
    assert [(d.location.path, d.code) for d in diags] == [("package.json", "assets.missing")]


def test_quiet_reporter_passes_items_through() -> None:
    reporter = Reporter()
    with reporter.stage("load"):
        assert list(reporter.track(iter([1, 2, 3]), "x")) == [1, 2, 3]


def test_rich_reporter_logs_stages() -> None:
    buffer = io.StringIO()
    reporter = RichReporter(Console(file=buffer, width=100, force_terminal=False))
    with reporter.stage("render"):
        assert list(reporter.track([1, 2], "writing pages")) == [1, 2]
    assert "render" in buffer.getvalue()
