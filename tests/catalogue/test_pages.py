"""The catalogue's pages on the built sample site (as of 2026-11-30), read through an HTML parser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from generator.catalogue.load import load_catalogue
from generator.catalogue.render import render_catalogue
from generator.config import load_config
from generator.diagnostics import Diagnostics
from generator.render import Renderer, templates_dir
from tests.conftest import REPO

LANG_PREFIX = {"zh-CN": "", "en": "en/"}


def page(site: Path, route: str, lang: str = "zh-CN") -> BeautifulSoup:
    path = site / (LANG_PREFIX[lang] + route) / "index.html"
    assert path.is_file(), f"missing page {path}"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def main(soup: BeautifulSoup) -> Tag:
    found = soup.find("main")
    assert isinstance(found, Tag)
    return found


def texts(nodes: list[Tag]) -> list[str]:
    return [" ".join(n.get_text(" ", strip=True).split()) for n in nodes]


def attrs(soup: BeautifulSoup) -> dict[str, str]:
    """The item page's attribute list, as {label: value}."""
    dl = soup.select_one("dl.item-attrs")
    assert dl is not None
    return dict(zip(texts(dl.find_all("dt")), texts(dl.find_all("dd")), strict=True))


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_home_shows_the_edition_in_force_and_counts(catalogue_site: Path, lang: str) -> None:
    soup = page(catalogue_site, "catalogue/", lang)
    assert soup.html is not None and soup.html["lang"] == lang
    m = main(soup)
    assert texts(m.select(".edition-title a")) == [
        "天津市公共信用信息目录（2025年版）"
        if lang == "zh-CN"
        else "Tianjin Public Credit Information Catalogue (2025 edition)"
    ]
    approval = m.select_one("#in-force ~ dl.attrs, section dl.attrs")
    assert approval is not None and "津信用办〔2025〕3号" in approval.get_text()
    categories = m.select("#counts-category tbody tr")
    assert len(categories) == 4
    total = sum(int(td.get_text()) for td in m.select("#counts-category tbody td"))
    assert total == 33
    assert sum(int(td.get_text()) for td in m.select("#counts-disclosure tbody td")) == 33
    departments = m.select("#counts-department tbody th a")
    assert len(departments) >= 8
    assert all(th.get("scope") == "row" for th in m.select("#counts-department tbody th"))


def test_nav_has_the_catalogue(catalogue_site: Path) -> None:
    soup = page(catalogue_site, "catalogue/")
    current = soup.select_one('nav.site-nav a[aria-current="page"]')
    assert current is not None and current["href"] == "/catalogue/"


def test_the_item_table_lists_every_item_in_force(catalogue_site: Path) -> None:
    m = main(page(catalogue_site, "catalogue/items/", "en"))
    rows = m.select("#item-table tbody tr")
    codes = [r["data-code"] for r in rows]
    assert len(codes) == 33 and codes == sorted(codes)
    assert {"SX-01", "SX-02", "SX-03", "SX-04", "SX-05"} <= set(codes)
    assert {r["data-disclosure"] for r in rows} == {"public", "government_shared", "authorized_query"}
    assert {r["data-category"] for r in rows} == {"basic", "untrustworthy", "trustworthy", "other"}
    assert all(th["scope"] == "col" for th in m.select("#item-table thead th"))
    # Without JavaScript the whole table reads; the filter, which needs JS, starts hidden.
    assert not any(r.has_attr("hidden") for r in rows)
    form = m.select_one("form#item-filter")
    assert form is not None and form.has_attr("hidden")
    for control in form.select("input, select"):
        assert m.select_one(f'label[for="{control["id"]}"]') is not None
    assert page(catalogue_site, "catalogue/items/").select_one('script[src="/assets/js/catalogue.js"]')


