"""cli: options, exit codes (0 ok, 1 content, 2 usage, 3 internal bug), output formats, entry points."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import REPO, make_project, run_cli

HOME = "---\ntitle:\n  zh-CN: 首页\n  en: Home\nslug: index\nnav_order: 1\n---\n欢迎。\n"
BROKEN = "---\ntitle: 关于\nslug: [about\n---\n正文\n"  # an unclosed flow sequence on line 3


def test_build_exits_0_and_writes_the_site(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"content/pages/index.md": HOME})
    result = run_cli("build", cwd=project)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    assert "built " in result.stderr and "0 errors, 0 warnings" in result.stderr
    assert (project / "site" / "index.html").is_file()
    assert (project / "site" / "en" / "index.html").is_file()


def test_root_and_out_options(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"content/pages/index.md": HOME})
    out = tmp_path / "elsewhere" / "public"
    result = run_cli("build", "-q", "--root", str(project), "--out", str(out), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    assert not (project / "site").exists()


def test_as_of_option_fixes_today(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"content/pages/index.md": HOME})
    result = run_cli("build", "-q", "--as-of", "2027-01-02", cwd=project)
    assert result.exit_code == 0, result.output
    footer = BeautifulSoup((project / "site" / "en" / "index.html").read_bytes(), "lxml").footer
    assert footer is not None and "Data as of 2027-01-02" in footer.get_text()


def test_content_error_exits_1_with_a_located_message_and_no_traceback(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"content/pages/index.md": HOME, "content/pages/about.md": BROKEN}
    )
    result = run_cli("build", cwd=project)
    assert result.exit_code == 1, result.output
    assert "content/pages/about.md:4:1: error[content.front-matter]: invalid YAML" in result.stderr
    assert "failed: 1 errors, 0 warnings" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (project / "site").exists()


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "content/pages/index.md": HOME,
            "content/pages/a.md": "---\ntitle: 甲\nslug: A\n---\n",
            "content/pages/b.md": "---\nslug: b\n---\n",
            "content/notices/n.md": "---\ntitle: 通知\nslug: n\ndate: 2026-02-30\n---\n",
        },
    )
    result = run_cli("check", "--format", "json", cwd=project)
    assert result.exit_code == 1, result.output
    problems = [
        (d["location"]["path"], d["location"].get("line"), d["code"])
        for d in json.loads(result.stdout)["diagnostics"]
    ]
    assert problems == [
        ("content/notices/n.md", 4, "content.front-matter"),
        ("content/pages/a.md", 3, "content.invalid-slug"),
        ("content/pages/b.md", 2, "content.missing-key"),
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("build", "--no-such-option"),
        ("build", "--as-of", "30/11/2026"),
        ("build", "--as-of", "2026-02-30"),
        ("build", "--format", "xml"),
        ("build", "--out", "."),
        ("build", "--out", "content"),
        ("build", "--out", "site", "--report", "site/report.json"),
        ("no-such-command",),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    project = make_project(tmp_path, {"content/pages/index.md": HOME})
    result = run_cli(*args, cwd=project)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert "Error" in result.stderr
    assert not (project / "site").exists()
    assert (project / "content" / "pages" / "index.md").read_text(encoding="utf-8") == HOME


def test_json_format(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"content/pages/index.md": HOME, "content/pages/about.md": BROKEN}
    )
    result = run_cli("build", "--format", "json", cwd=project)
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert (payload["errors"], payload["warnings"]) == (1, 0)
    (diagnostic,) = payload["diagnostics"]
    assert diagnostic["code"] == "content.front-matter"
    assert diagnostic["severity"] == "error"
    assert diagnostic["location"] == {"path": "content/pages/about.md", "line": 4, "col": 1}


def test_json_format_on_success_has_the_summary(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"content/pages/index.md": HOME})
    result = run_cli("build", "--format", "json", "--as-of", "2026-11-30", cwd=project)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["errors"] == 0 and payload["diagnostics"] == []
    assert payload["summary"]["as_of"] == "2026-11-30"


def test_the_exit_skips_only_the_teardown(tmp_path: Path) -> None:
    """The CLI leaves with os._exit after a command (cli._leave): everything it printed still
    arrives, and the exit handlers still remove the build's temporary folders."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "site"
    result = run_cli(
        "build", "--root", str(REPO), "--out", str(out), "--as-of", "2026-11-30",
        "--format", "json", "--quiet", cwd=tmp_path, env={"TMPDIR": str(scratch)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # all of it, flushed
    assert payload["summary"]["lists"]
    assert list(scratch.iterdir()) == []  # the lists' store and the search spill are gone
    assert (out / "index.html").is_file()


def test_the_build_imports_openpyxl_only_for_a_workbook() -> None:
    """openpyxl (and numpy, where installed) took a tenth of a second of every start: only the
    consultations' workbooks need it, and they import it where they read or make one."""
    code = (
        "import sys, generator.cli, generator.build; "
        "print(sorted(m for m in ('openpyxl', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_github_format(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"content/pages/index.md": HOME, "content/pages/about.md": BROKEN}
    )
    result = run_cli("check", "--format", "github", cwd=project)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(
        "::error file=content/pages/about.md,line=4,col=1,title=content.front-matter::invalid YAML"
    )


def test_strict_turns_a_warning_into_exit_1(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "content/pages/index.md": HOME,
            "content/pages/abuot.en.md": "About, orphaned by a typo\n",
        },
    )
    warning = "content/pages/abuot.en.md: warning[content.orphan-translation]"

    lenient = run_cli("build", cwd=project)
    assert lenient.exit_code == 0, lenient.output
    assert warning in lenient.stderr
    assert "0 errors, 1 warnings" in lenient.stderr
    before = (project / "site" / "index.html").read_bytes()

    strict = run_cli("build", "--strict", "--as-of", "2030-01-01", cwd=project)
    assert strict.exit_code == 1, strict.output
    assert warning in strict.stderr
    assert (project / "site" / "index.html").read_bytes() == before  # nothing written

    assert run_cli("check", "--strict", cwd=project).exit_code == 1
    assert run_cli("check", cwd=project).exit_code == 0


def test_check_writes_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"content/pages/index.md": HOME})
    result = run_cli("check", cwd=project)
    assert result.exit_code == 0, result.output
    assert "ok: 0 errors, 0 warnings" in result.stderr
    assert sorted(p.name for p in project.iterdir()) == ["content", "site.yaml"]


