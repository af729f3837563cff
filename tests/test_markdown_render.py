"""markdown_render: publisher Markdown to safe HTML (tables, anchors, sanitising, base-path links)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from generator.markdown_render import render_markdown


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def test_tables() -> None:
    html = soup(render_markdown("| 类别 | 公示期限 |\n|---|---|\n| 一般 | 3个月至1年 |\n"))
    table = html.find("table")
    assert table is not None
    assert [th.get_text() for th in table.select("thead th")] == ["类别", "公示期限"]
    assert [td.get_text() for td in table.select("tbody td")] == ["一般", "3个月至1年"]


def test_chinese_headings_get_unicode_anchors() -> None:
    html = soup(render_markdown("## 公示期限\n\n### 如何申请信用修复\n\n## Scope\n"))
    headings = html.find_all(["h2", "h3"])
    assert [h["id"] for h in headings] == ["公示期限", "如何申请信用修复", "scope"]
    # Each heading carries a link to itself, so it can be shared.
    assert [h.find("a")["href"] for h in headings] == ["#公示期限", "#如何申请信用修复", "#scope"]


def test_explicit_anchor_and_duplicate_headings() -> None:
    html = soup(render_markdown("## 公示期限 {#publicity}\n\n## 附则\n\n## 附则\n"))
    assert [h["id"] for h in html.find_all("h2")] == ["publicity", "附则", "附则_1"]


def test_anchors_do_not_leak_between_documents() -> None:
    # The converter is reused; its record of used ids must be reset for each document.
    first = soup(render_markdown("## 附则\n"))
    second = soup(render_markdown("## 附则\n"))
    assert first.h2["id"] == second.h2["id"] == "附则"


def test_raw_script_and_event_handlers_are_stripped() -> None:
    html = render_markdown(
        'Text <script>alert("x")</script>\n\n<img src="/a.png" onerror="alert(1)">\n\n'
        '<p onclick="alert(2)" style="color:red">p</p>\n\n<iframe src="/x"></iframe>\n'
    )
    parsed = soup(html)
    assert parsed.find("script") is None
    assert parsed.find("iframe") is None
    assert "alert" not in html
    for tag in parsed.find_all(True):
        assert not any(attr.startswith("on") or attr == "style" for attr in tag.attrs), tag


def test_javascript_and_data_links_are_dropped() -> None:
    html = soup(
        render_markdown(
            "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) "
            '<a href="data:text/html,x">c</a> [ok](https://example.org/) [mail](mailto:a@example.org)\n'
        )
    )
    links = {a.get_text(): a.get("href") for a in html.find_all("a")}
    assert links == {
        "a": None,
        "b": None,
        "c": None,
        "ok": "https://example.org/",
        "mail": "mailto:a@example.org",
    }


def test_root_relative_links_are_rebased_under_the_base_path() -> None:
    source = "[名单](/lists/) [en](/en/lists/?q=1#top) ![图](/assets/a.png) [rel](sub/) [frag](#x) [ext](https://e.org/x) [pr](//e.org/x)\n"
    html = soup(render_markdown(source, "/portal/"))
    hrefs = [a["href"] for a in html.find_all("a")]
    assert hrefs == [
        "/portal/lists/",
        "/portal/en/lists/?q=1#top",
        "sub/",
        "#x",
        "https://e.org/x",
        "//e.org/x",
    ]
    assert html.find("img")["src"] == "/portal/assets/a.png"
    # At the root, links stay as written.
    assert soup(render_markdown("[名单](/lists/)\n")).a["href"] == "/lists/"


def test_common_markdown_features() -> None:
    html = soup(
        render_markdown(
            "1. 第一\n2. 第二\n\n- 甲\n- 乙\n\n**重要** *强调* `代码`\n\n```\npre\n```\n\n术语\n:   定义\n\n> 引用\n"
        )
    )
    assert [li.get_text() for li in html.select("ol > li")] == ["第一", "第二"]
    assert [li.get_text() for li in html.select("ul > li")] == ["甲", "乙"]
    assert html.strong.get_text() == "重要" and html.em.get_text() == "强调"
    assert html.find("pre") is not None
    assert html.find("dl") is not None
    assert html.find("blockquote") is not None


def test_page_headings_start_below_h1() -> None:
    # The template owns the page's h1; a `# ` heading in content must not create a second one.
    assert soup(render_markdown("# 标题\n\n正文\n")).find("h1") is None
