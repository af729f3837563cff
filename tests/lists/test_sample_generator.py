"""The sample-data generator, scripts/gen_sample_lists.py: deterministic, valid, and complete.

The committed content/lists/ is the generator's output for the default command; these tests
regenerate it, read it back the way a department's package is read (declared encodings), and
check that every identifier is valid and every scenario the publication rules need is there.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.lists.identifiers import (
    IdResult,
    UsccResult,
    check_org_code,
    check_resident_id,
    check_uscc,
)
from generator.lists.model import record_key

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "gen_sample_lists.py"
COMMITTED = REPO / "content" / "lists"
AS_OF = dt.date(2026, 11, 30)
SMALL = "400"  # SX-02 rows: small enough to be quick, large enough for every scenario
WITHDRAWAL_COLUMNS = [
    "decision_number",
    "subject_id",
    "reason",
    "withdrawal_number",
    "withdrawal_date",
]
OBJECTION_COLUMNS = ["decision_number", "subject_id", "received", "status"]


def generate(out: Path, *args: str, root: Path | None = None) -> Path:
    command = [sys.executable, str(SCRIPT), "--out", str(out), "--seed", "20261130", *args]
    if root is not None:
        command += ["--root", str(root)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return out


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@functools.cache
def schema(name: str, root: Path = REPO) -> dict[str, Any]:
    path = root / "catalogue" / "schemas" / f"{name}.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    return data


@functools.cache
def item(code: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (REPO / "catalogue" / "editions" / "2025" / "items" / f"{code}.yaml").read_text("utf-8")
    )
    return data


class Package:
    """A package read back as the contract says: the declared encoding, else UTF-8 (BOM or not)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
        self.resources = {r["name"]: r for r in self.descriptor["resources"]}
        self.item = self.descriptor["catalogue_item"]
        self.schema = schema(item(self.item)["schema"])
        self.roles = self.schema["roles"]

    def table(self, name: str) -> tuple[list[str], list[dict[str, str]]]:
        if name not in self.resources:
            return [], []
        resource = self.resources[name]
        raw = (self.folder / resource["path"]).read_bytes()
        encoding = resource.get("encoding", "utf-8")
        text = raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]

    def records(self) -> list[dict[str, str]]:
        return self.table("records")[1]

    def subject_id(self, row: dict[str, str]) -> str:
        uscc: str = row[self.roles["subject_uscc"]]
        return uscc or row[self.roles["subject_id_number"]]

    def key(self, row: dict[str, str]) -> str:
        return record_key(self.item, row[self.roles["decision_number"]], self.subject_id(row))


def packages(folder: Path) -> list[Package]:
    return [Package(p) for p in sorted(folder.iterdir()) if (p / "datapackage.json").is_file()]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("small") / "lists", "--scale", SMALL)


# --- determinism ------------------------------------------------------------------------------


def test_two_runs_write_identical_bytes(tmp_path: Path) -> None:
    first = tree(generate(tmp_path / "a", "--scale", "250"))
    second = tree(generate(tmp_path / "b", "--scale", "250"))
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_a_different_seed_gives_different_data(tmp_path: Path) -> None:
    one = tree(generate(tmp_path / "a", "--scale", "250"))
    other_out = tmp_path / "b"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(other_out), "--scale", "250", "--seed", "7"],
        check=True,
        capture_output=True,
    )
    assert one["tj-scjg-sx-02/records.csv"] != tree(other_out)["tj-scjg-sx-02/records.csv"]


def test_committed_sample_is_a_fresh_run_of_the_default_command(tmp_path: Path) -> None:
    fresh = tree(generate(tmp_path / "lists", "--as-of", AS_OF.isoformat()))
    committed = tree(COMMITTED)
    assert sorted(committed) == sorted(fresh), "regenerate: see content/lists/README.md"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], "content/lists is stale; regenerate it (content/lists/README.md)"


def test_committed_sample_stays_under_5_mb() -> None:
    size = sum(len(data) for data in tree(COMMITTED).values())
    assert size < 5 * 1024 * 1024


# --- the contract -----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["committed", "small"])
def test_csv_headers_equal_the_catalogue_schema(where: str, small: Path) -> None:
    for package in packages(COMMITTED if where == "committed" else small):
        header, _ = package.table("records")
        assert header == [f["name"] for f in package.schema["fields"]], package.folder.name
        for name, columns in (
            ("withdrawals", WITHDRAWAL_COLUMNS),
            ("objections", OBJECTION_COLUMNS),
        ):
            if name in package.resources:
                assert package.table(name)[0] == columns


