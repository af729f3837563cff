"""Run a generator in a forked child and stream its items back, in order.

For a stage that is a sequence of independent per-item computations feeding an ordered,
stateful consumer: the decide stage validates a row and applies the rules to it in a child
(pure work, most of the cost), while the parent keeps the record keys, the duplicate rule and
the on-disk store (generator.lists.decide). The two then run on two cores at once.

The child is forked, not spawned, so it inherits what the items are computed from instead of
receiving it pickled. Items cross a pipe in pickled batches; the pipe's buffer bounds how far the
child runs ahead, so memory does not grow with the items. After the last item the child sends
`collect()` (what it gathered besides the items, such as its diagnostics), and the parent hands
that to `receive` before the stream ends. A failure in the child is raised again in the parent.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from threading import Event
from typing import Any, Generic, TypeVar

T = TypeVar("T")

BATCH = 256  # items per message: enough that pickling and the pipe cost little per item
LOOKAHEAD = 16  # messages read ahead of the consumer, per child: bounds the parent's memory

AVAILABLE = "fork" in multiprocessing.get_all_start_methods()


class ChildFailed(Exception):
    """The child's failure, with its traceback."""


class Started(Generic[T]):
    """A child forked and at work: iterate to take its items (once), or close it unread."""

    def __init__(
        self,
        produce: Callable[[], Iterable[T]],
        collect: Callable[[], Any],
        receive: Callable[[Any], None],
    ) -> None:
        context = multiprocessing.get_context("fork")
        self._reader, writer = context.Pipe(duplex=False)
        self._child = context.Process(target=_child, args=(produce, collect, writer), daemon=True)
        self._child.start()
        writer.close()
        self._receive = receive
        self._messages: queue.Queue[bytes | None] = queue.Queue(LOOKAHEAD)
        self._stop = threading.Event()
        self._ahead = threading.Thread(
            target=_read_ahead, args=(self._reader, self._messages, self._stop), daemon=True
        )
        self._ahead.start()

    def __iter__(self) -> Iterator[T]:
        try:
            while True:
                data = self._messages.get()
                if data is None:
                    raise ChildFailed("a forked worker died without a word")
                kind, payload = pickle.loads(data)
                if kind == "items":
                    yield from payload
                elif kind == "done":
                    self._receive(payload)
                    return
                else:
                    raise ChildFailed(f"in a forked worker:\n{payload}")
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child, if it still runs; the consumer may stop early (on its own error)."""
        self._stop.set()
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()
        self._ahead.join()  # the child is gone: its read ends at the end of the pipe
        self._reader.close()


def start(
    produce: Callable[[], Iterable[T]],
    collect: Callable[[], Any],
    receive: Callable[[Any], None],
) -> Started[T]:
    """Every item of `produce()`, computed in a child forked now (so that it works while the
    caller does something else first); iterating the result takes them, then hands
    `receive` what the child's `collect()` returned."""
    return Started(produce, collect, receive)


def _read_ahead(reader: Connection, messages: queue.Queue[bytes | None], stop: Event) -> None:
    """Read the child's messages as they come, up to LOOKAHEAD ahead of the consumer.

    The pipe itself holds less than one message, so without this the child could never run
    more than a message ahead, and several children fed to one consumer (heapq.merge, in the
    decide stage) would take turns instead of working at once. The read releases the GIL.
    """
    while not stop.is_set():
        try:
            data: bytes | None = reader.recv_bytes()
        except (EOFError, OSError):
            data = None
        while not stop.is_set():
            try:
                messages.put(data, timeout=0.05)
                break
            except queue.Full:
                continue
        if data is None:
            return


def receive_message(connection: Connection, died: Exception) -> tuple[str, Any]:
    """The next (kind, payload) a child sent; `died` raised if it is gone without a word."""
    try:
        kind, payload = pickle.loads(connection.recv_bytes())
    except EOFError:
        raise died from None
    return kind, payload


def _child(
    produce: Callable[[], Iterable[Any]], collect: Callable[[], Any], out: Connection
) -> None:
    try:
        batch: list[Any] = []
        for item in produce():
            batch.append(item)
            if len(batch) >= BATCH:
                out.send_bytes(pickle.dumps(("items", batch), pickle.HIGHEST_PROTOCOL))
                batch = []
        if batch:
            out.send_bytes(pickle.dumps(("items", batch), pickle.HIGHEST_PROTOCOL))
        out.send_bytes(pickle.dumps(("done", collect()), pickle.HIGHEST_PROTOCOL))
    except BaseException:
        out.send_bytes(pickle.dumps(("failed", traceback.format_exc())))
    finally:
        out.close()
