"""Where the lists' pages and files live: language-neutral routes, deterministic and URL-safe.

Search, the catalogue and the changes feed all link into the lists, so the addressing rules are kept
here, apart from any rendering.
"""

from __future__ import annotations

import hashlib
import re

LISTS_ROUTE = "lists/"
SITE_CHANGES_ROUTE = "lists/changes/"
MANIFEST_PATH = "lists/manifest.json"
SUBJECTS_ROUTE = "subjects/"
OBJECTIONS_ROUTE = "objections/"
CREDIT_REPAIR_ROUTE = "credit-repair/"

# Words of ASCII letters and digits separated by single spaces. Their slugs never contain "_", so
# they cannot collide with the hashed "h_..." form.
_READABLE_RE = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
_SAFE_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")


def _short_hash(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def list_route(code: str) -> str:
    return f"{LISTS_ROUTE}{code}/"


def paged_route(base: str, page: int) -> str:
    """Page 1 lives at the base route itself, page N under `page/N/`, so page 1's address is stable."""
    return base if page == 1 else f"{base}page/{page}/"


def authority_slug(name: str, code: str = "") -> str:
    """The deciding authority's part of a sub-index address.

    Its credit code where the record has one (names vary in spelling); else the name, readable when
    it is plain ASCII and a short hash otherwise (Chinese names). Names that differ only in case or
    spacing share a slug, so callers group records by slug, not by name.
    """
    if code and _SAFE_KEY_RE.fullmatch(code):
        return code
    if _READABLE_RE.fullmatch(name) and len(name) <= 60:
        return "-".join(name.lower().split())
    return "h_" + _short_hash(name, 10)


def authority_route(code: str, slug: str) -> str:
    return f"{list_route(code)}authority/{slug}/"


def district_route(code: str, district: str) -> str:
    folder = district if _SAFE_KEY_RE.fullmatch(district) else "k-" + _short_hash(district, 10)
    return f"{list_route(code)}district/{folder}/"


def subject_fanout(subject_key: str) -> str:
    """Two hex characters of a hash: 256 folders, so a million subjects never share one folder."""
    return _short_hash(subject_key, 2)


def subject_route(subject_key: str) -> str:
    """The page that gathers one subject's published records from every list.

    Keys are credit codes or `p-<hex>`; anything else is hashed so that no key can make an unsafe
    path. A subject page is a file, `<key>.html`, not a folder with an index.html: a million
    subjects would otherwise cost a million folders too, and making a folder costs the file
    system more than making the file in it (docs/performance.md, "The disk").
    """
    name = (
        subject_key if _SAFE_KEY_RE.fullmatch(subject_key) else "k-" + _short_hash(subject_key, 16)
    )
    return f"{SUBJECTS_ROUTE}{subject_fanout(subject_key)}/{name}.html"


def record_route(subject_key: str, record_key: str) -> str:
    """A record's permanent address: its anchor on the subject page (list pages shift as lists grow)."""
    return f"{subject_route(subject_key)}#{record_key}"


def catalogue_item_route(code: str) -> str:
    return f"catalogue/items/{code}/"


def download_path(code: str, name: str) -> str:
    """data.csv, data.json, datapackage.json, changes.json: language-neutral files, written once."""
    return f"{list_route(code)}{name}"


def changes_route(code: str) -> str:
    return f"{list_route(code)}changes/"


def changes_feed_route(code: str) -> str:
    return f"{list_route(code)}changes.xml"
