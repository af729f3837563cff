"""`credit-portal comments import FILE --consultation ID`: the command line side of the importer.

It only parses options and maps the outcome to exit codes: 0 imported, 1 a bad row (nothing
written), 2 usage.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from generator import diagnostics as diag_fmt
from generator.config import load_config
from generator.consultations.importer import import_comments
from generator.consultations.model import CHANNELS
from generator.diagnostics import Diagnostics

EXIT_OK, EXIT_CONTENT = 0, 1


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None


@click.group("comments")
def comments_group() -> None:
    """Comments on consultations (content/consultations/<id>/comments.csv)."""


@comments_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--consultation",
    "consultation_id",
    required=True,
    metavar="ID",
    help="The consultation the comments are on (its folder name).",
)
@click.option(
    "--root",
    "-C",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The project folder (where site.yaml is).",
)
@click.option(
    "--received",
    callback=_parse_date,
    metavar="YYYY-MM-DD",
    help="The day the template was received (default: today in the site's time zone).",
)
@click.option("--channel", type=click.Choice(CHANNELS), default="email", show_default=True,
              help="How the template was received.")  # fmt: skip
def import_command(
    file: Path, consultation_id: str, root: Path, received: dt.date | None, channel: str
) -> None:
    """Check a returned comment template (CSV or XLSX) and append its comments as pending.

    Every bad row is reported as FILE:row N:column; if there is any, nothing is written.
    """
    if received is None:
        config = load_config(root, Diagnostics())
        received = config.today() if config is not None else dt.date.today()
    result = import_comments(
        root, file, consultation_id, received=received, channel=channel, file_label=str(file)
    )
    click.echo(diag_fmt.format_text(result.diagnostics), nl=False, err=True)
    if not result.ok:
        click.echo("nothing imported: fix the rows above and run the command again", err=True)
        sys.exit(EXIT_CONTENT)
    click.echo(
        f"imported {len(result.added)} comments ({result.added[0]}–{result.added[-1]}) "
        f"into {result.target}, disposition pending",
        err=True,
    )
    sys.exit(EXIT_OK)
