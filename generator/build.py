"""The whole build, top to bottom: load → validate → decide → render → index → write.

Everything is loaded and checked before one byte is written (mkdocs' rule), and the site is written
into a temporary folder that replaces the old one only on success.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from pathlib import Path

from generator import assets, cache, discovery, heap, memo, metadata, pages, parallel, write
from generator.catalogue.load import load_catalogue
from generator.catalogue.model import Catalogue
from generator.catalogue.render import nav_entry as catalogue_nav
from generator.catalogue.render import render_catalogue
from generator.catalogue.search import search_docs as catalogue_search_docs
from generator.config import SiteConfig, load_config
from generator.consultations import Consultation, load_consultations, render_consultations
from generator.consultations import home_context as consultations_home
from generator.consultations import nav_entry as consultations_nav
from generator.consultations.search import search_docs as consultations_search_docs
from generator.content import Content, load_content
from generator.diagnostics import Diagnostic, Diagnostics
from generator.lists import accounting as lists_accounting
from generator.lists import changes as lists_changes
from generator.lists import render as lists_render
from generator.lists import routes as lists_routes
from generator.lists.decide import ListsDecision, load_and_decide
from generator.lists.rowmemo import RowMemo
from generator.model import DocGroup, SearchDoc
from generator.progress import Reporter
from generator.render import Renderer, templates_dir
from generator.search import index as search_index
from generator.search import page as search_page


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    out: Path | None = None  # None: check only, write nothing
    as_of: dt.date | None = None
    strict: bool = False
    previous: Path | None = None  # the previous site, for the lists' changes (default: out)
    allow_shrink: bool = False  # let a provider's records vanish beyond the shrink threshold
    jobs: int = 1  # processes that decide (forked), render and index (parallel); CLI: every core
    cache: Path | None = None  # a build cache folder (generator.cache): reuse an identical build
    reuse: bool = True  # with a cache, may a hit skip the build? (not when rows are reported)


@dataclass(frozen=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    ok: bool
    as_of: dt.date | None = None
    files: int = 0
    bytes: int = 0
    summary: dict[str, object] = field(default_factory=dict)
    lists: ListsDecision | None = None  # per-row outcomes, for --report and the summary lines
    unchanged: int = 0  # files kept from the previous site (same bytes): not written again
    cached: str = ""  # with a cache: "hit", "relinked" (site made from the cache) or "miss"
    # with a cache, on a miss: pages by what the page memo did (generator.memo): "reused" (not
    # rendered), "same" or "differs" (rendered to check what the memo held)
    memo: dict[str, int] = field(default_factory=dict)
    # with a cache, on a miss: rows by what the row memo did (generator.lists.rowmemo):
    # "reused" (not validated nor judged), "decided" (and remembered), "same" or "differs"
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return self.files - self.unchanged


@dataclass(frozen=True)
class Inputs:
    """Everything the build read, checked and cross-referenced."""

    config: SiteConfig
    as_of: dt.date
    content: Content
    catalogue: Catalogue | None = None  # None when the project has no catalogue/ folder
    consultations: tuple[Consultation, ...] = ()
    lists: ListsDecision | None = None  # the decide stage's outcome for content/lists/
    previous_lists: lists_changes.Manifest | None = None  # the previous site's lists manifest


@heap.scope()  # what each stage leaves behind is kept to the end: see generator.heap
def build(options: BuildOptions, reporter: Reporter | None = None) -> BuildResult:
    reporter = reporter or Reporter()
    diags = Diagnostics()
    root = options.root

    # 0. the cache: a build of exactly these inputs was made before, and is still at hand.
    store = key = None
    if options.cache is not None and options.out is not None:
        with reporter.stage("cache"):
            store = cache.Cache(options.cache)
            key = cache.build_key(cache_inputs(options))
            reused = cache.reuse(store, key, options.out) if options.reuse else None
        if reused is not None:
            return BuildResult(
                reused.diagnostics,
                reused.ok,
                reused.as_of,
                reused.files,
                reused.bytes,
                reused.summary,
                unchanged=reused.unchanged,
                cached="relinked" if reused.relinked else "hit",
            )

    # 1. load: read every input into immutable values, reporting problems with locations.
    with reporter.stage("load"):
        config = load_config(root, diags)
        if config is None:
            return _failed(diags)
        as_of = options.as_of or config.as_of or config.today()
        content = load_content(root, diags)
        catalogue = load_catalogue(root, as_of, diags)
        templates = templates_dir(root)
        assets.check_vendor(root, diags)
    heap.keep()

    # 2. validate: cross-references between inputs (catalogue ↔ lists ↔ consultations).
    with reporter.stage("validate"):
        consultations = load_consultations(root, catalogue, as_of, diags)
    inputs = Inputs(
        config=config,
        as_of=as_of,
        content=content,
        catalogue=catalogue,
        consultations=consultations,
    )

    # 3. decide: publication rules say what may be shown.
    environment = rows_memo = None
    with reporter.stage("decide"):
        if store is not None:
            # With a cache, a row decided before in this context is read back, not decided.
            environment = cache.page_environment(cache_inputs(options))
            rows_memo = RowMemo(store.folder, cache.rows_context(environment))
        if catalogue is not None:
            try:
                lists = load_and_decide(
                    root, catalogue, config, as_of, diags, options.jobs, rows_memo
                )
            finally:
                if rows_memo is not None:
                    rows_memo.close()
            inputs = replace(inputs, lists=lists)
        if inputs.lists is not None:
            # Read before the site is replaced; a truncated source must fail before any write.
            # Its findings are kept apart too: the next build compares against another manifest.
            found = Diagnostics()
            previous = lists_changes.load_manifest(options.previous or options.out, found, root)
            lists_changes.check_shrink(
                inputs.lists.published_keys(),
                previous,
                inputs.lists.withheld_reasons,
                config.policy.shrink_threshold,
                options.allow_shrink,
                found,
                inputs.lists.packages_of,
            )
            diags.extend(found)
            inputs = replace(inputs, previous_lists=previous)

    if diags.has_errors(options.strict) or options.out is None:
        return _result(diags, options, as_of, inputs.lists)
    heap.keep()

    # 4. render, 5. index, 6. write: streamed, so no stage holds the whole site in memory.
    renderer = Renderer(config, templates, as_of)
    nav = pages.nav_entries(content, renderer)
    if catalogue is not None:
        nav += (catalogue_nav(renderer),)
    if consultations:
        nav += (consultations_nav(renderer),)
    if inputs.lists is not None:
        nav += (lists_render.nav_entry(renderer),)
    nav += (search_page.nav_entry(renderer),)
    renderer.set_nav(nav)
    # Datasets are described once: JSON-LD in their pages' heads, catalogues at the site root.
    meta = metadata.collect(catalogue, inputs.lists, config, as_of, renderer.messages)
    renderer.env.globals["dataset_jsonld"] = meta.page_jsonld
    # With a cache, a page rendered before from the same inputs is linked, not rendered.
    pages_memo = lines_memo = None
    if store is not None and environment is not None:
        pages_memo = memo.PageMemo(store.pages, store.object_path, environment)
        # The downloads' lines of records made before (generator.lists.downloads).
        lines_memo = RowMemo(store.folder, cache.rows_context(environment), "lines")
        lines_memo.open()  # before the workers fork, so that they find it
    search = search_index.SearchIndex(_search_docs(inputs), jobs=options.jobs, memo=pages_memo)
    tasks: list[parallel.Task] = [
        *search.tasks(),  # first: the biggest tasks
        partial(search_page.render_pages, renderer),
        *_render_tasks(inputs, renderer, pages_memo, lines_memo),
        meta.files,
        partial(assets.asset_files, root, templates),
    ]
    sitemap = discovery.Sitemap(config.base_url)
    with (
        reporter.stage("render, index and write"),
        cache.working_tree(store, options.out) as tree,  # with a cache: the spare, recycled
        write.SiteWriter(options.out, store, tree) as writer,
        search.first_pass(),  # here, before the workers fork: the index tasks read what it spills
    ):
        files = parallel.run(tasks, options.jobs, writer.store)
        writer.write_all(reporter.track(sitemap.watch(files), "writing pages"))
        writer.write_all(sitemap.files())  # every page is known once the stream has run
        stats = writer.commit()
    if lines_memo is not None:
        lines_memo.close()
    result = BuildResult(
        tuple(diags.sorted()),
        True,
        as_of,
        stats.files,
        stats.bytes,
        _summary(as_of, inputs.lists),
        inputs.lists,
        stats.unchanged,
        "miss" if store is not None else "",
        dict(sorted(writer.memo.items())),
        dict(sorted(rows_memo.counts.items())) if rows_memo is not None else {},
    )
    if store is not None and key is not None:
        with reporter.stage("cache"):
            if pages_memo is not None:
                pages_memo.save(writer.pages)
            lines = lists_accounting.summary_lines(inputs.lists) if inputs.lists else ()
            outcome = cache.outcome(True, as_of, result.diagnostics, result.summary, lines)
            store.save(key, writer.records, outcome)
            if inputs.lists is not None and options.previous is None:
                lists_found = set(found.items)
                unrelated = [d for d in result.diagnostics if d not in lists_found]
                outcome = cache.outcome(True, as_of, unrelated, result.summary, lines)
                # Only a head start for the next build, once this one is published: if it fails,
                # that build runs in full instead (and fails there if something is really wrong).
                with contextlib.suppress(Exception):
                    _predict_next(options, inputs, renderer, store, key, writer.records, outcome)
    return result


def _predict_next(
    options: BuildOptions,
    inputs: Inputs,
    renderer: Renderer,
    store: cache.Cache,
    key: str,
    records: list[write.Record],
    outcome: dict[str, object],
) -> None:
    """Cache the next build of these same inputs now, so that it is a hit too.

    That build's previous site is this one: it differs only in the files made from the previous
    lists manifest (the change files, the lists' index page), now this build's own manifest.
    Those tasks (the ones given the manifest) are run again against it; everything else is the
    files just written. `outcome` holds this build's diagnostics less the previous manifest's.
    """
    assert options.out is not None and inputs.lists is not None
    manifest = (options.out / lists_routes.MANIFEST_PATH).read_bytes()
    next_key = cache.build_key(cache_inputs(options), previous_manifest=manifest)
    if next_key == key:  # made against its own manifest already: the next build is this one
        return
    # The next build's tree is made ahead too (generator.spare), mostly while this renders.
    with cache.next_tree(store, options.out, records) as settle:
        predicted = _next_files(options, inputs, renderer, store, records)
        if predicted is not None:
            store.save(next_key, predicted, outcome)
            settle(predicted)


def _next_files(
    options: BuildOptions,
    inputs: Inputs,
    renderer: Renderer,
    store: cache.Cache,
    records: list[write.Record],
) -> list[write.Record] | None:
    """The next build's files: these, with the tasks given the previous manifest rendered again
    against this build's own; None where that build cannot be foretold."""
    assert options.out is not None and inputs.lists is not None
    found = Diagnostics()
    own = lists_changes.load_manifest(options.out, found, options.root)
    if own is None:
        return None
    lists_changes.check_shrink(
        inputs.lists.published_keys(),
        own,
        inputs.lists.withheld_reasons,
        inputs.config.policy.shrink_threshold,
        options.allow_shrink,
        found,
        inputs.lists.packages_of,
    )
    if found.items:  # not what a rebuild against its own manifest is expected to find: no guess
        return None
    replaced: dict[str, tuple[str, int]] = {}
    for task in lists_render.render_tasks(inputs.lists, inputs.catalogue, renderer, own):
        given = (*task.args, *task.keywords.values()) if isinstance(task, partial) else ()
        if any(arg is own for arg in given):
            for file in task():
                replaced[file.path] = (cache.store_bytes(store, file.read()), file.nbytes())
    if not replaced.keys() <= {path for path, *_ in records}:
        return None  # new files would change the sitemap: let that build run
    return [
        (path, *replaced[path], 0, 0) if path in replaced else (path, digest, size, ino, mtime)
        for path, digest, size, ino, mtime in records
    ]


def cache_inputs(options: BuildOptions) -> cache.KeyInputs:
    """What the build's cache key is computed from (generator.cache.build_key)."""
    assert options.out is not None
    return cache.KeyInputs(
        options.root,
        options.out,
        options.previous,
        options.as_of,
        options.strict,
        options.allow_shrink,
    )


def _render_tasks(
    inputs: Inputs,
    renderer: Renderer,
    pages_memo: memo.PageMemo | None = None,
    lines_memo: RowMemo | None = None,
) -> list[parallel.Task]:
    """The render stage as independent tasks, which generator.parallel spreads over the cores."""
    home = consultations_home(inputs.consultations, inputs.as_of)
    tasks: list[parallel.Task] = [
        partial(pages.render_content, inputs.content, renderer, home_context=home)
    ]
    if inputs.catalogue is not None:
        published = inputs.lists.published_items() if inputs.lists else frozenset()
        tasks.append(
            partial(render_catalogue, inputs.catalogue, renderer, published_lists=published)
        )
    if inputs.consultations:
        tasks.append(
            partial(render_consultations, inputs.consultations, inputs.catalogue, renderer)
        )
    if inputs.lists is not None:
        tasks += lists_render.render_tasks(
            inputs.lists, inputs.catalogue, renderer, inputs.previous_lists, pages_memo, lines_memo
        )
    tasks.append(partial(renderer.render_all_langs, "404.html", "404.html"))
    return tasks


def _search_docs(inputs: Inputs) -> Iterator[SearchDoc | DocGroup]:
    """Every section's search documents, streamed to the index stage."""
    docs: list[Iterable[SearchDoc | DocGroup]] = [pages.search_docs(inputs.content)]
    if inputs.catalogue is not None:
        docs.append(catalogue_search_docs(inputs.catalogue))
    docs.append(consultations_search_docs(inputs.consultations))
    if inputs.lists is not None:
        docs.append(lists_render.search_groups(inputs.lists))
    return chain.from_iterable(docs)


def _failed(diags: Diagnostics) -> BuildResult:
    return BuildResult(tuple(diags.sorted()), False)


def _result(
    diags: Diagnostics, options: BuildOptions, as_of: dt.date, lists: ListsDecision | None = None
) -> BuildResult:
    ok = not diags.has_errors(options.strict)
    return BuildResult(
        tuple(diags.sorted()), ok, as_of, summary=_summary(as_of, lists), lists=lists
    )


def _summary(as_of: dt.date, lists: ListsDecision | None) -> dict[str, object]:
    summary: dict[str, object] = {"as_of": as_of.isoformat()}
    if lists is not None:
        summary["lists"] = lists_accounting.summary(lists)
    return summary
