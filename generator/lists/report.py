"""The `--report FILE` JSON: per list, counts by outcome and reason; per row, what became of it.

Written as a stream, one row per line, so that a million rows never become a million dicts at
once. Keys are sorted and the output is byte-identical for the same inputs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from generator.lists.accounting import reasons_by_outcome

if TYPE_CHECKING:
    from generator.lists.decide import ListResult, ListsDecision
    from generator.lists.model import Outcome


def write_report(path: Path, head: Mapping[str, object], decision: ListsDecision | None) -> None:
    """Write `head` (ok, summary, diagnostics, ...) with `lists` replaced by the per-row report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = dict(head)
    payload["lists"] = None  # a placeholder: streamed below
    keys = sorted(payload)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("{\n")
        for n, key in enumerate(keys):
            out.write(f"  {_json(key)}: ")
            if key == "lists":
                _write_lists(out, decision)
            else:
                out.write(_indented(payload[key], "  "))
            out.write(",\n" if n < len(keys) - 1 else "\n")
        out.write("}\n")


def _write_lists(out: IO[str], decision: ListsDecision | None) -> None:
    results = decision.lists if decision is not None else ()
    if not results:
        out.write("{}")
        return
    out.write("{\n")
    for n, result in enumerate(results):
        out.write(f"    {_json(result.item_code)}: {{\n")
        for key, value in sorted(_list_head(result).items()):
            out.write(f"      {_json(key)}: {_indented(value, '      ')},\n")
        out.write('      "rows": [')
        first = True
        for row in _rows(result.outcomes):
            out.write(("\n" if first else ",\n") + "        " + _json(row))
            first = False
        out.write("\n      ]\n" if not first else "]\n")
        out.write("    }" + (",\n" if n < len(results) - 1 else "\n"))
    out.write("  }")


def _list_head(result: ListResult) -> dict[str, object]:
    return {
        "counts": dict(result.counts),
        "packages": list(result.packages),
        "public": result.public,
        "reasons": reasons_by_outcome(result),
        "withheld_reason": result.withheld_reason,
        "input_rows": result.input_rows,
    }


def _rows(outcomes: Sequence[Outcome]) -> Iterator[dict[str, object]]:
    for o in outcomes:
        row: dict[str, object] = {
            "location": o.location.as_dict(),
            "key": o.record_key,
            "outcome": o.outcome,
            "reason": o.reason,
        }
        if o.detail:
            row["kept"] = o.detail
        yield row


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _indented(value: object, prefix: str) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)
    return text.replace("\n", "\n" + prefix)
