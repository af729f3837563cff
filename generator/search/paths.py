"""Where the search page and its index files live in the built site (search.js mirrors these)."""

from __future__ import annotations

SEARCH_ROUTE = "search/"
MANIFEST_PATH = "search/manifest.json"


def site_index_path(lang: str) -> str:
    return f"search/site-index.{lang}.json"


def shard_path(shard: int) -> str:
    return f"search/shards/{shard}.json"


def store_part_path(part: int) -> str:
    return f"search/docs/{part}.json"
