"""Per-row reuse in the decide stage with `build --cache DIR` (generator.lists.rowmemo): a row
decided before in the same context is read back instead of being validated and judged again,
never when anything it is judged by changed, and the site and the diagnostics are always those of
a build without a cache."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest

from generator.build import BuildResult
from generator.diagnostics import Diagnostic
from generator.lists.rowmemo import RowMemo
from tests.conftest import make_project
from tests.test_atomic_build import snapshot as tree
from tests.test_memo import AS_OF, edit_remark, run


def rows_in(project: Path) -> int:
    """Data rows (blank ones included) of every package's records."""
    total = 0
    for path in (project / "content" / "lists").glob("*/records.csv"):
        text = path.read_bytes().decode("utf-8-sig", "replace")
        total += len(list(csv.reader(io.StringIO(text, newline="")))) - 1
    return total


def memo_files(store: Path) -> list[Path]:
    return sorted(store.glob("rows-*.sqlite"))


def line_count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM rows").fetchone()[0])


def published_lines(site: Path) -> set[str]:
    """The records' lines in every list's data.csv (each begins with its record key)."""
    lines: set[str] = set()
    for path in site.glob("lists/*/data.csv"):
        text = path.read_bytes().decode("utf-8-sig")
        lines.update(text.splitlines()[1:])
    return lines


def messages(result: BuildResult) -> list[Diagnostic]:
    return list(result.diagnostics)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_edit_decides_only_the_rows_it_changes(tmp_path: Path, jobs: int) -> None:
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    first = run(project, site, store, jobs=jobs)
    run(project, cold, jobs=jobs)
    assert "reused" not in first.rows and first.rows["decided"] > 100
    remembered = first.rows["decided"]

    (lines,) = store.glob("lines-*.sqlite")  # the downloads' lines, per published record
    kept = line_count(lines)
    assert kept == len(published_lines(site)) > 100
    lines_before = published_lines(site)

    edit_remark(project, row=1)
    edit_remark(project, row=3)
    second = run(project, site, store, jobs=jobs)
    plain = run(project, cold, jobs=jobs)
    assert tree(site) == tree(cold)
    assert messages(second) == messages(plain)
    assert second.summary == plain.summary
    # The two edited rows are decided again; each read checks its first find by deciding it.
    checked = second.rows.get("same", 0)
    assert 1 <= checked <= 2 * jobs * 10  # at most one per read (a package, or a share of one)
    assert second.rows["decided"] == 2
    assert second.rows["reused"] + checked + 2 == remembered
    assert "differs" not in second.rows
    # Rows with findings (warnings or errors) are never remembered: they are read every time.
    assert remembered < rows_in(project)
    # The edited records' lines (of those published) are made and kept; the others read back.
    made = published_lines(site) - lines_before
    assert len(made) >= 1 and line_count(lines) == kept + len(made)


def test_a_withdrawal_naming_a_remembered_row_decides_it_again(tmp_path: Path) -> None:
    """Withdrawals are data files, outside the memo's context: a row they name is decided."""
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    first_build = run(project, site, store)
    run(project, cold)
    folder = project / "content" / "lists" / "bh-scjg-sx-02"
    text = (folder / "records.csv").read_text("utf-8-sig")
    first = next(csv.DictReader(io.StringIO(text, newline="")))
    number, subject = first["cf_wsh"], first["cf_xdr_shxym"]
    assert number not in (folder / "withdrawals.csv").read_text("utf-8")
    with open(folder / "withdrawals.csv", "a", encoding="utf-8", newline="") as f:
        f.write(f"{number},{subject},revoked,{number}之一,{AS_OF - dt.timedelta(days=1)}\n")

    second = run(project, site, store)
    plain = run(project, cold)
    assert tree(site) == tree(cold)
    assert messages(second) == messages(plain)
    assert "differs" not in second.rows
    # The record is withdrawn now, as without a cache.
    assert second.summary == plain.summary and second.summary != first_build.summary


