"""The item table in headless Chromium: filtering hides rows, sorting reorders them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import REPO

pytestmark = pytest.mark.browser


def visible_codes(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#item-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.code)"
    )


def test_typing_a_filter_hides_rows(browser_page: Any, catalogue_url: str) -> None:
    page = browser_page
    page.goto(f"{catalogue_url}/en/catalogue/items/")
    assert page.is_visible("#item-filter")  # the script revealed the form
    assert len(visible_codes(page)) == 33
    page.get_by_label("Filter by keyword").fill("SX-0")
    assert visible_codes(page) == ["SX-01", "SX-02", "SX-03", "SX-04", "SX-05", "SX-06"]
    assert page.locator("#item-table tbody tr[hidden]").count() == 27
    assert page.text_content("#filter-status") == "Showing 6 of 33 items"

    page.get_by_label("Public nature").select_option("government_shared")
    assert visible_codes(page) == ["SX-06"]

    page.get_by_label("Filter by keyword").fill("no such item")
    assert visible_codes(page) == []
    assert "No item matches." in (page.text_content("#filter-status") or "")

    page.get_by_role("button", name="Clear filters").click()
    # The form's reset event fires before the fields are cleared, so the script re-filters a tick later;
    # expect() polls without evaluating strings, which the site's CSP forbids.
    expect(page.locator("#item-table tbody tr[hidden]")).to_have_count(0)
    assert len(visible_codes(page)) == 33


def test_filter_matches_names_and_providers(browser_page: Any, catalogue_url: str) -> None:
    page = browser_page
    page.goto(f"{catalogue_url}/catalogue/items/")
    page.fill("#filter-q", "失信被执行人")
    assert visible_codes(page) == ["SX-04"]
    page.fill("#filter-q", "tj-gy")
    assert "SX-04" in visible_codes(page)
    page.fill("#filter-q", "")
    page.select_option("#filter-category", "trustworthy")
    codes = visible_codes(page)
    assert codes and all(c.startswith("SY-") for c in codes)


def test_sorting_by_a_column(browser_page: Any, catalogue_url: str) -> None:
    page = browser_page
    page.goto(f"{catalogue_url}/en/catalogue/items/")
    code_header = page.locator("#item-table thead th").nth(0)
    code_button = code_header.get_by_role("button")
    code_button.click()
    assert code_header.get_attribute("aria-sort") == "ascending"
    ascending = visible_codes(page)
    assert ascending == sorted(ascending)
    code_button.click()
    assert code_header.get_attribute("aria-sort") == "descending"
    assert visible_codes(page) == sorted(ascending, reverse=True)

    name_header = page.locator("#item-table thead th").nth(1)
    name_header.get_by_role("button").click()
    assert name_header.get_attribute("aria-sort") == "ascending"
    assert code_header.get_attribute("aria-sort") is None
    names = page.eval_on_selector_all(
        "#item-table tbody tr td:nth-child(2)", "cells => cells.map(c => c.textContent.trim())"
    )
    assert names == sorted(names, key=str.lower)
    # Sorting keeps the filter.
    page.fill("#filter-q", "SX-0")
    assert len(visible_codes(page)) == 6


def test_sort_buttons_are_keyboard_operable(browser_page: Any, catalogue_url: str) -> None:
    page = browser_page
    page.goto(f"{catalogue_url}/en/catalogue/items/")
    button = page.locator("#item-table thead th").nth(0).get_by_role("button")
    button.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert page.locator("#item-table thead th").nth(0).get_attribute("aria-sort") == "descending"
    assert visible_codes(page)[0] == "SY-07"


AXE = REPO / "node_modules/axe-core/axe.min.js"


@pytest.mark.parametrize(
    "path",
    [
        "/catalogue/",
        "/en/catalogue/items/",
        "/catalogue/items/SX-02/",
        "/en/catalogue/items/QT-08/",
        "/en/catalogue/editions/2025/",
        "/catalogue/editions/2025/diff/2023/",
        "/en/catalogue/departments/TJ-GY/",
    ],
)
def test_pages_pass_axe(browser: Any, catalogue_url: str, path: str) -> None:
    """WCAG 2.1 AA as axe-core checks it (injecting axe needs the CSP bypassed, in this context only)."""
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(catalogue_url + path)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {
                runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']
            })).violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
        )
        assert violations == []
    finally:
        context.close()
