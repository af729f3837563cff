"""The command line. It only parses options and maps outcomes to exit codes:
0 success, 1 content errors (or warnings under --strict), 2 usage errors, 3 an internal bug.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, Protocol, TypeVar

import click

from generator import diagnostics as diag_fmt
from generator import native
from generator.parallel import default_jobs
from generator.progress import Reporter, RichReporter
from generator.timings import TimingReporter

# The build itself is imported when a build runs: a hit of the build cache needs none of it, and
# importing it takes longer than such a build (generator.cache).
if TYPE_CHECKING:
    from generator.build import BuildOptions, BuildResult
    from generator.lists.decide import ListsDecision

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None


def common_options(func: F) -> F:
    options = [
        click.option(
            "--root", "-C",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("."),
            show_default=True,
            help="The project folder (where site.yaml is).",
        ),
        click.option(
            "--as-of",
            callback=_parse_date,
            metavar="YYYY-MM-DD",
            help="The date the build treats as today (default: site.yaml's as_of, else today in its time zone).",
        ),
        click.option("--strict", is_flag=True, help="Treat warnings as errors."),
        click.option("--quiet", "-q", is_flag=True, help="No progress output."),
        click.option(
            "--format", "fmt",
            type=click.Choice(["text", "json", "github"]),
            default="text",
            show_default=True,
            help="How diagnostics are printed.",
        ),
        click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


class _Commands(click.Group):
    """The section commands are imported when they run: a build never pays for them."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "diff": ("generator.catalogue.diff_cli", "diff_command"),
        "comments": ("generator.consultations.cli", "comments_group"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module, name = self.LAZY[cmd_name]
            command = getattr(importlib.import_module(module), name)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="credit-portal")
def cli() -> None:
    """Build the social-credit open-data portal from content/ and catalogue/."""


@cli.command("build")
@common_options
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Output folder (default: site/ in the project).",
)  # fmt: skip
@click.option(
    "--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write a JSON report of the build (never inside the site).",
)  # fmt: skip
@click.option(
    "--previous", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
    help="The previously published site, whose lists/manifest.json the change files compare "
    "against (default: the output folder before it is replaced).",
)  # fmt: skip
@click.option(
    "--allow-shrink", is_flag=True,
    help="Publish even when a provider's records vanish beyond the shrink threshold.",
)  # fmt: skip
@click.option(
    "--timings", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write each stage's wall and CPU time as JSON (for bench/; never inside the site).",
)  # fmt: skip
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None,
    help="Processes that decide, render and index the site (default: every core).",
)  # fmt: skip
@click.option(
    "--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="A build cache folder: a build of unchanged inputs reuses the last one's files, and "
    "any build the pages, search shards and list rows made before from the same inputs (never "
    "inside the site).",
)  # fmt: skip
def build_command(
    root: Path,
    as_of: dt.date | None,
    strict: bool,
    quiet: bool,
    fmt: str,
    debug: bool,
    out: Path | None,
    report: Path | None,
    previous: Path | None,
    allow_shrink: bool,
    timings: Path | None,
    jobs: int | None,
    cache_dir: Path | None,
) -> None:
    """Validate everything and write the site atomically."""
    out = out if out is not None else root / "site"
    _check_out(root, out)
    if report is not None and _inside(report, out):
        raise click.UsageError("--report must not point inside the site folder")
    if timings is not None and _inside(timings, out):
        raise click.UsageError("--timings must not point inside the site folder")
    if cache_dir is not None and (_inside(cache_dir, out) or _inside(out, cache_dir)):
        raise click.UsageError("--cache and the site folder must not contain one another")
    if cache_dir is not None and report is None:  # a report needs every row's outcome
        reused = _reuse(root, out, previous, as_of, strict, allow_shrink, cache_dir, debug, timings)
        if reused is not None:
            _finish(reused, fmt, quiet, None, wrote=out)
    from generator.build import BuildOptions

    options = BuildOptions(
        root=root,
        out=out,
        as_of=as_of,
        strict=strict,
        previous=previous,
        allow_shrink=allow_shrink,
        jobs=jobs if jobs is not None else default_jobs(),
        cache=cache_dir,
        reuse=False,  # tried above, or not wanted
    )
    result = _run(options, quiet, debug, timings)
    _finish(result, fmt, quiet, report, wrote=out)


def _reuse(
    root: Path,
    out: Path,
    previous: Path | None,
    as_of: dt.date | None,
    strict: bool,
    allow_shrink: bool,
    cache_dir: Path,
    debug: bool,
    timings: Path | None,
) -> _Outcome | None:
    """The build served from the cache, before the rest of the generator is even imported."""
    from generator import cache

    timer = TimingReporter() if timings is not None else None
    try:
        with timer.stage("cache") if timer else _nothing():
            inputs = cache.KeyInputs(root, out, previous, as_of, strict, allow_shrink)
            reused = cache.reuse(cache.Cache(cache_dir), cache.build_key(inputs), out)
    except Exception as exc:  # a bug or a broken environment, never bad content
        _internal_error(exc, debug)
    if reused is not None and timer is not None and timings is not None:
        timer.outcome = _write_outcome(reused, "relinked" if reused.relinked else "hit")
        timer.write(timings)
    return reused


@cli.command("check")
@common_options
def check_command(
    root: Path, as_of: dt.date | None, strict: bool, quiet: bool, fmt: str, debug: bool
) -> None:
    """Run every validation; write nothing."""
    from generator.build import BuildOptions

    options = BuildOptions(root=root, out=None, as_of=as_of, strict=strict)
    _finish(_run(options, quiet, debug), fmt, quiet, None, wrote=None)


