"""Change files between two publications, the manifest they rest on, and the shrink guard."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import feedparser
from bs4 import BeautifulSoup

from generator.diagnostics import Diagnostics
from generator.lists.changes import (
    NO_LONGER_IN_SOURCE,
    Manifest,
    ManifestEntry,
    check_shrink,
    list_changes,
    load_manifest,
    manifest_file,
)
from generator.lists.model import PublishedRecord, record_hash
from tests.conftest import make_project, run_cli
from tests.lists.test_render import AS_OF, decision, list_result, penalty, render_site


def build_twice(tmp_path: Path) -> tuple[Path, dict[str, PublishedRecord]]:
    """First publication: penalties 1-5. Second: 1 expired, 2 gone from the source, 3 under
    objection (changed), 4 and 5 unchanged, 6 new."""
    first = {n: penalty(n, day=n) for n in range(1, 6)}
    before = render_site(tmp_path / "one", decision(list_result("SX-02", list(first.values()))))
    previous = load_manifest(before, Diagnostics())
    assert previous is not None
    second = [
        dataclasses.replace(first[3], under_objection=True),
        first[4],
        first[5],
        penalty(6, day=6),
    ]
    d = decision(
        list_result("SX-02", second, withheld=["expired"]),
        withheld_reasons={first[1].key: "expired"},
    )
    return render_site(tmp_path / "two", d, previous), first


def test_added_changed_and_removed(tmp_path: Path) -> None:
    site, first = build_twice(tmp_path)
    changes = json.loads((site / "lists/SX-02/changes.json").read_text(encoding="utf-8"))
    assert [r["key"] for r in changes["added"]] == ["SX-02-0000000000000006"]
    assert [r["key"] for r in changes["changed"]] == [first[3].key]
    assert changes["removed"] == [
        {"key": first[1].key, "reason": "expired"},
        {"key": first[2].key, "reason": NO_LONGER_IN_SOURCE},
    ]
    assert changes["counts"] == {"added": 1, "changed": 1, "removed": 2}
    assert (changes["previous_as_of"], changes["as_of"]) == (AS_OF.isoformat(), AS_OF.isoformat())

    page = BeautifulSoup((site / "lists/SX-02/changes/index.html").read_bytes(), "lxml")
    removed = page.select("table.removed tbody tr")
    assert [(r.th.get_text(), r.td["data-reason"]) for r in removed] == [
        (first[1].key, "expired"),
        (first[2].key, NO_LONGER_IN_SOURCE),
    ]
    assert [r.td.get_text() for r in removed] == ["公示期满", "数据来源中已无此记录"]
    feeds = [link["href"] for link in page.find_all("link", type="application/atom+xml")]
    assert "/lists/SX-02/changes.xml" in feeds

    feed = feedparser.parse((site / "lists/SX-02/changes.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert len(feed.entries) == 4
    assert len({e.id for e in feed.entries}) == 4
    assert (
        feedparser.parse((site / "en/lists/SX-02/changes.xml").read_bytes()).feed.language == "en"
    )

    overview = BeautifulSoup((site / "lists/changes/index.html").read_bytes(), "lxml")
    row = overview.select_one("tbody tr")
    assert [td.get_text() for td in row.select("td.num")] == ["1", "1", "2"]


def test_a_removal_never_shows_the_removed_details(tmp_path: Path) -> None:
    site, first = build_twice(tmp_path)
    secrets = [
        value
        for n in (1, 2)
        for value in (first[n].subject_name, first[n].decision_number, first[n].subject_key)
    ]
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        for secret in secrets:
            assert secret not in text, f"{secret} in {path.relative_to(site)}"


def test_first_publication_is_a_baseline(tmp_path: Path) -> None:
    site = render_site(tmp_path, decision(list_result("SX-02", [penalty(1)])))
    changes = json.loads((site / "lists/SX-02/changes.json").read_text(encoding="utf-8"))
    assert changes["baseline"] is True
    assert (changes["added"], changes["changed"], changes["removed"]) == ([], [], [])
    assert feedparser.parse((site / "lists/SX-02/changes.xml").read_bytes()).entries == []


def test_a_list_that_disappears_still_reports_its_removals(tmp_path: Path) -> None:
    before = render_site(tmp_path / "one", decision(list_result("SX-02", [penalty(1)])))
    previous = load_manifest(before, Diagnostics())
    site = render_site(tmp_path / "two", decision(), previous)
    changes = json.loads((site / "lists/SX-02/changes.json").read_text(encoding="utf-8"))
    assert changes["removed"] == [{"key": penalty(1).key, "reason": NO_LONGER_IN_SOURCE}]
    assert not (site / "lists/SX-02/index.html").exists()


def test_manifest_lists_hashes_and_providers(tmp_path: Path) -> None:
    site = render_site(tmp_path, decision(list_result("SX-02", [penalty(1), penalty(2)])))
    data = json.loads((site / "lists/manifest.json").read_text(encoding="utf-8"))
    entries = data["lists"]["SX-02"]
    assert sorted(entries) == [penalty(1).key, penalty(2).key]
    assert entries[penalty(1).key]["provider"] == "TJ-SCJG"
    assert len(entries[penalty(1).key]["hash"]) == 32
    assert data["as_of"] == AS_OF.isoformat()


def test_a_changed_value_changes_the_hash_but_the_package_does_not() -> None:
    base = penalty(1)
    moved = dataclasses.replace(base, package="another-package")
    changed = dataclasses.replace(base, fields=(*base.fields[:-1], ("cf_nr_fk", "2.5")))
    manifest = json.loads(manifest_file([("SX-02", [base])], AS_OF))
    previous = Manifest(
        AS_OF,
        {"SX-02": {k: ManifestEntry(**v) for k, v in manifest["lists"]["SX-02"].items()}},
    )
    assert list_changes("SX-02", [moved], previous, {}).total == 0
    assert list_changes("SX-02", [changed], previous, {}).changed == (changed,)


def test_unreadable_previous_manifest_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists/manifest.json").write_text("{not json", encoding="utf-8")
    diags = Diagnostics()
    assert load_manifest(tmp_path, diags) is None
    assert [(d.location.path, d.code) for d in diags] == [
        ((tmp_path / "lists/manifest.json").as_posix(), "list.previous-manifest")
    ]
    assert load_manifest(tmp_path / "nothing-here", diags) is None  # no previous site: no error
    assert len(diags) == 1


# -- the shrink guard --------------------------------------------------------------------------------


def guard(
    records: list[PublishedRecord],
    previous: Manifest | None,
    reasons: dict[str, str],
    allow: bool,
    diags: Diagnostics,
) -> None:
    """The shrink guard on these records, as the build runs it (keys, and packages on demand)."""
    check_shrink(
        [r.key for r in records],
        previous,
        reasons,
        0.2,
        allow,
        diags,
        lambda provider: sorted({r.package for r in records if r.provider == provider}),
    )


def shrink(
    tmp_path: Path, kept: int, reasons: dict[str, str] | None = None, allow: bool = False
) -> list[tuple[str, str]]:
    """Ten records published before, `kept` of them now; the guard's diagnostics."""
    before = [penalty(n) for n in range(1, 11)]
    site = render_site(tmp_path, decision(list_result("SX-02", before)))
    previous = load_manifest(site, Diagnostics())
    diags = Diagnostics()
    guard(before[:kept], previous, reasons or {}, allow, diags)
    return [(str(d.location), d.code) for d in diags]


