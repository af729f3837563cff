"""The decide stage's on-disk store: bounded memory, the same answers as values in memory."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import json
import multiprocessing
import os
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import parallel
from generator.diagnostics import Location
from generator.lists import changes
from generator.lists import decide as decide_mod
from generator.lists import store as store_mod
from generator.lists.accounting import AccountingError, check_accounting
from generator.lists.changes import manifest_file
from generator.lists.decide import ListsDecision
from generator.lists.model import Outcome, PublishedRecord, row_of
from generator.lists.store import KeyIndex, ListsStore, MemorySubjects, published_span
from generator.model import OutputFile
from tests.conftest import make_project
from tests.lists.test_decide import (
    PENALTY_HEADER,
    WITHDRAWAL_HEADER,
    decide,
    found,
    make_uscc,
    package_files,
    penalty,
    to_csv,
)

SUBJECTS = [make_uscc(f"MA{n:06d}") for n in range(5)]


def record(**changes: object) -> PublishedRecord:
    values: dict[str, object] = {
        "key": "SX-02-00000000000000ab",
        "item_code": "SX-02",
        "package": "tj-scjg",
        "provider": "TJ-SCJG",
        "district": "120000",
        "subject_key": SUBJECTS[0],
        "subject_name": "天津甲乙商贸有限公司",
        "subject_code": SUBJECTS[0],
        "decision_number": "津市监罚〔2026〕1号",
        "decision_date": dt.date(2026, 6, 1),
        "publicity_end": dt.date(2027, 6, 1),
        "authority": "天津市市场监督管理委员会",
        "fields": (("name", "天津甲乙商贸有限公司"), ("fine", "1.5")),
        "under_objection": True,
        "authority_code": "11120000MB1234567X",
        "natural_person": True,
        "tier": "serious",
        "publicity_start": dt.date(2026, 6, 2),
    }
    values.update(changes)
    return PublishedRecord(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "original",
    [record(), record(subject_code=None, publicity_start=None, fields=(), tier="")],
)
def test_a_record_round_trips_through_bytes(original: PublishedRecord) -> None:
    # Every field is set away from its default, so a field the codec forgets fails here.
    assert {f.name for f in dataclasses.fields(PublishedRecord)} == set(store_mod._NAMES)
    copy = store_mod.decode_record(store_mod.encode_record(original))
    assert copy == original
    assert type(copy.decision_date) is dt.date


def mixed_project(tmp_path: Path) -> Path:
    """Two packages of one item: duplicates across and within them, rejections, a withdrawal."""
    rows = [
        penalty(f"P-{n}", uscc=SUBJECTS[n % 5], decision_date=f"2026-0{1 + n % 9}-1{n % 10}")
        for n in range(24)
    ]
    district = [
        *rows[:6],  # duplicates of the municipal copies: withheld as "duplicate"
        penalty("P-30", uscc=SUBJECTS[1]),
        penalty("P-30", uscc=SUBJECTS[1]),  # the same key twice in one file: rejected
        penalty("P-31", decision_date="not a date"),  # rejected by validation
        penalty("P-32", decision_date="2020-01-01"),  # expired
    ]
    withdrawal = ("P-3", SUBJECTS[3], "revoked", "W-1", "2026-11-01")
    withdrawals = to_csv(WITHDRAWAL_HEADER, [dict(zip(WITHDRAWAL_HEADER, withdrawal, strict=True))])
    files = {
        **package_files("z-municipal", to_csv(PENALTY_HEADER, rows)),
        **package_files(
            "a-binhai",
            to_csv(PENALTY_HEADER, district),
            provider="BH-SCJG",
            withdrawals=withdrawals,
        ),
    }
    return make_project(tmp_path, files)


def snapshot(decision: ListsDecision) -> tuple[object, ...]:
    result = decision.lists[0]
    return (
        tuple(result.outcomes),
        tuple(result.published),
        dict(decision.withheld_reasons),
        result.counts,
        result.reasons,
    )


def test_published_and_outcomes_are_read_from_disk_not_held(tmp_path: Path) -> None:
    decision, _ = decide(mixed_project(tmp_path))
    result = decision.lists[0]
    for rows in (result.published, result.outcomes):
        assert not isinstance(rows, tuple | list)
        everything = list(rows)
        assert list(rows) == everything  # iterating twice gives equal values
        assert rows == tuple(everything)
        assert len(rows) == len(everything)
        assert rows[0] == everything[0] and rows[-1] == everything[-1]
        assert rows[2:5] == everything[2:5] and rows[::3] == everything[::3]
        with pytest.raises(IndexError):
            rows[len(everything)]
    assert len(result.outcomes) == result.input_rows == 34
    published = list(result.published)
    assert published == sorted(published, key=lambda r: (-r.decision_date.toordinal(), r.key))


def test_small_chunks_decide_exactly_as_big_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flushes, look-ups of stored keys and rewrites of stored outcomes give the same decision."""
    project = mixed_project(tmp_path)
    decision, diags = decide(project)
    monkeypatch.setattr(store_mod, "CHUNK", 3)
    monkeypatch.setattr(KeyIndex, "RECENT", 2)
    small, small_diags = decide(project)
    assert snapshot(small) == snapshot(decision)
    assert found(small_diags) == found(diags)
    codes = {d[3] for d in found(diags)}
    assert {"list.duplicate", "list.duplicate-key", "list.type-error"} <= codes
    assert dict(decision.withheld_reasons)  # the expired and revoked records have their reasons