def test_descriptors_follow_the_contract() -> None:
    departments = {
        d["code"]
        for d in yaml.safe_load((REPO / "catalogue/departments.yaml").read_text())["departments"]
    }
    for package in packages(COMMITTED):
        d = package.descriptor
        assert d["name"] == package.folder.name
        assert d["provider"] in departments
        assert d["provider"] in item(d["catalogue_item"])["providers"]
        assert dt.date.fromisoformat(d["extracted"]) <= AS_OF
        assert package.resources["records"]["path"] == "records.csv"
        for resource in d["resources"]:
            assert resource["path"] == f"{resource['name']}.csv"
            assert "schema" not in resource  # the catalogue's schema applies


def test_sample_has_providers_at_both_levels_and_the_sizes_asked_for() -> None:
    levels = {
        d["code"]: d["level"]
        for d in yaml.safe_load((REPO / "catalogue/departments.yaml").read_text())["departments"]
    }
    rows: Counter[str] = Counter()
    sx02_levels: Counter[str] = Counter()
    for package in packages(COMMITTED):
        rows[package.item] += len(package.records())
        if package.item == "SX-02":
            sx02_levels[levels[package.descriptor["provider"]]] += 1
    assert sx02_levels == {"municipal": 1, "district": 2}
    assert rows["SX-02"] == 1500
    assert 450 <= rows["SX-04"] <= 550
    for code in ("SX-01", "SX-03", "SX-05"):
        assert 30 <= rows[code] <= 80, code
    hidden = [p for p in packages(COMMITTED) if item(p.item)["disclosure"] != "public"]
    assert [(p.item, item(p.item)["category"]) for p in hidden] == [("SX-06", "untrustworthy")]


def test_scale_sets_the_sx02_row_count(small: Path) -> None:
    assert sum(len(p.records()) for p in packages(small) if p.item == "SX-02") == int(SMALL)


# --- valid identifiers ------------------------------------------------------------------------


def test_every_credit_code_and_id_number_is_valid() -> None:
    authority_codes = {
        d["uscc"]: d["name"]["zh-CN"]
        for d in yaml.safe_load((REPO / "catalogue/departments.yaml").read_text())["departments"]
    }
    for package in packages(COMMITTED):
        roles = package.roles
        id_fields = [roles["subject_id_number"]] + [
            f["name"] for f in package.schema["fields"] if f["name"] == "cf_fr_zjhm"
        ]
        code_fields = [f["name"] for f in package.schema["fields"] if f["name"].endswith("dm")]
        for number, row in enumerate(package.records(), start=2):
            where = f"{package.folder.name} row {number}"
            uscc = row[roles["subject_uscc"]]
            if uscc:
                assert check_uscc(uscc) is UsccResult.VALID, where
                assert check_org_code(uscc[8:17]), where
            for name in id_fields:
                if row[name]:
                    assert check_resident_id(row[name], today=AS_OF) is IdResult.VALID, where
            for name in code_fields:  # the deciding authority and the data source unit
                assert row[name] in authority_codes, where
            assert authority_codes[row[roles["authority_code"]]] == row[roles["authority"]], where
            assert uscc or row[roles["subject_id_number"]], where


def test_dates_are_consistent_with_as_of() -> None:
    for package in packages(COMMITTED):
        roles = package.roles
        for row in package.records():
            decided = dt.date.fromisoformat(row[roles["decision_date"]])
            assert decided <= AS_OF
            assert dt.date.fromisoformat(row[roles["publicity_end"]]) >= decided


# --- encodings --------------------------------------------------------------------------------


