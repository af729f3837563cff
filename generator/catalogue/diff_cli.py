"""`credit-portal diff EDITION_A EDITION_B`: the site's edition diff, in the terminal or as JSON.

Exit codes follow the CLI's rule: 0 printed, 1 the catalogue has errors, 2 an unknown edition.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from generator import diagnostics as diag_fmt
from generator.catalogue.diff import Labels, diff_editions, format_text
from generator.catalogue.load import load_catalogue
from generator.config import load_config
from generator.diagnostics import Diagnostics
from generator.i18n import load_messages
from generator.model import LANGS, LangText
from generator.render import templates_dir

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None


def project_labels(root: Path) -> Labels:
    """Labels from the project's own templates (or the shipped theme), as the site uses them."""
    messages = load_messages(templates_dir(root) / "i18n")

    def label(key: str) -> LangText:
        return LangText(messages.get("zh-CN", key), messages.get("en", key))

    return label


@click.command("diff")
@click.argument("edition_a")
@click.argument("edition_b")
@click.option(
    "--root", "-C", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The project folder (where site.yaml is).",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Plain text for reading, JSON for programs.",
)  # fmt: skip
@click.option(
    "--lang", type=click.Choice(LANGS), default=LANGS[0], show_default=True,
    help="Language of the text output (JSON carries both).",
)  # fmt: skip
@click.option(
    "--as-of", callback=_parse_date, metavar="YYYY-MM-DD",
    help="The date the catalogue is checked at (default: site.yaml's as_of, else today).",
)  # fmt: skip
def diff_command(
    edition_a: str, edition_b: str, root: Path, fmt: str, lang: str, as_of: dt.date | None
) -> None:
    """Show what changed from EDITION_A to EDITION_B: items added, removed and changed."""
    diags = Diagnostics()
    config = load_config(root, diags)
    catalogue = None
    if config is not None:
        catalogue = load_catalogue(root, as_of or config.as_of or config.today(), diags)
        if catalogue is None:
            click.echo(f"error: {root / 'catalogue'} does not exist", err=True)
            sys.exit(EXIT_CONTENT)
    click.echo(diag_fmt.format_text(diags.sorted()), nl=False, err=True)
    if catalogue is None or diags.has_errors():
        click.echo(f"the catalogue has {len(diags.errors)} errors; fix them first", err=True)
        sys.exit(EXIT_CONTENT)
    known = [e.id for e in catalogue.editions]
    for wanted in (edition_a, edition_b):
        if catalogue.edition(wanted) is None:
            click.echo(
                f"error: unknown edition {wanted!r}; the editions are: {', '.join(known)}", err=True
            )
            sys.exit(EXIT_USAGE)
    old, new = catalogue.edition(edition_a), catalogue.edition(edition_b)
    assert old is not None and new is not None
    labels = project_labels(root)
    diff = diff_editions(old, new, labels)
    if fmt == "json":
        text = json.dumps(diff.as_dict(), ensure_ascii=False, sort_keys=True, indent=2) + "\n"
        click.echo(text, nl=False)
    else:
        click.echo(format_text(diff, lang, labels), nl=False)
    sys.exit(EXIT_OK)
