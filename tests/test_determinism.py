"""Two builds of the same inputs with the same --as-of are byte-identical, whatever the machine's settings."""

from __future__ import annotations

import difflib
from pathlib import Path

from tests.conftest import REPO, SAMPLE_AS_OF, run_cli

# Two machines that disagree on everything a careless build could pick up.
ENVIRONMENTS = (
    {"TZ": "America/Los_Angeles", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "1"},
    {"TZ": "Asia/Kolkata", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "4242"},
)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def explain(a: dict[str, bytes], b: dict[str, bytes], limit: int = 5) -> str:
    """A readable account of how two trees differ: missing files, then unified diffs of the first few."""
    lines = [f"only in the first build: {name}" for name in sorted(a.keys() - b.keys())]
    lines += [f"only in the second build: {name}" for name in sorted(b.keys() - a.keys())]
    changed = [name for name in sorted(a.keys() & b.keys()) if a[name] != b[name]]
    lines.append(f"{len(changed)} files differ: {', '.join(changed[:20])}")
    for name in changed[:limit]:
        try:
            first, second = a[name].decode("utf-8"), b[name].decode("utf-8")
        except UnicodeDecodeError:
            lines.append(f"--- {name}: binary files differ")
            continue
        diff = difflib.unified_diff(
            first.splitlines(),
            second.splitlines(),
            f"first/{name}",
            f"second/{name}",
            lineterm="",
            n=1,
        )
        lines.extend(list(diff)[:40])
    return "\n".join(lines)


def test_explain_shows_what_differs() -> None:
    report = explain(
        {"a.html": b"<p>1</p>\n", "b.css": b"x"}, {"a.html": b"<p>2</p>\n", "c.js": b"y"}
    )
    assert "only in the first build: b.css" in report
    assert "only in the second build: c.js" in report
    assert "-<p>1</p>" in report and "+<p>2</p>" in report


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    trees = []
    for i, env in enumerate(ENVIRONMENTS):
        out = tmp_path / f"build{i}" / "site"
        result = run_cli(
            "build", "--as-of", SAMPLE_AS_OF, "--quiet", "--out", str(out), cwd=REPO, env=env
        )
        assert result.exit_code == 0, result.output
        trees.append(snapshot(out))
    first, second = trees
    assert len(first) > 20
    assert first == second, explain(first, second)


def test_no_build_path_leaks_into_the_output(built_site: Path) -> None:
    """The folder a site was built in must not show in it, or two machines would differ."""
    markers = [str(built_site.parent).encode(), str(REPO).encode(), b"/tmp/"]
    leaks = [
        name
        for name, data in snapshot(built_site).items()
        if any(marker in data for marker in markers)
    ]
    assert leaks == []