def test_another_date_reuses_the_verdicts_that_still_hold(tmp_path: Path) -> None:
    """The date is not in a row's digest: each verdict holds from the day it was made to the day
    before its publicity window starts or ends. Later days reuse most rows; windows that start
    or end in between, and going back to an earlier day, are decided again. Always as without
    a cache."""
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    first = run(project, site, store)
    run(project, cold)
    for n, days in enumerate((1, 45, 400, 1200, 45)):
        as_of = AS_OF + dt.timedelta(days=days)
        result = run(project, site, store, as_of=as_of)
        plain = run(project, cold, as_of=as_of)
        assert tree(site) == tree(cold), as_of
        assert messages(result) == messages(plain), as_of
        assert "differs" not in result.rows
        if days == 1:  # hardly any window starts or ends overnight
            assert result.rows["reused"] > 0.9 * first.rows["decided"]
        if days > 1:  # some do within weeks, and going back before a verdict's day too
            assert result.rows.get("decided", 0) > 0
        if n == 4:  # back from 1200 days on: what was decided then is not reused before it
            assert result.rows["decided"] > 0.5 * first.rows["decided"]
    assert len(memo_files(store)) == 1  # one context: the date is not part of it


def test_a_memo_that_holds_other_verdicts_is_caught_and_not_used(tmp_path: Path) -> None:
    """As if the row digest missed an input: each read decides its first find anyway, and on
    a difference decides every row."""
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    run(project, site, store, jobs=2)
    run(project, cold, jobs=2)
    (memo,) = memo_files(store)
    with sqlite3.connect(memo) as db:
        rows = db.execute("SELECT digest, verdict FROM rows ORDER BY digest").fetchall()
        # Each digest now holds another row's verdict: well formed, but wrong.
        moved = [(d, v) for (d, _), (_, v) in zip(rows, rows[1:] + rows[:1], strict=True)]
        db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?)", moved)

    edit_remark(project, row=1)
    result = run(project, site, store, jobs=2)
    plain = run(project, cold, jobs=2)
    assert tree(site) == tree(cold)
    assert messages(result) == messages(plain)
    assert result.rows.get("differs", 0) >= 1
    assert "reused" not in result.rows
    # What was decided is remembered afresh: the next build reuses again.
    edit_remark(project, row=2)
    again = run(project, site, store, jobs=2)
    run(project, cold, jobs=2)
    assert tree(site) == tree(cold)
    assert again.rows["reused"] > 0 and "differs" not in again.rows


def test_a_damaged_memo_is_made_anew(tmp_path: Path) -> None:
    project = make_project(tmp_path, {}, with_sample=True)
    site, cold, store = tmp_path / "site", tmp_path / "cold", tmp_path / "cache"
    run(project, site, store)
    run(project, cold)
    (memo,) = memo_files(store)
    memo.write_bytes(b"not a database" * 100)
    edit_remark(project, row=1)
    result = run(project, site, store)
    run(project, cold)
    assert tree(site) == tree(cold)
    assert "reused" not in result.rows and result.rows["decided"] > 100
    edit_remark(project, row=2)
    assert run(project, site, store).rows["reused"] > 0


def test_rows_differ_by_every_part_of_their_table(tmp_path: Path) -> None:
    """The same cells in another list, package, file, department or schema, or under another
    header, or in another context, have another digest."""
    memo = RowMemo(tmp_path, "a" * 64)
    parts = ("SX-01", "pkg", "content/lists/pkg/records.csv", "dept", "120000", "municipal", "{}")
    cells = ["x", "y"]

    def digest(memo: RowMemo, parts: tuple[str, ...], labels: list[str]) -> bytes:
        lookup = memo.table(*parts).lookup(lambda data: data)
        lookup.start(labels)
        return lookup.find(cells)[0]

    base = digest(memo, parts, ["a", "b"])
    assert digest(memo, parts, ["a", "b"]) == base
    assert digest(memo, parts, ["b", "a"]) != base
    assert digest(RowMemo(tmp_path, "b" * 64), parts, ["a", "b"]) != base
    for n in range(len(parts)):
        other = (*parts[:n], parts[n] + "x", *parts[n + 1 :])
        assert digest(memo, other, ["a", "b"]) != base
    # Parts are length-prefixed: moving a character from one part to the next is another table.
    shifted = ("SX-0", "1pkg", *parts[2:])
    assert digest(memo, shifted, ["a", "b"]) != base
