"""generator.forked: items computed in a forked child arrive in order, with what it collected."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from generator import forked


def test_items_arrive_in_order_and_then_what_the_child_collected() -> None:
    seen: list[int] = []
    got: list[object] = []

    def produce() -> Iterator[int]:
        for n in range(2_000):  # several batches
            seen.append(n)  # in the child: the parent's list is not touched
            yield n * n

    items = list(forked.start(produce, lambda: ("pid", os.getpid(), len(seen)), got.append))
    assert items == [n * n for n in range(2_000)]
    assert seen == []
    ((tag, pid, count),) = got
    assert (tag, count) == ("pid", 2_000) and pid != os.getpid()


def test_a_failure_in_the_child_is_raised_here_with_its_traceback() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise ValueError("row 7 broke it")

    with pytest.raises(forked.ChildFailed, match="row 7 broke it"):
        list(forked.start(produce, lambda: None, lambda _: None))


def test_a_consumer_that_stops_early_leaves_no_child_behind() -> None:
    def produce() -> Iterator[int]:
        n = 0
        while True:  # never ends: only the consumer's stop ends it
            yield n
            n += 1

    started = forked.start(produce, lambda: None, lambda _: None)
    items = iter(started)
    assert next(items) == 0
    items.close()  # the consumer's generator ends: the child with it
    assert [p for p in _children() if p] == []
    unread = forked.start(produce, lambda: None, lambda _: None)
    assert _children()  # forked at once, before anything is read
    unread.close()
    assert [p for p in _children() if p] == []


def _children() -> list[int]:
    import multiprocessing

    return [p.pid or 0 for p in multiprocessing.active_children()]
