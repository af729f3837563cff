"""Markdown to safe HTML: python-markdown for the syntax, nh3's allow-list for any raw HTML in it."""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "section", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}


@lru_cache(maxsize=4)
def _converter(base_path: str) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "toc", "attr_list", "fenced_code", "sane_lists", "def_list"],
        extension_configs={
            # Unicode slugs keep Chinese headings addressable (the ASCII default makes them empty).
            "toc": {"slugify": slugify_unicode, "permalink": "#", "permalink_title": ""},
        },
        output_format="html",
    )


def render_markdown(source: str, base_path: str = "/") -> str:
    """Convert publisher-written Markdown; root-relative links are placed under the site's base path."""
    converter = _converter(base_path)
    converter.reset()
    html = converter.convert(source)

    def rebase(tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src") and value.startswith("/") and not value.startswith("//"):
            return base_path + value[1:]
        return value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=rebase,
        link_rel="noopener",
    )
