"""The publisher's side: `check --format github` annotations, the example CI workflows and the
deployment guide, whose commands must stay valid for the command line as it is."""

from __future__ import annotations

import re
import shlex
import stat
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from generator.cli import cli
from tests.conftest import REPO, SAMPLE_AS_OF, make_project, run_cli

GITHUB = REPO / "examples" / "ci" / "github-actions.yml"
GITLAB = REPO / "examples" / "ci" / "gitlab-ci.yml"
GUIDE = REPO / "docs" / "deployment.md"

BAD_ITEM = """\
code: QT-99
name: {zh-CN: 测试事项, en: Test item}
description: {zh-CN: 测试, en: Test}
category: other
subject_types: [legal_person]
providers: [TJ-NOPE]
disclosure: public
scope: {zh-CN: 测试, en: Test}
right_to_use: {zh-CN: 测试, en: Test}
legal_basis:
- {zh-CN: 测试, en: Test}
fields:
- {name: a, title: {zh-CN: 甲, en: A}, publish: as_is}
publicity: {min_months: 0, max_months: 36}
update_frequency: daily
colour: red
"""
BAD_PAGE = "---\ntitle: [unclosed\nslug: about\n---\nbody\n"
ANNOTATION = re.compile(
    r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+),title=([^:]+)::(.+)$"
)


def test_check_annotates_each_broken_file_and_line(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "catalogue/editions/2027-draft/items/QT-99.yaml": BAD_ITEM,
            "content/pages/about.md": BAD_PAGE,
        },
        with_sample=True,
    )
    result = run_cli("check", "--format", "github", "--as-of", SAMPLE_AS_OF, cwd=project)
    assert result.exit_code == 1, result.output
    errors = []
    for line in result.stdout.splitlines():
        assert line.startswith(("::error ", "::warning ")), line  # nothing else on stdout
        match = ANNOTATION.match(line)
        if match and match.group(1) == "error":
            errors.append((match.group(2), int(match.group(3)), match.group(5)))
    assert errors == [
        ("catalogue/editions/2027-draft/items/QT-99.yaml", 6, "catalogue.unknown-provider"),
        ("catalogue/editions/2027-draft/items/QT-99.yaml", 16, "catalogue.item.unknown-key"),
        ("content/pages/about.md", 3, "content.front-matter"),
    ]
    assert result.stdout.count("::error ") == len(errors)  # every error has a file and a line


# -- the example workflows -------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def commands(script: str) -> list[list[str]]:
    """Every `credit-portal …` command line in a shell script (continuation lines joined)."""
    joined = script.replace("\\\n", " ")
    return [
        shlex.split(
            line.strip().split("credit-portal ", 1)[1].split("||")[0].split(">")[0], comments=True
        )
        for line in joined.splitlines()
        if line.strip().startswith("credit-portal ")
    ]


def assert_valid_for_the_cli(args: list[str]) -> None:
    """Parse (not run) a command line with the real click command, as the shell would call it."""
    ctx = cli.make_context("credit-portal", list(args), resilient_parsing=False)
    with ctx:
        name, command, rest = cli.resolve_command(ctx, list(args))
        assert command is not None, args
        try:
            command.make_context(name or "", rest, parent=ctx).close()
        except click.UsageError as exc:
            raise AssertionError(f"credit-portal {shlex.join(args)}: {exc}") from None


def github_steps(workflow: dict[str, Any], job: str) -> list[str]:
    return [step.get("run", "") for step in workflow["jobs"][job]["steps"]]


def test_github_workflow_checks_on_pull_requests_and_publishes_main_nightly() -> None:
    workflow = load(GITHUB)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"pull_request", "push", "schedule"} <= set(triggers)
    assert triggers["push"]["branches"] == ["main"]
    assert re.fullmatch(r"\d+ \d+ \* \* \*", triggers["schedule"][0]["cron"])  # daily

    check = github_steps(workflow, "check")
    assert [c for run in check for c in commands(run)] == [["check", "--format", "github"]]

    publish_job = workflow["jobs"]["publish"]
    assert publish_job["needs"] == "check"
    assert "pull_request" in publish_job["if"] and "refs/heads/main" in publish_job["if"]
    steps = github_steps(workflow, "publish")
    manifest = next(i for i, run in enumerate(steps) if "lists/manifest.json" in run)
    build = next(i for i, run in enumerate(steps) if "credit-portal build" in run)
    publish = next(i for i, run in enumerate(steps) if "rsync" in run)
    assert manifest < build < publish
    (args,) = commands(steps[build])
    assert args[0] == "build" and "--strict" in args
    assert args[args.index("--previous") + 1] == "published"
    assert "--checksum" in steps[publish] and "--size-only" not in steps[publish]


def test_gitlab_pipeline_checks_builds_strictly_then_publishes() -> None:
    pipeline = load(GITLAB)
    assert pipeline["stages"] == ["check", "build", "publish"]
    scripts = {job: "\n".join(pipeline[job]["script"]) for job in ("check", "build", "publish")}
    assert commands(scripts["check"]) == [["check", "--format", "github"]]
    (build,) = commands(scripts["build"])
    assert build[0] == "build" and "--strict" in build and "--previous" in build
    assert scripts["build"].index("lists/manifest.json") < scripts["build"].index(
        "credit-portal build"
    )
    assert "rsync" in scripts["publish"] and "--checksum" in scripts["publish"]
    assert pipeline["check"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    for job in ("build", "publish"):
        assert pipeline[job]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]


@pytest.mark.parametrize("path", [GITHUB, GITLAB, GUIDE], ids=lambda p: p.name)
def test_every_command_in_the_examples_and_guide_is_valid(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if path == GUIDE:
        scripts = re.findall(r"```(?:sh|bash)\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    elif path == GITHUB:
        scripts = [run for job in load(path)["jobs"] for run in github_steps(load(path), job)]
    else:
        scripts = [
            line
            for job in load(path).values()
            if isinstance(job, dict)
            for line in job.get("script", [])
        ]
    found = [args for script in scripts for args in commands(script)]
    assert len(found) >= 2
    # Parsed in a project folder, where --previous's folder exists, as it does in the examples.
    monkeypatch.chdir(make_project(tmp_path, {"published/lists/.keep": ""}))
    for args in found:
        assert_valid_for_the_cli(args)


def test_the_guide_covers_what_a_deployment_needs() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for needed in (
        "base_url",
        "rsync",
        "--checksum",
        "404.html",
        "search/",
        "Cache-Control",
        "robots.txt",
    ):
        assert needed in text, needed
    for example in (GITHUB, GITLAB):
        assert f"examples/ci/{example.name}" in text


def test_every_file_of_the_built_site_has_the_same_permissions(built_site: Path) -> None:
    """A web server reading the site as another user can read every file, or none: the large
    downloads, spooled through temporary files, get a page's mode, not mkstemp's 0o600."""
    page_mode = stat.S_IMODE((built_site / "index.html").stat().st_mode)
    modes = {
        path.relative_to(built_site).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in built_site.rglob("*")
        if path.is_file()
    }
    assert any(p.endswith("/data.csv") for p in modes) and any(p.endswith("/data.json") for p in modes)
    assert {p: m for p, m in modes.items() if m != page_mode} == {}
