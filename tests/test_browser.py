"""The built sample site in headless Chromium: every main navigation link works in both languages.

`browser_page` fails the test on any console error (a missing asset, a CSP violation) or page error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

HOMES = {"zh-CN": "/", "en": "/en/"}


def nav_hrefs(page: Any) -> list[str]:
    hrefs = page.locator("header nav.site-nav a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert hrefs, f"no main navigation on {page.url}"
    return list(hrefs)


def path_of(url: str) -> str:
    return urlsplit(url).path


def expected_switch(path: str, lang: str) -> str:
    return "/en" + path if lang == "zh-CN" else path.removeprefix("/en")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_main_navigation_link_works(browser_page: Any, served_site: str, lang: str) -> None:
    page = browser_page
    response = page.goto(served_site + HOMES[lang])
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    hrefs = nav_hrefs(page)
    assert len(hrefs) >= 5

    for index, href in enumerate(hrefs):
        page.goto(served_site + HOMES[lang])
        link = page.locator("header nav.site-nav a").nth(index)
        assert link.get_attribute("href") == href
        with page.expect_navigation() as navigation:
            link.click()
        response = navigation.value
        assert response is not None and response.status == 200, (
            f"{href}: {response and response.status}"
        )
        assert path_of(page.url) == href
        assert page.locator("h1").count() >= 1, f"{href} has no h1"
        assert page.locator("html").get_attribute("lang") == lang, href
        # Every page reached keeps the same navigation (so none of it is a dead end).
        assert nav_hrefs(page) == hrefs, href

        # The language switch leads to the same page in the other language, and back.
        other = "en" if lang == "zh-CN" else "zh-CN"
        with page.expect_navigation() as switched:
            page.locator(".lang-switch a").first.click()
        assert switched.value is not None and switched.value.status == 200
        assert path_of(page.url) == expected_switch(href, lang)
        assert page.locator("html").get_attribute("lang") == other
        assert page.locator("h1").count() >= 1


def test_language_switch_from_the_home_page(browser_page: Any, served_site: str) -> None:
    page = browser_page
    page.goto(served_site + "/")
    switch = page.locator(".lang-switch a")
    assert switch.count() == 1
    assert switch.inner_text().strip() == "English"
    switch.click()
    page.wait_for_url(served_site + "/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".skip-link").inner_text().strip() == "Skip to main content"

    page.locator(".lang-switch a").click()
    page.wait_for_url(served_site + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    browser_page: Any, served_site: str
) -> None:
    page = browser_page
    page.goto(served_site + "/en/about/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    assert page.locator(".skip-link").is_visible()  # it shows when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_missing_page_shows_the_site_404(browser: Any, served_site: str) -> None:
    # Not `browser_page`: the 404 of the page itself is a console error here, and the point.
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        response = page.goto(served_site + "/no/such/page/")
        assert response is not None and response.status == 404
        assert page.locator("h1").inner_text().strip() == "页面不存在"
        page.wait_for_load_state("load")
        assert [e for e in errors if "status of 404" not in e] == []
        assert len(errors) == 1  # only the missing page itself; its styles and scripts load
    finally:
        context.close()
