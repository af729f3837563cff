"""The search page, `search/`, in every language, and its place in the navigation."""

from __future__ import annotations

from collections.abc import Iterator

from generator.model import OutputFile
from generator.render import NavEntry, Renderer
from generator.search.paths import SEARCH_ROUTE

NAV_ORDER = 1.8  # after the site's sections, before the notices (1.9)


def nav_entry(renderer: Renderer) -> NavEntry:
    return NavEntry(SEARCH_ROUTE, renderer.label("search.nav"), NAV_ORDER)


def render_pages(renderer: Renderer) -> Iterator[OutputFile]:
    # Everything the page shows comes from the index files: it is the same for any content.
    yield from renderer.render_all_langs("search/search.html", SEARCH_ROUTE)
