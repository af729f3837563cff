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
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")

BATCH = 256  # items per message: enough that pickling and the pipe cost little per item

AVAILABLE = "fork" in multiprocessing.get_all_start_methods()


class ChildFailed(Exception):
    """The child's failure, with its traceback."""


def stream(
    produce: Callable[[], Iterable[T]],
    collect: Callable[[], Any],
    receive: Callable[[Any], None],
) -> Iterator[T]:
    """Every item of `produce()`, computed in a forked child; then `receive(collect())`."""
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(produce, collect, writer), daemon=True)
    child.start()
    writer.close()
    try:
        while True:
            kind, payload = receive_message(
                reader, ChildFailed("a forked worker died without a word")
            )
            if kind == "items":
                yield from payload
            elif kind == "done":
                receive(payload)
                return
            else:
                raise ChildFailed(f"in a forked worker:\n{payload}")
    finally:
        # The consumer may stop early (an exception of its own): the child must not linger.
        if child.is_alive():
            child.terminate()
        child.join()
        reader.close()


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
