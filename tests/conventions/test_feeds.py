"""Every Atom feed the site has (notices, consultations, each list's changes), whoever renders it:
well-formed for feedparser, announced in some page's head, and pointing only at built pages."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from tests.test_site import internal_target, site_config

ATOM = "{http://www.w3.org/2005/Atom}feed"
# Each section's feed, so that a section whose feed disappears fails here too.
EXPECTED = ("notices/feed.xml", "consultations/feed.xml", "lists/SX-02/changes.xml")


@cache
def atom_feeds(site: Path) -> tuple[str, ...]:
    """Site-relative paths of every Atom feed, found by reading each XML file's root element."""
    feeds = []
    for path in sorted(site.rglob("*.xml")):
        root = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
        if root.getroot().tag == ATOM:
            feeds.append(path.relative_to(site).as_posix())
    return tuple(feeds)


@cache
def head_feed_links(site: Path) -> dict[str, set[str]]:
    """Feed href -> pages whose <head> announces it as rel=alternate application/atom+xml."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in site.rglob("*.html"):
        data = path.read_bytes()
        head = data[: data.find(b"</head>") + len(b"</head>")]  # the head alone: much faster
        soup = BeautifulSoup(head, "lxml")
        for link in soup.select('head link[type="application/atom+xml"]'):
            if "alternate" in link.get("rel", []):
                found[link["href"]].add(path.relative_to(site).as_posix())
    return found


def test_every_section_has_its_feeds_in_both_languages(built_site: Path) -> None:
    feeds = atom_feeds(built_site)
    for feed in EXPECTED:
        assert feed in feeds and "en/" + feed in feeds, feed
    lists = sorted(p.parent.name for p in built_site.glob("lists/*/data.csv"))
    assert lists and all(f"lists/{code}/changes.xml" in feeds for code in lists)


def test_every_feed_parses_cleanly(built_site: Path) -> None:
    base_url, _ = site_config()
    for rel in atom_feeds(built_site):
        feed = feedparser.parse((built_site / rel).read_bytes())
        assert feed.bozo == 0, f"{rel}: {feed.get('bozo_exception')}"
        assert feed.version == "atom10", rel
        assert feed.feed.get("title") and feed.feed.get("updated"), rel
        assert feed.feed.get("language") == ("en" if rel.startswith("en/") else "zh-CN"), rel
        self_links = [link.href for link in feed.feed.links if link.rel == "self"]
        assert self_links == [base_url + rel], rel
        for entry in feed.entries:
            assert entry.get("id") and entry.get("title") and entry.get("updated"), rel


def test_every_feed_is_announced_in_a_page_head(built_site: Path) -> None:
    _, base_path = site_config()
    announced = head_feed_links(built_site)
    for rel in atom_feeds(built_site):
        pages = announced.get(base_path + rel, set())
        assert pages, f"no page's head links to {rel}"
        # A feed is announced by pages of its own language.
        lang_prefix = "en/" if rel.startswith("en/") else ""
        assert all(p.startswith("en/") == bool(lang_prefix) for p in pages), rel


def test_every_announced_feed_exists(built_site: Path) -> None:
    _, base_path = site_config()
    feeds = {base_path + rel for rel in atom_feeds(built_site)}
    assert set(head_feed_links(built_site)) <= feeds


@pytest.mark.parametrize("lang_prefix", ["", "en/"])
def test_feed_links_lead_to_built_pages(built_site: Path, lang_prefix: str) -> None:
    base_url, _ = site_config()
    checked = 0
    for rel in atom_feeds(built_site):
        if rel.startswith("en/") != bool(lang_prefix):
            continue
        feed = feedparser.parse((built_site / rel).read_bytes())
        links = [link.href for link in feed.feed.links]
        links += [link.href for entry in feed.entries for link in entry.get("links", [])]
        for link in links:
            target = internal_target(built_site, base_url, link)
            assert target is not None and target[0].is_file(), f"{rel}: {link}"
            checked += 1
    assert checked > 10
