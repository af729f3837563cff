"""content: Markdown pages and notices with front matter, their English siblings, and their problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.content import Content, load_content, split_front_matter
from generator.diagnostics import Diagnostics, Location, Severity
from generator.model import LangText
from tests.conftest import make_project

ABOUT = """\
---
title:
  zh-CN: 关于平台
  en: About the platform
slug: about
nav_order: 2
summary: 平台简介。
---

## 平台的定位

正文。
"""


def load(
    tmp_path: Path, files: dict[str, str]
) -> tuple[Content, list[tuple[str, int | None, str]]]:
    root = make_project(tmp_path, files)
    diags = Diagnostics()
    content = load_content(root, diags)
    return content, [(d.location.path, d.location.line, d.code) for d in diags.sorted()]


def test_page_with_front_matter(tmp_path: Path) -> None:
    content, problems = load(tmp_path, {"content/pages/about.md": ABOUT})
    assert problems == [("content/pages", None, "content.no-home")]
    (page,) = content.pages
    assert page.source == "content/pages/about.md"
    assert page.slug == "about"
    assert page.title == LangText("关于平台", "About the platform")
    assert page.nav_order == 2
    assert page.summary == LangText("平台简介。")
    assert page.body == LangText("\n## 平台的定位\n\n正文。\n", None)


def test_english_sibling_gives_the_english_body_and_may_override_the_title(tmp_path: Path) -> None:
    content, problems = load(
        tmp_path,
        {
            "content/pages/index.md": "---\ntitle: 首页\nslug: index\n---\n首页正文\n",
            "content/pages/index.en.md": "---\ntitle: Home\n---\nHome text\n",
            "content/pages/about.md": ABOUT,
            "content/pages/about.en.md": "About text, no front matter\n",
        },
    )
    assert problems == []
    pages = {p.slug: p for p in content.pages}
    assert pages["index"].title == LangText("首页", "Home")
    assert pages["index"].body == LangText("首页正文\n", "Home text\n")
    assert pages["about"].title == LangText("关于平台", "About the platform")
    assert pages["about"].body.en == "About text, no front matter\n"


def test_no_english_text_means_fallback(tmp_path: Path) -> None:
    content, _ = load(
        tmp_path, {"content/pages/index.md": "---\ntitle: 首页\nslug: index\n---\n正文\n"}
    )
    (page,) = content.pages
    assert page.body.en is None
    assert not page.body.has("en")
    assert page.body.get("en") == "正文\n"  # the Chinese stands in
    assert page.title.get("en") == "首页"


def test_english_sibling_accepts_only_a_title(tmp_path: Path) -> None:
    _, problems = load(
        tmp_path,
        {
            "content/pages/index.md": "---\ntitle: 首页\nslug: index\n---\n正文\n",
            "content/pages/index.en.md": "---\ntitle: Home\nslug: home\n---\nHome\n",
        },
    )
    assert problems == [("content/pages/index.en.md", 3, "content.unknown-key")]


def test_orphan_english_text_is_a_warning(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "content/pages/index.md": "---\ntitle: 首页\nslug: index\n---\n正文\n",
            "content/pages/abuot.en.md": "About, with a typo in the file name\n",
        },
    )
    diags = Diagnostics()
    content = load_content(root, diags)
    assert [(d.severity, d.location.path, d.code) for d in diags] == [
        (Severity.WARNING, "content/pages/abuot.en.md", "content.orphan-translation")
    ]
    assert [p.slug for p in content.pages] == ["index"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # No front matter at all.
        ("# 关于\n", [("content/pages/x.md", 1, "content.front-matter")]),
        # Front matter without a title, or with a blank one.
        ("---\nslug: x\n---\n", [("content/pages/x.md", 2, "content.missing-key")]),
        ("---\ntitle: ''\nslug: x\n---\n", [("content/pages/x.md", 2, "content.missing-key")]),
        (
            "---\ntitle: {zh-CN: '', en: X}\nslug: x\n---\n",
            [("content/pages/x.md", 2, "content.missing-key")],
        ),
        ("---\n---\nbody\n", [("content/pages/x.md", 1, "content.missing-key")]),
        # Broken front matter is reported once, at its real line, with no follow-on errors.
        ("---\ntitle: 关于\nslug: [x\n---\n", [("content/pages/x.md", 4, "content.front-matter")]),
        ("---\ntitle: 关于\ntitle: 又\n---\n", [("content/pages/x.md", 3, "yaml.duplicate-key")]),
        ("---\n- a list\n---\n", [("content/pages/x.md", 2, "content.front-matter")]),
        ("---\ntitle: 关于\nslug: x\n", [("content/pages/x.md", 1, "content.front-matter")]),
        # Unknown keys, with their line.
        (
            "---\ntitle: 关于\nslug: x\nnav-order: 1\n---\n",
            [("content/pages/x.md", 4, "content.unknown-key")],
        ),
    ],
)
def test_front_matter_problems(tmp_path: Path, text: str, expected: list[object]) -> None:
    _, problems = load(
        tmp_path,
        {
            "content/pages/index.md": "---\ntitle: 首页\nslug: index\n---\n",
            "content/pages/x.md": text,
        },
    )
    assert problems == expected
    assert "" not in {path for path, _, _ in problems}


@pytest.mark.parametrize("slug", ["About", "about_us", "about--us", "-about", "关于", "a/b"])
def test_bad_slug(tmp_path: Path, slug: str) -> None:
    content, problems = load(
        tmp_path,
        {
            "content/pages/index.md": "---\ntitle: 首页\nslug: index\n---\n",
            "content/pages/x.md": f"---\ntitle: 关于\nslug: '{slug}'\n---\n",
        },
    )
    assert problems == [("content/pages/x.md", 3, "content.invalid-slug")]
    assert [p.slug for p in content.pages] == ["index"]


@pytest.mark.parametrize("slug", ["en", "assets", "catalogue", "lists", "search", "notices"])
def test_reserved_slug(tmp_path: Path, slug: str) -> None:
    content, problems = load(
        tmp_path,
        {
            "content/pages/index.md": "---\ntitle: 首页\nslug: index\n---\n",
            "content/pages/x.md": f"---\ntitle: 关于\nslug: {slug}\n---\n",
        },
    )
    assert problems == [("content/pages/x.md", 3, "content.reserved-slug")]
    assert [p.slug for p in content.pages] == ["index"]


def test_duplicate_slug(tmp_path: Path) -> None:
    _, problems = load(
        tmp_path,
        {
            "content/pages/a.md": "---\ntitle: 甲\nslug: index\n---\n",
            "content/pages/b.md": "---\ntitle: 乙\nslug: index\n---\n",
            "content/notices/2026-01-01-x.md": "---\ntitle: 通知\nslug: x\ndate: 2026-01-01\n---\n",
            "content/notices/2026-01-02-x.md": "---\ntitle: 通知\nslug: x\ndate: 2026-01-02\n---\n",
        },
    )
    assert problems == [
        ("content/notices/2026-01-02-x.md", 1, "content.duplicate-slug"),
        ("content/pages/b.md", 1, "content.duplicate-slug"),
    ]


def test_pages_sorted_by_nav_order_then_slug(tmp_path: Path) -> None:
    content, problems = load(
        tmp_path,
        {
            "content/pages/index.md": "---\ntitle: 首页\nslug: index\nnav_order: 1\n---\n",
            "content/pages/b.md": "---\ntitle: 乙\nslug: b\nnav_order: 3\n---\n",
            "content/pages/c.md": "---\ntitle: 丙\nslug: c\nnav_order: 2\n---\n",
            "content/pages/a.md": "---\ntitle: 甲\nslug: a\n---\n",
            "content/pages/z.md": "---\ntitle: 甲\nslug: aa\n---\n",
        },
    )
    assert problems == []
    assert [p.slug for p in content.pages] == ["index", "c", "b", "a", "aa"]


def test_notices_newest_first(tmp_path: Path) -> None:
    def notice(day: str, slug: str) -> str:
        return f"---\ntitle: 通知{slug}\nslug: {slug}\ndate: {day}\n---\n正文\n"

    content, problems = load(
        tmp_path,
        {
            "content/notices/a.md": notice("2025-02-20", "first"),
            "content/notices/b.md": notice("2026-11-16", "latest"),
            "content/notices/c.md": notice("2026-06-10", "middle"),
            "content/notices/c.en.md": "---\ntitle: Middle\n---\nText\n",
        },
    )
    assert problems == []
    assert [(n.date, n.slug) for n in content.notices] == [
        (dt.date(2026, 11, 16), "latest"),
        (dt.date(2026, 6, 10), "middle"),
        (dt.date(2025, 2, 20), "first"),
    ]
    assert content.notices[1].title == LangText("通知middle", "Middle")


def test_notice_problems(tmp_path: Path) -> None:
    content, problems = load(
        tmp_path,
        {
            "content/notices/a.md": "---\ntitle: 通知\nslug: a\n---\n",
            "content/notices/b.md": "---\ntitle: 通知\nslug: b\ndate: 2026-02-30\n---\n",
            "content/notices/c.md": "---\ntitle: 通知\nslug: c\ndate: soon\nnav_order: 1\n---\n",
        },
    )
    assert problems == [
        ("content/notices/a.md", 2, "content.missing-key"),
        ("content/notices/b.md", 4, "content.front-matter"),
        ("content/notices/c.md", 4, "content.invalid-date"),
        ("content/notices/c.md", 5, "content.unknown-key"),
    ]
    assert content.notices == ()


def test_every_problem_in_every_file_is_reported_in_one_run(tmp_path: Path) -> None:
    _, problems = load(
        tmp_path,
        {
            "content/pages/index.md": "---\ntitle: 首页\nslug: index\n---\n",
            "content/pages/a.md": "---\ntitle: 甲\nslug: A\n---\n",
            "content/pages/b.md": "---\nslug: b\n---\n",
            "content/pages/c.md": "no front matter\n",
        },
    )
    assert [path for path, _, _ in problems] == [
        "content/pages/a.md",
        "content/pages/b.md",
        "content/pages/c.md",
    ]


def test_split_front_matter_keeps_real_line_numbers() -> None:
    diags = Diagnostics()
    meta, body = split_front_matter("---\ntitle: x\nslug: y\n---\nbody\n", "p.md", diags)
    assert meta is not None
    assert meta.loc("slug") == Location("p.md", 3, 7)
    assert body == "body\n"
    assert list(diags) == []


def test_split_front_matter_at_end_of_file() -> None:
    meta, body = split_front_matter("---\ntitle: x\n---", "p.md", Diagnostics())
    assert meta == {"title": "x"}
    assert body == ""


def test_no_content_folder_is_empty_content(tmp_path: Path) -> None:
    content, problems = load(tmp_path, {})
    assert content == Content(pages=(), notices=())
    assert problems == []


def test_the_sample_content_loads_cleanly(tmp_path: Path) -> None:
    root = make_project(tmp_path, {}, with_sample=True)
    diags = Diagnostics()
    content = load_content(root, diags)
    assert list(diags) == []
    slugs = {p.slug for p in content.pages}
    assert {
        "index",
        "about",
        "regulations",
        "objections",
        "credit-repair",
        "licence",
        "privacy",
    } <= slugs
    assert len(content.notices) >= 3
