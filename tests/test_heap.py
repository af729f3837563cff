"""generator.heap: a build freezes what its stages keep, and unfreezes it all when it ends."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from generator import heap
from generator.build import BuildOptions, build
from tests.conftest import REPO


def test_keep_freezes_only_inside_a_scope() -> None:
    assert gc.get_freeze_count() == 0
    heap.keep()
    assert gc.get_freeze_count() == 0  # a caller's objects are never frozen for good
    with heap.scope():
        kept = {"a": [1]}
        heap.keep()
        assert gc.get_freeze_count() > 0
        assert kept["a"] == [1]  # frozen, not freed
        with heap.scope():  # nested: the inner end leaves the outer's objects frozen
            heap.keep()
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_forking_freezes_for_the_children_and_thaws_after_outside_a_scope() -> None:
    with heap.shared_with_children():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    with heap.scope():
        with heap.shared_with_children():
            pass
        assert gc.get_freeze_count() > 0  # the forking build keeps them frozen to its end
    assert gc.get_freeze_count() == 0


def test_a_build_keeps_its_stages_and_leaves_nothing_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build freezes what load and decide leave (heap.keep); `serve` builds again and
    again in one process, so each build's leftovers must be collectable afterwards, whether
    it succeeded or not."""
    frozen_after_keep: list[int] = []
    keep = heap.keep

    def keeping() -> None:
        keep()
        frozen_after_keep.append(gc.get_freeze_count())

    monkeypatch.setattr(heap, "keep", keeping)
    result = build(BuildOptions(root=REPO, out=tmp_path / "site", jobs=2))
    assert result.ok
    assert len(frozen_after_keep) == 2  # after load, after decide
    assert 0 < frozen_after_keep[0] < frozen_after_keep[1]
    assert gc.get_freeze_count() == 0
    failed = build(BuildOptions(root=tmp_path / "no-such-project", out=tmp_path / "other"))
    assert not failed.ok
    assert gc.get_freeze_count() == 0