@cli.command("serve")
@click.option("--root", "-C", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--as-of", callback=_parse_date, metavar="YYYY-MM-DD")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None)
def serve_command(
    root: Path, as_of: dt.date | None, host: str, port: int, out: Path | None
) -> None:
    """Preview the site on localhost, rebuilding when an input changes."""
    from generator.serve import serve

    out = out or root / "site"
    _check_out(root, out)
    serve(root, out, as_of, host, port)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


# The site folder is replaced whole on every build, so it must never hold the project's inputs.
_INPUT_FOLDERS = ("content", "catalogue", "templates")


def _check_out(root: Path, out: Path) -> None:
    if _inside(root, out) or any(_inside(out, root / name) for name in _INPUT_FOLDERS):
        raise click.UsageError(
            f"--out {out} would replace the project's own files; choose a separate folder"
        )


class _Outcome(Protocol):
    """A build's result: generator.build.BuildResult, or generator.cache.Reused."""

    @property
    def diagnostics(self) -> tuple[diag_fmt.Diagnostic, ...]: ...
    @property
    def ok(self) -> bool: ...
    @property
    def as_of(self) -> dt.date | None: ...
    @property
    def files(self) -> int: ...
    @property
    def bytes(self) -> int: ...
    @property
    def unchanged(self) -> int: ...
    @property
    def written(self) -> int: ...
    @property
    def summary(self) -> dict[str, object]: ...
    @property
    def lists(self) -> ListsDecision | None: ...
    @property
    def memo(self) -> dict[str, int]: ...
    @property
    def rows(self) -> dict[str, int]: ...


def _write_outcome(result: _Outcome, cached: str) -> dict[str, object]:
    """Files written and kept, for --timings (and so for bench/)."""
    return {
        "files": result.files,
        "bytes": result.bytes,
        "written": result.written,
        "unchanged": result.unchanged,
        "cache": cached,
        "pages": result.memo,  # what the page memo did (generator.memo)
        "rows": result.rows,  # what the row memo did (generator.lists.rowmemo)
    }


@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield


def _run(options: BuildOptions, quiet: bool, debug: bool, timings: Path | None = None) -> _Outcome:
    reporter: Reporter = Reporter() if quiet else RichReporter()
    timer = TimingReporter(reporter) if timings is not None else None
    try:
        result = build(options, timer or reporter)
        if timer is not None and timings is not None:
            timer.outcome = _write_outcome(result, result.cached)
            timer.write(timings)
        return result
    except Exception as exc:  # a bug or a broken environment, never bad content
        _internal_error(exc, debug)


def build(options: BuildOptions, reporter: Reporter | None = None) -> BuildResult:
    """generator.build.build, imported when a build runs."""
    from generator.build import build as build_site

    return build_site(options, reporter)


def _internal_error(exc: Exception, debug: bool) -> NoReturn:
    if debug:
        traceback.print_exc()
    else:
        click.echo(
            f"internal error: {type(exc).__name__}: {exc} (re-run with --debug for the traceback)",
            err=True,
        )
    sys.exit(EXIT_BUG)


def _finish(
    result: _Outcome, fmt: str, quiet: bool, report: Path | None, wrote: Path | None
) -> NoReturn:
    diagnostics = result.diagnostics
    if fmt == "json":
        click.echo(diag_fmt.format_json(diagnostics, result.summary), nl=False)
    elif fmt == "github":
        click.echo(diag_fmt.format_github(diagnostics), nl=False)
    else:
        click.echo(diag_fmt.format_text(diagnostics), nl=False, err=True)
    if report is not None:
        from generator.lists.report import write_report

        payload = {
            "ok": result.ok,
            **result.summary,
            "diagnostics": [d.as_dict() for d in diagnostics],
        }
        # The lists' part holds one entry per input row, so it is streamed into the file.
        write_report(report, payload, result.lists)
    if not quiet:
        for line in _summary_lines(result):
            click.echo(line, err=True)
    errors = sum(1 for d in diagnostics if d.severity.value == "error")
    warnings = len(diagnostics) - errors
    if not quiet and fmt == "text":
        if result.ok and wrote is not None:
            click.echo(
                f"built {wrote} as of {result.as_of}: {result.files} files, "
                f"{result.bytes:,} bytes; {result.written} written, {result.unchanged} "
                f"unchanged ({errors} errors, {warnings} warnings)",
                err=True,
            )
            if native.out_of_date():
                click.echo(
                    "note: build/native was compiled from other sources, so this build ran as "
                    "Python, more slowly; `make setup` compiles it again",
                    err=True,
                )
        else:
            verdict = "ok" if result.ok else "failed"
            click.echo(f"{verdict}: {errors} errors, {warnings} warnings", err=True)
    sys.exit(EXIT_OK if result.ok else EXIT_CONTENT)


def _summary_lines(result: _Outcome) -> Sequence[str]:
    if result.lists is not None:
        from generator.lists.accounting import summary_lines

        return summary_lines(result.lists)
    from generator.cache import Reused

    return result.summary_lines if isinstance(result, Reused) else ()


def main() -> None:
    try:
        cli(prog_name="credit-portal")
    except SystemExit as done:
        _leave(done.code)


def _leave(code: str | int | None) -> NoReturn:
    """Exit without the interpreter's teardown, which frees every object one by one: after a
    build that is a large heap (0.1 s at 100,000 records), and nothing needs it. Exit handlers
    still run (the lists' store and the spool remove their temporary folders there, and
    multiprocessing reaps its children), and the standard streams are flushed; every file the
    command writes is closed by then."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()  # what sys.exit would run before the teardown
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code or 0)
