"""The garbage collector during a build: what a stage leaves behind is kept to the end.

A build keeps a few large structures for its whole run (the loaded inputs, the decisions, the
compiled templates) and makes millions of short-lived objects besides. CPython's full
collections walk every tracked object each time, and on the kept structures they find nothing:
at 100,000 records that was about 0.4 s of the build process's time, most of it while the
other core waited. `gc.freeze()` moves the objects alive at a stage's end to a generation the
collector skips; a forked worker then also leaves their memory pages shared instead of copying
them as the collector touches them.

`build()` runs inside `scope()`, which unfreezes everything when it ends, so a process that
builds again and again (`serve`, the tests) collects what one build left as usual.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_scopes = 0  # scope() blocks open in this process


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """A block in which `keep()` may freeze what is alive; it is all unfrozen at the end."""
    global _scopes
    _scopes += 1
    try:
        yield
    finally:
        _scopes -= 1
        if _scopes == 0:
            gc.unfreeze()


def keep() -> None:
    """Everything alive now lives until the scope ends: collect once, then leave it alone.

    Outside a scope this does nothing, so that a caller's objects are never frozen for good.
    """
    if _scopes:
        gc.collect()
        gc.freeze()


@contextlib.contextmanager
def shared_with_children() -> Iterator[None]:
    """Around forking workers: what is alive now is shared with them, and the collector in
    each of them must not touch (and so copy) those pages. In the forking process it stays
    frozen only inside a scope."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        if not _scopes:
            gc.unfreeze()
