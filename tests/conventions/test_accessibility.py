"""WCAG 2.1 AA in headless Chromium: axe-core on every page type in both languages, the keyboard
through whole pages, and the language of every run of text.

axe-core comes from npm (node_modules/axe-core). The pages' Content-Security-Policy forbids inline
scripts, so axe is not injected as a <script> element (add_script_tag inlines its source, which the
policy would block): it is evaluated through the DevTools protocol, and the policy stays on, as
visitors get it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Comment, NavigableString

from tests.conftest import REPO
from tests.conventions.samples import LANGS, PAGE_TYPES, PREFIX, page_routes

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    assert AXE.is_file(), "axe-core is missing: run `npm ci` (make setup does)"
    return AXE.read_text(encoding="utf-8")


def open_page(page: Any, served_site: str, built_site: Path, page_type: str, lang: str) -> None:
    route = page_routes(built_site)[page_type]
    response = page.goto(f"{served_site}/{PREFIX[lang]}{route}")
    assert response is not None and response.status == 200
    if page_type == "search":
        # Search renders its results with JavaScript: check the page as it is with them.
        page.wait_for_selector("#search-results[data-state=done]")
        assert page.locator("#search-results .search-group li").count() > 0, "no search results"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.evaluate(axe_source())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
        }""",
        WCAG_21_AA,
    )
    return list(result)


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {node}" for node in v["nodes"][:5]]
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_no_axe_violations_at_wcag_2_1_aa(
    browser_page: Any, served_site: str, built_site: Path, page_type: str, lang: str
) -> None:
    page = browser_page
    open_page(page, served_site, built_site, page_type, lang)
    assert page.locator("html").get_attribute("lang") == lang
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n{describe(violations)}"


# -- keyboard --------------------------------------------------------------------------------

