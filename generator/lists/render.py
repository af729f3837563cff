"""Render stage for the untrustworthy-information lists: list pages, sub-indexes, subject pages,
downloads, change files and the manifest the next build compares against.

Everything is a generator: pages are rendered one at a time from the decided, sorted records, so a
million records never become a million rendered pages in memory. Only references to records are
grouped (by authority, district and subject).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import Markup

from generator.catalogue.model import Catalogue, FieldSpec, Item
from generator.lists import changes as changes_mod
from generator.lists import downloads, routes
from generator.lists.accounting import reasons_by_outcome
from generator.lists.fragments import RecordFragments
from generator.lists.model import WITHHELD, PublishedRecord, RecordRow, row_of
from generator.lists.rowmemo import RowMemo
from generator.lists.store import (
    MemorySubjects,
    PublishedRecords,
    StoredSubjects,
    SubjectPart,
    decode_record,
)
from generator.memo import PageMemo, TaskMemo
from generator.model import DEFAULT_LANG, LANGS, DocGroup, LangText, OutputFile, SearchDoc
from generator.render import NavEntry, Renderer, output_path

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
    records: Sequence[PublishedRecord]  # read from the decide stage's store, not held in memory
    published: int
    withheld: tuple[tuple[str, int], ...]  # reason → rows, most frequent first
    rejected: int
    input_rows: int
    # The day its data holds for: its packages' earliest `extracted` date (see data_as_of).
    data_as_of: dt.date | None = None

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
    # Counted by the decide stage's store, not by reading every outcome back.
    withheld = reasons_by_outcome(result)[WITHHELD]
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
        data_as_of=data_as_of(result.packages, dict(result.extracted)),
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
    for task in render_tasks(decision, catalogue, renderer, previous_manifest):
        yield from task()


# Subject pages come from the decide stage's store, grouped there (never all records at once).
SubjectGroups = StoredSubjects | MemorySubjects

# The subject pages are split into this many tasks, so that every core gets a share of them.
SUBJECT_TASKS = 16


def render_tasks(
    decision: ListsDecision,
    catalogue: Catalogue | None,
    renderer: Renderer,
    previous_manifest: changes_mod.Manifest | None,
    memo: PageMemo | None = None,
    lines: RowMemo | None = None,
) -> list[Callable[[], Iterable[OutputFile]]]:
    """The section's files as independent tasks (generator.parallel runs them on every core).

    Each task yields its own files; run one after the other, in this order, they give the section
    in its usual order. The subject pages, most of the work, come in many small tasks so that
    whichever core is free takes the next one. With `memo` (a build with a cache), a subject or
    list page rendered before from the same inputs is linked, not rendered (generator.memo);
    with `lines`, the downloads' lines of a record made before are read back (downloads.py).
    """
    infos = [list_info(result, catalogue) for result in decision.lists]
    public = [info for info in infos if info.public]
    helpers = _helpers(renderer)
    subjects = decision.subject_groups()
    tasks: list[Callable[[], Iterable[OutputFile]]] = [
        functools.partial(_index_pages, infos, public, renderer, helpers, previous_manifest)
    ]
    for info in public:
        tasks += [
            functools.partial(_list_pages, info, renderer, helpers, memo),
            functools.partial(_list_downloads, info, renderer, lines),
            functools.partial(_list_changes, info, renderer, helpers, previous_manifest, decision),
        ]
    tasks.append(
        functools.partial(
            _all_changes, infos, public, catalogue, renderer, helpers, previous_manifest, decision
        )
    )
    extracted = {name: day for result in decision.lists for name, day in result.extracted}
    tasks += [
        functools.partial(
            _subject_pages, public, renderer, helpers, subjects, part, extracted, memo
        )
        for part in subjects.parts(SUBJECT_TASKS)
    ]
    tasks.append(functools.partial(_manifest, public, renderer))
    return tasks


def _manifest(public: list[ListInfo], renderer: Renderer) -> Iterator[OutputFile]:
    """What the next build's change files compare against."""
    yield OutputFile(
        routes.MANIFEST_PATH,
        changes_mod.manifest_file(((i.code, i.records) for i in public), renderer.as_of),
    )