def test_shrink_beyond_the_threshold_fails(tmp_path: Path) -> None:
    assert shrink(tmp_path, kept=7) == [("content/lists/tj-scjg-2026", "list.shrink")]


def test_shrink_within_the_threshold_passes(tmp_path: Path) -> None:
    assert shrink(tmp_path, kept=8) == []


def test_shrink_is_allowed_on_request(tmp_path: Path) -> None:
    assert shrink(tmp_path, kept=0, allow=True) == []


def test_removals_with_a_reason_are_not_a_shrink(tmp_path: Path) -> None:
    reasons = {penalty(n).key: "expired" for n in range(4, 11)}
    assert shrink(tmp_path, kept=3, reasons=reasons) == []


def test_a_provider_that_vanishes_entirely_fails(tmp_path: Path) -> None:
    assert shrink(tmp_path, kept=0) == [("content/lists", "list.shrink")]


def test_shrink_counts_each_provider_separately(tmp_path: Path) -> None:
    municipal = [penalty(n) for n in range(1, 11)]
    district = [penalty(n, district="120116") for n in range(11, 13)]
    site = render_site(tmp_path, decision(list_result("SX-02", municipal + district)))
    previous = load_manifest(site, Diagnostics())
    diags = Diagnostics()
    # Both district records vanish (2 of 12 overall, but 100% of that provider's).
    guard(municipal, previous, {}, False, diags)
    assert [d.code for d in diags] == ["list.shrink"]
    assert "BH-SCJG" in diags.items[0].message


