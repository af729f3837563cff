"""Content-Security-Policy and what it forbids, the 404 page, the favicon and the print stylesheet."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
from lxml import etree

from tests.conventions.samples import page_routes
from tests.test_site import site_config

LANGS = ("zh-CN", "en")
PREFIX = {"zh-CN": "", "en": "en/"}


@cache
def pages(site: Path) -> tuple[Path, ...]:
    return tuple(sorted(site.rglob("*.html")))


def tree(path: Path) -> Any:
    return lxml.html.fromstring(path.read_bytes())


def csp_of(doc: Any) -> dict[str, list[str]]:
    metas = doc.xpath(
        '//head/meta[translate(@http-equiv, "CONTENT-SECURITYPOLICY", "content-securitypolicy")="content-security-policy"]'
    )
    assert len(metas) == 1, "expected one Content-Security-Policy meta"
    policy: dict[str, list[str]] = {}
    for directive in metas[0].get("content", "").split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


# -- Content-Security-Policy -----------------------------------------------------------------


def test_every_page_has_a_strict_content_security_policy(built_site: Path) -> None:
    for path in pages(built_site):
        doc = tree(path)
        policy = csp_of(doc)
        for directive in ("default-src", "script-src", "style-src"):
            values = policy[directive]
            assert "'self'" in values, f"{path}: {directive} {values}"
            unsafe = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"}
            assert not unsafe & set(values), f"{path}: {directive} {values}"
        assert policy["object-src"] == ["'none'"], path
        assert policy["base-uri"] == ["'self'"], path
        # A policy in a meta only covers what comes after it: it must precede every resource.
        children = list(doc.head)
        meta = doc.head.xpath("meta[@http-equiv]")[0]
        resources = doc.head.xpath("link|script|style")
        assert all(children.index(meta) < children.index(r) for r in resources), path


def test_no_inline_script_handler_or_style_except_json_ld(built_site: Path) -> None:
    """The policy forbids them, so a browser would silently ignore them: none may be relied on."""
    offenders = []
    for path in pages(built_site):
        rel = path.relative_to(built_site).as_posix()
        for el in tree(path).iter(etree.Element):
            if el.tag == "script" and not el.get("src"):
                if el.get("type") != "application/ld+json":
                    offenders.append(f"{rel}: inline <script>")
                else:
                    json.loads(el.text or "")  # a data block: inert, but it must be valid JSON
            if el.tag == "style":
                offenders.append(f"{rel}: <style>")
            for name, value in el.attrib.items():
                if name.lower().startswith("on") or name.lower() == "style":
                    offenders.append(f"{rel}: <{el.tag} {name}=…>")
                if name in ("href", "src", "action") and value.strip().lower().startswith(
                    "javascript:"
                ):
                    offenders.append(f"{rel}: <{el.tag} {name}={value!r}>")
    assert offenders == []


def test_scripts_come_from_the_site_itself(built_site: Path) -> None:
    _, base_path = site_config()
    sources = set()
    for path in pages(built_site):
        sources.update(tree(path).xpath("//script/@src"))
    assert sources and all(s.startswith(base_path + "assets/") for s in sources), sources
    for src in sources:
        assert (built_site / src.removeprefix(base_path)).is_file(), src


# -- the 404 page ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_404_page_works_from_any_depth(built_site: Path, lang: str) -> None:
    """Hosts serve it for a missing page at any path, so none of its links may be relative."""
    _, base_path = site_config()
    path = built_site / PREFIX[lang] / "404.html"
    doc = tree(path)
    assert doc.get("lang") == lang
    assert [" ".join(h.text_content().split()) for h in doc.xpath("//h1")] == [
        "页面不存在" if lang == "zh-CN" else "Page not found"
    ]
    links = doc.xpath("//@href | //@src | //@action")
    assert links
    for link in links:
        parts = urlsplit(link)
        assert parts.scheme or link.startswith(base_path) or link.startswith("#"), link
    # Home and search are offered as ways on.
    hrefs = set(doc.xpath("//main//a/@href"))
    assert base_path + PREFIX[lang] in hrefs and base_path + PREFIX[lang] + "search/" in hrefs


def test_404_is_not_in_the_sitemap(built_site: Path) -> None:
    locs = etree.parse(str(built_site / "sitemap-1.xml")).xpath(
        "//sm:loc/text()", namespaces={"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    )
    assert not [loc for loc in locs if loc.endswith("404.html")]


# -- favicon -----------------------------------------------------------------------------------


def test_favicon_is_a_valid_svg_linked_from_every_page(built_site: Path) -> None:
    _, base_path = site_config()
    svg = etree.parse(str(built_site / "assets/favicon.svg")).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox")
    for path in pages(built_site):
        icons = tree(path).xpath('//head/link[@rel="icon"]')
        assert [(i.get("href"), i.get("type")) for i in icons] == [
            (base_path + "assets/favicon.svg", "image/svg+xml")
        ], path


# -- print stylesheet --------------------------------------------------------------------------


def test_every_page_links_the_print_stylesheet(built_site: Path) -> None:
    _, base_path = site_config()
    for path in pages(built_site):
        sheets = tree(path).xpath('//head/link[@rel="stylesheet"][@media="print"]/@href')
        assert sheets == [base_path + "assets/css/print.css"], path
    assert (built_site / "assets/css/print.css").is_file()


def visible(page: Any, selector: str) -> bool:
    return bool(page.locator(selector).first.is_visible())


@pytest.mark.browser
@pytest.mark.parametrize("page_type", ["subject", "list", "catalogue-item"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_page_prints_as_evidence(
    browser_page: Any, served_site: str, built_site: Path, page_type: str, lang: str
) -> None:
    """On paper: the content, the date the data was true on, and the page's own address."""
    base_url, _ = site_config()
    route = page_routes(built_site)[page_type]
    page = browser_page
    page.goto(f"{served_site}/{PREFIX[lang]}{route}")
    assert not visible(page, ".print-source")  # not on screen
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-nav", ".site-search", ".lang-switch", ".footer-links"):
        assert not visible(page, hidden), hidden
    assert visible(page, "main h1")
    assert visible(page, ".site-footer .as-of")
    source = page.locator(".print-source")
    assert source.is_visible()
    assert base_url + PREFIX[lang] + route in source.inner_text()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