def test_each_row_looks_its_key_up_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key index is asked once per row (and once per duplicate, withdrawal and objection
    afterwards), not once for the duplicate check and again to record the row."""
    project = mixed_project(tmp_path)
    looked_up = 0
    get = KeyIndex.get

    def counted(self: KeyIndex, key: str) -> list[int | None] | None:
        nonlocal looked_up
        looked_up += 1
        return get(self, key)

    monkeypatch.setattr(KeyIndex, "get", counted)
    decision, _ = decide(project)
    rows = sum(r.input_rows for r in decision.lists)
    assert rows == 34
    assert looked_up <= rows + 8  # the few duplicates and the withdrawal


def test_rows_go_to_the_store_as_values_once_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each input row's outcome reaches the store through ListWriter.add (no Location and
    Outcome made per row), and reads back as the Outcome that `append` would have stored."""
    project = mixed_project(tmp_path)
    added = 0
    add = store_mod.ListWriter.add

    def counted(self: store_mod.ListWriter, *args: Any, **kwargs: Any) -> None:
        nonlocal added
        added += 1
        add(self, *args, **kwargs)

    monkeypatch.setattr(store_mod.ListWriter, "add", counted)
    decision, _ = decide(project)
    assert added == sum(r.input_rows for r in decision.lists) == 34

    store = ListsStore()
    try:
        writer = store.begin_list()
        writer.add("content/lists/p/records.csv", 7, "SX-02-k", "withheld", "expired")
        writer.append(
            Outcome(Location("content/lists/p/records.csv", row=8), None, "rejected", "x")
        )
        assert list(writer.finish()[1]) == [
            Outcome(
                Location("content/lists/p/records.csv", row=7), "SX-02-k", "withheld", "expired"
            ),
            Outcome(Location("content/lists/p/records.csv", row=8), None, "rejected", "x"),
        ]
        assert writer.counts == {"withheld": 1, "rejected": 1}
        assert writer.reasons == {"expired": 1, "x": 1}
    finally:
        store.close()


def test_withheld_reasons_is_a_mapping(tmp_path: Path) -> None:
    decision, _ = decide(mixed_project(tmp_path))
    reasons = dict(decision.withheld_reasons)
    assert set(reasons.values()) == {"expired", "revoked"}
    assert len(decision.withheld_reasons) == len(reasons)
    assert list(decision.withheld_reasons) == sorted(reasons)
    key = next(iter(reasons))
    assert key in decision.withheld_reasons and decision.withheld_reasons.get("nope") is None


def test_a_lists_span_from_the_store_is_the_span_of_its_records(tmp_path: Path) -> None:
    # Its providers and first and last decision dates: the lists' dataset metadata, read from
    # the store's columns and two records, never by decoding every record.
    decision, _ = decide(mixed_project(tmp_path))
    stored = decision.lists[0].published
    records = tuple(stored)
    span = published_span(records)
    assert published_span(stored) == span
    assert span[0] == sorted({r.provider for r in records}) and len(span[0]) == 2
    assert span[1] == min(r.decision_date for r in records)
    assert span[2] == max(r.decision_date for r in records)
    assert published_span(()) == ([], None, None)


