"""The command line. It only parses options and maps outcomes to exit codes:
0 success, 1 content errors (or warnings under --strict), 2 usage errors, 3 an internal bug.
"""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from generator import diagnostics as diag_fmt
from generator.build import BuildOptions, BuildResult, build
from generator.lists.accounting import summary_lines as lists_summary_lines
from generator.lists.report import write_report
from generator.parallel import default_jobs
from generator.progress import Reporter, RichReporter
from generator.timings import TimingReporter

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    help="Processes that render and index the site (default: every core).",
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
) -> None:
    """Validate everything and write the site atomically."""
    out = out if out is not None else root / "site"
    _check_out(root, out)
    if report is not None and _inside(report, out):
        raise click.UsageError("--report must not point inside the site folder")
    if timings is not None and _inside(timings, out):
        raise click.UsageError("--timings must not point inside the site folder")
    options = BuildOptions(
        root=root,
        out=out,
        as_of=as_of,
        strict=strict,
        previous=previous,
        allow_shrink=allow_shrink,
        jobs=jobs if jobs is not None else default_jobs(),
    )
    result = _run(options, quiet, debug, timings)
    _finish(result, fmt, quiet, report, wrote=out)


@cli.command("check")
@common_options
def check_command(
    root: Path, as_of: dt.date | None, strict: bool, quiet: bool, fmt: str, debug: bool
) -> None:
    """Run every validation; write nothing."""
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


def _run(
    options: BuildOptions, quiet: bool, debug: bool, timings: Path | None = None
) -> BuildResult:
    reporter: Reporter = Reporter() if quiet else RichReporter()
    timer = TimingReporter(reporter) if timings is not None else None
    try:
        result = build(options, timer or reporter)
        if timer is not None and timings is not None:
            timer.write(timings)
        return result
    except Exception as exc:  # a bug or a broken environment, never bad content
        if debug:
            traceback.print_exc()
        else:
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (re-run with --debug for the traceback)",
                err=True,
            )
        sys.exit(EXIT_BUG)


def _finish(
    result: BuildResult, fmt: str, quiet: bool, report: Path | None, wrote: Path | None
) -> None:
    diagnostics = result.diagnostics
    if fmt == "json":
        click.echo(diag_fmt.format_json(diagnostics, result.summary), nl=False)
    elif fmt == "github":
        click.echo(diag_fmt.format_github(diagnostics), nl=False)
    else:
        click.echo(diag_fmt.format_text(diagnostics), nl=False, err=True)
    if report is not None:
        payload = {
            "ok": result.ok,
            **result.summary,
            "diagnostics": [d.as_dict() for d in diagnostics],
        }
        # The lists' part holds one entry per input row, so it is streamed into the file.
        write_report(report, payload, result.lists)
    if not quiet and result.lists is not None:
        for line in lists_summary_lines(result.lists):
            click.echo(line, err=True)
    errors = sum(1 for d in diagnostics if d.severity.value == "error")
    warnings = len(diagnostics) - errors
    if not quiet and fmt == "text":
        if result.ok and wrote is not None:
            click.echo(
                f"built {wrote} as of {result.as_of}: {result.files} files, "
                f"{result.bytes:,} bytes ({errors} errors, {warnings} warnings)",
                err=True,
            )
        else:
            verdict = "ok" if result.ok else "failed"
            click.echo(f"{verdict}: {errors} errors, {warnings} warnings", err=True)
    sys.exit(EXIT_OK if result.ok else EXIT_CONTENT)


def _add_section_commands() -> None:
    from generator.catalogue.diff_cli import diff_command
    from generator.consultations.cli import comments_group

    cli.add_command(diff_command)
    cli.add_command(comments_group)


_add_section_commands()


def main() -> None:
    cli(prog_name="credit-portal")