def test_the_gb18030_package_decodes_only_as_gb18030() -> None:
    package = Package(COMMITTED / "hp-scjg-sx-02")
    for resource in package.resources.values():
        assert resource["encoding"] == "gb18030"
        raw = (package.folder / resource["path"]).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        raw.decode("gb18030")
    records = (package.folder / "records.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        records.decode("gbk")  # 䶮 is in GB18030 only: GBK is not a safe guess either
    assert "䶮" in records.decode("gb18030")


def test_other_packages_are_utf8_one_with_bom_one_with_crlf() -> None:
    boms, crlfs = [], []
    for package in packages(COMMITTED):
        if package.folder.name == "hp-scjg-sx-02":
            continue
        for resource in package.resources.values():
            assert "encoding" not in resource
            raw = (package.folder / resource["path"]).read_bytes()
            raw.decode("utf-8")
            if raw.startswith(codecs.BOM_UTF8):
                boms.append(f"{package.folder.name}/{resource['path']}")
            if b"\r\n" in raw:
                assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF throughout, not mixed
                crlfs.append(f"{package.folder.name}/{resource['path']}")
    assert boms == ["bh-scjg-sx-02/records.csv"]
    assert crlfs == ["tj-gy-sx-04/records.csv"]


# --- the scenarios the publication rules need ----------------------------------------------------


@functools.cache
def tier_months(tier: str) -> tuple[int, int]:
    tiers = yaml.safe_load((REPO / "site.yaml").read_text("utf-8"))["publication"]["tiers"]
    return tiers[tier]["min_months"], tiers[tier]["max_months"]


def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(day.year + year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def scenarios(folder: Path) -> Counter[str]:
    """What the data holds for each publication rule, read from the data alone."""
    seen: Counter[str] = Counter()
    keys: dict[str, set[str]] = {}
    for package in packages(folder):
        roles = package.roles
        records = package.records()
        dates = {}
        for row in records:
            keys.setdefault(package.key(row), set()).add(package.folder.name)
            decided = dt.date.fromisoformat(row[roles["decision_date"]])
            dates[(row[roles["decision_number"]], package.subject_id(row))] = (decided, row)
            if package.item == "SX-02":
                seen["simplified"] += row["procedure"] == "simplified"
                seen["minor"] += row["minor"] == "true" and row["procedure"] == "general"
                seen["natural-person SX-02"] += row["cf_xdr_lb"] == "自然人"
                seen["individual-business"] += row["cf_xdr_lb"] == "个体工商户"
                lo, hi = tier_months(row["severity"])
                given = dt.date.fromisoformat(row["cf_gsjzq"])
                end = min(max(given, add_months(decided, lo)), add_months(decided, hi))
                seen["expired"] += end <= AS_OF
                seen["clamped down"] += given > add_months(decided, hi)
                seen["clamped up"] += given < add_months(decided, lo)
            if package.item == "SX-04":
                seen["natural-person SX-04"] += row["sx_bzxr_lb"] == "自然人"
        for w in package.table("withdrawals")[1]:
            decided, row = dates[(w["decision_number"], w["subject_id"])]
            seen[w["reason"]] += 1
            if package.item == "SX-02" and w["reason"] == "repaired":
                repaired = dt.date.fromisoformat(w["withdrawal_date"])
                seen["early repair"] += repaired < add_months(
                    decided, tier_months(row["severity"])[0]
                )
        for o in package.table("objections")[1]:
            assert (o["decision_number"], o["subject_id"]) in dates
            seen[f"objection {o['status']}"] += 1
        if item(package.item)["disclosure"] != "public":
            seen["item not public"] += len(records)
    seen["duplicate"] = sum(len(names) > 1 for names in keys.values())
    return seen


EXPECTED = (
    "simplified",
    "minor",
    "natural-person SX-02",
    "natural-person SX-04",
    "individual-business",
    "expired",
    "clamped down",
    "clamped up",
    "repaired",
    "early repair",
    "revoked",
    "corrected",
    "objection under_review",
    "objection upheld",
    "objection rejected",
    "duplicate",
    "item not public",
)


@pytest.mark.parametrize("where", ["committed", "small"])
def test_every_scenario_occurs_more_than_once(where: str, small: Path) -> None:
    seen = scenarios(COMMITTED if where == "committed" else small)
    assert {name: seen[name] for name in EXPECTED if seen[name] < 2} == {}


def test_committed_proportions_are_realistic() -> None:
    seen = scenarios(COMMITTED)
    sx02 = 1500
    assert seen["expired"] / sx02 < 0.2  # most records are inside their window
    for name in ("simplified", "minor", "natural-person SX-02"):
        assert 0.01 < seen[name] / sx02 < 0.06, name
    assert seen["early repair"] == 2  # rare, and each one warns


def test_substring_search_has_unique_names_to_find() -> None:
    names = [row[p.roles["subject_name"]] for p in packages(COMMITTED) for row in p.records()]
    for stem in ("琉璃鲸", "蔚蓝深潜", "鹭影", "青檀云栖"):
        matching = {n for n in names if stem in n}
        assert len(matching) == 1, stem  # one company, however many records it has


def test_natural_persons_names_occur_nowhere_else() -> None:
    """A masked name must not be published as another row's plain value (a representative who
    happens to share it, say): otherwise a scan of the site for leaks would find false ones."""
    names: set[str] = set()
    public: list[str] = []
    for package in packages(COMMITTED):
        category = package.roles["subject_category"]
        plain = [f["name"] for f in package.schema["fields"] if f["publish"] == "as_is"]
        for row in package.records():
            if row[category] == "自然人":
                names.add(row[package.roles["subject_name"]])
            else:
                public.extend(row[name] for name in plain)
    text = "\n".join(public)
    assert len(names) > 50
    assert sorted(name for name in names if name in text) == []


def test_with_errors_adds_rejected_and_invalid_rows(tmp_path: Path) -> None:
    out = generate(tmp_path / "lists", "--scale", "300", "--with-errors")
    found: Counter[str] = Counter()
    for package in packages_raw(out):
        for row in package:
            if not row["cf_wsh"]:
                found["no decision number"] += 1
            if not row["cf_jdrq"]:
                found["no decision date"] += 1
            elif row["cf_jdrq"] > AS_OF.isoformat():
                found["future decision"] += 1
            if row["cf_xdr_shxym"] and check_uscc(row["cf_xdr_shxym"]) is not UsccResult.VALID:
                found["bad credit code"] += 1
            if row["cf_xdr_zjhm"] and check_resident_id(row["cf_xdr_zjhm"]) is not IdResult.VALID:
                found["bad ID number"] += 1
            found["negative amount"] += row["cf_nr_fk"].startswith("-")
            found["bad enum"] += row["procedure"] not in ("general", "simplified")
    records = (out / "bh-scjg-sx-02" / "records.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        records.decode("utf-8-sig")  # undeclared GB18030 bytes in a UTF-8 file
    assert {name for name, n in found.items() if n} == {
        "no decision number",
        "no decision date",
        "future decision",
        "bad credit code",
        "bad ID number",
        "negative amount",
        "bad enum",
    }


def packages_raw(folder: Path) -> list[list[dict[str, str]]]:
    """SX-02 rows read leniently: a --with-errors file holds bytes of the wrong encoding."""
    tables = []
    for name in ("tj-scjg-sx-02", "bh-scjg-sx-02", "hp-scjg-sx-02"):
        encoding = "gb18030" if name.startswith("hp-") else "utf-8-sig"
        text = (folder / name / "records.csv").read_bytes().decode(encoding, errors="replace")
        tables.append(list(csv.DictReader(io.StringIO(text, newline=""))))
    return tables


def test_warnings_alone_use_the_minor_tier_once_the_schema_has_it(tmp_path: Path) -> None:
    """Without a `minor` severity a warning-only penalty has no unpublished tier to go to, so the
    generator leaves such rows out; with one, they appear and `tier-not-published` is shown."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "catalogue", root / "catalogue")
    path = root / "catalogue/schemas/sx-02-administrative-penalties.yaml"
    text = path.read_text("utf-8")
    assert "    enum: [general, serious]\n  publish: as_is\nroles:" in text
    path.write_text(
        text.replace(
            "    enum: [general, serious]\n  publish: as_is\nroles:",
            "    enum: [minor, general, serious]\n  publish: as_is\nroles:",
        ),
        "utf-8",
    )
    with_minor = generate(tmp_path / "with", "--scale", "300", root=root)
    without = generate(tmp_path / "without", "--scale", "300")

    def warnings_alone(folder: Path) -> list[tuple[str, str]]:
        return [
            (row["severity"], row["cf_cflb"])
            for p in packages(folder)
            if p.item == "SX-02"
            for row in p.records()
            if row["procedure"] == "general" and row["cf_cflb"] == "警告"
        ]

    assert len(warnings_alone(with_minor)) >= 3
    assert set(warnings_alone(with_minor)) == {("minor", "警告")}
    assert warnings_alone(without) == []
    assert "warnings alone" in (with_minor / "README.md").read_text("utf-8")
