"""One page of every page type in the built sample site, found by looking at the site, not hard-coded.

The accessibility, validity and keyboard tests all run over this sample, so a new section's pages
join them by adding one line here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup

LANGS = ("zh-CN", "en")
PREFIX = {"zh-CN": "", "en": "en/"}

# The page types issue 7 names, then the other templates, so every template is checked.
REQUIRED_TYPES = (
    "home",
    "page",
    "notice",
    "catalogue-home",
    "catalogue-item",
    "edition-diff",
    "consultation-open",
    "consultation-concluded",
    "list",
    "subject",
    "search",
)
OTHER_TYPES = (
    "notices",
    "catalogue-items",
    "editions",
    "edition",
    "departments",
    "department",
    "consultations",
    "outcome-diff",
    "lists",
    "list-page-2",
    "list-authority",
    "list-district",
    "list-changes",
    "lists-changes",
    "404",
)
PAGE_TYPES = REQUIRED_TYPES + OTHER_TYPES


def _first(site: Path, pattern: str) -> str:
    """The route of the first page (in sorted order) matching a glob of index.html files."""
    found = sorted(site.glob(pattern))
    assert found, f"the sample site has no page matching {pattern}"
    return found[0].parent.relative_to(site).as_posix() + "/"


def _consultation(site: Path, state: str) -> str:
    for path in sorted(site.glob("consultations/*/index.html")):
        soup = BeautifulSoup(path.read_bytes(), "lxml")
        if soup.select_one(f"article.consultation.state-{state}") is not None:
            return path.parent.relative_to(site).as_posix() + "/"
    raise AssertionError(f"the sample site has no {state} consultation")


def _organisation_subject(site: Path) -> tuple[str, str]:
    """A subject page of an organisation (not a person), and its credit code, to search for."""
    for path in sorted(site.glob("subjects/*/*.html")):
        key = path.stem
        if re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}", key):
            return path.relative_to(site).as_posix(), key
    raise AssertionError("the sample site has no organisation's subject page")


@cache
def page_routes(site: Path) -> dict[str, str]:
    """Page type -> its language-neutral route (a query string for search with results)."""
    subject, code = _organisation_subject(site)
    routes = {
        "home": "",
        "page": "about/",
        "notice": _first(site, "notices/*/index.html"),
        "notices": "notices/",
        "catalogue-home": "catalogue/",
        "catalogue-items": "catalogue/items/",
        "catalogue-item": _first(site, "catalogue/items/*/index.html"),
        "editions": "catalogue/editions/",
        "edition": _first(site, "catalogue/editions/*/index.html"),
        "edition-diff": _first(site, "catalogue/editions/*/diff/*/index.html"),
        "departments": "catalogue/departments/",
        "department": _first(site, "catalogue/departments/*/index.html"),
        "consultations": "consultations/",
        "consultation-open": _consultation(site, "open"),
        "consultation-concluded": _consultation(site, "concluded"),
        "outcome-diff": _first(site, "consultations/*/outcome-diff/index.html"),
        "lists": "lists/",
        "list": _first(site, "lists/*/page/2/index.html").removesuffix("page/2/"),
        "list-page-2": _first(site, "lists/*/page/2/index.html"),
        "list-authority": _first(site, "lists/*/authority/*/index.html"),
        "list-district": _first(site, "lists/*/district/*/index.html"),
        "list-changes": _first(site, "lists/*/changes/index.html"),
        "lists-changes": "lists/changes/",
        "subject": subject,
        "search": f"search/?q={code}",
        "404": "404.html",
    }
    assert set(routes) == set(PAGE_TYPES)
    return routes


def file_of(site: Path, route: str, lang: str) -> Path:
    """The built file of a route (its query string, if any, dropped)."""
    path = PREFIX[lang] + route.split("?", 1)[0]
    return site / (path + "index.html" if path == "" or path.endswith("/") else path)
