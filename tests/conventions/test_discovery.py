"""Sitemaps and robots.txt: in the built sample site, and the sitemap writer on its own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from generator.discovery import MAX_URLS, Sitemap
from generator.model import OutputFile
from tests.conftest import REPO, SAMPLE_AS_OF, make_project, run_cli
from tests.test_site import lang_and_route, site_config

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
BASE = "https://example.org/portal/"


def parse(data: bytes) -> etree._Element:
    # No network and no entities: a sitemap is plain XML.
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def sitemap_files(site: Path) -> list[Path]:
    index = parse((site / "sitemap.xml").read_bytes())
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    locs = [loc.text or "" for loc in index.findall("sm:sitemap/sm:loc", NS)]
    base_url, _ = site_config()
    assert locs and all(loc.startswith(base_url) for loc in locs), locs
    files = [site / loc.removeprefix(base_url) for loc in locs]
    # A sitemap may only list URLs below its own folder, so every file sits at the site root.
    assert all(f.parent == site and f.is_file() for f in files), files
    return files


def url_entries(files: list[Path]) -> list[tuple[str, dict[str, str]]]:
    """(loc, {hreflang: href}) for every <url> of every sitemap file."""
    entries = []
    for file in files:
        urlset = parse(file.read_bytes())
        assert urlset.tag == f"{{{NS['sm']}}}urlset"
        for url in urlset.findall("sm:url", NS):
            loc = url.findtext("sm:loc", namespaces=NS) or ""
            alternates = {
                link.get("hreflang", ""): link.get("href", "")
                for link in url.findall("xhtml:link", NS)
                if link.get("rel") == "alternate"
            }
            entries.append((loc, alternates))
    return entries


# -- the built sample site -------------------------------------------------------------------


def test_sitemap_lists_every_page_once_except_the_404(built_site: Path) -> None:
    base_url, _ = site_config()
    files = sitemap_files(built_site)
    locs = Counter(loc for loc, _ in url_entries(files))
    assert [loc for loc, n in locs.items() if n > 1] == []
    expected = set()
    for path in built_site.rglob("*.html"):
        lang, route = lang_and_route(path.relative_to(built_site).as_posix())
        if route != "404.html":
            expected.add(base_url + ("en/" if lang == "en" else "") + route)
    assert set(locs) == expected
    assert not any(loc.endswith("404.html") for loc in locs)
    for file in files:
        assert len(parse(file.read_bytes())) <= MAX_URLS
        assert file.stat().st_size <= 50 * 1024 * 1024


def test_every_sitemap_url_is_a_built_page(built_site: Path) -> None:
    base_url, _ = site_config()
    for loc, alternates in url_entries(sitemap_files(built_site)):
        for url in (loc, *alternates.values()):
            assert url.startswith(base_url), url
            rel = url.removeprefix(base_url)
            assert (
                built_site / (rel + "index.html" if rel.endswith("/") or not rel else rel)
            ).is_file(), url


def test_hreflang_alternates_pair_each_page_with_its_twin(built_site: Path) -> None:
    base_url, _ = site_config()
    entries = url_entries(sitemap_files(built_site))
    by_loc = dict(entries)
    paired = 0
    for loc, alternates in entries:
        if not alternates:
            continue
        paired += 1
        assert set(alternates) == {"zh-CN", "en", "x-default"}, loc
        zh, en = alternates["zh-CN"], alternates["en"]
        assert en == base_url + "en/" + zh.removeprefix(base_url), loc
        assert alternates["x-default"] == zh
        assert loc in (zh, en)
        # Reciprocal: the twin's entry names the same pair (Google ignores one-way alternates).
        assert by_loc[en if loc == zh else zh] == alternates, loc
    assert paired == len(entries)  # every sample page exists in both languages


def test_sitemap_alternates_agree_with_the_pages_own_head_links(built_site: Path) -> None:
    base_url, _ = site_config()
    entries = dict(url_entries(sitemap_files(built_site)))
    for rel in ("index.html", "en/catalogue/editions/2025/index.html", "lists/SX-02/index.html"):
        soup = BeautifulSoup((built_site / rel).read_bytes(), "lxml")
        head = {
            link["hreflang"]: link["href"]
            for link in soup.select('head link[rel="alternate"][hreflang]')
        }
        loc = base_url + rel.removesuffix("index.html")
        assert {k: v for k, v in entries[loc].items() if k != "x-default"} == head


def test_robots_txt_points_to_the_sitemap_index(built_site: Path) -> None:
    base_url, _ = site_config()
    lines = (built_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {base_url}sitemap.xml" in lines
    assert not any(line.strip() == "Disallow: /" for line in lines)


# -- the sitemap writer ----------------------------------------------------------------------


def stream(*paths: str) -> list[OutputFile]:
    return [OutputFile(p, b"x") for p in paths]


def written(sitemap: Sitemap) -> dict[str, bytes]:
    return {f.path: f.data for f in sitemap.files()}


def test_watch_passes_every_file_through_unchanged() -> None:
    files = stream("index.html", "assets/css/site.css", "en/index.html", "data.json")
    sitemap = Sitemap(BASE)
    assert list(sitemap.watch(files)) == files


def test_pages_are_split_into_files_of_at_most_max_urls() -> None:
    pages = [f"{prefix}p{n}/index.html" for n in range(5) for prefix in ("", "en/")]
    sitemap = Sitemap(BASE, max_urls=3)
    list(sitemap.watch(stream(*pages)))
    files = written(sitemap)
    assert sorted(files) == [
        "robots.txt",
        "sitemap-1.xml",
        "sitemap-2.xml",
        "sitemap-3.xml",
        "sitemap-4.xml",
        "sitemap.xml",
    ]
    counts = [len(parse(files[f"sitemap-{n}.xml"])) for n in range(1, 5)]
    assert counts == [3, 3, 3, 1]
    index = parse(files["sitemap.xml"])
    assert [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)] == [
        f"{BASE}sitemap-{n}.xml" for n in range(1, 5)
    ]


def test_entries_are_sorted_and_404_and_non_pages_are_left_out() -> None:
    sitemap = Sitemap(BASE)
    list(
        sitemap.watch(
            stream(
                "en/b/index.html",
                "b/index.html",
                "404.html",
                "en/404.html",
                "a/index.html",
                "a/data.csv",
                "feed.xml",
                "index.html",
            )
        )
    )
    entries = url_entries_from(written(sitemap)["sitemap-1.xml"])
    assert [loc for loc, _ in entries] == [
        BASE,
        BASE + "a/",
        BASE + "b/",
        BASE + "en/b/",
    ]
    # A page without an English twin has no alternates; one with a twin names both and x-default.
    assert entries[0][1] == {} and entries[1][1] == {}
    assert entries[2][1] == {"zh-CN": BASE + "b/", "en": BASE + "en/b/", "x-default": BASE + "b/"}


def url_entries_from(data: bytes) -> list[tuple[str, dict[str, str]]]:
    return [
        (
            url.findtext("sm:loc", namespaces=NS) or "",
            {
                link.get("hreflang", ""): link.get("href", "")
                for link in url.findall("xhtml:link", NS)
            },
        )
        for url in parse(data).findall("sm:url", NS)
    ]


def test_an_empty_site_still_has_a_valid_index_and_robots() -> None:
    files = written(Sitemap(BASE))
    assert len(parse(files["sitemap-1.xml"])) == 0
    assert (
        files["robots.txt"].decode() == f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n"
    )


def test_urls_are_escaped_for_xml_and_percent_encoded() -> None:
    sitemap = Sitemap(BASE)
    list(sitemap.watch(stream("a&b/index.html", "通知/index.html")))
    locs = [loc for loc, _ in url_entries_from(written(sitemap)["sitemap-1.xml"])]
    assert locs == [BASE + "a&b/", BASE + "%E9%80%9A%E7%9F%A5/"]
    for loc in locs:
        assert urlsplit(loc).scheme == "https"


def test_output_is_deterministic_whatever_the_stream_order() -> None:
    pages = ["x/index.html", "en/x/index.html", "index.html", "en/index.html", "y/z/index.html"]
    one, two = Sitemap(BASE), Sitemap(BASE)
    list(one.watch(stream(*pages)))
    list(two.watch(stream(*reversed(pages))))
    assert written(one) == written(two)


def test_max_urls_is_bounded_by_the_protocol() -> None:
    with pytest.raises(ValueError):
        Sitemap(BASE, max_urls=MAX_URLS + 1)


def test_a_site_under_a_sub_path_lists_its_own_addresses(tmp_path: Path) -> None:
    site_yaml = (REPO / "site.yaml").read_text(encoding="utf-8")
    project = make_project(
        tmp_path,
        {
            "content": None,  # the catalogue alone keeps the build small
            "site.yaml": site_yaml.replace(
                "base_url: https://credit.tianjin.example.gov.cn/",
                "base_url: https://www.example.gov.cn/credit",
            ),
        },
        with_sample=True,
    )
    out = tmp_path / "site"
    result = run_cli("build", "--as-of", SAMPLE_AS_OF, "-q", "--out", str(out), cwd=project)
    assert result.exit_code == 0, result.output
    base = "https://www.example.gov.cn/credit/"
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {base}sitemap.xml" in robots.splitlines()
    index = parse((out / "sitemap.xml").read_bytes())
    assert [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)] == [base + "sitemap-1.xml"]
    entries = url_entries_from((out / "sitemap-1.xml").read_bytes())
    assert entries and all(
        url.startswith(base) for loc, alternates in entries for url in (loc, *alternates.values())
    )
    assert (base + "catalogue/editions/2025/") in {loc for loc, _ in entries}


@pytest.mark.parametrize("base", [BASE, "https://example.org/a&b/", "http://127.0.0.1:8000/"])
def test_plain_and_escaped_urls_are_written_alike(base: str) -> None:
    """URLs that need no encoding skip it (generator.discovery._PLAIN_URL); the text is the same."""
    sitemap = Sitemap(base)
    routes = ["a/", "b-c_d.e~f/x.html", "a&b/", "通知/", "q\"'/"]
    for route in routes:
        for lang in ("zh-CN", "en"):
            url = sitemap.url(route, lang)
            assert sitemap._written_url(route, lang) == (escape(url), quoteattr(url))
