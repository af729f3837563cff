"""The `record` and `record_row` macros of templates/lists/_macros.html, compiled by hand: the
lists' hot path.

Every published record is shown in full on its subject page, and as a row on its list page and on
its authority's and its district's sub-index, in both languages, for a million records on a
national site. Through Jinja a full record costs about 175 µs, most of it macro calls
(`zh_attr` per value) and message look-ups that are the same for every record of a list. Here the
per-list, per-language parts are worked out once, a record's values are escaped once for both
languages, and each rendering costs a few string joins.

The macros stay the readable specification; tests/lists/test_fragments.py renders both over a
corpus of records (both modes, both languages, objections, empty, ASCII and markup-like values)
and requires the same bytes. Change the two together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from generator.lists import routes
from generator.lists.model import PublishedRecord, RecordRow
from generator.model import DEFAULT_LANG, LANGS
from generator.render import Renderer, format_date, format_number

if TYPE_CHECKING:
    from generator.lists.render import ListInfo

ZH_ATTR = ' lang="zh-CN"'


try:
    # What markupsafe.escape() does to a str, without wrapping the result in Markup and back: a
    # tenth of the cost, and escaping is most of a record's. Private, so guarded: the byte-equality
    # tests with the macros would catch any change in what it returns.
    from markupsafe._speedups import _escape_inner as _e
except ImportError:  # pragma: no cover - markupsafe without its C speedups

    def _e(text: str, /) -> str:
        return str(escape(text))


@dataclass(frozen=True)
class _Parts:
    """What every record of one list shares in one language, already escaped."""

    lang: str
    foreign: bool  # Chinese values get a lang attribute on this language's pages
    prefix: str  # what url() puts before a route in this language
    titles: dict[str, str]  # field name -> `<dt>` text
    objection: str
    publicity_end: str
    record_key: str
    links: str  # the `.record-links` list: objection and credit repair
    badge: str  # the objection mark of a sub-index row


@dataclass(frozen=True)
class _SubjectParts:
    """What every subject page shares in one language, already escaped."""

    breadcrumb: str
    subject_code: str  # the `<dt>` of the credit code
    records: str  # the `<dt>` of the count
    note: str


class RecordFragments:
    """Renders the `record` macro's output for any record; call as `record_html(r, info, lang,
    level, mode)` from a template. `record_row(r, lang)` renders the `record_row` macro's."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        # (id of the list, lang) -> (the list, its parts); the list is kept so its id stays unique.
        self._parts: dict[tuple[int, str], tuple[ListInfo | None, _Parts]] = {}
        self._subject: dict[str, _SubjectParts] = {}
        self._field_formats: dict[tuple[int, str, tuple[str, ...]], tuple[ListInfo, str]] = {}
        self._sections: dict[tuple[int, str], tuple[ListInfo, str]] = {}

    def _for(self, info: ListInfo | None, lang: str) -> _Parts:
        found = self._parts.get((id(info), lang))
        if found is not None and found[0] is info:
            return found[1]
        r = self.renderer
        t = r.t
        parts = _Parts(
            lang=lang,
            foreign=lang != DEFAULT_LANG,
            prefix=_e(r.url("", lang)),
            titles=(
                {f.name: _e(info.field_title(f.name).get(lang)) for f in info.fields}
                if info is not None
                else {}
            ),
            objection=(
                '<p class="objection-mark"><strong class="badge warn">'
                f"{_e(t(lang, 'lists.under_objection'))}</strong> "
                f"{_e(t(lang, 'lists.under_objection_note'))}</p>\n"
            ),
            publicity_end=_e(t(lang, "lists.publicity_end")),
            record_key=_e(t(lang, "lists.record_key")),
            links=(
                '<ul class="record-links">'
                f'<li><a href="{_e(r.url(routes.OBJECTIONS_ROUTE, lang))}">'
                f"{_e(t(lang, 'lists.objection_short'))}</a>"
                f'<li><a href="{_e(r.url(routes.CREDIT_REPAIR_ROUTE, lang))}">'
                f"{_e(t(lang, 'lists.repair_short'))}</a></ul>\n"
            ),
            badge=f' <strong class="badge warn">{_e(t(lang, "lists.under_objection"))}</strong>',
        )
        self._parts[(id(info), lang)] = (info, parts)
        return parts

    def _fields(self, info: ListInfo, lang: str, names: tuple[str, ...]) -> str:
        """The `<dl>` of a record with these fields, as a format string of one slot per `<dd>`.

        Records of one list have the same fields, so this is made once per list and language,
        and a record is then one `str.format` call instead of a string per field.
        """
        key = (id(info), lang, names)
        found = self._field_formats.get(key)
        if found is not None and found[0] is info:
            return found[1]
        titles = self._for(info, lang).titles
        rows = []
        for name in names:
            title = titles.get(name)
            if title is None:
                title = _e(info.field_title(name).get(lang))
            rows.append(f"<dt>{title.replace('{', '{{').replace('}', '}}')}<dd{{}}\n")
        text = '<dl class="attrs record-fields">\n' + "".join(rows)
        self._field_formats[key] = (info, text)
        return text

    def __call__(
        self, r: PublishedRecord, info: ListInfo, lang: str, level: int = 3, mode: str = "list"
    ) -> Markup:
        return self.langs(r, info, level, mode, (lang,))[lang]

    def langs(
        self,
        r: PublishedRecord,
        info: ListInfo,
        level: int = 3,
        mode: str = "list",
        langs: tuple[str, ...] = LANGS,
    ) -> dict[str, Markup]:
        """The record in each of `langs`; what does not depend on the language is done once."""
        key = _e(r.key)
        opening = (
            f'<article class="record{" record-disputed" if r.under_objection else ""}" '
            f'id="{key}">\n<h{level} class="record-title"'
        )
        closing = f"</h{level}>\n"
        if mode == "list":
            href = _e(routes.record_route(r.subject_key, r.key))
            heading = _e(r.subject_name)
            heading_zh = not r.subject_name.isascii()
        else:
            href = ""
            heading = _e(r.decision_number)
            heading_zh = not r.decision_number.isascii()
        names = tuple([name for name, _ in r.fields])
        # Each `<dd>`'s attributes and text, from its closing `>` on: with and without the mark
        # that a value is Chinese (wanted on other languages' pages).
        plain = [">" + _e(value) if value else ">—" for _, value in r.fields]
        marked = [
            ZH_ATTR + text if not value.isascii() else text
            for (_, value), text in zip(r.fields, plain, strict=True)
        ]
        end_iso = r.publicity_end.isoformat()
        tail_key = f"<dd><code>{key}</code>\n</dl>\n"
        out: dict[str, Markup] = {}
        for lang in langs:
            p = self._for(info, lang)
            foreign = p.foreign
            zh = ZH_ATTR if foreign and heading_zh else ""
            if mode == "list":
                parts = [f'{opening}><a href="{p.prefix}{href}"{zh}>{heading}</a>{closing}']
            else:
                parts = [f"{opening}{zh}>{heading}{closing}"]
            if r.under_objection:
                parts.append(p.objection)
            parts.append(self._fields(info, lang, names).format(*(marked if foreign else plain)))
            parts.append(
                f'<dt>{p.publicity_end}<dd><time datetime="{end_iso}">'
                f"{_e(format_date(r.publicity_end, lang))}</time>\n"
                f"<dt>{p.record_key}{tail_key}"
            )
            parts.append(p.links)
            parts.append("</article>\n")
            out[lang] = Markup("".join(parts))
        return out

    def _subject_parts(self, lang: str) -> _SubjectParts:
        found = self._subject.get(lang)
        if found is None:
            r, t = self.renderer, self.renderer.t
            found = self._subject[lang] = _SubjectParts(
                breadcrumb=(
                    f'<nav aria-label="{_e(t(lang, "site.breadcrumb"))}" class="breadcrumb"><ol>'
                    f'<li><a href="{_e(r.url("", lang))}">{_e(t(lang, "site.home"))}</a>'
                    f'<li><a href="{_e(r.url(routes.LISTS_ROUTE, lang))}">'
                    f"{_e(t(lang, 'lists.title'))}</a></ol></nav>\n"
                ),
                subject_code=_e(t(lang, "lists.subject_code")),
                records=_e(t(lang, "lists.records")),
                note=f'<p class="small">{_e(t(lang, "lists.subject_note"))}</p>\n',
            )
        return found

    def _section_heading(self, info: ListInfo, lang: str) -> str:
        key = (id(info), lang)
        found = self._sections.get(key)
        if found is None or found[0] is not info:
            code = _e(info.code)
            found = self._sections[key] = (
                info,
                f'<section class="subject-list" aria-labelledby="list-{code}">\n'
                f'<h2 id="list-{code}"><a href="{_e(self.renderer.url(routes.list_route(info.code), lang))}">'
                f'<span class="code">{code}</span> {_e(info.title.get(lang))}</a></h2>\n',
            )
        return found[1]

    def subject_main(
        self,
        latest: PublishedRecord,
        sections: Sequence[tuple[ListInfo, Sequence[PublishedRecord]]],
        count: int,
        lang: str,
        record_html: Callable[[PublishedRecord, ListInfo, str, int, str], str] | None = None,
    ) -> Markup:
        """The `subject_main` macro's output; `record_html` gives records already rendered."""
        p = self._subject_parts(lang)
        name = latest.subject_name
        zh = ZH_ATTR if lang != DEFAULT_LANG and not name.isascii() else ""
        out = [p.breadcrumb, f"<h1{zh}>{_e(name)}</h1>\n", '<dl class="attrs subject-facts">\n']
        if latest.subject_code:
            out.append(f"<dt>{p.subject_code}<dd><code>{_e(latest.subject_code)}</code>\n")
        n = self.renderer.t(
            lang, "lists.subject_records", n=format_number(count), lists=len(sections)
        )
        out.append(f"<dt>{p.records}<dd>{_e(n)}\n</dl>\n")
        out.append(p.note)
        for info, records in sections:
            out.append(self._section_heading(info, lang))
            for r in records:
                out.append((record_html or self)(r, info, lang, 3, "subject"))
            out.append("</section>\n")
        return Markup("".join(out))

    def record_row(self, r: PublishedRecord | RecordRow, lang: str) -> Markup:
        return self.rows(r, (lang,))[lang]

    def rows(
        self, r: PublishedRecord | RecordRow, langs: tuple[str, ...] = LANGS
    ) -> dict[str, Markup]:
        """The record as a row of a list page or a sub-index in each of `langs`."""
        href = _e(routes.record_route(r.subject_key, r.key))
        name, name_zh = _e(r.subject_name), not r.subject_name.isascii()
        number, number_zh = _e(r.decision_number), not r.decision_number.isascii()
        out: dict[str, Markup] = {}
        for lang in langs:
            p = self._for(None, lang)
            foreign = p.foreign
            out[lang] = Markup(
                f'<tr><th scope="row"><a href="{p.prefix}{href}"'
                f"{ZH_ATTR if foreign and name_zh else ''}>{name}</a>"
                f"{p.badge if r.under_objection else ''}"
                f"<td{ZH_ATTR if foreign and number_zh else ''}>{number}"
                f"<td>{_e(format_date(r.decision_date, lang))}\n"
            )
        return out