def _index_pages(
    infos: list[ListInfo],
    public: list[ListInfo],
    renderer: Renderer,
    helpers: dict[str, object],
    previous_manifest: changes_mod.Manifest | None,
) -> Iterator[OutputFile]:
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


def _list_downloads(
    info: ListInfo, renderer: Renderer, lines: RowMemo | None = None
) -> Iterator[OutputFile]:
    memo = lines.table(info.code) if lines is not None else None
    yield from downloads.list_downloads(
        info.code, info.title, info.fields, info.records, renderer.config, renderer.as_of, memo
    )


def _list_changes(
    info: ListInfo,
    renderer: Renderer,
    helpers: dict[str, object],
    previous_manifest: changes_mod.Manifest | None,
    decision: ListsDecision,
) -> Iterator[OutputFile]:
    changes = changes_mod.list_changes(
        info.code, info.records, previous_manifest, decision.withheld_reasons
    )
    yield from _change_files(info, changes, renderer, helpers)


def _all_changes(
    infos: list[ListInfo],
    public: list[ListInfo],
    catalogue: Catalogue | None,
    renderer: Renderer,
    helpers: dict[str, object],
    previous_manifest: changes_mod.Manifest | None,
    decision: ListsDecision,
) -> Iterator[OutputFile]:
    """The site-wide changes page, and the change files of lists that are no longer published."""
    summaries = [
        (
            info,
            changes_mod.list_changes(
                info.code, info.records, previous_manifest, decision.withheld_reasons
            ),
        )
        for info in public
    ]
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


def _vanished_list(code: str, catalogue: Catalogue | None) -> ListInfo:
    edition = catalogue.in_force if catalogue is not None else None
    item = edition.item(code) if edition is not None else None
    title = item.name if item is not None else LangText(code)
    return ListInfo(code, title, item, (), False, None, (), 0, (), 0, 0)


def _helpers(renderer: Renderer) -> dict[str, object]:
    """Functions the lists' templates call; kept here so the shared Jinja setup stays untouched."""
    messages = renderer.messages.catalogues
    fragments = RecordFragments(renderer)

    def label(lang: str, group: str, code: str) -> str:
        # Reasons and districts without a message of their own show their code.
        return messages.get(lang, {}).get(f"lists.{group}.{code}", code)

    return {
        "routes": routes,
        "label": label,
        "record_html": fragments,
        # A page's rows in one call, not one template call each (the list pages pass the rows
        # they already have).
        "rows_html": lambda records, lang: Markup(
            "".join(fragments.record_row(r, lang) for r in records)
        ),
        "subject_main": fragments.subject_main,
        "is_ascii": str.isascii,
        "objections_route": routes.OBJECTIONS_ROUTE,
        "credit_repair_route": routes.CREDIT_REPAIR_ROUTE,
    }


