"""The whole build, top to bottom: load → validate → decide → render → index → write.

Everything is loaded and checked before one byte is written (mkdocs' rule), and the site is written
into a temporary folder that replaces the old one only on success.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from generator import assets, pages, write
from generator.config import SiteConfig, load_config
from generator.content import Content, load_content
from generator.diagnostics import Diagnostic, Diagnostics
from generator.model import OutputFile
from generator.progress import Reporter
from generator.render import Renderer, templates_dir


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    out: Path | None = None  # None: check only, write nothing
    as_of: dt.date | None = None
    strict: bool = False


@dataclass(frozen=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    ok: bool
    as_of: dt.date | None = None
    files: int = 0
    bytes: int = 0
    summary: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Inputs:
    """Everything the build read, checked and cross-referenced."""

    config: SiteConfig
    as_of: dt.date
    content: Content


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
        templates = templates_dir(root)
        assets.check_vendor(root, diags)

    # 2. validate: cross-references between inputs (catalogue ↔ lists ↔ consultations).
    inputs = Inputs(config=config, as_of=as_of, content=content)

    # 3. decide: publication rules say what may be shown.

    if diags.has_errors(options.strict) or options.out is None:
        return _result(diags, options, as_of)

    # 4. render, 5. index, 6. write: streamed, so no stage holds the whole site in memory.
    renderer = Renderer(config, templates, as_of)
    renderer.set_nav(pages.nav_entries(content, renderer))
    files = chain(
        _render(inputs, renderer),
        _index(inputs, renderer),
        assets.asset_files(root, templates),
    )
    with reporter.stage("render, index and write"), write.SiteWriter(options.out) as writer:
        writer.write_all(reporter.track(files, "writing pages"))
        stats = writer.commit()
    return BuildResult(
        tuple(diags.sorted()), True, as_of, stats.files, stats.bytes, {"as_of": as_of.isoformat()}
    )


def _render(inputs: Inputs, renderer: Renderer) -> Iterator[OutputFile]:
    yield from pages.render_content(inputs.content, renderer, home_context={})
    yield from renderer.render_all_langs("404.html", "404.html")


def _index(inputs: Inputs, renderer: Renderer) -> Iterator[OutputFile]:
    return iter(())


def _failed(diags: Diagnostics) -> BuildResult:
    return BuildResult(tuple(diags.sorted()), False)


def _result(diags: Diagnostics, options: BuildOptions, as_of: dt.date) -> BuildResult:
    ok = not diags.has_errors(options.strict)
    return BuildResult(tuple(diags.sorted()), ok, as_of)
