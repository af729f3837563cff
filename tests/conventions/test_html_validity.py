"""Valid HTML: the Nu Html Checker (npm's vnu-jar, run with the machine's Java) finds no error on a
sample of every page type in both languages.

The JVM starts slowly, so the checker runs once, over every sampled file together.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import REPO
from tests.conventions.samples import LANGS, PAGE_TYPES, file_of, page_routes

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def sample_files(site: Path) -> list[Path]:
    routes = page_routes(site)
    files = sorted({file_of(site, routes[t], lang) for t in PAGE_TYPES for lang in LANGS})
    assert all(f.is_file() for f in files), [f for f in files if not f.is_file()]
    return files


def run_vnu(files: list[Path]) -> list[dict[str, object]]:
    java = shutil.which("java")
    assert java, "no Java runtime: install default-jre-headless (.ci/run does)"
    assert VNU.is_file(), "vnu-jar is missing: run `npm ci` (make setup does)"
    completed = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    # vnu writes its JSON report to stderr, and exits 1 when it found errors.
    report = json.loads(completed.stderr.decode("utf-8"))
    messages: list[dict[str, object]] = report["messages"]
    return messages


def test_sampled_pages_have_no_html_errors(built_site: Path) -> None:
    files = sample_files(built_site)
    assert len(files) == 2 * len(PAGE_TYPES)
    messages = run_vnu(files)
    lines = [
        f"{str(m.get('url', '')).removeprefix('file:').removeprefix(str(built_site))}:{m.get('lastLine')}: "
        f"{m.get('type')}: {m.get('message')}"
        for m in messages
    ]
    assert lines == [], "\n".join(lines)


def test_the_checker_does_report_errors(tmp_path: Path) -> None:
    """The harness itself: a broken page must produce errors, or the test above proves nothing."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
        "<body><p><div>block in p</p><img src=x.png></body></html>",
        encoding="utf-8",
    )
    messages = run_vnu([broken])
    assert any(m.get("type") == "error" for m in messages)