def test_a_projection_from_the_store_is_the_records_fields(tmp_path: Path) -> None:
    decision, _ = decide(mixed_project(tmp_path))
    stored = decision.lists[0].published
    names = ("authority", "authority_code", "district", "key", "under_objection")
    expected = [tuple(getattr(r, n) for n in names) for r in stored]
    assert list(stored.project(*names)) == expected and expected
    with pytest.raises(ValueError, match="no dates"):
        list(stored.project("key", "decision_date"))


def test_a_records_row_from_the_store_is_its_rows_fields(tmp_path: Path) -> None:
    decision, _ = decide(mixed_project(tmp_path))
    stored = decision.lists[0].published
    expected = [row_of(r) for r in stored]
    assert list(stored.rows()) == expected and expected
    assert isinstance(expected[0].decision_date, dt.date)


def test_subject_groups_from_the_store_match_the_records_in_memory(tmp_path: Path) -> None:
    decision, _ = decide(mixed_project(tmp_path))
    in_memory = MemorySubjects.of([tuple(decision.lists[0].published)])
    stored = decision.subject_groups()
    expected = list(in_memory.groups())
    assert list(stored.groups()) == expected
    assert len(expected) == 5 and all(len(records) > 1 for _, records in expected)
    for count in (1, 2, 3, 16):
        for groups in (stored, in_memory):
            parts = groups.parts(count)
            assert 1 <= len(parts) <= count
            # The parts together are every group, in order, and never split a subject.
            assert [g for part in parts for g in groups.groups(part)] == expected


def _records_file(decision: ListsDecision, lists: int) -> Iterator[OutputFile]:
    keys = [r.key for r in decision.lists[lists].published]
    subjects = [key for key, _ in decision.subject_groups().groups()]
    yield OutputFile(f"{lists}.txt", "\n".join(keys + subjects).encode())


def test_forked_workers_read_the_store(tmp_path: Path) -> None:
    decision, _ = decide(mixed_project(tmp_path))
    list(decision.lists[0].published)  # the parent has a connection open when it forks
    tasks = [functools.partial(_records_file, decision, 0) for _ in range(4)]
    serial = sorted((f.path, f.read()) for f in parallel.run(tasks, 1))
    forked = sorted((f.path, f.read()) for f in parallel.run(tasks, 2))
    assert forked == serial and len(serial[0][1]) > 100
    assert list(decision.lists[0].published)  # still readable in the parent afterwards


def _close(store: ListsStore) -> None:
    store.close()


def test_only_the_process_that_made_the_folder_removes_it() -> None:
    store = ListsStore()
    folder = Path(store.folder)
    child = multiprocessing.get_context("fork").Process(target=_close, args=(store,))
    child.start()
    child.join()
    assert child.exitcode == 0 and folder.is_dir()
    store.close()
    assert not folder.exists()


def test_a_failed_decide_leaves_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = mixed_project(tmp_path / "project")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def broken(*_: object) -> None:
        raise AccountingError("a bug")

    monkeypatch.setattr(decide_mod, "check_accounting", broken)
    with pytest.raises(AccountingError):
        decide(project)
    assert list(scratch.iterdir()) == []


def test_the_folder_goes_with_the_decision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    decision, _ = decide(mixed_project(tmp_path / "project"))
    assert len(list(scratch.iterdir())) == 1
    decision.close()
    assert list(scratch.iterdir()) == []
    decision, _ = decide(mixed_project(tmp_path / "again"))
    del decision
    gc.collect()
    assert list(scratch.iterdir()) == []


def test_an_outcome_the_store_cannot_keep_is_refused() -> None:
    writer = ListsStore().begin_list()
    with pytest.raises(ValueError, match="cannot store"):
        writer.append(Outcome(Location("a.csv"), None, "published", ""))


def _retained_after_decide(tmp_path: Path, rows: int) -> int:
    """Bytes of Python objects still allocated after the decide stage, with its result held."""
    lines = [
        penalty(f"P-{n}", decision_date=f"2026-0{1 + n % 9}-{10 + n % 19}") for n in range(rows)
    ]
    project = make_project(tmp_path, package_files("tj-scjg", to_csv(PENALTY_HEADER, lines)))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        decision, _ = decide(project)
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert decision.lists[0].counts["published"] == rows
    return retained