# -- the command line, end to end ---------------------------------------------------------------------


def test_build_twice_guards_against_a_vanished_package(tmp_path: Path) -> None:
    # The sample's small lists only, so that each build is quick.
    big = ("bh-scjg-sx-02", "hp-scjg-sx-02", "tj-scjg-sx-02", "bh-fy-sx-04", "tj-gy-sx-04")
    project = make_project(tmp_path, {f"content/lists/{p}": None for p in big}, with_sample=True)
    site = tmp_path / "site"
    args = ("build", "--as-of", "2026-11-30", "--quiet", "--format", "json")
    first = run_cli(*args, "--out", str(site), cwd=project)
    assert first.exit_code == 0, first.output
    manifest = json.loads((site / "lists/manifest.json").read_text(encoding="utf-8"))
    published = sorted(manifest["lists"]["SX-05"])
    assert published
    with (project / "content/lists/tj-sw-sx-05/records.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    names, numbers = [r["md_mc"] for r in rows], [r["md_wsh"] for r in rows]

    # The provider's only package disappears: the build refuses and leaves the site alone.
    shutil.rmtree(project / "content/lists/tj-sw-sx-05")
    second = run_cli(*args, "--out", str(site), cwd=project)
    assert second.exit_code == 1, second.output
    codes = [
        (d["location"]["path"], d["code"])
        for d in json.loads(second.stdout)["diagnostics"]
        if d["severity"] == "error"
    ]
    assert codes == [("content/lists", "list.shrink")]
    assert json.loads((site / "lists/manifest.json").read_text(encoding="utf-8")) == manifest

    # Allowed on purpose, compared with an explicitly named previous site.
    third = run_cli(
        *args, "--out", str(tmp_path / "next"), "--previous", str(site), "--allow-shrink",
        cwd=project,
    )  # fmt: skip
    assert third.exit_code == 0, third.output
    changes = json.loads((tmp_path / "next/lists/SX-05/changes.json").read_text(encoding="utf-8"))
    assert changes["removed"] == [{"key": k, "reason": NO_LONGER_IN_SOURCE} for k in published]
    # Decision numbers are unique to the removed list: they appear nowhere. A name may also be on
    # another list, so the change files are checked for names.
    next_site = tmp_path / "next"
    for path in sorted(p for p in next_site.rglob("*") if p.is_file()):
        if path.suffix in (".html", ".json", ".xml", ".csv"):
            text = path.read_text(encoding="utf-8")
            assert not [n for n in numbers if n in text], path
            if "changes" in path.as_posix() or path.name == "manifest.json":
                assert not [n for n in names if n in text], path


def test_a_records_manifest_hash_never_changes_its_meaning() -> None:
    # The previous site's manifest holds these hashes: an implementation that hashed otherwise
    # would report every published record as changed on the first build after an upgrade.
    assert record_hash(penalty(7)) == "a2034b8065f967b3eb7587fa32c1858c"
    assert record_hash(penalty(8, objection=True)) == "2aca4e91f1c74e09ae8885edaef2e40d"
