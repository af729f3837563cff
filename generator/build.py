"""The whole build, top to bottom: load → validate → decide → render → index → write.

Everything is loaded and checked before one byte is written (mkdocs' rule), and the site is written
into a temporary folder that replaces the old one only on success.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from pathlib import Path

from generator import assets, discovery, metadata, pages, parallel, write
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
from generator.lists.decide import ListsDecision, load_and_decide
from generator.model import OutputFile, SearchDoc
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
    jobs: int = 1  # processes that render and index (generator.parallel); the CLI uses every core


@dataclass(frozen=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    ok: bool
    as_of: dt.date | None = None
    files: int = 0
    bytes: int = 0
    summary: dict[str, object] = field(default_factory=dict)
    lists: ListsDecision | None = None  # per-row outcomes, for --report and the summary lines


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


def build(options: BuildOptions, reporter: Reporter | None = None) -> BuildResult:
    reporter = reporter or Reporter()
    diags = Diagnostics()
    root = options.root

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
    with reporter.stage("decide"):
        if catalogue is not None:
            inputs = replace(inputs, lists=load_and_decide(root, catalogue, config, as_of, diags))
        if inputs.lists is not None:
            # Read before the site is replaced; a truncated source must fail before any write.
            previous = lists_changes.load_manifest(options.previous or options.out, diags, root)
            lists_changes.check_shrink(
                inputs.lists.records(),
                previous,
                inputs.lists.withheld_reasons,
                config.policy.shrink_threshold,
                options.allow_shrink,
                diags,
            )
            inputs = replace(inputs, previous_lists=previous)

    if diags.has_errors(options.strict) or options.out is None:
        return _result(diags, options, as_of, inputs.lists)

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
    tasks: list[parallel.Task] = [
        partial(_index, inputs, renderer),  # first: the biggest task that cannot be split
        *_render_tasks(inputs, renderer),
        meta.files,
        partial(assets.asset_files, root, templates),
    ]
    sitemap = discovery.Sitemap(config.base_url)
    with reporter.stage("render, index and write"), write.SiteWriter(options.out) as writer:
        files = parallel.run(tasks, options.jobs, writer.store)
        writer.write_all(reporter.track(sitemap.watch(files), "writing pages"))
        writer.write_all(sitemap.files())  # every page is known once the stream has run
        stats = writer.commit()
    return BuildResult(
        tuple(diags.sorted()),
        True,
        as_of,
        stats.files,
        stats.bytes,
        _summary(as_of, inputs.lists),
        inputs.lists,
    )


def _render_tasks(inputs: Inputs, renderer: Renderer) -> list[parallel.Task]:
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
            inputs.lists, inputs.catalogue, renderer, inputs.previous_lists
        )
    tasks.append(partial(renderer.render_all_langs, "404.html", "404.html"))
    return tasks


def _index(inputs: Inputs, renderer: Renderer) -> Iterator[OutputFile]:
    """The search page and its index files, from every section's search documents (streamed)."""
    yield from search_page.render_pages(renderer)
    docs: list[Iterable[SearchDoc]] = [pages.search_docs(inputs.content)]
    if inputs.catalogue is not None:
        docs.append(catalogue_search_docs(inputs.catalogue))
    docs.append(consultations_search_docs(inputs.consultations))
    if inputs.lists is not None:
        docs.append(lists_render.search_docs(inputs.lists))
    yield from search_index.index_files(chain.from_iterable(docs))


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
