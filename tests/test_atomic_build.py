"""A failed, broken or killed build leaves the previous site byte-for-byte as it was."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, cli_command, make_project, run_cli

HOME = "---\ntitle:\n  zh-CN: 首页\n  en: Home\nslug: index\nnav_order: 1\n---\n欢迎。\n"
ABOUT = (
    "---\ntitle:\n  zh-CN: 关于\n  en: About\nslug: about\nnav_order: 2\n---\n## 定位\n\n正文。\n"
)
NOTICE = "---\ntitle: 通知\nslug: first\ndate: 2026-01-05\n---\n正文。\n"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def temp_trees(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*"))


def good_project(tmp_path: Path) -> Path:
    return make_project(
        tmp_path,
        {
            "content/pages/index.md": HOME,
            "content/pages/about.md": ABOUT,
            "content/notices/2026-01-05-first.md": NOTICE,
        },
    )


def break_page(project: Path) -> None:
    (project / "content/pages/about.md").write_text(
        "---\ntitle: 关于\nslug: [about\n---\n", encoding="utf-8"
    )


def break_config(project: Path) -> None:
    with (project / "site.yaml").open("a", encoding="utf-8") as fh:
        fh.write("colour: red\n")


def break_template(project: Path) -> None:
    shutil.copytree(REPO / "templates", project / "templates")
    page = project / "templates" / "page.html"
    # page.html renders after the home page: the build fails half-way through writing.
    source = page.read_text(encoding="utf-8")
    assert "{% block main %}" in source
    page.write_text(
        source.replace("{% block main %}", "{% block main %}{{ no_such_variable }}", 1),
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("breakage", "exit_code"),
    [(break_page, 1), (break_config, 1), (break_template, 3)],
    ids=["bad-yaml-in-a-page", "unknown-key-in-site-yaml", "internal-error-mid-render"],
)
def test_a_failing_build_leaves_the_site_untouched(
    tmp_path: Path, breakage: object, exit_code: int
) -> None:
    project = good_project(tmp_path)
    out = tmp_path / "out"
    first = run_cli("build", "-q", "--as-of", "2026-11-30", "--out", str(out), cwd=project)
    assert first.exit_code == 0, first.output
    before = snapshot(out)
    assert "index.html" in before and "en/about/index.html" in before

    assert callable(breakage)
    breakage(project)
    # A different as-of would change every page, so any write would show.
    second = run_cli("build", "-q", "--as-of", "2027-01-01", "--out", str(out), cwd=project)
    assert second.exit_code == exit_code, second.output
    assert "Traceback" not in second.stderr
    assert snapshot(out) == before
    assert temp_trees(out) == []


def many_pages(count: int) -> dict[str, str]:
    """Enough pages that rendering takes a while after the temporary tree appears."""
    sections = "\n".join(
        f"## 第{i}节\n\n"
        + "这是一段用于测试的正文。" * 30
        + "\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n"
        for i in range(8)
    )
    return {
        f"content/pages/p{i:04d}.md": f"---\ntitle: 页面{i}\nslug: p{i:04d}\n---\n{sections}"
        for i in range(count)
    }


def test_a_killed_build_leaves_the_site_intact_and_the_next_build_cleans_up(tmp_path: Path) -> None:
    project = good_project(tmp_path)
    out = tmp_path / "out"
    first = run_cli("build", "-q", "--out", str(out), cwd=project)
    assert first.exit_code == 0, first.output
    before = snapshot(out)

    make_project(tmp_path, many_pages(400))
    process = subprocess.Popen(
        cli_command("build", "-q", "--out", str(out)),
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not temp_trees(out):
            if process.poll() is not None:
                pytest.fail(
                    f"the build ended (exit {process.returncode}) before it started writing"
                )
            if time.monotonic() > deadline:
                pytest.fail("the build never created its temporary tree")
            time.sleep(0.001)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL

    leftovers = temp_trees(out)
    # The temporary tree and the spool of large files beside it (generator.spool).
    # (The spool is made just after the tree: a kill in between leaves the tree alone.)
    expected = [f".out.build-{process.pid}", f".out.spool-{process.pid}"]
    assert [p.name for p in leftovers] in (expected, expected[:1]), "killed after it finished?"
    assert snapshot(out) == before

    again = run_cli("build", "-q", "--out", str(out), cwd=project)
    assert again.exit_code == 0, again.output
    assert temp_trees(out) == []
    after = snapshot(out)
    assert "p0399/index.html" in after and "en/p0000/index.html" in after


@pytest.mark.parametrize(
    "breakage",
    [break_page, break_template],
    ids=["bad-yaml-in-a-page", "internal-error-mid-render"],
)
def test_a_failing_build_with_a_cache_leaves_site_and_cache_entries_untouched(
    tmp_path: Path, breakage: object
) -> None:
    project = good_project(tmp_path)
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ("build", "-q", "--as-of", "2026-11-30", "--out", str(out), "--cache", str(cache))
    first = run_cli(*args, cwd=project)
    assert first.exit_code == 0, first.output
    before, entries = snapshot(out), snapshot(cache / "builds")
    inodes = {p: (out / p).stat().st_ino for p in before}

    assert callable(breakage)
    breakage(project)
    second = run_cli(*args, cwd=project)
    assert second.exit_code != 0, second.output
    assert snapshot(out) == before
    assert {p: (out / p).stat().st_ino for p in before} == inodes
    assert snapshot(cache / "builds") == entries  # no entry for a build that did not publish
    assert temp_trees(out) == []
