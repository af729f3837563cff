"""The `record` macro of templates/lists/_macros.html, compiled by hand: the lists' hot path.

Every published record is shown on its list page, its authority's and its district's sub-index and
its subject page, in both languages: eight renderings per record, a million records on a national
site. Through Jinja each costs about 175 µs, most of it macro calls (`zh_attr` per value) and
message look-ups that are the same for every record of a list. Here the per-list, per-language
parts are worked out once and each record costs a few string joins.

The macro stays the readable specification; tests/lists/test_fragments.py renders both over a
corpus of records (both modes, both languages, objections, empty, ASCII and markup-like values)
and requires the same bytes. Change the two together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from generator.lists import routes
from generator.lists.model import PublishedRecord
from generator.model import DEFAULT_LANG
from generator.render import Renderer, format_date

if TYPE_CHECKING:
    from generator.lists.render import ListInfo

ZH_ATTR = ' lang="zh-CN"'


def _e(text: str) -> str:
    return str(escape(text))


@dataclass(frozen=True)
class _Parts:
    """What every record of one list shares in one language, already escaped."""

    lang: str
    titles: dict[str, str]  # field name -> `<dt>` text
    objection: str
    col_subject: str
    publicity_end: str
    record_key: str
    links: str  # the objection and credit-repair items of `.record-links`
    subject_link: str


class RecordFragments:
    """Renders the `record` macro's output for any record; call as `record_html(r, info, lang,
    level, mode)` from a template."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        # (id of the list, lang) -> (the list, its parts); the list is kept so its id stays unique.
        self._parts: dict[tuple[int, str], tuple[ListInfo, _Parts]] = {}

    def _for(self, info: ListInfo, lang: str) -> _Parts:
        found = self._parts.get((id(info), lang))
        if found is not None and found[0] is info:
            return found[1]
        r = self.renderer
        t = r.t
        parts = _Parts(
            lang=lang,
            titles={f.name: _e(info.field_title(f.name).get(lang)) for f in info.fields},
            objection=(
                '  <p class="objection-mark"><strong class="badge warn">'
                f"{_e(t(lang, 'lists.under_objection'))}</strong> "
                f"{_e(t(lang, 'lists.under_objection_note'))}</p>\n"
            ),
            col_subject=_e(t(lang, "lists.col_subject")),
            publicity_end=_e(t(lang, "lists.publicity_end")),
            record_key=_e(t(lang, "lists.record_key")),
            links=(
                f'    <li><a href="{_e(r.url(routes.OBJECTIONS_ROUTE, lang))}">'
                f"{_e(t(lang, 'lists.objection_link'))}</a></li>\n"
                f'    <li><a href="{_e(r.url(routes.CREDIT_REPAIR_ROUTE, lang))}">'
                f"{_e(t(lang, 'lists.repair_link'))}</a></li>\n"
            ),
            subject_link=_e(t(lang, "lists.subject_link")),
        )
        self._parts[(id(info), lang)] = (info, parts)
        return parts

    def __call__(
        self, r: PublishedRecord, info: ListInfo, lang: str, level: int = 3, mode: str = "list"
    ) -> Markup:
        p = self._for(info, lang)
        foreign = lang != DEFAULT_LANG

        def zh(value: str) -> str:
            return ZH_ATTR if foreign and not value.isascii() else ""

        key = _e(r.key)
        url = self.renderer.url
        out = [
            f'<article class="record{" record-disputed" if r.under_objection else ""}" '
            f'id="{key}" aria-labelledby="{key}-title">\n'
            f'  <h{level} class="record-title" id="{key}-title">\n'
        ]
        if mode == "list":
            href = _e(url(routes.subject_route(r.subject_key), lang))
            out.append(f'    <a href="{href}"{zh(r.subject_name)}>{_e(r.subject_name)}</a>\n')
        else:
            out.append(f"    <span{zh(r.decision_number)}>{_e(r.decision_number)}</span>\n")
        out.append(f"  </h{level}>\n")
        if r.under_objection:
            out.append(p.objection)
        out.append('  <dl class="attrs record-fields">\n')
        if mode == "subject":
            out.append(
                f"    <dt>{p.col_subject}</dt>\n"
                f"    <dd{zh(r.subject_name)}>{_e(r.subject_name)}</dd>\n"
            )
        titles = p.titles
        for name, value in r.fields:
            title = titles.get(name)
            if title is None:
                title = _e(info.field_title(name).get(lang))
            out.append(
                f"    <dt>{title}</dt>\n    <dd{zh(value)}>{_e(value) if value else '—'}</dd>\n"
            )
        out.append(
            f"    <dt>{p.publicity_end}</dt>\n"
            f'    <dd><time datetime="{r.publicity_end.isoformat()}">'
            f"{_e(format_date(r.publicity_end, lang))}</time></dd>\n"
            f"    <dt>{p.record_key}</dt>\n"
            f"    <dd><code>{key}</code></dd>\n"
            "  </dl>\n"
            '  <ul class="record-links">\n'
        )
        out.append(p.links)
        if mode == "list":
            href = _e(url(routes.record_route(r.subject_key, r.key), lang))
            out.append(f'    <li><a href="{href}">{p.subject_link}</a></li>\n')
        out.append("  </ul>\n</article>\n")
        return Markup("".join(out))
