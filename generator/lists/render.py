"""Render stage for the untrustworthy-information lists: list pages, sub-indexes, subject pages,
downloads, change files and the manifest the next build compares against.

Everything is a generator: pages are rendered one at a time from the decided, sorted records, so a
million records never become a million rendered pages in memory. Only references to records are
grouped (by authority, district and subject).
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from generator.catalogue.model import Catalogue, FieldSpec, Item
from generator.lists import changes as changes_mod
from generator.lists import downloads, routes
from generator.lists.model import WITHHELD, PublishedRecord
from generator.model import LANGS, LangText, OutputFile, SearchDoc
from generator.render import NavEntry, Renderer

if TYPE_CHECKING:
    from generator.lists.decide import ListResult, ListsDecision

# Rows shown per section of a changes page; the full lists are in changes.json.
CHANGES_PAGE_LIMIT = 500
# Entries in a list's Atom feed; a feed reader needs the latest, not a million.
FEED_LIMIT = 200


def nav_entry(renderer: Renderer) -> NavEntry:
    return NavEntry(routes.LISTS_ROUTE, renderer.label("lists.nav"), 1.2)


@dataclass(frozen=True)
class ListInfo:
    """One list as the pages show it: its catalogue item, field titles and aggregate counts."""

    code: str
    title: LangText
    item: Item | None
    fields: tuple[FieldSpec, ...]
    public: bool
    withheld_reason: str | None
    records: tuple[PublishedRecord, ...]
    published: int
    withheld: tuple[tuple[str, int], ...]  # reason → rows, most frequent first
    rejected: int
    input_rows: int

    @functools.cached_property
    def _titles(self) -> dict[str, LangText]:
        # Looked up for every value of every record shown: a dict, not a scan of the fields.
        return {f.name: f.title for f in self.fields}

    def field_title(self, name: str) -> LangText:
        return self._titles.get(name) or LangText(name)

    @property
    def item_route(self) -> str | None:
        return routes.catalogue_item_route(self.code) if self.item is not None else None


def list_info(result: ListResult, catalogue: Catalogue | None) -> ListInfo:
    edition = catalogue.in_force if catalogue is not None else None
    item = edition.item(result.item_code) if edition is not None else None
    fields = _item_fields(item, catalogue) or _fields_from_records(result.published)
    withheld: Counter[str] = Counter()
    for outcome in result.outcomes:
        if outcome.outcome == WITHHELD:
            withheld[outcome.reason] += 1
    return ListInfo(
        code=result.item_code,
        title=item.name if item is not None else LangText(result.item_code),
        item=item,
        fields=fields,
        public=result.public,
        withheld_reason=result.withheld_reason,
        records=result.published if result.public else (),
        published=len(result.published) if result.public else 0,
        withheld=tuple(sorted(withheld.items(), key=lambda pair: (-pair[1], pair[0]))),
        rejected=result.counts.get("rejected", 0),
        input_rows=result.input_rows,
    )


def _item_fields(item: Item | None, catalogue: Catalogue | None) -> tuple[FieldSpec, ...]:
    """The item's fields: inline, or its catalogue schema's (titles and publish modes)."""
    if item is None:
        return ()
    if item.fields:
        return item.fields
    schema = catalogue.schemas.get(item.schema) if catalogue and item.schema else None
    return schema.fields if schema is not None else ()


def _fields_from_records(records: Sequence[PublishedRecord]) -> tuple[FieldSpec, ...]:
    """Without a catalogue item, the record's own field names (all of them already public)."""
    names = [name for name, _ in records[0].fields] if records else []
    return tuple(FieldSpec(name, LangText(name), "as_is") for name in names)


# -- pagination ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pager:
    """Where one page sits among its siblings; links are windowed so 20,000 pages stay usable."""

    base: str
    page: int
    pages: int

    def route(self, page: int) -> str:
        return routes.paged_route(self.base, page)

    @property
    def links(self) -> list[int | None]:
        """Page numbers to link to, with None where a run of pages is left out."""
        wanted = {1, self.pages, *range(self.page - 2, self.page + 3)}
        shown = sorted(n for n in wanted if 1 <= n <= self.pages)
        out: list[int | None] = []
        previous = 0
        for n in shown:
            if previous and n - previous > 1:
                out.append(None)
            out.append(n)
            previous = n
        return out


