"""Per-page reuse with `build --cache DIR` (generator.memo): a subject page rendered before from the
same inputs is linked from the cache, never a stale one, and the site is always byte-identical
to a build without a cache."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest

from generator import cache
from generator.build import BuildOptions, BuildResult, build
from generator.lists import routes
from generator.model import LANGS
from generator.render import output_path
from tests.conftest import make_project
from tests.test_atomic_build import snapshot as tree

AS_OF = dt.date(2026, 11, 30)
PACKAGE = "tj-scjg-sx-02"
# The first record of PACKAGE, published on AS_OF: the subject whose pages an edit changes.
SUBJECT = "91120113106968722J"


def run(project: Path, out: Path, store: Path | None = None, **options: object) -> BuildResult:
    options.setdefault("as_of", AS_OF)
    result = build(BuildOptions(root=project, out=out, cache=store, **options))  # type: ignore[arg-type]
    assert result.ok, [d for d in result.diagnostics if d.severity.value == "error"]
    return result


def edit_remark(project: Path, row: int, package: str = PACKAGE, column: str = "bz") -> None:
    """Append to the remarks (`bz`, published as it is, and shown only on the subject page) of
    one record, or to another of its columns."""
    path = project / "content" / "lists" / package / "records.csv"
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    at = rows[0].index(column)
    rows[row][at] = (rows[row][at] + " 已更正").strip()
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n" if b"\r\n" in raw else "\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode("utf-8"))


def subject_pages(key: str) -> set[str]:
    return {output_path(routes.subject_route(key), lang) for lang in LANGS}


def memo_rows(store: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(store / "pages.sqlite") as db:
        return {path: (key, digest) for path, key, digest in db.execute(
            "SELECT path, key, digest FROM pages"
        )}  # fmt: skip


def all_subject_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("subjects/*/*.html")}


def all_shards(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.glob("search/shards/*.json")}


def all_list_pages(site: Path) -> set[str]:
    """The lists' pages and sub-indexes (by authority, by district), in both languages."""
    pages = {p.relative_to(site).as_posix() for p in site.rglob("lists/*/**/index.html")}
    return {p for p in pages if "/changes/" not in p}


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_edit_renders_only_the_pages_it_changes(tmp_path: Path, jobs: int) -> None:
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    first = run(project, site, store, jobs=jobs)
    run(project, cold)
    assert first.memo == {}  # nothing to reuse yet
    pages = all_subject_pages(site) | all_list_pages(site) | all_shards(site)
    assert subject_pages(SUBJECT) <= pages
    assert len(all_list_pages(site)) > 20 and len(all_shards(site)) >= 16
    before = memo_rows(store)
    assert set(before) == pages  # every subject and list page, every shard, has its key

    edit_remark(project, row=1)
    second = run(project, site, store, jobs=jobs)
    run(project, cold)
    assert tree(site) == tree(cold)
    assert second.cached == "miss"
    # Every other page is reused (the remarks are not on the list pages, nor searched); the
    # first found in each task is rendered to check it.
    assert second.memo["reused"] + second.memo["same"] == len(pages) - 2
    assert second.memo["same"] >= 1
    assert "differs" not in second.memo
    after = memo_rows(store)
    assert {path for path in pages if after[path] != before[path]} == subject_pages(SUBJECT)
    # The edit is on the page, and only the changed files were written.
    page = (site / output_path(routes.subject_route(SUBJECT), "zh-CN")).read_text("utf-8")
    assert "已更正" in page
    assert second.written < 30


def test_a_changed_row_renders_the_list_pages_that_show_it(tmp_path: Path) -> None:
    """A subject's name is on its row: its list page and its authority's and district's pages
    show it. Those are rendered again, the list's other pages are not."""
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    run(project, site, store)
    run(project, cold)
    before = memo_rows(store)
    edit_remark(project, row=1, column="cf_xdr_mc")
    result = run(project, site, store)
    run(project, cold)
    assert tree(site) == tree(cold)
    assert "differs" not in result.memo
    after = memo_rows(store)
    changed = {path for path in before if after[path] != before[path]}
    lists = changed & all_list_pages(site)
    shards = changed & all_shards(site)  # the name is searched: the shards of its tokens
    assert shards and changed == subject_pages(SUBJECT) | lists | shards
    # Its list's page, its authority's and its district's, in both languages; all of one list.
    assert len(lists) == 6, sorted(lists)
    assert len({path.removeprefix("en/").split("/")[1] for path in lists}) == 1


def test_a_page_edited_in_place_in_the_site_is_rendered_again(tmp_path: Path) -> None:
    """The site's files share their inodes with the cache's objects: an edit in place changes the
    object too, which must then never be linked as the page."""
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    run(project, site, store)
    run(project, cold)
    victim = sorted(all_subject_pages(site) - subject_pages(SUBJECT))[0]
    data = (site / victim).read_bytes()
    with open(site / victim, "r+b") as f:  # same size, same inode: only the mtime tells
        f.write(data[:-1].replace(b"<", b"[", 1) + data[-1:])

    for row in (1, 2):  # two more builds: the page is rendered again, then reused intact
        edit_remark(project, row=row)
        run(project, site, store)
        run(project, cold)
        assert (site / victim).read_bytes() == data
        assert tree(site) == tree(cold)