# What the focused element is, whether its focus shows, and where it is.
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        index: Array.prototype.indexOf.call(document.querySelectorAll('*'), el),
        tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href'),
        label: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== 'none',
        inMain: !!el.closest('main'), inNav: !!el.closest('nav.site-nav'),
        width: box.width, height: box.height,
        onScreen: box.right > 0 && box.bottom > 0 && box.left < innerWidth + scrollX,
    };
}"""

# Every element the keyboard should reach, as indexes in document order; radio groups apart,
# since only one radio of a group is a tab stop.
TABBABLE = """() => {
    const all = Array.from(document.querySelectorAll('*'));
    const candidates = document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex], [contenteditable=true]');
    // Inside a closed <details> only its summary is a stop; the keyboard opens it with Enter.
    const folded = el => { const d = el.closest('details:not([open])');
                           return d && el.closest('summary')?.parentElement !== d; };
    const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
                        && !folded(el);
    const stops = [], radios = {}, names = {};
    for (const el of candidates) {
        if (el.disabled || el.tabIndex < 0 || !shown(el) || el.closest('[inert]')) continue;
        if (el.tagName === 'INPUT' && el.type === 'radio') {
            (radios[el.name] = radios[el.name] || []).push(all.indexOf(el));
            continue;
        }
        stops.push(all.indexOf(el));
        names[all.indexOf(el)] = el.outerHTML.slice(0, 120);
    }
    return {stops, names, radios: Object.values(radios)};
}"""

KEYBOARD_PAGES = [
    "home",
    "catalogue-item",
    "edition-diff",
    "consultation-open",
    "list",
    "subject",
    "search",
]


def tab_through(page: Any, limit: int) -> list[dict[str, Any]]:
    """Press Tab until focus leaves the document; every element focused on the way, in order."""
    reached: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (reached and focused["index"] == reached[0]["index"]):
            return reached
        reached.append(focused)
    raise AssertionError(f"focus never left the page after {limit} Tab presses (a keyboard trap?)")


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_type", KEYBOARD_PAGES)
def test_skip_link_is_first_and_moves_focus_to_main(
    browser_page: Any, served_site: str, built_site: Path, page_type: str, lang: str
) -> None:
    page = browser_page
    open_page(page, served_site, built_site, page_type, lang)
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first is not None and first["href"] == "#main", first
    assert first["label"] == ("跳到正文" if lang == "zh-CN" else "Skip to main content")
    assert first["onScreen"] and first["outline"], f"the focused skip link does not show: {first}"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab continues inside main: the header and navigation were skipped.
    page.keyboard.press("Tab")
    after = page.evaluate(FOCUSED)
    assert after is None or after["inMain"] or not after["inNav"], after


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_type", KEYBOARD_PAGES)
def test_keyboard_reaches_everything_with_visible_focus(
    browser_page: Any, served_site: str, built_site: Path, page_type: str, lang: str
) -> None:
    page = browser_page
    open_page(page, served_site, built_site, page_type, lang)
    expected = page.evaluate(TABBABLE)
    reached = tab_through(page, limit=len(expected["stops"]) + len(expected["radios"]) + 10)
    indexes = {r["index"] for r in reached}

    missing = sorted(set(expected["stops"]) - indexes)
    assert missing == [], f"{page.url}: the keyboard never reaches " + "; ".join(
        expected["names"][str(i)] for i in missing[:5]
    )
    assert all(indexes & set(group) for group in expected["radios"]), "a radio group is unreachable"
    unseen = [r for r in reached if not (r["outline"] or r["shadow"])]
    assert unseen == [], f"{page.url}: focus is not visible on {unseen[:5]}"
    assert [
        r for r in reached if r["width"] == 0 and r["height"] == 0 and r["href"] != "#main"
    ] == []
    # The main navigation is on the way, and every one of its links is reached.
    nav = page.locator("nav.site-nav a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert nav and set(nav) <= {r["href"] for r in reached if r["inNav"]}


# -- language of parts (WCAG 3.1.1 and 3.1.2) ------------------------------------------------

# Han characters; Chinese punctuation alone does not make a run Chinese.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LETTER = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")


def effective_lang(node: Any) -> str | None:
    for parent in node.parents:
        lang = parent.get("lang") if hasattr(parent, "get") else None
        if lang:
            return str(lang)
    return None


def chinese_run(text: str) -> bool:
    """A run of Chinese, not a Chinese term quoted in English: three Han characters or more,
    and at least half of its letters."""
    han = len(HAN.findall(text))
    return han >= 3 and han * 2 >= len(LETTER.findall(text))


def test_chinese_on_english_pages_is_marked_as_chinese(built_site: Path) -> None:
    """Screen readers switch voice by `lang`; unmarked Chinese is read as English gibberish."""
    offenders: dict[str, str] = {}
    for path in sorted((built_site / "en").rglob("*.html")):
        soup = BeautifulSoup(path.read_bytes(), "lxml")
        assert soup.body is not None
        for node in soup.body.find_all(string=HAN):
            if isinstance(node, Comment) or not isinstance(node, NavigableString):
                continue
            if node.parent is None or node.parent.name in ("script", "style"):
                continue
            if chinese_run(str(node)) and effective_lang(node) != "zh-CN":
                where = f"<{node.parent.name} class={' '.join(node.parent.get('class', []))}>"
                offenders.setdefault(
                    f"{path.parent.relative_to(built_site).parts[:3]} {where}",
                    f"{path.relative_to(built_site)}: {node.strip()[:50]!r}",
                )
    assert offenders == {}, "\n".join(offenders.values())


def test_english_is_not_marked_chinese_on_english_pages(built_site: Path) -> None:
    """The reverse mistake: UI text of an English page inside an element marked zh-CN."""
    for rel in (
        "en/index.html",
        "en/lists/SX-02/index.html",
        "en/catalogue/items/SX-02/index.html",
    ):
        soup = BeautifulSoup((built_site / rel).read_bytes(), "lxml")
        for tag in soup.find_all(lang="zh-CN"):
            if tag.name == "a" and "lang-switch" in (tag.parent.get("class") or []):
                continue
            text = " ".join(tag.get_text().split())
            assert HAN.search(text) or not LETTER.search(text), f"{rel}: {tag.name} {text[:60]!r}"


@pytest.mark.browser
def test_the_axe_harness_does_report_violations(browser_page: Any) -> None:
    """The harness itself: a page with known faults must fail, or the tests above prove nothing."""
    page = browser_page
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
        '<p style="color:#bbb;background:#fff">faint</p></main></body></html>'
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label", "color-contrast"} <= found
