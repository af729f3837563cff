"""Render stage for authored content: the home page, Markdown pages, notices and their Atom feeds."""

from __future__ import annotations

import re
from collections.abc import Iterator

from markupsafe import Markup

from generator.content import Content, Notice, Page
from generator.markdown_render import render_markdown
from generator.model import LANGS, LangText, OutputFile, SearchDoc
from generator.render import NavEntry, Renderer

NOTICES_ROUTE = "notices/"


def page_route(page: Page) -> str:
    return "" if page.slug == "index" else f"{page.slug}/"


def notice_route(notice: Notice) -> str:
    return f"{NOTICES_ROUTE}{notice.slug}/"


def nav_entries(content: Content, renderer: Renderer) -> tuple[NavEntry, ...]:
    """Pages with a nav_order, plus the notices section placed after the site's sections."""
    entries = [
        NavEntry(page_route(p), p.title, float(p.nav_order))
        for p in content.pages
        if p.nav_order is not None
    ]
    entries.append(NavEntry(NOTICES_ROUTE, renderer.label("notices.title"), 1.9))
    return tuple(entries)


def _body_html(body: LangText, lang: str, base_path: str) -> tuple[Markup, bool]:
    """The body for `lang`, and whether it had to fall back to the Chinese text."""
    fallback = lang == "en" and body.en is None
    source = body.zh if lang != "en" or fallback else body.en or ""
    return Markup(render_markdown(source, base_path)), fallback


def render_content(
    content: Content, renderer: Renderer, home_context: dict[str, object]
) -> Iterator[OutputFile]:
    base = renderer.config.base_path
    for page in content.pages:
        for lang in LANGS:
            html, fallback = _body_html(page.body, lang, base)
            template = "home.html" if page.slug == "index" else "page.html"
            extra = {**home_context, "notices": content.notices[:5]} if page.slug == "index" else {}
            yield renderer.render(
                template,
                page_route(page),
                lang,
                page=page,
                body=html,
                fallback=fallback,
                **extra,
            )
    for notice in content.notices:
        for lang in LANGS:
            html, fallback = _body_html(notice.body, lang, base)
            yield renderer.render(
                "notice.html",
                notice_route(notice),
                lang,
                notice=notice,
                body=html,
                fallback=fallback,
            )
    yield from renderer.render_all_langs(
        "notices.html", NOTICES_ROUTE, {"notices": content.notices, "notice_route": notice_route}
    )
    for lang in LANGS:
        entries = [
            (n, str(_body_html(n.body, lang, base)[0]), renderer.abs_url(notice_route(n), lang))
            for n in content.notices
        ]
        yield renderer.render(
            "feeds/notices.xml", f"{NOTICES_ROUTE}feed.xml", lang, entries=entries
        )


_TAG_RE = re.compile(r"<[^>]+>")
_MD_NOISE_RE = re.compile(r"[#*_`>|\[\]()]+")


def plain_text(markdown_source: str) -> str:
    return " ".join(_MD_NOISE_RE.sub(" ", _TAG_RE.sub(" ", markdown_source)).split())


def search_docs(content: Content) -> Iterator[SearchDoc]:
    for page in content.pages:
        for lang in LANGS:
            body = page.body.en if lang == "en" and page.body.en else page.body.zh
            yield SearchDoc(
                ref=f"page:{lang}:{page.slug}",
                kind="page",
                lang=lang,
                title=page.title.get(lang),
                text=plain_text(body),
                url=page_route(page),
            )
    for notice in content.notices:
        for lang in LANGS:
            body = notice.body.en if lang == "en" and notice.body.en else notice.body.zh
            yield SearchDoc(
                ref=f"notice:{lang}:{notice.slug}",
                kind="notice",
                lang=lang,
                title=notice.title.get(lang),
                text=plain_text(body),
                url=notice_route(notice),
            )