def test_item_page_has_every_attribute(catalogue_site: Path) -> None:
    soup = page(catalogue_site, "catalogue/items/SX-02/", "en")
    m = main(soup)
    assert texts(m.find_all("h1")) == ["SX-02 Administrative penalties under the general procedure"]
    shown = attrs(soup)
    assert shown["Category"] == "Untrustworthy information"
    assert shown["Article 12 clause"].startswith("Art. 12(2)")
    assert shown["Public nature"] == "Public"
    assert shown["Update frequency"] == "Daily"
    assert shown["Table schema"] == "sx-02-administrative-penalties"
    assert shown["Publicity period"] == "Serious (1 to 3 years)"
    for label in ("Description", "Credit subjects", "Providers", "Scope", "Right to use"):
        assert shown[label] not in ("", "—"), label
    # The public nature is stated first, prominently.
    panel = m.select_one("section.disclosure-panel")
    assert panel is not None and "Public" in panel.get_text()
    basis = texts(m.select("ol.legal-basis li"))
    assert "Regulations of Tianjin Municipality on Social Credit, Art. 12(2)" in basis


def test_item_page_links_providers_to_department_pages(catalogue_site: Path) -> None:
    m = main(page(catalogue_site, "catalogue/items/SX-04/"))
    links = [a["href"] for a in m.select("ul.provider-list a")]
    assert "/catalogue/departments/TJ-GY/" in links
    for href in links:
        assert (catalogue_site / href.lstrip("/") / "index.html").is_file(), href


def test_item_page_field_table_shows_publish_modes(catalogue_site: Path) -> None:
    m = main(page(catalogue_site, "catalogue/items/SX-02/", "en"))
    rows = {
        r.th.get_text(strip=True): r["data-publish"] for r in m.select("table.field-table tbody tr")
    }
    assert rows["cf_xdr_mc"] == "as_is"
    assert rows["cf_xdr_zjhm"] == "masked"
    assert rows["cf_fr_zjhm"] == "never"
    row = m.select_one('table.field-table tr[data-publish="never"] td:last-child')
    assert row is not None and row.get_text(strip=True) == "Never published"


def test_item_history_across_editions(catalogue_site: Path) -> None:
    m = main(page(catalogue_site, "catalogue/items/SX-02/", "en"))
    states = {r["data-edition"]: r["data-state"] for r in m.select("table.history-table tbody tr")}
    assert states == {"2023": "listed", "2025-draft": "changed", "2025": "changed", "2027-draft": "changed"}
    link = m.select_one('table.history-table tr[data-edition="2025"] a[href*="/diff/"]')
    assert link is not None
    assert link["href"] == "/en/catalogue/editions/2025/diff/2023/#diff-2023-2025-SX-02"
    target = page(catalogue_site, "catalogue/editions/2025/diff/2023/", "en")
    assert target.find(id="diff-2023-2025-SX-02") is not None


def test_a_removed_item_keeps_a_page_with_its_history(catalogue_site: Path) -> None:
    m = main(page(catalogue_site, "catalogue/items/QT-08/", "en"))
    assert m.select_one("#not-current") is not None
    states = {r["data-edition"]: r["data-state"] for r in m.select("table.history-table tbody tr")}
    assert states["2023"] == "listed" and states["2025"] == "removed"


def test_one_page_per_code_across_all_editions(catalogue_site: Path) -> None:
    diags = Diagnostics()
    catalogue = load_catalogue(REPO, dt.date(2026, 11, 30), diags)
    assert catalogue is not None
    codes = {i.code for e in catalogue.editions for i in e.items}
    pages = {p.name for p in (catalogue_site / "catalogue/items").iterdir() if p.is_dir()}
    assert pages == codes
    assert {p.name for p in (catalogue_site / "en/catalogue/items").iterdir() if p.is_dir()} == codes


