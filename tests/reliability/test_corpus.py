"""The corpus of bad inputs: each case breaks a good project and the build must refuse it cleanly.

Every case in tests/reliability/corpus/<case>/ is a `case.yaml` (what it is, and the diagnostics
expected, as `location: severity[code]`) and a `files/` tree laid over the good project of
`project.py`. A few inputs cannot be committed (a 10 MB cell, a symlink); `generate:` names the
function below that writes them.

Each case runs the real command line in a subprocess, on a copy of a project whose site/ was
already built, and checks that the build
- prints the expected diagnostics, each with a location and a stable code;
- exits 1, never with a traceback (exit 3 is an internal error);
- leaves that site/ byte-for-byte as it was, with no temporary tree left beside it.
The cases marked `accepted` are valid input (a BOM, CRLF): the build must succeed and publish the
same site as the good project.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import make_project, run_cli
from tests.reliability.helpers import differences, printed_diagnostics, snapshot, temp_trees
from tests.reliability.project import (
    AS_OF,
    COMMENTS,
    CONSULTATION,
    HEADER,
    OTHER_COMPANY,
    RECORDS,
    good_files,
    penalty,
    person_penalty,
    to_csv,
)

CORPUS = Path(__file__).parent / "corpus"
COMMENTS_CSV = f"{CONSULTATION}/comments.csv"
CASE_KEYS = {"expect", "strict", "accepted", "generate", "remove"}
# A diagnostic stays readable: a hostile input may not flood the terminal or the CI log.
MAX_OUTPUT = 100_000


@dataclass(frozen=True)
class Case:
    name: str
    expect: tuple[str, ...]
    strict: bool = False
    accepted: bool = False
    generate: str | None = None
    remove: tuple[str, ...] = ()

    @classmethod
    def load(cls, name: str) -> Case:
        data = yaml.safe_load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))
        assert set(data) <= CASE_KEYS, f"{name}/case.yaml: unknown keys {set(data) - CASE_KEYS}"
        return cls(
            name,
            tuple(data.get("expect") or ()),
            bool(data.get("strict")),
            bool(data.get("accepted")),
            data.get("generate"),
            tuple(data.get("remove") or ()),
        )

    def apply(self, project: Path) -> None:
        files = CORPUS / self.name / "files"
        if files.is_dir():
            for source in sorted(files.rglob("*")):
                if source.is_file():
                    target = project / source.relative_to(files)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(source.read_bytes())
        for rel in self.remove:
            (project / rel).unlink()
        if self.generate:
            GENERATORS[self.generate](project)


# --- Inputs too big or too odd to commit -----------------------------------------------------


def big_cell(project: Path) -> None:
    """A 10 MB `facts` cell (3.5 million three-byte characters) in the second row."""
    huge = "很" * (10 * 1024 * 1024 // 3)
    rows = [penalty(), penalty("津市监罚〔2026〕3号", uscc=OTHER_COMPANY, facts=huge)]
    (project / RECORDS).write_text(to_csv([*rows, person_penalty()]), encoding="utf-8")


def wide_header(project: Path) -> None:
    """The schema's columns and 99,984 more, with one row of data."""
    header = [*HEADER, *(f"c{i}" for i in range(100_000 - len(HEADER)))]
    row = ["x"] * len(header)
    text = ",".join(header) + "\n" + ",".join(row) + "\n"
    (project / RECORDS).write_text(text, encoding="utf-8")


def symlink_out(project: Path) -> None:
    """records.csv is a symlink to a well-formed file outside the package (and the project)."""
    outside = project.parent / "outside.csv"
    outside.write_text(to_csv([penalty()]), encoding="utf-8")
    (project / RECORDS).unlink()
    (project / RECORDS).symlink_to(outside)


def wide_row(project: Path) -> None:
    """A good header, a good row, then a row of 100,000 cells."""
    text = to_csv([penalty()]) + ",".join(["x"] * 100_000) + "\n"
    (project / RECORDS).write_text(text, encoding="utf-8")


