"""The small site-wide index of one language: pages, notices, catalogue items and consultations.

It is a few hundred documents, so the browser loads it whole, together with the display data of
every document (one file, one request).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from generator.model import OutputFile, SearchDoc
from generator.search.paths import site_index_path
from generator.search.shards import base36, compact_scores, empty_index
from generator.search.tokenizer import FieldSpec, build_index, serialize

# The display data keeps only the start of a text for its snippet (the index has all of it):
# this file is loaded whole by every search.
SNIPPET_SOURCE_CAP = 600

FIELDS: tuple[FieldSpec, ...] = (
    {"field_name": "title", "boost": 10},
    {"field_name": "codes", "boost": 5},
    {"field_name": "text"},
)


def site_index_file(lang: str, docs: Sequence[SearchDoc]) -> OutputFile:
    # Refs are repeated in every posting, so the index uses short ones (base 36 of the position
    # in ref order) rather than the SearchDocs' own.
    refs = {d.ref: base36(i) for i, d in enumerate(sorted(docs, key=lambda d: d.ref))}
    docs = sorted(docs, key=lambda d: d.ref)
    records = [
        {"ref": refs[d.ref], "title": d.title, "codes": list(d.codes), "text": d.text} for d in docs
    ]
    names = [str(spec["field_name"]) for spec in FIELDS]
    index = (
        compact_scores(serialize(build_index("ref", FIELDS, records)))
        if records
        else empty_index(names)
    )
    store: dict[str, dict[str, Any]] = {
        refs[d.ref]: {
            "k": d.kind,
            "t": d.title,
            "u": d.url,
            "x": d.text[:SNIPPET_SOURCE_CAP],
            "c": list(d.codes),
            "l": d.list_code,
        }
        for d in docs
    }
    data = {"index": index, "docs": store}
    return OutputFile(site_index_path(lang), dump_json(data))


def dump_json(data: object) -> bytes:
    """Compact and deterministic: these files are downloaded, so no whitespace."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )
