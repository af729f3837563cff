"""The render stage's shared machinery: one Jinja2 environment, compiled once, and URL helpers.

Every page exists in zh-CN at `/<route>` and in English at `/en/<route>`; templates get `t()` for UI
strings, `tx()` for bilingual content, and `url()` for links, so none of them hard-codes a language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from generator.config import SiteConfig
from generator.frames import Frames
from generator.i18n import Messages, load_messages
from generator.model import DEFAULT_LANG, LANGS, LangText, OutputFile


@dataclass(frozen=True)
class NavEntry:
    route: str
    label: LangText
    order: float = 0.0


def templates_dir(root: Path) -> Path:
    """The project's own `templates/` if it has one, else the theme shipped with the generator."""
    own = root / "templates"
    if (own / "base.html").is_file():
        return own
    return Path(__file__).resolve().parent.parent / "templates"


def lang_prefix(lang: str) -> str:
    return "" if lang == DEFAULT_LANG else f"{lang.lower()}/"


def output_path(route: str, lang: str) -> str:
    path = lang_prefix(lang) + route
    return path + "index.html" if path == "" or path.endswith("/") else path


class Renderer:
    def __init__(
        self,
        config: SiteConfig,
        template_folder: Path,
        as_of: dt.date,
        nav: tuple[NavEntry, ...] = (),
    ) -> None:
        self.config = config
        self.as_of = as_of
        self.nav = nav
        self.messages: Messages = load_messages(template_folder / "i18n")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(template_folder),
            autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # Templates do not change during a build (serve makes a new renderer for each), so
            # skip the stat() of every template file on every page.
            auto_reload=False,
        )
        self.env.globals.update(
            site=config,
            as_of=as_of,
            langs=LANGS,
            nav=nav,
            t=self._t,
            tx=self._tx,
            url=self._url,
            abs_url=self._abs_url,
            has_en=self._has_en,
            asset=self.asset,
            other_langs=self._other_langs,
            tz_offset=_tz_offset(config.time_zone, as_of),
            lang_name=lambda other: self.messages.get(other, "lang.name"),
        )
        self.env.filters["date"] = format_date
        self.env.filters["number"] = format_number
        # base.html's frame, rendered once per language (generator/frames.py); made on first use.
        self._frames: Frames | None = None
        self._helpers: dict[str, dict[str, Any]] = {}

    # -- helpers exposed to templates -------------------------------------------------------

    @jinja2.pass_context
    def _t(self, ctx: jinja2.runtime.Context, key: str, **values: Any) -> str:
        return self.messages.get(ctx["lang"], key, **values)

    @jinja2.pass_context
    def _tx(self, ctx: jinja2.runtime.Context, value: LangText | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, LangText):
            return value.get(ctx["lang"])
        return value

    @jinja2.pass_context
    def _has_en(self, ctx: jinja2.runtime.Context, value: LangText | None) -> bool:
        return ctx["lang"] != "en" or value is None or value.has("en")

    @jinja2.pass_context
    def _url(self, ctx: jinja2.runtime.Context, route: str, lang: str | None = None) -> str:
        return self.url(route, lang or ctx["lang"])

    @jinja2.pass_context
    def _abs_url(self, ctx: jinja2.runtime.Context, route: str, lang: str | None = None) -> str:
        return self.abs_url(route, lang or ctx["lang"])

    # -- API for the section renderers ------------------------------------------------------

    def url(self, route: str, lang: str) -> str:
        return self.config.base_path + lang_prefix(lang) + route

    def abs_url(self, route: str, lang: str) -> str:
        return self.config.base_url + lang_prefix(lang) + route

    def label(self, key: str) -> LangText:
        """A UI string in both languages, for values built outside templates (navigation)."""
        return LangText(self.messages.get("zh-CN", key), self.messages.get("en", key))

    def set_nav(self, entries: tuple[NavEntry, ...]) -> None:
        self.nav = tuple(sorted(entries, key=lambda e: (e.order, e.route)))
        self.env.globals["nav"] = self.nav

    def asset(self, path: str) -> str:
        return self.config.base_path + "assets/" + path

    @staticmethod
    def _other_langs(lang: str) -> list[str]:
        return [other for other in LANGS if other != lang]

    def t(self, lang: str, key: str, **values: Any) -> str:
        return self.messages.get(lang, key, **values)

    def render(self, template: str, route: str, lang: str, **context: Any) -> OutputFile:
        if self._frames is None:
            self._frames = Frames(self.env)
        context = {**self._lang_helpers(lang), **context}
        text = self._frames.render(template, route, lang, context)
        if text is None:
            text = self.env.get_template(template).render(route=route, lang=lang, **context)
        return OutputFile(output_path(route, lang), text.encode("utf-8"))

    def _lang_helpers(self, lang: str) -> dict[str, Any]:
        """`t`, `tx`, `url`, `abs_url` and `has_en` bound to one language, as page variables.

        They give what the globals give, but the globals need the template context to know the
        language, and Jinja derives a fresh context for every such call made inside a block or
        a loop: a third of a subject page's render time. The globals stay, for macros imported
        without context.
        """
        found = self._helpers.get(lang)
        if found is None:
            page_lang, messages = lang, self.messages
            base_path, base_url = self.config.base_path, self.config.base_url

            # Same names and parameters as the globals, so any call of those works on these.
            def t(key: str, **values: Any) -> str:
                return messages.get(page_lang, key, **values)

            def tx(value: LangText | str | None) -> str:
                if value is None:
                    return ""
                return value.get(page_lang) if isinstance(value, LangText) else value

            def url(route: str, lang: str | None = None) -> str:
                return base_path + lang_prefix(lang or page_lang) + route

            def abs_url(route: str, lang: str | None = None) -> str:
                return base_url + lang_prefix(lang or page_lang) + route

            def has_en(value: LangText | None) -> bool:
                return page_lang != "en" or value is None or value.has("en")

            found = self._helpers[lang] = {
                "t": t, "tx": tx, "url": url, "abs_url": abs_url, "has_en": has_en
            }  # fmt: skip
        return found

    def render_all_langs(
        self, template: str, route: str, context: Mapping[str, Any] | None = None
    ) -> Iterator[OutputFile]:
        for lang in LANGS:
            yield self.render(template, route, lang, **(context or {}))


def _tz_offset(zone: str, day: dt.date) -> str:
    """The zone's UTC offset on that day, as Atom and ISO 8601 want it (+08:00)."""
    moment = dt.datetime.combine(day, dt.time(12), ZoneInfo(zone))
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def format_date(value: dt.date | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return ""
    if lang == "en":
        return value.isoformat()
    return f"{value.year}年{value.month}月{value.day}日"


def format_number(value: int | float) -> str:
    return f"{value:,}"


def safe(html: str) -> Markup:
    """Mark HTML that has already been sanitised (rendered Markdown) as safe for templates."""
    return Markup(html)