def comments_wide_header(project: Path) -> None:
    header = ",".join(f"c{i}" for i in range(100_000))
    (project / COMMENTS_CSV).write_text(header + "\n", encoding="utf-8")


def comments_big_cell(project: Path) -> None:
    header = COMMENTS.splitlines()[0]
    row = f"C001,2026-11-17,email,individual,王小明,,SX-02,,{'很' * 3_500_000},pending,"
    (project / COMMENTS_CSV).write_text(f"{header}\n{row}\n", encoding="utf-8")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "big_cell": big_cell,
    "wide_header": wide_header,
    "wide_row": wide_row,
    "symlink_out": symlink_out,
    "comments_wide_header": comments_wide_header,
    "comments_big_cell": comments_big_cell,
}
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())


# --- The good project, built once per module (and per xdist worker) --------------------------


@dataclass(frozen=True)
class Built:
    project: Path
    site: dict[str, bytes]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The good project with its site/ built twice: the second build is the steady state, with
    the change files comparing against the first, as every later build of the same input is."""
    project = make_project(tmp_path_factory.mktemp("corpus"), good_files())
    for _ in range(2):
        result = run_cli("build", "-q", "--as-of", AS_OF, cwd=project)
        assert result.exit_code == 0, result.output
    return Built(project, snapshot(project / "site"))


def broken_copy(built: Built, case: Case, tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(built.project, project, symlinks=True)
    case.apply(project)
    return project


def test_the_corpus_is_complete() -> None:
    """Every case named by the issue is here, and every generator is used."""
    assert len(CASES) >= 30
    used = {Case.load(name).generate for name in CASES}
    assert set(GENERATORS) <= used
    assert all(Case.load(name).expect or Case.load(name).accepted for name in CASES)


@pytest.mark.parametrize("name", CASES)
def test_a_bad_input_is_refused_cleanly(name: str, built: Built, tmp_path: Path) -> None:
    case = Case.load(name)
    project = broken_copy(built, case, tmp_path)
    args = ["build", "--as-of", AS_OF, *(["--strict"] if case.strict else [])]
    result = run_cli(*args, cwd=project)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.output
    assert len(result.stdout) + len(result.stderr) < MAX_OUTPUT, "the output floods the terminal"
    printed = printed_diagnostics(result.stderr)
    after = snapshot(project / "site")

    if case.accepted:
        assert result.exit_code == 0, result.output
        assert printed == [], result.output
        assert after == built.site, differences(built.site, after)
        return

    assert result.exit_code == 1, result.output
    missing = [line for line in case.expect if line not in printed]
    assert missing == [], f"expected diagnostics not printed: {missing}\n{result.output}"
    for line in printed:
        path = line.split(":", 1)[0]
        # Every diagnostic names a real place: the file itself, or the folder a missing file is in.
        assert (project / path).exists() or (project / path).parent.is_dir(), line
    assert after == built.site, differences(built.site, after)
    assert temp_trees(project / "site") == []


def test_a_package_of_an_item_that_is_not_public_is_withheld_with_a_warning(
    built: Built, tmp_path: Path
) -> None:
    """Without --strict the build succeeds: the warning is printed and nothing of it is published."""
    project = broken_copy(built, Case.load("item-not-public"), tmp_path)
    result = run_cli("build", "--as-of", AS_OF, cwd=project)
    assert result.exit_code == 0, result.output
    assert printed_diagnostics(result.stderr) == [
        "content/lists/tj-scjg-sx-06/datapackage.json:3:21: warning[list.item-not-public]"
    ]
    assert "SX-06: 1 rows → 0 published, 1 withheld (item-not-public 1)" in result.stderr
    after = snapshot(project / "site")
    assert not any(name.startswith(("lists/SX-06", "en/lists/SX-06")) for name in after)
    decision = "津人社〔2026〕1号".encode()
    assert [name for name, data in after.items() if decision in data] == []
