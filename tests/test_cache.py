"""The build cache (`build --cache DIR`): a hit is byte-identical to a cold build, never trusts a
damaged cache, and a rebuild writes only the files whose bytes changed."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import cache
from generator.build import BuildOptions, BuildResult, build
from tests.conftest import make_project, run_cli
from tests.test_atomic_build import snapshot as tree

AS_OF = dt.date(2026, 11, 30)
HOME = "---\ntitle:\n  zh-CN: 首页\n  en: Home\nslug: index\nnav_order: 1\n---\n欢迎。\n"
ABOUT = "---\ntitle:\n  zh-CN: 关于\n  en: About\nslug: about\nnav_order: 2\n---\n正文。\n"
NOTICE = "---\ntitle: 通知\nslug: first\ndate: 2026-01-05\n---\n正文。\n"


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def small_project(tmp_path: Path) -> Path:
    files = {
        "content/pages/index.md": HOME,
        "content/pages/about.md": ABOUT,
        "content/notices/2026-01-05-first.md": NOTICE,
    }
    return make_project(tmp_path, files)


def run(project: Path, out: Path, store: Path | None = None, **options: object) -> BuildResult:
    result = build(BuildOptions(root=project, out=out, as_of=AS_OF, cache=store, **options))  # type: ignore[arg-type]
    assert result.ok, [d for d in result.diagnostics if d.severity.value == "error"]
    return result


@pytest.mark.parametrize("sample", [False, True], ids=["small", "sample"])
def test_cold_cached_and_cached_after_a_change_are_byte_identical(
    tmp_path: Path, sample: bool
) -> None:
    project = make_project(tmp_path, {}, with_sample=True) if sample else small_project(tmp_path)
    cold, site, store = tmp_path / "cold", tmp_path / "site", tmp_path / "cache"

    # 1. the first build: nothing cached, nothing to compare the lists against
    assert run(project, site, store).cached == "miss"
    run(project, cold)
    assert tree(site) == tree(cold)
    first = tree(site)
    # 2. the previous site's lists manifest is an input (the change files compare against it):
    # the first build cached this one ahead, with change files made against its own manifest,
    # and made its tree ahead too (generator.spare), which the hit swaps in
    if sample:
        assert tree(store / "next") != first
    second = run(project, site, store)
    assert second.cached == ("relinked" if sample else "hit")
    assert second.written < second.files / 10
    run(project, cold)
    assert tree(site) == tree(cold)
    if sample:
        assert tree(store / "next") == first  # the old site, kept as the spare
    # 3. nothing changed at all: a hit that leaves every file as it is
    before = inodes(site)
    hit = run(project, site, store)
    assert (hit.cached, hit.written, hit.unchanged) == ("hit", 0, len(before))
    assert inodes(site) == before
    run(project, cold)
    assert tree(site) == tree(cold)
    # 4. a changed input: a miss, and only the files it affects are written
    page = project / "content/pages/about.md"
    page.write_text(page.read_text("utf-8") + "\n新的一段。\n", "utf-8")
    previous = tree(site)
    changed = run(project, site, store)
    assert changed.cached == "miss"
    assert 0 < changed.written < changed.files / 2
    after = inodes(site)
    assert after["index.html"] == before["index.html"]  # same bytes: the same file, untouched
    assert after["about/index.html"] != before["about/index.html"]
    # Made in the spare, recycled (generator.write): no other tree was made or left beside it,
    # and the old site is the spare now (settled ahead for the next build where there are lists).
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    if not sample:
        assert tree(store / "next") == previous
    run(project, cold)
    assert tree(site) == tree(cold)


def test_a_rebuild_without_cache_keeps_unchanged_files_and_reports_counts(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    site = tmp_path / "site"
    first = run(project, site)
    assert (first.written, first.unchanged) == (first.files, 0)
    before = inodes(site)
    again = run(project, site)
    assert (again.written, again.unchanged) == (0, again.files)
    assert inodes(site) == before  # same inode and mtime: rsync -a skips every file


def test_a_damaged_site_is_put_together_again_from_the_cache(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    site, store = tmp_path / "site", tmp_path / "cache"
    run(project, site, store)
    run(project, site, store)  # the steady state: this site is its own previous site
    expected = tree(site)
    (site / "about/index.html").unlink()
    (site / "about/index.html").write_bytes(b"replaced")
    (site / "stray.txt").write_text("not ours")
    result = run(project, site, store)
    assert result.cached == "relinked"
    assert tree(site) == expected
    assert result.written == 1  # the replaced page; the rest kept their inodes
    assert run(project, site, store).cached == "hit"
    # The damaged site is the cache's spare tree now (generator.spare); damaged again, the site
    # is put together from that spare, whose own damage is not carried over.
    assert (store / "next" / "stray.txt").exists()
    (site / "index.html").unlink()
    result = run(project, site, store)
    assert (result.cached, result.written) == ("relinked", 1)
    assert tree(site) == expected
    # Edited in place, a site file alters the cache's object (they share the inode): the
    # object fails its check, is dropped, and the build runs in full.
    with (site / "about/index.html").open("r+b") as f:
        f.write(b"defaced")
    assert run(project, site, store).cached == "miss"
    assert tree(site) == expected
    shutil.rmtree(site / "en")
    assert run(project, site, store).cached == "relinked"
    assert tree(site) == expected


def test_a_corrupt_object_or_entry_is_never_published(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    previous = tmp_path / "previous"
    run(project, previous)  # a fixed previous site: the key no longer depends on the output
    site, store = tmp_path / "site", tmp_path / "cache"
    run(project, site, store, previous=previous)
    expected = tree(site)

    # An object altered behind the cache's back (a new file under its name, same size).
    shutil.rmtree(site)
    digest = hashlib_of(expected["about/index.html"])
    obj = Path(store / "objects" / digest[:2] / digest[2:])
    data = obj.read_bytes()
    obj.unlink()
    obj.write_bytes(bytes(reversed(data)))
    result = run(project, site, store, previous=previous)
    assert result.cached == "miss"  # rebuilt in full
    assert tree(site) == expected

    # A damaged entry is ignored.
    key = cache.build_key(cache.KeyInputs(project, site, previous, AS_OF))
    entry = store / "builds" / f"{key}.json"
    head, body_text = entry.read_text("utf-8").rstrip("\n").split("\n")
    header = json.loads(head)
    entry.write_text(head + "\n" + body_text.replace('"ok":true', '"ok":false') + "\n", "utf-8")
    shutil.rmtree(site)
    assert run(project, site, store, previous=previous).cached == "miss"
    assert tree(site) == expected
    # A foreign entry, checksum and all, naming a file outside the site.
    body = json.loads(body_text)
    body["files"][0][0] = "../outside.html"
    foreign = json.dumps(body)
    header["checksum"] = hashlib_of(foreign.encode("utf-8"))
    entry.write_text(json.dumps(header) + "\n" + foreign + "\n", "utf-8")
    shutil.rmtree(site)
    assert run(project, site, store, previous=previous).cached == "miss"
    assert not (tmp_path / "outside.html").exists()
    entry.write_text("{not json", "utf-8")
    assert run(project, site, store, previous=previous).cached == "miss"
    assert run(project, site, store, previous=previous).cached == "hit"
    assert tree(site) == expected
    assert not [p for p in (store / "builds").iterdir() if p.name.endswith(".tmp")]


def hashlib_of(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_the_key_covers_every_input(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    site = tmp_path / "site"
    inputs = cache.KeyInputs(project, site, None, AS_OF)
    key = cache.build_key(inputs)
    assert cache.build_key(inputs) == key
    assert cache.build_key(cache.KeyInputs(project, site, None, dt.date(2026, 12, 1))) != key
    assert cache.build_key(cache.KeyInputs(project, site, None, AS_OF, strict=True)) != key
    for rel in ("site.yaml", "content/pages/about.md", "templates/base.html"):
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_bytes() if path.exists() else None
        path.write_bytes((old or b"") + b"\n")
        assert cache.build_key(inputs) != key, rel
        if old is None:
            shutil.rmtree(project / "templates")
        else:
            path.write_bytes(old)
    assert cache.build_key(inputs) == key
    (site / "lists").mkdir(parents=True)
    (site / "lists/manifest.json").write_text("{}")  # the previous site's manifest
    assert cache.build_key(inputs) != key
    # Without --as-of, "today" is part of the key, to the hour.
    today = cache.KeyInputs(project, site)
    morning = dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)
    assert cache.build_key(today, morning) != cache.build_key(today, morning.replace(hour=9))


def test_a_failed_build_with_a_cache_leaves_site_and_cache_alone(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    site, store = tmp_path / "site", tmp_path / "cache"
    run(project, site, store)
    before, entries = tree(site), sorted((store / "builds").iterdir())
    (project / "content/pages/about.md").write_text("---\ntitle: [broken\n---\n", "utf-8")
    failed = build(BuildOptions(root=project, out=site, as_of=AS_OF, cache=store))
    assert not failed.ok
    assert tree(site) == before
    assert sorted((store / "builds").iterdir()) == entries


def test_two_jobs_fill_the_cache_like_one(tmp_path: Path) -> None:
    project = make_project(tmp_path, {}, with_sample=True)
    one, two = tmp_path / "one", tmp_path / "two"
    run(project, one, tmp_path / "cache-1", jobs=1)
    run(project, two, tmp_path / "cache-2", jobs=2)
    assert tree(one) == tree(two)
    objects = {p.name for p in (tmp_path / "cache-1/objects").rglob("*") if p.is_file()}
    assert objects == {p.name for p in (tmp_path / "cache-2/objects").rglob("*") if p.is_file()}
    for path, data in tree(two).items():  # every file is an object, under its digest
        digest = hashlib_of(data)
        assert (tmp_path / "cache-2/objects" / digest[:2] / digest[2:]).is_file(), path


def test_the_command_line_serves_a_hit_and_reports_it(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    args = ("build", "--as-of", "2026-11-30", "--out", "out", "--cache", "cache")
    for _ in range(2):
        assert run_cli(*args, cwd=project).exit_code == 0
    before = inodes(project / "out")
    hit = run_cli(*args, "--timings", "t.json", cwd=project)
    assert hit.exit_code == 0, hit.output
    assert " 0 written" in hit.stderr
    outcome = json.loads((project / "t.json").read_text("utf-8"))["write"]
    assert outcome["cache"] == "hit" and outcome["written"] == 0
    assert outcome["unchanged"] == outcome["files"] == len(before)
    assert inodes(project / "out") == before
    inside = run_cli(*args[:-1], "out/cache", cwd=project)
    assert inside.exit_code == 2
    os.utime(project / "out/index.html", ns=(0, 0))  # the site was touched: relinked
    again = run_cli(*args, "--timings", "t.json", cwd=project)
    assert again.exit_code == 0, again.output
    assert json.loads((project / "t.json").read_text("utf-8"))["write"]["cache"] == "relinked"


def test_without_the_spare_a_hit_puts_the_tree_together_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another build holds the spare (or the cache is on another file system): the tree is made
    # from the site and the objects in a temporary tree, as before there was a spare.
    project = small_project(tmp_path)
    site, store = tmp_path / "site", tmp_path / "cache"
    run(project, site, store)
    expected = tree(site)
    (site / "about/index.html").unlink()
    (site / "stray.txt").write_text("not ours")

    @contextlib.contextmanager
    def refused(folder: Path, out: Path) -> Iterator[bool]:
        yield False

    monkeypatch.setattr(cache.spare, "claim", refused)
    result = run(project, site, store)
    assert (result.cached, result.written) == ("relinked", 1)
    assert tree(site) == expected
    assert not (store / "next").exists()
    assert run(project, site, store).cached == "hit"


def test_without_the_spare_a_full_build_makes_a_new_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build that misses makes its site in the spare, recycled (generator.write); where it
    # cannot have the spare, in a new tree beside the site, as a build without a cache does.
    project = small_project(tmp_path)
    site, store, cold = tmp_path / "site", tmp_path / "cache", tmp_path / "cold"
    run(project, site, store)
    before = inodes(site)
    page = project / "content/pages/about.md"
    page.write_text(page.read_text("utf-8") + "\n新的一段。\n", "utf-8")

    @contextlib.contextmanager
    def refused(folder: Path, out: Path) -> Iterator[bool]:
        yield False

    monkeypatch.setattr(cache.spare, "claim", refused)
    changed = run(project, site, store)
    assert changed.cached == "miss"
    assert 0 < changed.written < changed.files / 2
    assert inodes(site)["index.html"] == before["index.html"]
    run(project, cold)
    assert tree(site) == tree(cold)
    assert not (store / "next").exists()  # never made: nothing could claim it
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
