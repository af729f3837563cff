"""The index stage: every section's SearchDocs in, the search files of the built site out.

- ``search/site-index.<lang>.json``: pages, notices, catalogue items and consultations of one
  language, with their display data; loaded whole.
- ``search/shards/<n>.json``: subjects and records, term-partitioned (see shards.py); indexed once,
  language-neutral, since names are Chinese and codes are codes.
- ``search/docs/<k>.json``: the subjects' and records' display data, by hash of their ref.
- ``search/manifest.json``: N, the parts, the ref prefixes and the heavy tokens.

Documents are consumed as a stream; see shardset.py for what stays in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from generator.model import DEFAULT_LANG, LANGS, OutputFile, SearchDoc
from generator.search.paths import MANIFEST_PATH, site_index_path
from generator.search.shards import DOCS_PER_STORE_PART, FIELD, HEAVY_CAP, POSTINGS_PER_SHARD
from generator.search.shardset import ShardSetBuilder, ShardSetInfo
from generator.search.sitewide import dump_json, site_index_file

SHARD_KINDS = frozenset({"subject", "record"})
MANIFEST_VERSION = 1


def index_files(
    docs: Iterable[SearchDoc],
    *,
    per_shard: int = POSTINGS_PER_SHARD,
    per_part: int = DOCS_PER_STORE_PART,
    heavy_cap: int = HEAVY_CAP,
) -> Iterator[OutputFile]:
    """All search files for ``docs``; the keyword arguments exist for tests and the benchmark."""
    site_docs: dict[str, list[SearchDoc]] = {lang: [] for lang in LANGS}
    with tempfile.TemporaryDirectory(prefix="cp-search-") as tmp:
        shard_set = ShardSetBuilder(
            Path(tmp), per_shard=per_shard, per_part=per_part, heavy_cap=heavy_cap
        )
        try:
            for doc in docs:
                if doc.kind in SHARD_KINDS:
                    # Indexed once: a section handing out a copy per language is read in Chinese.
                    if doc.lang == DEFAULT_LANG or doc.lang not in LANGS:
                        shard_set.add(doc)
                elif doc.lang in site_docs:
                    site_docs[doc.lang].append(doc)
        finally:
            shard_set.close()
        for lang in LANGS:
            yield site_index_file(lang, site_docs[lang])
        yield from shard_set.files()
        assert shard_set.info is not None  # set once files() is exhausted
        yield OutputFile(MANIFEST_PATH, dump_json(manifest(shard_set.info, heavy_cap)))


def manifest(info: ShardSetInfo, heavy_cap: int) -> dict[str, object]:
    return {
        "version": MANIFEST_VERSION,
        "field": FIELD,
        "docs": info.docs,
        "postings": info.postings,
        "shards": info.shards,
        "parts": info.parts,
        "groups": [[kind, list_code] for kind, list_code in info.groups],
        "heavy": info.heavy,
        "heavyCap": heavy_cap,
        "siteIndex": {lang: site_index_path(lang) for lang in LANGS},
    }
