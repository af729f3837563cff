"""Small immutable values shared by every stage."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

LANGS: tuple[str, ...] = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"


@dataclass(frozen=True)
class LangText:
    """A text in zh-CN (always present) and, where given, English."""

    zh: str
    en: str | None = None

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.zh

    def has(self, lang: str) -> bool:
        return lang != "en" or bool(self.en)


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: a posix path relative to the site root, and its bytes."""

    path: str
    data: bytes

    def nbytes(self) -> int:
        """Its size, also for a file that is already on disk (generator.spool, write.Stored)."""
        return len(self.data)

    def read(self) -> bytes:
        return self.data

    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def same_bytes(self, other: BinaryIO) -> bool:
        """Does the open file `other` hold exactly these bytes?"""
        return other.read() == self.data


@dataclass(frozen=True)
class SearchDoc:
    """One searchable thing, handed from the render stage to the index stage."""

    ref: str
    kind: str  # page | notice | item | consultation | subject | record
    lang: str
    title: str
    text: str
    url: str
    codes: tuple[str, ...] = ()  # identifiers kept whole: credit codes, document numbers
    list_code: str | None = None


@dataclass(frozen=True)
class DocGroup:
    """Search documents made only if they are needed (a subject and its records).

    Every writer of the index's first pass reads every section's documents, and each tokenizes
    only its share of them (generator.search.index). A writer numbers the documents it skips by
    their kind and list code alone: `heads`, one per document in order, which a section can
    give without making the documents, such as without decoding the records behind them.
    """

    heads: tuple[tuple[str, str | None], ...]  # (kind, list_code) of each document of `make()`
    make: Callable[[], list[SearchDoc]]
