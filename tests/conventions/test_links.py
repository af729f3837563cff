"""Links over the whole built sample site, beyond the pages' own href/src/action (which
tests/test_site.py::test_every_internal_link_resolves checks, anchors included):

- every URL of the site named in its other files (sitemaps, feeds, JSON-LD, catalogues, data
  packages, robots.txt, style sheets) resolves to a built file;
- links that leave the site are listed, never fetched: `make links` prints the list, and the test
  keeps it in the pytest cache (`pytest --cache-show 'conventions/*'`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
from lxml import etree

from tests.test_site import internal_target, site_config, site_facts

CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""")


def site_urls_in_json(value: Any) -> Iterator[str]:
    base_url, _ = site_config()
    if isinstance(value, str):
        if value.startswith(base_url):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from site_urls_in_json(item)
    elif isinstance(value, list):
        for item in value:
            yield from site_urls_in_json(item)


def urls_in_xml(path: Path) -> Iterator[str]:
    root = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    for el in root.iter(etree.Element):
        if etree.QName(el).localname == "loc" and el.text:
            yield el.text.strip()
        href = el.get("href")
        if href:
            yield href


def resolves(site: Path, url: str) -> bool:
    target = internal_target(site, site_config()[0], url)
    return target is not None and target[0].is_file()


def test_site_urls_in_non_html_files_resolve(built_site: Path) -> None:
    base_url, _ = site_config()
    broken: dict[str, set[str]] = defaultdict(set)
    checked = 0

    def check(url: str, where: Path) -> None:
        nonlocal checked
        if urlsplit(url).netloc != urlsplit(base_url).netloc:
            return
        checked += 1
        if not resolves(built_site, url):
            broken[url].add(where.relative_to(built_site).as_posix())

    for path in sorted(built_site.rglob("*.xml")):
        for url in urls_in_xml(path):
            check(url, path)
    for name in ("catalog.jsonld", "data.json"):
        for url in site_urls_in_json(json.loads((built_site / name).read_text(encoding="utf-8"))):
            check(url, built_site / name)
    for path in sorted(built_site.rglob("*.html")):
        data = path.read_bytes()
        if b"application/ld+json" not in data:
            continue
        for script in lxml.html.fromstring(data).xpath('//script[@type="application/ld+json"]'):
            for url in site_urls_in_json(json.loads(script.text)):
                check(url, path)
    robots = (built_site / "robots.txt").read_text(encoding="utf-8")
    for line in robots.splitlines():
        if line.lower().startswith("sitemap:"):
            check(line.split(":", 1)[1].strip(), built_site / "robots.txt")
    assert checked > 1000
    assert not broken, "\n".join(f"{u} <- {sorted(w)[:3]}" for u, w in sorted(broken.items()))


def test_data_packages_describe_files_that_exist(built_site: Path) -> None:
    packages = sorted(built_site.rglob("datapackage.json"))
    assert packages
    for package in packages:
        descriptor = json.loads(package.read_text(encoding="utf-8"))
        for resource in descriptor["resources"]:
            assert (package.parent / resource["path"]).is_file(), f"{package}: {resource['path']}"
        homepage = descriptor.get("homepage")
        if homepage:
            assert resolves(built_site, homepage), f"{package}: {homepage}"


def test_style_sheet_urls_resolve(built_site: Path) -> None:
    for css in sorted(built_site.rglob("*.css")):
        for ref in CSS_URL.findall(css.read_text(encoding="utf-8")):
            if ref.startswith(("data:", "#")):
                continue
            assert not urlsplit(ref).scheme, f"{css}: {ref} leaves the site"
            assert (css.parent / ref.split("#")[0].split("?")[0]).resolve().is_file(), (
                f"{css}: {ref}"
            )


# -- links that leave the site ---------------------------------------------------------------


def external_links(site: Path) -> dict[str, dict[str, Any]]:
    """scheme://host (or mailto:address) -> how many links, and the first page with one."""
    base_url, _ = site_config()
    found: dict[str, dict[str, Any]] = {}
    for page in site_facts(site):  # every page's href, src and action, parsed once for all tests
        page_url = base_url + ("en/" if page.lang == "en" else "") + page.route
        for _, link in page.links:
            link = link.strip()
            if (
                not link
                or link.startswith("#")
                or internal_target(site, page_url, link) is not None
            ):
                continue
            parts = urlsplit(link)
            if parts.scheme in ("", "data"):
                continue  # a relative link inside the site (checked by test_site), or inline data
            key = (
                f"mailto:{parts.path}"
                if parts.scheme == "mailto"
                else f"{parts.scheme}://{parts.netloc}"
            )
            entry = found.setdefault(key, {"links": 0, "first": link, "page": page_url})
            entry["links"] += 1
    return dict(sorted(found.items()))


def test_external_links_are_listed_not_fetched(
    built_site: Path, request: pytest.FixtureRequest, record_property: Any
) -> None:
    found = external_links(built_site)
    assert found, "the sample links to no other site at all?"
    for entry in found.values():
        parts = urlsplit(entry["first"])
        assert parts.scheme in ("https", "http", "mailto"), f"unexpected scheme: {entry}"
        if parts.scheme == "mailto":
            assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", parts.path), entry
        else:
            assert parts.netloc and " " not in entry["first"], entry
    listing = [
        f"{key}  ({e['links']} links; e.g. {e['first'][:100]} on {e['page']})"
        for key, e in found.items()
    ]
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    if cache is not None:
        cache.set("conventions/external-links", listing)
    record_property("external_links", "\n".join(listing))
    print("external links (listed, not fetched):", *listing, sep="\n  ")
