"""The fuzz corpus, replayed in CI, and a regression test for every crash `make fuzz` has found.

fuzz/corpus/<target>/ holds the seeds (seed-*) and the inputs that once crashed a target
(regress-*). Replaying them through the same target functions as atheris keeps every fixed
crash fixed, without atheris installed.

Crashes found so far, all fixed in generator/yamlio.py and generator/lists/package.py:
- a NUL or another control character in any YAML (front matter, catalogue, site.yaml) escaped
  as PyYAML's ReaderError: an internal error (exit 3) instead of a located diagnostic;
- YAML nested thousands deep, or a JSON descriptor likewise: RecursionError;
- a front matter "billion laughs" (aliases of aliases): the line-shifting walk expanded every
  alias, 10^8 steps for a 400-byte page (minutes, effectively a hang).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz import targets
from generator.diagnostics import Diagnostics
from generator.lists.package import read_package
from generator.yamlio import parse_yaml
from tests.conftest import make_project, run_cli
from tests.reliability.helpers import printed_diagnostics
from tests.reliability.project import AS_OF, EDITIONS, good_files, item_yaml

FUZZ = Path(targets.__file__).parent
CORPUS = [
    (target, path)
    for target in sorted(targets.TARGETS)
    for path in sorted((FUZZ / "corpus" / target).iterdir())
]


def test_every_target_has_seeds_and_the_crashes_are_kept() -> None:
    names = {(target, path.name.split("-", 1)[0]) for target, path in CORPUS}
    assert {(t, "seed") for t in targets.TARGETS} <= names
    assert sum(path.name.startswith("regress-") for _, path in CORPUS) >= 6


@pytest.mark.parametrize(("target", "path"), CORPUS, ids=[f"{t}/{p.name}" for t, p in CORPUS])
def test_the_corpus_replays_without_a_crash(target: str, path: Path) -> None:
    # A target raises on a crash (an uncaught exception or a failed invariant inside it).
    assert targets.TARGETS[target](path.read_bytes()) is None


def billion_laughs(levels: int = 9) -> str:
    """Each level lists the one before ten times: 10^levels values from a few hundred bytes."""
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, levels):
        before, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        text += f"{name}: &{name} [" + ", ".join([f"*{before}"] * 10) + "]\n"
    return text


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("title: x\nslug: \x00\n", 1, ("p.md", 3, 7, "content.front-matter")),
        ("a: 1\nb: 'x\x01'\n", 0, ("p.md", 2, 6, "content.front-matter")),
        ("title: " + "[" * 3000, 1, ("p.md", 2, 1, "content.front-matter")),
        ("a: " + "{b: " * 3000, 0, ("p.md", 1, 1, "content.front-matter")),
        (billion_laughs(), 1, ("p.md", 2, 1, "content.front-matter")),
    ],
    ids=["nul", "control-character", "deep-list", "deep-mapping", "billion-laughs"],
)
def test_hostile_yaml_is_a_located_error(
    text: str, offset: int, expected: tuple[object, ...]
) -> None:
    diags = Diagnostics()
    assert parse_yaml(text, "p.md", diags, line_offset=offset, code="content.front-matter") is None
    found = [(d.location.path, d.location.line, d.location.col, d.code) for d in diags]
    assert found == [expected]


def test_aliases_within_reason_still_work_and_keep_their_lines() -> None:
    """Shared values are shifted once, not once per alias (they used to move twice as far)."""
    diags = Diagnostics()
    data = parse_yaml("a: &a {k: 1}\nb: *a\nc: [*a, *a]\n", "p.md", diags, line_offset=3)
    assert list(diags) == []
    assert data == {"a": {"k": 1}, "b": {"k": 1}, "c": [{"k": 1}, {"k": 1}]}
    assert data["a"].line == 4 and data["a"].value_marks["k"] == (4, 11)


def test_a_descriptor_nested_thousands_deep_is_a_located_error(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"content/lists/p/datapackage.json": "[" * 100_000, "content/lists/p/x": ""}
    )
    diags = Diagnostics()
    assert read_package(project, project / "content/lists/p", diags) is None
    assert [(d.location.path, d.code) for d in diags] == [
        ("content/lists/p/datapackage.json", "list.descriptor-syntax")
    ]


def test_the_command_line_reports_control_characters_and_exits_1(tmp_path: Path) -> None:
    """End to end, as the crash first showed: exit 1 with located diagnostics, no traceback."""
    page = "---\ntitle: {zh-CN: 首页, en: Home}\nslug: index\nnav_order: \x00\n---\n欢迎。\n"
    item = item_yaml().replace("category: untrustworthy", "category: untrust\x01worthy")
    project = make_project(
        tmp_path,
        {
            **good_files(),
            "content/pages/index.md": page,
            f"{EDITIONS}/2025/items/SX-02.yaml": item,
            "content/pages/about.md": "---\ntitle: t\nslug: about\n" + billion_laughs() + "---\n",
        },
    )
    result = run_cli("check", "--as-of", AS_OF, cwd=project)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    printed = printed_diagnostics(result.stderr)
    for expected in (
        "content/pages/index.md:4:12: error[content.front-matter]",
        f"{EDITIONS}/2025/items/SX-02.yaml:4:18: error[yaml.syntax]",
        "content/pages/about.md:2:1: error[content.front-matter]",
    ):
        assert expected in printed, result.output