def test_edition_pages(catalogue_site: Path) -> None:
    m = main(page(catalogue_site, "catalogue/editions/2023/", "en"))
    assert "津信用办〔2023〕2号" in m.get_text()
    assert len(m.select("table.catalogue-items tbody tr")) == 31
    downloads = [a["href"] for a in m.select("ul.download-list a")]
    assert downloads == [
        "/catalogue/editions/2023/catalogue.csv",
        "/catalogue/editions/2023/catalogue.json",
        "/catalogue/editions/2023/datapackage.json",
    ]
    draft = main(page(catalogue_site, "catalogue/editions/2027-draft/"))
    assert draft.select_one(".draft-note") is not None
    index = main(page(catalogue_site, "catalogue/editions/"))
    assert [r["data-edition"] for r in index.select("tbody tr")] == [
        "2027-draft",
        "2025",
        "2025-draft",
        "2023",
    ]


def test_diff_pages_follow_supersedes(catalogue_site: Path) -> None:
    diffs = sorted(
        str(p.parent.relative_to(catalogue_site))
        for p in (catalogue_site / "catalogue/editions").glob("*/diff/*/index.html")
    )
    assert diffs == [
        "catalogue/editions/2025-draft/diff/2023",
        "catalogue/editions/2025/diff/2023",
        "catalogue/editions/2027-draft/diff/2025",
    ]
    m = main(page(catalogue_site, "catalogue/editions/2025/diff/2023/", "en"))
    assert texts(m.select(".diff-added tbody th")) == ["QT-06", "QT-07", "SX-06", "SY-07"]
    assert texts(m.select(".diff-removed tbody th")) == ["QT-08", "SY-08"]
    row = m.select_one('#diff-2023-2025-JC-05 + div tr[data-attribute="disclosure"]')
    assert row is not None
    assert texts(row.find_all("td")) == ["Shared within government", "Query with authorisation"]


def test_department_pages(catalogue_site: Path) -> None:
    index = main(page(catalogue_site, "catalogue/departments/", "en"))
    codes = texts(index.select("tbody th"))
    assert "TJ-SCJG" in codes and len(codes) >= 8
    m = main(page(catalogue_site, "catalogue/departments/TJ-GY/", "en"))
    assert "Tianjin Higher People's Court" in texts(m.find_all("h1"))
    assert "SX-04" in texts(m.select("table.catalogue-items tbody th"))


def test_catalogue_links_resolve(catalogue_site: Path) -> None:
    """Every link within the catalogue, on every catalogue page, points at a file that was built."""
    for html in sorted((catalogue_site / "catalogue").rglob("*.html")):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
        # Links out of the catalogue (home, lists) lead to other sections, not built here.
        for a in soup.select("main a[href^='/catalogue/'], main a[href^='/en/catalogue/']"):
            target = a["href"].split("#")[0].lstrip("/")
            path = catalogue_site / target
            assert path.is_file() or (path / "index.html").is_file(), f"{html}: {a['href']}"


def render_sample(published: frozenset[str]) -> dict[str, bytes]:
    diags = Diagnostics()
    config = load_config(REPO, diags)
    catalogue = load_catalogue(REPO, dt.date(2026, 11, 30), diags)
    assert config is not None and catalogue is not None
    renderer = Renderer(config, templates_dir(REPO), dt.date(2026, 11, 30))
    return {f.path: f.data for f in render_catalogue(catalogue, renderer, published)}


def test_item_links_to_its_published_list_only_when_there_is_one() -> None:
    files = render_sample(frozenset({"SX-02"}))
    with_list = BeautifulSoup(files["en/catalogue/items/SX-02/index.html"], "lxml")
    link = with_list.select_one("a#published-list")
    assert link is not None and link["href"] == "/en/lists/SX-02/"
    without = BeautifulSoup(files["catalogue/items/SX-04/index.html"], "lxml")
    assert without.select_one("a#published-list") is None
    not_public = BeautifulSoup(files["en/catalogue/items/SX-06/index.html"], "lxml")
    assert "This item is not public" in not_public.get_text()


def test_rendering_is_deterministic() -> None:
    assert render_sample(frozenset()) == render_sample(frozenset())