def test_a_memo_that_names_other_bytes_is_caught_and_not_used(tmp_path: Path) -> None:
    """As if a page key missed an input: each task renders the first page it finds anyway,
    and on a difference renders every page."""
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    run(project, site, store)
    run(project, cold)
    with sqlite3.connect(store / "pages.sqlite") as db:
        rows = db.execute("SELECT path, key, digest, size, ino, mtime FROM pages ORDER BY path")
        rows = rows.fetchall()
        # Each path now names the next page's object, still intact: only its bytes are wrong.
        moved = [(r[0], r[1], *o[2:]) for r, o in zip(rows, rows[1:] + rows[:1], strict=True)]
        db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)", moved)

    edit_remark(project, row=1)
    result = run(project, site, store, jobs=2)
    run(project, cold)
    assert tree(site) == tree(cold)
    assert result.memo.get("differs", 0) >= 1
    assert "reused" not in result.memo
    # The table now holds what was rendered: the next build reuses again.
    edit_remark(project, row=2)
    again = run(project, site, store)
    run(project, cold)
    assert tree(site) == tree(cold)
    assert again.memo["reused"] > 0 and "differs" not in again.memo


def test_a_daily_rebuild_reuses_pages_that_do_not_show_the_date(tmp_path: Path) -> None:
    """Every package says when it was extracted: pages show that date, not the build's, and the
    next day's build reuses them."""
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    run(project, site, store)
    before = tree(site)
    next_day = run(project, site, store, as_of=AS_OF + dt.timedelta(days=1))
    run(project, cold)
    run(project, cold, as_of=AS_OF + dt.timedelta(days=1))
    after = tree(site)
    assert after == tree(cold)
    # Every page that is the same as the day before is reused (records whose publicity ends
    # that day change a few).
    pages = all_subject_pages(site) | all_list_pages(site) | all_shards(site)
    same = {path for path in pages if before.get(path) == after[path]}
    assert len(pages) - len(same) < len(pages) / 50
    assert next_day.memo["reused"] + next_day.memo["same"] == len(same)
    assert "differs" not in next_day.memo


def test_pages_that_show_the_build_date_are_rendered_every_day(tmp_path: Path) -> None:
    """Packages extracted after the build's date: their pages show the build's date instead
    (base.html), so the date is in every subject page's key, and in the keys of the pages of a
    list whose every package is late (SX-01 has one)."""
    project = make_project(tmp_path, {}, with_sample=True)
    for package in (PACKAGE, "tj-zjw-sx-01"):
        descriptor = project / "content/lists" / package / "datapackage.json"
        data = json.loads(descriptor.read_text("utf-8"))
        data["extracted"] = "2026-12-31"
        descriptor.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    run(project, site, store)
    before, keys = tree(site), memo_rows(store)
    day_after = AS_OF + dt.timedelta(days=1)
    next_day = run(project, site, store, as_of=day_after)
    run(project, cold)
    run(project, cold, as_of=day_after)
    after = tree(site)
    assert after == tree(cold)
    # Subject pages: the date is in every key (one may show it). List pages: a list shows its
    # packages' earliest date, the late one only for SX-01, whose pages change; and a list's
    # first page is its dataset's page, whose JSON-LD says when the dataset was last built.
    subjects, lists = all_subject_pages(site), all_list_pages(site)
    new_keys = memo_rows(store)
    assert all(new_keys[path][0] != keys[path][0] for path in subjects)
    same = {path for path in lists if before[path] == after[path]}
    first_pages = {p for p in lists if re.fullmatch(r"(en/)?lists/[A-Z0-9-]+/index\.html", p)}
    sx01 = {path for path in lists if "/SX-01/" in path}
    assert lists - same == first_pages | sx01
    assert len(sx01) > len(first_pages & sx01)
    assert "differs" not in next_day.memo  # not caught by the check: known by their keys
    shards = {path for path in all_shards(site) if before[path] == after[path]}
    assert next_day.memo["reused"] + next_day.memo["same"] == len(same | shards) > len(shards)
    page = (site / output_path(routes.subject_route(SUBJECT), "en")).read_text("utf-8")
    assert day_after.isoformat() in page


def test_the_page_environment_leaves_out_only_the_lists_data(tmp_path: Path) -> None:
    project = make_project(tmp_path, {}, with_sample=True)
    inputs = cache.KeyInputs(project, tmp_path / "site")
    first = cache.page_environment(inputs)
    edit_remark(project, row=1)
    (project / "content/lists" / PACKAGE / "objections.csv").write_bytes(b"changed\n")
    assert cache.page_environment(inputs) == first  # in each page's own key instead
    for changed in (
        project / "content/lists" / PACKAGE / "datapackage.json",
        project / "site.yaml",
        project / "content/pages/about.md",
    ):
        original = changed.read_bytes()
        changed.write_bytes(original + b"\n")
        assert cache.page_environment(inputs) != first, changed
        changed.write_bytes(original)
    assert cache.page_environment(inputs) == cache.page_environment(
        cache.KeyInputs(project, tmp_path / "elsewhere", as_of=AS_OF, strict=True)
    )
    assert os.path.isdir(project / "content/lists" / PACKAGE)


def test_a_damaged_table_is_made_anew(tmp_path: Path) -> None:
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    run(project, site, store)
    run(project, cold)
    (store / "pages.sqlite").write_bytes(b"not a database " * 100)
    for row in (1, 2):  # nothing is found in it; then it is a table again
        edit_remark(project, row=row)
        result = run(project, site, store)
        run(project, cold)
        assert tree(site) == tree(cold)
        assert ("reused" in result.memo) == (row == 2)