# -- list pages and sub-indexes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A sub-index: one authority's or one district's records, in list order. It keeps only
    their count, so that a list of any length is paged through without holding its records."""

    kind: str  # authority | district
    key: str
    label: str
    route: str
    count: int


def _authority(record: PublishedRecord | RecordRow) -> str:
    return routes.authority_slug(record.authority, record.authority_code)


def _groups(info: ListInfo) -> tuple[list[Group], list[Group]]:
    by_authority: Counter[str] = Counter()
    by_district: Counter[str] = Counter()
    names: dict[str, str] = {}
    fields = ("authority", "authority_code", "district")
    records = info.records
    # From the store, only these fields of each record are unpacked: this pass comes before the
    # pages, in every list task.
    rows = (
        records.project(*fields)
        if isinstance(records, PublishedRecords)
        else ((r.authority, r.authority_code, r.district) for r in records)
    )
    for authority, authority_code, district in rows:
        slug = routes.authority_slug(authority, authority_code)
        names.setdefault(slug, authority)
        by_authority[slug] += 1
        by_district[district] += 1
    authorities = [
        Group("authority", slug, names[slug], routes.authority_route(info.code, slug), n)
        for slug, n in by_authority.items()
    ]
    districts = [
        Group("district", d, d, routes.district_route(info.code, d), n)
        for d, n in by_district.items()
    ]
    authorities.sort(key=lambda g: (g.label, g.key))
    districts.sort(key=lambda g: g.key)
    return authorities, districts


# The list's own pages hold `page_size` rows (50 by default, as issue 4 asks); a sub-index page
# holds this many times as many: a quarter of the pages (and files) to render, still a small page.
SUB_INDEX_PAGE_FACTOR = 4


def _list_pages(
    info: ListInfo, renderer: Renderer, helpers: dict[str, object], memo: PageMemo | None = None
) -> Iterator[OutputFile]:
    """The list's pages and its sub-indexes by authority and by district, in one pass.

    A record appears as a row on three of them: its page of the list, and the pages of its
    authority and of its district. In full, with every public field, it is shown once, on its
    subject page (its permanent address, which the rows link to): at a million records, the list
    pages showing each record in full as well were a quarter of the site's bytes. So its row is
    rendered once per language as the records go by, each of the three pages it belongs to takes
    it, and a page is rendered as soon as it is full. Only one unfinished page per sequence is
    held, never the whole list. With `memo`, a page rendered before from the same rows and list
    is linked instead (generator.memo); its rows' fragments are still made as the rows go by.
    """
    size = renderer.config.policy.page_size
    authorities, districts = _groups(info)
    common = {
        **helpers,
        "info": info,
        "feed_route": routes.changes_feed_route(info.code),
        "data_as_of": info.data_as_of,
    }
    task = _ListMemo(TaskMemo(memo), _list_inputs(info, renderer)) if memo is not None else None
    main = _Pages(
        renderer, common, size, len(info.records), routes.list_route(info.code), None, task
    )
    main.first_page = {"authorities": authorities, "districts": districts}
    per_page = size * SUB_INDEX_PAGE_FACTOR
    by_authority = {
        g.key: _Pages(renderer, common, per_page, g.count, g.route, g, task) for g in authorities
    }
    by_district = {
        g.key: _Pages(renderer, common, per_page, g.count, g.route, g, task) for g in districts
    }
    fragment = helpers["record_html"]
    assert isinstance(fragment, RecordFragments)
    # Only what a row shows is read of each record, not the record itself.
    records = info.records
    rows = records.rows() if isinstance(records, PublishedRecords) else map(row_of, records)
    for r in rows:
        html = fragment.rows(r)
        yield from main.add(r, html)
        yield from by_authority[_authority(r)].add(r, html)
        yield from by_district[r.district].add(r, html)
    for sequence in (main, *by_authority.values(), *by_district.values()):
        yield from sequence.finish()


class _Pages:
    """One paginated sequence of list pages (the list, or one sub-index), filled record by record
    with each record's row, per language."""

    def __init__(
        self,
        renderer: Renderer,
        common: dict[str, object],
        size: int,
        total: int,
        base: str,
        group: Group | None,
        memo: _ListMemo | None = None,
    ) -> None:
        self.renderer, self.common, self.size, self.group = renderer, common, size, group
        self.memo = memo
        self.pages = max(1, -(-total // size))
        self.base = base
        self.page = 0
        self.first_page: dict[str, object] = {}
        self.records: list[RecordRow] = []
        self.html: dict[tuple[str, str], Markup] = {}

    def add(self, record: RecordRow, html: dict[str, Markup]) -> Iterator[OutputFile]:
        self.records.append(record)
        for lang, text in html.items():
            self.html[(record.key, lang)] = text
        if len(self.records) == self.size:
            yield from self._render()

    def finish(self) -> Iterator[OutputFile]:
        if self.records or self.page == 0:
            yield from self._render()

    def _render(self) -> Iterator[OutputFile]:
        self.page += 1
        pager = Pager(self.base, self.page, self.pages)
        route = pager.route(self.page)
        html, records = self.html, self.records
        self.records, self.html = [], {}
        first = self.page == 1
        authorities = self.first_page.get("authorities", ()) if first else ()
        districts = self.first_page.get("districts", ()) if first else ()
        key = ""
        if self.memo is not None:
            shown = (pager, self.size, self.group, authorities, districts, records)
            key = self.memo.key(route, shown, self.renderer)
            found = self.memo.task.reuse(key, [output_path(route, lang) for lang in LANGS])
            if found is not None:
                yield from found
                return

        def page_html(records: list[RecordRow], lang: str) -> Markup:
            return Markup("".join([html[(r.key, lang)] for r in records]))

        files = self.renderer.render_all_langs(
            "lists/list.html",
            route,
            {
                **self.common,
                "pager": pager,
                "page_size": self.size,
                "records": records,
                "group": self.group,
                "authorities": authorities,
                "districts": districts,
                # Its rows were rendered as the records were added.
                "rows_html": page_html,
            },
        )
        yield from files if self.memo is None else self.memo.task.rendered(key, files)


@dataclass(frozen=True)
class _ListMemo:
    """The memo, for one list's pages (generator.memo): `inputs` is what every page of the list
    is rendered from besides its own rows and place."""

    task: TaskMemo
    inputs: bytes

    def key(self, route: str, shown: tuple[object, ...], renderer: Renderer) -> str:
        # A list's first page is a dataset's page: its JSON-LD (metadata.py) is in its head.
        jsonld = renderer.env.globals.get("dataset_jsonld")
        heads = [str(jsonld(route, lang)) for lang in LANGS] if callable(jsonld) else []
        return self.task.key("list", self.inputs, repr((route, shown, heads)).encode())


def _list_inputs(info: ListInfo, renderer: Renderer) -> bytes:
    """What every page of a list shows of it (list.html), and the build's date where the pages
    show it instead of the list's data date (base.html's `as_of` block)."""
    day = info.data_as_of
    dated = day is not None and day <= renderer.as_of
    zone = renderer.env.globals["tz_offset"]
    shown = (
        info.code,
        info.title,
        info.item,
        info.fields,
        info.public,
        info.withheld_reason,
        info.published,
        info.withheld,
        info.rejected,
        info.input_rows,
        day,
        None if dated else renderer.as_of,
        zone,
    )
    return repr(shown).encode()


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


def _subject_pages(
    infos: Sequence[ListInfo],
    renderer: Renderer,
    helpers: dict[str, object],
    subjects: SubjectGroups,
    part: SubjectPart,
    extracted: Mapping[str, dt.date | None],
    memo: PageMemo | None = None,
) -> Iterator[OutputFile]:
    by_code = {info.code: info for info in infos}
    fragment = helpers["record_html"]
    assert isinstance(fragment, RecordFragments)
    html: dict[tuple[str, str], Markup] = {}

    def record_html(r: PublishedRecord, info: ListInfo, lang: str, *args: Any) -> Markup:
        found = html.get((r.key, lang)) if args == (3, "subject") else None
        return found if found is not None else fragment(r, info, lang, *args)

    def subject_main(
        latest: PublishedRecord,
        sections: Sequence[tuple[ListInfo, Sequence[PublishedRecord]]],
        count: int,
        lang: str,
    ) -> Markup:
        return fragment.subject_main(latest, sections, count, lang, record_html)

    page = {**helpers, "record_html": record_html, "subject_main": subject_main}
    common = _subject_inputs(infos, extracted, renderer) if memo is not None else b""
    task = TaskMemo(memo) if memo is not None else None
    for subject_key, blobs in subjects.encoded_groups(part):
        route = routes.subject_route(subject_key)
        key = ""
        if task is not None:
            key = task.key("subject", common, subject_key.encode(), *blobs)
            found = task.reuse(key, [output_path(route, lang) for lang in LANGS])
            if found is not None:
                yield from found
                continue
        records = [decode_record(data) for data in blobs]
        latest = max(records, key=lambda r: (r.decision_date, r.key))
        sections = [
            (by_code[code], list(group))
            for code, group in itertools.groupby(records, key=lambda r: r.item_code)
        ]
        # Both languages' fragments at once: a record's values are escaped only once.
        html.clear()
        for info, section in sections:
            for r in section:
                for lang, text in fragment.langs(r, info, 3, "subject").items():
                    html[(r.key, lang)] = text
        files = renderer.render_all_langs(
            "lists/subject.html",
            route,
            {
                **page,
                "subject_key": subject_key,
                "latest": latest,
                "sections": sections,
                "count": len(records),
                "data_as_of": data_as_of({r.package for r in records}, extracted),
            },
        )
        yield from files if task is None else task.rendered(key, files)


def _subject_inputs(
    infos: Sequence[ListInfo], extracted: Mapping[str, dt.date | None], renderer: Renderer
) -> bytes:
    """What every subject page is rendered from besides its records and the build's environment
    (generator.memo): the lists' titles and fields, the packages' extraction dates, and the
    build's date where a page may show it instead (base.html's `as_of` block)."""
    shown = [(i.code, i.title, i.item_route, i.fields) for i in infos]
    days = list(extracted.values())
    dated = all(day is not None and day <= renderer.as_of for day in days)
    zone = renderer.env.globals["tz_offset"]
    return repr(
        (shown, sorted(extracted.items()), None if dated else renderer.as_of, zone)
    ).encode()


def data_as_of(packages: Iterable[str], extracted: Mapping[str, dt.date | None]) -> dt.date | None:
    """The day a page built from list data holds for: its packages' earliest `extracted` date.

    Subject pages (from the packages of their records) and list pages (from their list's) say
    this, not the build's --as-of, which changes every day: such a page then changes only when
    its records or their packages do, and a daily rebuild keeps it as it is (generator.write),
    so a deploy uploads none of the unchanged ones. Printed as evidence, it still says how
    current its data is. None (the page shows --as-of) when a package gives no date.
    """
    days = {extracted.get(name) for name in packages}
    if not days or None in days:
        return None
    return min(day for day in days if day is not None)


# -- search -----------------------------------------------------------------------------------------


def search_docs(decision: ListsDecision) -> Iterator[SearchDoc]:
    """A document per subject and one per record; values are already masked.

    One language only: subjects and records are indexed once, in language-neutral shards
    (generator/search/index.py), since names are Chinese and codes are codes. A copy per
    language would be made, and read by every writer of the index's first pass, only to be
    dropped there.
    """
    for group in search_groups(decision):
        yield from group.make()


def search_groups(decision: ListsDecision) -> Iterator[DocGroup]:
    """`search_docs`, a subject and its records at a time, each made only if asked for: the
    writers of the index's first pass each make only their share (generator.model.DocGroup)."""
    codes = {number: result.item_code for number, result in enumerate(decision.lists, start=1)}
    for subject_key, item_codes, records in decision.subject_groups().lazy_groups(codes):
        heads = (
            ("subject", " ".join(sorted(set(item_codes)))),
            *(("record", code) for code in item_codes),
        )
        yield DocGroup(heads, functools.partial(_subject_docs, subject_key, records))


RECORD_TEXT_CAP = 500


def _record_text(record: PublishedRecord) -> str:
    """The authority and the field values, space-separated, cut at RECORD_TEXT_CAP characters:
    the values past the cap are not joined only to be cut (most of a record's are)."""
    parts, size = [record.authority], len(record.authority)
    for _, value in record.fields:
        if size >= RECORD_TEXT_CAP:
            break
        if value:
            parts.append(value)
            size += 1 + len(value)
    return " ".join(parts)[:RECORD_TEXT_CAP]


def _subject_docs(
    subject_key: str, records_of: Callable[[], list[PublishedRecord]]
) -> list[SearchDoc]:
    lang = DEFAULT_LANG
    records = records_of()
    latest = max(records, key=lambda r: (r.decision_date, r.key))
    names = sorted({r.subject_name for r in records})
    codes = tuple(sorted({r.subject_code for r in records if r.subject_code}))
    # A subject is on every list its records are on: the codes, separated by spaces, so
    # that filtering the search by any one of those lists keeps it (search.js: listsOf).
    lists = " ".join(sorted({r.item_code for r in records}))
    docs = [
        SearchDoc(
            ref=f"subject:{lang}:{subject_key}",
            kind="subject",
            lang=lang,
            title=latest.subject_name,
            # Its names (the latest and any former ones). Not its decision numbers: each finds
            # its record, which links to the subject page; in the subject's document as well
            # they were a quarter of the shards' postings (issue 8).
            text=" ".join(names),
            url=routes.subject_route(subject_key),
            codes=codes,
            list_code=lists or None,
        )
    ]
    for record in records:
        docs.append(
            SearchDoc(
                ref=f"record:{lang}:{record.key}",
                kind="record",
                lang=lang,
                title=f"{record.subject_name} {record.decision_number}",
                text=_record_text(record),
                url=routes.record_route(subject_key, record.key),
                codes=tuple(c for c in (record.subject_code, record.decision_number) if c),
                list_code=record.item_code,
            )
        )
    return docs
