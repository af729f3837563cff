"""Run the command line with every directory listing in reverse: `python -m tests.reliability.reversed_listing build ...`.

A file system lists a folder in whatever order it keeps it (hash order on ext4, creation order on
tmpfs), and a build that forgot to sort would follow that order. Reversing every listing the
process makes (`os.listdir`, `os.scandir`, and so `Path.iterdir`, `glob` and `os.walk`) gives
the build an order no sort would have produced, on any file system.
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Iterator
from types import TracebackType
from typing import Any

_listdir = os.listdir
_scandir = os.scandir


class _ReversedScandir:
    """What os.scandir returns (an iterator and a context manager), in reverse order."""

    def __init__(self, entries: list[os.DirEntry[Any]]) -> None:
        self._entries = iter(entries)

    def __iter__(self) -> Iterator[os.DirEntry[Any]]:
        return self

    def __next__(self) -> os.DirEntry[Any]:
        return next(self._entries)

    def __enter__(self) -> _ReversedScandir:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._entries = iter(())


def reversed_listdir(path: Any = ".") -> list[Any]:
    return list(reversed(_listdir(path)))


def reversed_scandir(path: Any = ".") -> _ReversedScandir:
    with _scandir(path) as found:
        entries = list(found)
    return _ReversedScandir(list(reversed(entries)))


def install() -> None:
    os.listdir = reversed_listdir  # type: ignore[assignment]
    os.scandir = reversed_scandir  # type: ignore[assignment]


if __name__ == "__main__":
    install()
    sys.argv = ["credit-portal", *sys.argv[1:]]
    runpy.run_module("generator", run_name="__main__", alter_sys=True)
