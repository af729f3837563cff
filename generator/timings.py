"""Stage timings for benchmarks (`credit-portal build --timings FILE`).

A `TimingReporter` wraps the reporter the build already calls, so the build needs no timing code
of its own. Render, index and write run as one stream, so the stream is split by where the time
goes: producing a file (attributed to the site section the file lands in) or consuming it (the
writer, between two files). Timings are measurements, so they are written beside the site, never
into it, and they are the one output that is allowed to differ between two identical builds.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from generator import parallel
from generator.model import OutputFile
from generator.progress import Reporter

T = TypeVar("T")


def _cpu() -> float:
    """User plus system time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Span:
    wall: float = 0.0
    cpu: float = 0.0
    files: int = 0
    bytes: int = 0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "wall_s": round(self.wall, 4),
            "cpu_s": round(self.cpu, 4),
            "files": self.files,
            "bytes": self.bytes,
        }


@dataclass
class Flow:
    """Part of a stream: wall time only (see `TimingReporter.track`)."""

    wall: float = 0.0
    files: int = 0
    bytes: int = 0

    def as_dict(self) -> dict[str, float | int]:
        return {"wall_s": round(self.wall, 4), "files": self.files, "bytes": self.bytes}


@dataclass
class TimingReporter(Reporter):
    """Records each stage's wall and CPU time, and splits streamed stages by site section."""

    inner: Reporter = field(default_factory=Reporter)
    stages: dict[str, Span] = field(default_factory=dict)
    sections: dict[str, Flow] = field(default_factory=dict)
    consumer: Flow = field(default_factory=Flow)
    started: float = field(default_factory=time.perf_counter)
    # Files written and kept, and whether the build cache served the build (set by the CLI).
    outcome: dict[str, object] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), _cpu()
        with self.inner.stage(name):
            yield
        span = self.stages.setdefault(name, Span())
        span.wall += time.perf_counter() - wall
        span.cpu += _cpu() - cpu

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        """Wall time per file, split between making it and consuming it. Not CPU time: that is
        a system call to read, twice per file; each stage has its CPU time, and each task its
        own, measured where it ran (`parallel.task_times`)."""
        iterator = iter(self.inner.track(items, description, total))
        clock = time.perf_counter
        while True:
            wall = clock()
            try:
                item = next(iterator)
            except StopIteration:
                return
            produced = clock()
            span = self.sections.setdefault(_section(item), Flow())
            span.wall += produced - wall
            if isinstance(item, OutputFile):
                span.files += 1
                span.bytes += item.nbytes()
            yield item
            self.consumer.wall += clock() - produced

    def as_dict(self) -> dict[str, object]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "total_wall_s": round(time.perf_counter() - self.started, 4),
            "stages": {name: span.as_dict() for name, span in self.stages.items()},
            "stream": {
                "produce": {name: s.as_dict() for name, s in sorted(self.sections.items())},
                "write": self.consumer.as_dict(),
            },
            # By task, measured in the process that ran it: with --jobs above 1 the stream's
            # split above only shows how long the parent waited for each section.
            "tasks": parallel.task_times(),
            "write": self.outcome,
            "maxrss_kib": usage.ru_maxrss,
            "children_cpu_s": round(children.ru_utime + children.ru_stime, 4),
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_dict(), indent=2, sort_keys=True) + "\n", "utf-8")


def _section(item: object) -> str:
    """The site section an output file belongs to: its first folder, English pages folded in."""
    if not isinstance(item, OutputFile):
        return "other"
    parts = item.path.split("/")
    if parts[0] == "en" and len(parts) > 1:
        parts = parts[1:]
    return parts[0] if len(parts) > 1 else "(root)"
