"""Use every core for the render and index stages: tasks run in forked workers, files stream back.

A task is a function that returns the output files of one part of the site (a list's pages, a
share of the subject pages, the search index). Every file's bytes depend only on the build's
inputs, never on which process made it or when, so the site is the same whatever the order the
files arrive in; the sitemap, the progress bar and the writer's bookkeeping stay in the parent.

Workers are forked, not spawned: they inherit the decided inputs and the compiled templates
instead of receiving them pickled. Given `store` (SiteWriter.store), a worker writes each file
into the temporary tree itself and only its path and size cross the pipe, so the bytes are never
copied between processes and every core shares the file-system work.
With `jobs == 1`, or where fork is not available, the tasks simply run one after the other here.

Each task's wall and CPU time is kept (`task_times()`), for `credit-portal build --timings`.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import pickle
import resource
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from generator import heap
from generator.forked import receive_message
from generator.model import OutputFile

Task = Callable[[], Iterable[OutputFile]]
Store = Callable[[OutputFile], OutputFile]

# A batch is sent when it holds this many bytes or files: big enough that pickling and the pipe
# cost little per file, small enough that the parent's memory holds only a few batches.
BATCH_BYTES = 4 << 20
BATCH_FILES = 512


class WorkerFailed(Exception):
    """A worker's failure, with its traceback: the cause of the worker's own exception, which
    is raised again in the parent, or raised itself if that exception cannot be pickled."""


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# name -> [tasks, wall s, cpu s, files, bytes] of the last run, summed over tasks of that name
STORE_TIMES = "(files written by the workers)"
_TIMES: dict[str, list[float]] = {}


def task_times() -> dict[str, dict[str, float]]:
    """Where the last run's time went, by task function (in the worker that ran it)."""
    keys = ("tasks", "wall_s", "cpu_s", "files", "bytes")
    return {
        name: {k: round(v, 4) for k, v in zip(keys, values, strict=True)}
        for name, values in sorted(_TIMES.items())
    }


def run(tasks: Sequence[Task], jobs: int, store: Store | None = None) -> Iterator[OutputFile]:
    """Every file of every task. Workers are forked now, before any output is consumed."""
    _TIMES.clear()
    if jobs <= 1 or len(tasks) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _serial(tasks)
    return _Pool(tasks, min(jobs, len(tasks)), store).files()


def _serial(tasks: Sequence[Task]) -> Iterator[OutputFile]:
    for task in tasks:
        for chunk in _timed(task, _TIMES):
            yield from chunk


def _timed(task: Task, into: dict[str, list[float]]) -> Iterator[list[OutputFile]]:
    """The task's files in chunks (a pipe message's worth), adding up the time spent making
    them, not the time the caller keeps them.

    The clocks are read per chunk, not per file: a CPU clock is a system call, and four of them
    per file were about 0.4 s of the workers' time at 100,000 records.
    """
    totals = into.setdefault(_name(task), [0.0, 0.0, 0.0, 0.0, 0.0])
    totals[0] += 1
    wall, cpu = time.perf_counter(), _cpu()
    chunk: list[OutputFile] = []
    size = 0
    for file in task():
        chunk.append(file)
        size += file.nbytes()
        if size >= BATCH_BYTES or len(chunk) >= BATCH_FILES:
            _add(totals, wall, cpu, chunk, size)
            yield chunk
            wall, cpu = time.perf_counter(), _cpu()
            chunk, size = [], 0
    _add(totals, wall, cpu, chunk, size)
    if chunk:
        yield chunk


def _add(totals: list[float], wall: float, cpu: float, files: list[OutputFile], size: int) -> None:
    totals[1] += time.perf_counter() - wall
    totals[2] += _cpu() - cpu
    totals[3] += len(files)
    totals[4] += size


def _name(task: Task) -> str:
    func = task.func if isinstance(task, functools.partial) else task
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Pool:
    def __init__(self, tasks: Sequence[Task], jobs: int, store: Store | None) -> None:
        context = multiprocessing.get_context("fork")
        self.next_task = context.Value("i", 0)
        self.tasks = tasks
        self.store = store
        self.connections: list[Connection] = []
        self.processes: list[Any] = []
        with heap.shared_with_children():  # the decided inputs, as the workers find them
            for _ in range(jobs):
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=self._work, args=(send,), daemon=True)
                process.start()
                send.close()
                self.connections.append(receive)
                self.processes.append(process)

    def _work(self, send: Connection) -> None:
        """In a worker: take the next task until none is left, sending its files in batches."""
        times: dict[str, list[float]] = {}
        try:
            while True:
                with self.next_task.get_lock():
                    index = self.next_task.value
                    self.next_task.value += 1
                if index >= len(self.tasks):
                    break
                for chunk in _timed(self.tasks[index], times):
                    batch = self._stored(chunk, times)
                    send.send_bytes(pickle.dumps(("files", batch), pickle.HIGHEST_PROTOCOL))
            send.send_bytes(pickle.dumps(("done", times)))
        except BaseException as exc:
            trace = traceback.format_exc()
            try:  # the exception itself, so the build fails as it would in one process
                failure = pickle.dumps(("failed", (exc, trace)))
            except Exception:
                failure = pickle.dumps(("failed", (None, trace)))
            send.send_bytes(failure)
        finally:
            send.close()

    def _stored(self, files: list[OutputFile], times: dict[str, list[float]]) -> list[OutputFile]:
        if self.store is None:
            return files
        wall, cpu = time.perf_counter(), _cpu()
        stored = [self.store(file) for file in files]
        totals = times.setdefault(STORE_TIMES, [0.0, 0.0, 0.0, 0.0, 0.0])
        _add(totals, wall, cpu, files, sum(file.nbytes() for file in files))
        return stored

    def files(self) -> Iterator[OutputFile]:
        pending = list(self.connections)
        try:
            while pending:
                for connection in wait(pending):
                    assert isinstance(connection, Connection)
                    died = WorkerFailed("a worker died without a word")
                    kind, payload = receive_message(connection, died)
                    if kind == "files":
                        yield from payload
                    elif kind == "done":
                        pending.remove(connection)
                        for name, values in payload.items():
                            totals = _TIMES.setdefault(name, [0.0] * len(values))
                            for i, value in enumerate(values):
                                totals[i] += value
                    else:
                        exc, trace = payload
                        failed = WorkerFailed(f"in a worker process:\n{trace}")
                        if isinstance(exc, Exception):
                            raise exc from failed
                        raise failed
        finally:
            for process in self.processes:
                if process.is_alive():
                    process.terminate()
                process.join()
            for connection in self.connections:
                connection.close()