def paginate(
    records: Sequence[PublishedRecord], size: int, base: str
) -> Iterator[tuple[Pager, Sequence[PublishedRecord]]]:
    pages = max(1, -(-len(records) // size))
    for page in range(1, pages + 1):
        yield Pager(base, page, pages), records[(page - 1) * size : page * size]


# -- the whole section ------------------------------------------------------------------------------


def render_lists(
    decision: ListsDecision,
    catalogue: Catalogue | None,
    renderer: Renderer,
    previous_manifest: changes_mod.Manifest | None,
) -> Iterator[OutputFile]:
    infos = [list_info(result, catalogue) for result in decision.lists]
    public = [info for info in infos if info.public]
    as_of = renderer.as_of
    helpers = _helpers(renderer)
    yield from renderer.render_all_langs(
        "lists/index.html",
        routes.LISTS_ROUTE,
        {
            **helpers,
            "lists": public,
            "withheld_lists": [info for info in infos if not info.public],
            "previous_as_of": previous_manifest.as_of if previous_manifest else None,
        },
    )
    summaries = []
    for info in public:
        yield from _list_pages(info, renderer, helpers)
        yield from downloads.list_downloads(
            info.code, info.title, info.fields, info.records, renderer.config, as_of
        )
        changes = changes_mod.list_changes(
            info.code, info.records, previous_manifest, decision.withheld_reasons
        )
        summaries.append((info, changes))
        yield from _change_files(info, changes, renderer, helpers)
    # A list that was published before but is not now still owes its readers the removals.
    gone = (
        sorted(set(previous_manifest.lists) - {i.code for i in public}) if previous_manifest else []
    )
    by_code = {info.code: info for info in infos}
    for code in gone:
        info = by_code.get(code) or _vanished_list(code, catalogue)
        changes = changes_mod.list_changes(code, (), previous_manifest, decision.withheld_reasons)
        summaries.append((info, changes))
        yield from _change_files(info, changes, renderer, helpers)
    yield from renderer.render_all_langs(
        "lists/changes_all.html",
        routes.SITE_CHANGES_ROUTE,
        {
            **helpers,
            "summaries": summaries,
            "reasons": list(changes_mod.removal_reasons(c for _, c in summaries)),
            "previous_as_of": previous_manifest.as_of if previous_manifest else None,
            "baseline": previous_manifest is None,
        },
    )
    yield from _subject_pages(public, renderer, helpers)
    yield OutputFile(
        routes.MANIFEST_PATH,
        changes_mod.manifest_file(((i.code, i.records) for i in public), as_of),
    )


def _vanished_list(code: str, catalogue: Catalogue | None) -> ListInfo:
    edition = catalogue.in_force if catalogue is not None else None
    item = edition.item(code) if edition is not None else None
    title = item.name if item is not None else LangText(code)
    return ListInfo(code, title, item, (), False, None, (), 0, (), 0, 0)


def _helpers(renderer: Renderer) -> dict[str, object]:
    """Functions the lists' templates call; kept here so the shared Jinja setup stays untouched."""
    messages = renderer.messages.catalogues

    def label(lang: str, group: str, code: str) -> str:
        # Reasons and districts without a message of their own show their code.
        return messages.get(lang, {}).get(f"lists.{group}.{code}", code)

    return {
        "routes": routes,
        "label": label,
        "is_ascii": str.isascii,
        "objections_route": routes.OBJECTIONS_ROUTE,
        "credit_repair_route": routes.CREDIT_REPAIR_ROUTE,
    }


# -- list pages and sub-indexes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A sub-index: the records of one authority or one district, in list order."""

    kind: str  # authority | district
    key: str
    label: str
    route: str
    records: list[PublishedRecord]


def _groups(info: ListInfo) -> tuple[list[Group], list[Group]]:
    by_authority: dict[str, list[PublishedRecord]] = defaultdict(list)
    by_district: dict[str, list[PublishedRecord]] = defaultdict(list)
    names: dict[str, str] = {}
    for record in info.records:
        slug = routes.authority_slug(record.authority, record.authority_code)
        names.setdefault(slug, record.authority)
        by_authority[slug].append(record)
        by_district[record.district].append(record)
    authorities = [
        Group("authority", slug, names[slug], routes.authority_route(info.code, slug), recs)
        for slug, recs in by_authority.items()
    ]
    districts = [
        Group("district", d, d, routes.district_route(info.code, d), recs)
        for d, recs in by_district.items()
    ]
    authorities.sort(key=lambda g: (g.label, g.key))
    districts.sort(key=lambda g: g.key)
    return authorities, districts


def _list_pages(
    info: ListInfo, renderer: Renderer, helpers: dict[str, object]
) -> Iterator[OutputFile]:
    size = renderer.config.policy.page_size
    authorities, districts = _groups(info)
    common = {**helpers, "info": info, "feed_route": routes.changes_feed_route(info.code)}
    base = routes.list_route(info.code)
    for pager, records in paginate(info.records, size, base):
        yield from renderer.render_all_langs(
            "lists/list.html",
            pager.route(pager.page),
            {
                **common,
                "pager": pager,
                "records": records,
                "group": None,
                "authorities": authorities if pager.page == 1 else (),
                "districts": districts if pager.page == 1 else (),
            },
        )
    for group in itertools.chain(authorities, districts):
        for pager, records in paginate(group.records, size, group.route):
            yield from renderer.render_all_langs(
                "lists/list.html",
                pager.route(pager.page),
                {
                    **common,
                    "pager": pager,
                    "records": records,
                    "group": group,
                    "authorities": (),
                    "districts": (),
                },
            )


# -- change files -------------------------------------------------------------------------------------


def _change_files(
    info: ListInfo,
    changes: changes_mod.ListChanges,
    renderer: Renderer,
    helpers: dict[str, object],
) -> Iterator[OutputFile]:
    urls = {
        r.key: renderer.abs_url(routes.record_route(r.subject_key, r.key), LANGS[0])
        for r in itertools.chain(changes.added, changes.changed)
    }
    yield OutputFile(
        routes.download_path(info.code, "changes.json"),
        changes_mod.changes_json(changes, renderer.as_of, urls),
    )
    context = {
        **helpers,
        "info": info,
        "changes": changes,
        "limit": CHANGES_PAGE_LIMIT,
        "feed_route": routes.changes_feed_route(info.code),
    }
    yield from renderer.render_all_langs(
        "lists/changes.html", routes.changes_route(info.code), context
    )
    entries = list(
        itertools.islice(
            itertools.chain(
                (("added", r.key, r) for r in changes.added),
                (("changed", r.key, r) for r in changes.changed),
                (("removed", r.key, r) for r in changes.removed),
            ),
            FEED_LIMIT,
        )
    )
    yield from renderer.render_all_langs(
        "lists/changes.xml",
        routes.changes_feed_route(info.code),
        {**context, "entries": entries, "tag_host": _tag_host(renderer)},
    )


def _tag_host(renderer: Renderer) -> str:
    """The authority part of the feed's tag: URIs (RFC 4151), so entry ids never depend on paths."""
    return urlsplit(renderer.config.base_url).hostname or "localhost"


# -- subject pages ----------------------------------------------------------------------------------


def subject_groups(
    lists: Iterable[tuple[str, Sequence[PublishedRecord]]],
) -> Iterator[tuple[str, list[PublishedRecord]]]:
    """Each subject's records, lists in the given order and newest decision first within each.

    Sorts indexes, not records: Python's sort is stable, so records sharing a subject keep the
    order they had (list order, then newest first), and the keys sorted are the existing strings.
    """
    everything: list[PublishedRecord] = []
    for _, records in lists:
        everything.extend(records)
    order = sorted(range(len(everything)), key=lambda i: everything[i].subject_key)
    for key, indexes in itertools.groupby(order, key=lambda i: everything[i].subject_key):
        yield key, [everything[i] for i in indexes]


def _subject_pages(
    infos: Sequence[ListInfo], renderer: Renderer, helpers: dict[str, object]
) -> Iterator[OutputFile]:
    by_code = {info.code: info for info in infos}
    for subject_key, records in subject_groups((i.code, i.records) for i in infos):
        latest = max(records, key=lambda r: (r.decision_date, r.key))
        sections = [
            (by_code[code], list(group))
            for code, group in itertools.groupby(records, key=lambda r: r.item_code)
        ]
        yield from renderer.render_all_langs(
            "lists/subject.html",
            routes.subject_route(subject_key),
            {**helpers, "subject_key": subject_key, "latest": latest, "sections": sections},
        )


# -- search -----------------------------------------------------------------------------------------


def search_docs(decision: ListsDecision) -> Iterator[SearchDoc]:
    """A document per subject and one per record, in both languages; values are already masked."""
    public = [(r.item_code, r.published) for r in decision.lists if r.public]
    for subject_key, records in subject_groups(public):
        latest = max(records, key=lambda r: (r.decision_date, r.key))
        names = sorted({r.subject_name for r in records})
        codes = tuple(sorted({r.subject_code for r in records if r.subject_code}))
        for lang in LANGS:
            yield SearchDoc(
                ref=f"subject:{lang}:{subject_key}",
                kind="subject",
                lang=lang,
                title=latest.subject_name,
                text=" ".join([*names, *sorted({r.decision_number for r in records})]),
                url=routes.subject_route(subject_key),
                codes=codes,
            )
        for record in records:
            text = " ".join([record.authority, *(v for _, v in record.fields if v)])
            for lang in LANGS:
                yield SearchDoc(
                    ref=f"record:{lang}:{record.key}",
                    kind="record",
                    lang=lang,
                    title=f"{record.subject_name} {record.decision_number}",
                    text=text[:500],
                    url=routes.record_route(subject_key, record.key),
                    codes=tuple(c for c in (record.subject_code, record.decision_number) if c),
                    list_code=record.item_code,
                )