def test_memory_held_after_deciding_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    """Ten times the rows, about the same memory: the rows are on disk, not in the decision.

    Held in memory as before, 10,000 records took over 5 MB more than 1,000. The first run warms
    the caches that any run fills once (imports, compiled schemas), so it is not compared.
    """
    _retained_after_decide(tmp_path / "warm", 200)
    small = _retained_after_decide(tmp_path / "small", 1_000)
    large = _retained_after_decide(tmp_path / "large", 10_000)
    assert large < 2 * small + 500_000, (small, large)


def test_a_killed_process_s_folder_is_removed_by_the_next_store(tmp_path: Path) -> None:
    child = multiprocessing.get_context("fork").Process(target=os.getpid)
    child.start()
    child.join()
    gone = tmp_path / f"{store_mod.PREFIX}{child.pid}-x"  # that process has exited
    gone.mkdir()
    mine = tmp_path / f"{store_mod.PREFIX}{os.getpid()}-y"  # another store of this process
    mine.mkdir()
    store = ListsStore(str(tmp_path))
    assert not gone.exists() and mine.is_dir() and Path(store.folder).is_dir()
    store.close()


def test_the_manifest_from_the_store_is_the_manifest_from_memory(tmp_path: Path) -> None:
    decision, _ = decide(mixed_project(tmp_path))
    stored = [("SX-02", decision.lists[0].published)]
    in_memory = [("SX-02", tuple(decision.lists[0].published))]
    as_of = dt.date(2026, 11, 30)
    assert manifest_file(stored, as_of) == manifest_file(in_memory, as_of)


@pytest.mark.parametrize(
    "many",
    [False, pytest.param(True, marks=pytest.mark.pure_python)],
    ids=["few-read-one-by-one", "many-in-one-pass"],
)
def test_the_changes_from_the_store_are_the_changes_from_memory(
    tmp_path: Path, many: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store gives each record's manifest hash without decoding it, and only the added and
    # changed records are read whole.
    if many:
        monkeypatch.setattr(changes, "_at", lambda records, positions: {
            i: r for i, r in enumerate(records) if i in positions
        })  # fmt: skip
    decision, _ = decide(mixed_project(tmp_path))
    published = decision.lists[0].published
    records = tuple(published)
    manifest = json.loads(manifest_file([("SX-02", records)], dt.date(2026, 11, 30)))
    entries = manifest["lists"]["SX-02"]
    del entries[records[0].key]  # added since
    entries[records[3].key]["hash"] = "0" * 32  # changed since
    entries["SX-02-gone"] = {"hash": "1" * 32, "provider": records[0].provider}  # removed
    previous = changes._parse_manifest(manifest)
    from_store = changes.list_changes("SX-02", published, previous, {})
    assert from_store == changes.list_changes("SX-02", records, previous, {})
    assert (from_store.added, from_store.changed) == ((records[0],), (records[3],))
    assert [r.key for r in from_store.removed] == ["SX-02-gone"]
    assert sorted(decision.published_keys()) == sorted(r.key for r in records)


@pytest.mark.parametrize(
    "change",
    [
        {"counts": {"published": 0, "withheld": 0, "rejected": 34}},
        {"reasons": {"expired": 1}},
        {"input_rows": 35},
    ],
)
def test_accounting_checks_the_rows_in_the_store(tmp_path: Path, change: dict[str, object]) -> None:
    decision, _ = decide(mixed_project(tmp_path))
    result = decision.lists[0]
    check_accounting(result, result.input_rows)
    broken = dataclasses.replace(result, **change)  # type: ignore[arg-type]
    with pytest.raises(AccountingError):
        check_accounting(broken, broken.input_rows)


def test_accounting_finds_a_row_with_two_outcomes_in_the_store() -> None:
    store = ListsStore()
    writer = store.begin_list()
    for row in (2, 3, 3):
        writer.append(Outcome(Location("a.csv", row=row), f"K{row}", "rejected", "list.x"))
    _, outcomes = writer.finish()
    assert outcomes.repeated_places() == [("a.csv", 3)]
    store.close()
