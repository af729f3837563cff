"""Render stage for the catalogue: home, item table, item pages, editions, diffs, departments, downloads.

Every page is rendered in both languages; the downloads are language-neutral and written once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from generator.catalogue.diff import diff_editions
from generator.catalogue.downloads import CSV_NAME, JSON_NAME, PACKAGE_NAME, edition_downloads
from generator.catalogue.history import (
    all_codes,
    diff_pairs,
    diff_route,
    item_history,
    shown_version,
)
from generator.catalogue.model import CATEGORIES, DISCLOSURES, Catalogue, Department, Edition, Item
from generator.model import OutputFile
from generator.render import NavEntry, Renderer

HOME = "catalogue/"
ITEMS = "catalogue/items/"
EDITIONS = "catalogue/editions/"
DEPARTMENTS = "catalogue/departments/"


def item_route(code: str) -> str:
    return f"{ITEMS}{code}/"


def edition_route(edition_id: str) -> str:
    return f"{EDITIONS}{edition_id}/"


def department_route(code: str) -> str:
    return f"{DEPARTMENTS}{code}/"


def list_route(code: str) -> str:
    return f"lists/{code}/"


def nav_entry(renderer: Renderer) -> NavEntry:
    return NavEntry(HOME, renderer.label("catalogue.nav"), 1.1)


def render_catalogue(
    catalogue: Catalogue, renderer: Renderer, published_lists: frozenset[str]
) -> Iterator[OutputFile]:
    """Every catalogue page in both languages, and every edition's downloads."""
    common = _common(catalogue)
    yield from renderer.render_all_langs(
        "catalogue/home.html", HOME, {**common, **_home(catalogue)}
    )
    yield from renderer.render_all_langs("catalogue/items.html", ITEMS, common)
    for code in all_codes(catalogue):
        yield from _item_page(catalogue, renderer, code, published_lists, common)
    yield from renderer.render_all_langs("catalogue/editions.html", EDITIONS, common)
    for edition in catalogue.editions:
        route = edition_route(edition.id)
        context = {**common, "edition": edition, "compare": _comparisons(catalogue, edition)}
        yield from renderer.render_all_langs("catalogue/edition.html", route, context)
        yield from edition_downloads(edition, renderer.config, renderer.label, route)
    for new, old in diff_pairs(catalogue):
        diff = diff_editions(old, new, renderer.label)
        context = {**common, "diff": diff, "old": old, "new": new}
        yield from renderer.render_all_langs(
            "catalogue/diff.html", diff_route(new.id, old.id), context
        )
    yield from renderer.render_all_langs("catalogue/departments.html", DEPARTMENTS, common)
    for dept in catalogue.departments:
        context = {**common, **_department(catalogue, dept)}
        yield from renderer.render_all_langs(
            "catalogue/department.html", department_route(dept.code), context
        )


def _common(catalogue: Catalogue) -> dict[str, Any]:
    items = catalogue.in_force.items if catalogue.in_force else ()
    return {
        "dept_counts": Counter(p for i in items for p in i.providers),
        "catalogue": catalogue,
        "in_force": catalogue.in_force,
        "departments": {d.code: d for d in catalogue.departments},
        "item_route": item_route,
        "edition_route": edition_route,
        "department_route": department_route,
        "diff_route": diff_route,
        "downloads": (("csv", CSV_NAME), ("json", JSON_NAME), ("datapackage", PACKAGE_NAME)),
        "categories": CATEGORIES,
        "disclosures": DISCLOSURES,
        "drafts": tuple(e for e in catalogue.editions if e.status == "draft"),
    }


def _home(catalogue: Catalogue) -> dict[str, Any]:
    items = catalogue.in_force.items if catalogue.in_force else ()
    by_department = Counter(p for i in items for p in i.providers)
    return {
        "by_category": [(c, sum(1 for i in items if i.category == c)) for c in CATEGORIES],
        "by_disclosure": [(d, sum(1 for i in items if i.disclosure == d)) for d in DISCLOSURES],
        "by_department": sorted(by_department.items()),
    }


def _comparisons(catalogue: Catalogue, edition: Edition) -> list[tuple[Edition, Edition]]:
    """The diff pages this edition takes part in, as (new, old)."""
    return [(n, o) for n, o in diff_pairs(catalogue) if edition.id in (n.id, o.id)]


def _item_page(
    catalogue: Catalogue,
    renderer: Renderer,
    code: str,
    published_lists: frozenset[str],
    common: dict[str, Any],
) -> Iterator[OutputFile]:
    shown = shown_version(catalogue, code)
    if shown is None:
        return
    edition, item = shown
    context = {
        **common,
        "item": item,
        "shown_edition": edition,
        "is_current": catalogue.in_force is not None and edition.id == catalogue.in_force.id,
        "history": item_history(catalogue, code, renderer.label),
        "list_route": list_route(code) if code in published_lists else None,
    }
    yield from renderer.render_all_langs("catalogue/item.html", item_route(code), context)


def _department(catalogue: Catalogue, dept: Department) -> dict[str, Any]:
    in_force = catalogue.in_force
    current = [i for i in in_force.items if dept.code in i.providers] if in_force else []
    current_codes = {i.code for i in current}
    elsewhere: dict[str, tuple[Item, list[Edition]]] = {}
    for edition in catalogue.editions:
        if in_force is not None and edition.id == in_force.id:
            continue
        for item in edition.items:
            if dept.code in item.providers and item.code not in current_codes:
                elsewhere.setdefault(item.code, (item, []))[1].append(edition)
    return {
        "dept": dept,
        "current_items": current,
        "other_items": [elsewhere[c] for c in sorted(elsewhere)],
    }
