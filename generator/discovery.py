"""Discovery files for crawlers: a sitemap index over sitemap files, and robots.txt pointing to it.

The site is streamed to the writer, so the sitemap cannot be rendered from a list of pages known in
advance. `Sitemap.watch()` sits in the stream instead: it passes every file through untouched and
remembers the route and language of each HTML page. After the last page, `Sitemap.files()` gives
the sitemap files and robots.txt, to be written before the site is committed.

Every page is listed once per language, each entry naming its twins in the other languages with
`xhtml:link rel="alternate" hreflang` (Google's sitemap form of hreflang). There is no `lastmod`:
nothing in the stream knows when a page last changed, and the build date would change every
sitemap every day, which makes crawlers distrust it and makes `rsync --checksum` re-upload it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from generator.model import DEFAULT_LANG, LANGS, OutputFile
from generator.render import lang_prefix

# sitemaps.org: at most 50,000 URLs and 50 MB (uncompressed) per sitemap file.
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
INDEX_PATH = "sitemap.xml"
ROBOTS_PATH = "robots.txt"
# Not pages anyone should land on from a search engine; the site's own 404 is served for misses.
EXCLUDED = frozenset({"404.html"})

# What percent-encoding (_url_path), XML escaping and attribute quoting all leave as it is. A
# sitemap lists every page twice over: a URL of only these is written without those steps.
_PLAIN_URL = re.compile(r"[A-Za-z0-9/._~:-]*")

# A page's languages from the bits `Sitemap.watch` keeps: every combination, made once.
_LANGS_OF = [
    [lang for i, lang in enumerate(LANGS) if bits >> i & 1] for bits in range(1 << len(LANGS))
]
# Each page's alternates name every language: their quoted attributes, made once.
_HREFLANG = {lang: quoteattr(lang) for lang in (*LANGS, "x-default")}

_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_XHTML_NS = "http://www.w3.org/1999/xhtml"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def page_of(path: str) -> tuple[str, str] | None:
    """`en/about/index.html` -> ("about/", "en"); None for files that are not listable pages."""
    if not path.endswith(".html"):
        return None
    lang = DEFAULT_LANG
    for other in LANGS:
        prefix = lang_prefix(other)
        if prefix and path.startswith(prefix):
            lang, path = other, path[len(prefix) :]
            break
    if path in EXCLUDED:
        return None
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path, lang


def sitemap_name(number: int) -> str:
    # Sitemap files sit at the site root: a sitemap may only list URLs below its own folder.
    return f"sitemap-{number}.xml"


class Sitemap:
    """Collects the HTML pages of a streamed build, then writes the sitemaps and robots.txt."""

    def __init__(self, base_url: str, max_urls: int = MAX_URLS) -> None:
        if not 1 <= max_urls <= MAX_URLS:
            raise ValueError(f"a sitemap file holds 1 to {MAX_URLS} URLs, not {max_urls}")
        self.base_url = base_url
        self.max_urls = max_urls
        # route -> a bit per language it was written in: a million routes stay small in memory.
        self._pages: dict[str, int] = {}

    def watch(self, files: Iterable[OutputFile]) -> Iterator[OutputFile]:
        """Pass `files` through unchanged, noting every page among them."""
        for file in files:
            found = page_of(file.path)
            if found is not None:
                route, lang = found
                self._pages[route] = self._pages.get(route, 0) | 1 << LANGS.index(lang)
            yield file

    def url(self, route: str, lang: str) -> str:
        return self.base_url + _url_path(lang_prefix(lang) + route)

    def entries(self) -> Iterator[str]:
        """One `<url>` element per page and language, sorted by route, then language order."""
        for route in sorted(self._pages):
            langs = _LANGS_OF[self._pages[route]]
            urls = {lang: self._written_url(route, lang) for lang in langs}
            alternates = self._alternates(langs, urls) if len(langs) > 1 else ""
            for lang in langs:
                yield f"<url><loc>{urls[lang][0]}</loc>{alternates}</url>\n"

    def _written_url(self, route: str, lang: str) -> tuple[str, str]:
        """The page's URL as XML text and as a quoted XML attribute."""
        url = self.base_url + lang_prefix(lang) + route
        if _PLAIN_URL.fullmatch(url):  # nearly every URL: nothing to encode, escape or quote
            return url, f'"{url}"'
        url = self.url(route, lang)
        return escape(url), quoteattr(url)

    def _alternates(self, langs: list[str], urls: dict[str, tuple[str, str]]) -> str:
        """Every language's twin, the page's own included, as Google asks; x-default is zh-CN."""
        links = [(_HREFLANG[lang], urls[lang][1]) for lang in langs]
        links.append((_HREFLANG["x-default"], urls[langs[0]][1]))
        return "".join(
            f'<xhtml:link rel="alternate" hreflang={lang} href={url}/>' for lang, url in links
        )

    def files(self) -> Iterator[OutputFile]:
        """The sitemap files, the index over them, and robots.txt."""
        names: list[str] = []
        chunk: list[str] = []
        size = 0
        for entry in self.entries():
            # An ASCII string's length is its UTF-8 size (and `isascii` is a flag, not a scan).
            entry_size = len(entry) if entry.isascii() else len(entry.encode("utf-8"))
            if chunk and (len(chunk) >= self.max_urls or size + entry_size > _BODY_BUDGET):
                names.append(sitemap_name(len(names) + 1))
                yield OutputFile(names[-1], _urlset(chunk))
                chunk, size = [], 0
            chunk.append(entry)
            size += entry_size
        if chunk or not names:
            names.append(sitemap_name(len(names) + 1))
            yield OutputFile(names[-1], _urlset(chunk))
        yield OutputFile(INDEX_PATH, self._index(names))
        yield OutputFile(ROBOTS_PATH, self.robots())

    def _index(self, names: list[str]) -> bytes:
        body = "".join(
            f"<sitemap><loc>{escape(self.base_url + name)}</loc></sitemap>\n" for name in names
        )
        text = f'{_XML_DECL}<sitemapindex xmlns="{_SITEMAP_NS}">\n{body}</sitemapindex>\n'
        return text.encode("utf-8")

    def robots(self) -> bytes:
        # Crawlers read robots.txt only at the host root; under a sub-path, see docs/deployment.md.
        return f"User-agent: *\nAllow: /\n\nSitemap: {self.base_url}{INDEX_PATH}\n".encode()


_URLSET_OPEN = f'{_XML_DECL}<urlset xmlns="{_SITEMAP_NS}" xmlns:xhtml="{_XHTML_NS}">\n'
_URLSET_CLOSE = "</urlset>\n"
_BODY_BUDGET = MAX_BYTES - len(_URLSET_OPEN) - len(_URLSET_CLOSE)


def _urlset(entries: list[str]) -> bytes:
    return (_URLSET_OPEN + "".join(entries) + _URLSET_CLOSE).encode("utf-8")


def _url_path(path: str) -> str:
    """Percent-encode what a URL may not hold raw (sitemaps.org asks for RFC 3986 URLs)."""
    return quote(path, safe="/-._~!$&'()*+,;=:@%")
