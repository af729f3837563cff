"""Progress for long stages (rich on stderr), or silence under --quiet."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

T = TypeVar("T")


class Reporter:
    """Silent by default; `RichReporter` shows stages and counts."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        yield

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        yield from items


class RichReporter(Reporter):
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        # A plain log line, not a live spinner: `track()` inside a stage needs the live display.
        start = time.perf_counter()
        yield
        self.console.log(f"{name} [dim]({time.perf_counter() - start:.2f} s)[/dim]")

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=self.console, transient=True) as progress:
            task = progress.add_task(description, total=total)
            for item in items:
                yield item
                progress.advance(task)
