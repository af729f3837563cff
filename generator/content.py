"""Load stage for authored content: Markdown pages and notices with YAML front matter.

`content/pages/<slug>.md` is the zh-CN text; an optional `<slug>.en.md` beside it is the English.
`content/notices/<date>-<slug>.md` works the same way, with a `date` in the front matter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import Diagnostics, Location
from generator.fields import Reader
from generator.model import LangText
from generator.yamlio import YMap, parse_yaml, read_text

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Top-level paths the generator itself owns; a page may not take them.
RESERVED_SLUGS = frozenset(
    {
        "en",
        "assets",
        "catalogue",
        "lists",
        "subjects",
        "consultations",
        "notices",
        "search",
        "changes",
    }
)


@dataclass(frozen=True)
class Page:
    source: str
    slug: str
    title: LangText
    body: LangText  # Markdown source per language; `en` is None when there is no English text
    nav_order: int | None = None
    summary: LangText | None = None


@dataclass(frozen=True)
class Notice:
    source: str
    slug: str
    date: dt.date
    title: LangText
    body: LangText


@dataclass(frozen=True)
class Content:
    pages: tuple[Page, ...]
    notices: tuple[Notice, ...]  # newest first


def split_front_matter(text: str, rel: str, diags: Diagnostics) -> tuple[YMap | None, str]:
    """Return (front matter, body). Front matter lines are reported at their real line numbers."""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            diags.error(
                "content.front-matter",
                "front matter is not closed by a '---' line",
                Location(rel, 1, 1),
            )
            return None, ""
    yaml_text = text[4 : end + 1]
    body = text[end + 5 :]
    data = parse_yaml(yaml_text, rel, diags, line_offset=1, code="content.front-matter")
    if data is None:
        return YMap(path=rel), body
    if not isinstance(data, YMap):
        diags.error(
            "content.front-matter", "front matter must be a mapping of keys", Location(rel, 2, 1)
        )
        return YMap(path=rel), body
    return data, body


def load_content(root: Path, diags: Diagnostics) -> Content:
    for folder in ("pages", "notices"):
        _warn_orphan_translations(root / "content" / folder, root, diags)
    pages = tuple(
        p for p in (_load_page(f, root, diags) for f in _sources(root / "content" / "pages")) if p
    )
    seen: dict[str, str] = {}
    for page in pages:
        if page.slug in seen:
            diags.error(
                "content.duplicate-slug",
                f"slug {page.slug!r} is already used by {seen[page.slug]}",
                Location(page.source, 1, 1),
            )
        seen[page.slug] = page.source
    if "index" not in seen and pages:
        diags.error(
            "content.no-home", "no page has slug 'index' (the home page)", Location("content/pages")
        )
    notices = tuple(
        n
        for n in (_load_notice(f, root, diags) for f in _sources(root / "content" / "notices"))
        if n
    )
    slugs: dict[str, str] = {}
    for notice in notices:
        if notice.slug in slugs:
            diags.error(
                "content.duplicate-slug",
                f"notice slug {notice.slug!r} is already used by {slugs[notice.slug]}",
                Location(notice.source, 1, 1),
            )
        slugs[notice.slug] = notice.source
    return Content(
        pages=tuple(sorted(pages, key=lambda p: (p.nav_order is None, p.nav_order or 0, p.slug))),
        notices=tuple(sorted(notices, key=lambda n: (n.date, n.slug), reverse=True)),
    )


def _sources(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.md") if not p.name.endswith(".en.md"))


def _warn_orphan_translations(folder: Path, root: Path, diags: Diagnostics) -> None:
    """An English text with no Chinese original is never published: say so, don't drop it silently."""
    if not folder.is_dir():
        return
    for en_path in sorted(folder.glob("*.en.md")):
        original = en_path.with_name(en_path.name[: -len(".en.md")] + ".md")
        if not original.is_file():
            diags.warning(
                "content.orphan-translation",
                f"English text without a Chinese original {original.name}; it is not published",
                Location(_rel(en_path, root)),
            )


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _english(path: Path, root: Path, diags: Diagnostics) -> tuple[str | None, str | None]:
    """The English sibling's (title, body), if there is one."""
    en_path = path.with_name(path.name[: -len(".md")] + ".en.md")
    if not en_path.is_file():
        return None, None
    rel = _rel(en_path, root)
    text = read_text(en_path, rel, diags)
    if text is None:
        return None, None
    meta, body = split_front_matter(text, rel, diags)
    title = None
    if meta:
        r = Reader(meta, "content", diags)
        r.unknown_keys(("title",))
        title = r.string("title", required=False) or None
    return title, body


def _load_common(
    path: Path, root: Path, diags: Diagnostics, allowed: tuple[str, ...]
) -> tuple[Reader, str, LangText, LangText] | None:
    rel = _rel(path, root)
    text = read_text(path, rel, diags)
    if text is None:
        return None
    errors_before = len(diags.errors)
    meta, body = split_front_matter(text, rel, diags)
    if len(diags.errors) > errors_before:
        return None  # broken front matter: reported once, without follow-on noise
    if meta is None:
        diags.error(
            "content.front-matter",
            "missing front matter (a '---' block with title and slug)",
            Location(rel, 1, 1),
        )
        return None
    r = Reader(meta, "content", diags)
    r.unknown_keys(allowed)
    title = r.text("title")
    en_title, en_body = _english(path, root, diags)
    if title is None:
        return None
    if en_title:
        title = LangText(title.zh, en_title)
    return r, rel, title, LangText(body, en_body)


def _slug(r: Reader) -> str:
    slug = r.string("slug")
    if slug and not SLUG_RE.match(slug):
        r.error("invalid-slug", f"slug {slug!r} may use only a-z, 0-9 and single hyphens", "slug")
        return ""
    return slug


def _load_page(path: Path, root: Path, diags: Diagnostics) -> Page | None:
    loaded = _load_common(path, root, diags, ("title", "slug", "nav_order", "summary"))
    if loaded is None:
        return None
    r, rel, title, body = loaded
    slug = _slug(r)
    if slug in RESERVED_SLUGS:
        r.error("reserved-slug", f"slug {slug!r} is used by the generator itself", "slug")
        return None
    nav_order = r.integer("nav_order", required=False)
    summary = r.text("summary", required=False)
    if not slug:
        return None
    return Page(rel, slug, title, body, nav_order, summary)


def _load_notice(path: Path, root: Path, diags: Diagnostics) -> Notice | None:
    loaded = _load_common(path, root, diags, ("title", "slug", "date"))
    if loaded is None:
        return None
    r, rel, title, body = loaded
    slug = _slug(r)
    date = r.date("date")
    if not slug or date is None:
        return None
    return Notice(rel, slug, date, title, body)