def test_no_project_here_is_a_content_error(tmp_path: Path) -> None:
    result = run_cli("check", cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert "site.yaml: error[config.missing]" in result.stderr


def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"content/pages/index.md": HOME})
    result = run_cli("build", "--quiet", cwd=project)
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == ("", "")


def test_progress_is_shown_without_quiet(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"content/pages/index.md": HOME})
    result = run_cli("build", cwd=project)
    assert result.exit_code == 0, result.output
    assert "load" in result.stderr and "render" in result.stderr


def test_report_file(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {"content/pages/index.md": HOME, "content/pages/abuot.en.md": "orphan\n"},
    )
    report = tmp_path / "reports" / "build.json"
    result = run_cli("build", "-q", "--as-of", "2026-11-30", "--report", str(report), cwd=project)
    assert result.exit_code == 0, result.output
    payload = json.loads(report.read_text(encoding="utf-8"))
    assert payload["ok"] is True
    assert payload["as_of"] == "2026-11-30"
    assert [d["code"] for d in payload["diagnostics"]] == ["content.orphan-translation"]


def project_with_broken_template(tmp_path: Path) -> Path:
    """A project with its own templates, one of which uses a variable nobody defines: a real bug."""
    project = make_project(tmp_path, {"content/pages/index.md": HOME})
    shutil.copytree(REPO / "templates", project / "templates")
    page = project / "templates" / "home.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "{% block main %}", "{% block main %}{{ no_such_variable }}", 1
        ),
        encoding="utf-8",
    )
    return project


def test_internal_error_is_one_line_with_a_hint(tmp_path: Path) -> None:
    project = project_with_broken_template(tmp_path)
    result = run_cli("build", cwd=project)
    assert result.exit_code == 3, result.output
    assert "internal error: UndefinedError: 'no_such_variable' is undefined" in result.stderr
    assert "re-run with --debug" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "site").exists()
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []


def test_debug_shows_the_traceback_of_an_internal_error(tmp_path: Path) -> None:
    project = project_with_broken_template(tmp_path)
    result = run_cli("build", "--debug", cwd=project)
    assert result.exit_code == 3, result.output
    assert "Traceback (most recent call last)" in result.stderr
    assert "jinja2.exceptions.UndefinedError: 'no_such_variable' is undefined" in result.stderr


def test_python_m_generator_help() -> None:
    result = run_cli("--help", cwd=REPO)
    assert result.exit_code == 0, result.output
    for command in ("build", "check", "serve"):
        assert command in result.stdout
    build_help = run_cli("build", "--help", cwd=REPO)
    for option in ("--as-of", "--out", "--strict", "--quiet", "--report", "--format", "--debug"):
        assert option in build_help.stdout


def test_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "credit-portal"
    assert script.is_file(), "the credit-portal console script is not installed in the venv"
    helped = subprocess.run([script, "--help"], capture_output=True, text=True, check=False)
    assert helped.returncode == 0, helped.stderr
    assert "Usage: credit-portal" in helped.stdout
    version = subprocess.run([script, "--version"], capture_output=True, text=True, check=False)
    assert version.returncode == 0 and "0.1.0" in version.stdout

    project = make_project(tmp_path, {"content/pages/index.md": HOME})
    built = subprocess.run(
        [script, "build", "-q"], cwd=project, capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    assert (project / "site" / "index.html").is_file()


def test_internal_error_in_process_maps_to_exit_3(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Any exception from the pipeline is a bug: one line without --debug, the traceback with it."""
    from click.testing import CliRunner

    from generator import cli

    def broken_build(options: object, reporter: object = None) -> object:
        raise RuntimeError("a stage forgot a case")

    monkeypatch.setattr(cli, "build", broken_build)
    runner = CliRunner()
    project = make_project(tmp_path, {"content/pages/index.md": HOME})

    plain = runner.invoke(cli.cli, ["check", "--root", str(project)])
    assert plain.exit_code == 3
    assert (
        "internal error: RuntimeError: a stage forgot a case (re-run with --debug" in plain.stderr
    )
    assert "Traceback" not in plain.stderr

    debug = runner.invoke(cli.cli, ["check", "--root", str(project), "--debug"])
    assert debug.exit_code == 3
    assert "Traceback (most recent call last)" in debug.stderr
    assert "RuntimeError: a stage forgot a case" in debug.stderr
