"""`credit-portal diff A B`: the site's diff as text or JSON; exit 2 for an unknown edition, 1 for a
catalogue with errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import make_project, run_cli


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("diff"), {"content": None}, with_sample=True)


def test_text_diff(sample: Path) -> None:
    result = run_cli("diff", "2023", "2025", "--lang", "en", cwd=sample)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Catalogue edition changes: 2023 → 2025"
    assert "Items added (4)" in lines
    assert "  + SX-06  Employers' social insurance contribution arrears" in lines
    assert "Items removed (2)" in lines
    assert "  - QT-08  Credit evaluations by trade associations and chambers of commerce" in lines
    assert "Items changed (8)" in lines
    jc05 = lines.index("  ~ JC-05  Social insurance enrolment and contribution information")
    assert lines[jc05 + 1 : jc05 + 4] == [
        "      Public nature:",
        "        - Shared within government",
        "        + Query with authorisation",
    ]


def test_text_diff_in_chinese_by_default(sample: Path) -> None:
    result = run_cli("diff", "2023", "2025", "--root", str(sample), cwd=sample.parent)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "目录版本比较: 2023 → 2025"
    assert "新增事项 (4)" in lines
    assert "        + 授权查询" in lines


def test_json_diff_matches_the_site(sample: Path, catalogue_site: Path) -> None:
    result = run_cli("diff", "2023", "2025", "--format", "json", cwd=sample)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["old"], data["new"]) == ("2023", "2025")
    assert [i["code"] for i in data["added"]] == ["QT-06", "QT-07", "SX-06", "SY-07"]
    assert [i["code"] for i in data["removed"]] == ["QT-08", "SY-08"]
    html = catalogue_site / "en/catalogue/editions/2025/diff/2023/index.html"
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
    site_changed = [a.get_text(strip=True) for a in soup.select(".diff-changed h3 a")]
    assert [c["code"] for c in data["changed"]] == site_changed
    jc05 = next(c for c in data["changed"] if c["code"] == "JC-05")
    disclosure = next(a for a in jc05["changes"] if a["attribute"] == "disclosure")
    assert disclosure["before"] == {"zh-CN": "政务共享", "en": "Shared within government"}
    assert disclosure["after"] == {"zh-CN": "授权查询", "en": "Query with authorisation"}


def test_unknown_edition_exits_2(sample: Path) -> None:
    result = run_cli("diff", "2023", "2031", cwd=sample)
    assert result.exit_code == 2, result.output
    assert "unknown edition '2031'" in result.stderr
    assert "2025-draft" in result.stderr  # the message lists the editions there are
    assert "Traceback" not in result.stderr


def test_catalogue_errors_exit_1(tmp_path: Path) -> None:
    broken = """\
id: '2025'
title: {zh-CN: 2025年版, en: 2025 edition}
status: approved
approval_document: 津信用办〔2025〕3号
approval_date: 2025-04-18
effective_date: 2025-03-01
"""
    project = make_project(
        tmp_path,
        {"content": None, "catalogue/editions/2025/edition.yaml": broken},
        with_sample=True,
    )
    result = run_cli("diff", "2023", "2025", cwd=project)
    assert result.exit_code == 1, result.output
    assert (
        "catalogue/editions/2025/edition.yaml:5:16: error[catalogue.approval-after-effective]"
        in result.stderr
    )
    assert result.stdout == ""
