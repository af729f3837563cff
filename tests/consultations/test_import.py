"""`credit-portal comments import`: good and bad templates, CSV and XLSX, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import stat
from pathlib import Path

import openpyxl
import pytest

from generator.catalogue.load import load_catalogue
from generator.consultations.downloads import template_csv, template_xlsx
from generator.consultations.load import load_consultations
from generator.diagnostics import Diagnostics
from generator.model import LangText
from tests.conftest import SAMPLE_AS_OF, make_project, run_cli

TARGET = "content/consultations/catalogue-2027/comments.csv"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The sample catalogue and consultations; the other sections' content is left out."""
    return make_project(tmp_path, {"content/lists": None}, with_sample=True)


def template_rows(project: Path) -> list[list[str]]:
    """The CSV template as the site offers it for catalogue-2027, parsed."""
    c = _consultation(project)
    data = template_csv(c, lambda key: LangText("总体意见", "General comment"))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _consultation(project: Path):  # type: ignore[no-untyped-def]
    diags = Diagnostics()
    as_of = dt.date.fromisoformat(SAMPLE_AS_OF)
    catalogue = load_catalogue(project, as_of, diags)
    return next(
        c for c in load_consultations(project, catalogue, as_of, diags) if c.id == "catalogue-2027"
    )


def fill(rows: list[list[str]], code: str, **cells: str) -> None:
    """Fill the template row of item `code` ("" for the general row)."""
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == code)
    for name, value in cells.items():
        row[header.index(name)] = value


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_a_good_csv_template_is_appended_with_new_ids_as_pending(project: Path) -> None:
    before = (project / TARGET).read_bytes()
    mode = 0o640  # shared with a group, say
    (project / TARGET).chmod(mode)
    rows = template_rows(project)
    fill(rows, "SX-07", text="建议写明拖欠金额的计算方法，\n并说明理由。", commenter_type="department",
         commenter="天津市工业和信息化局", department="TJ-GXJ", field="scope")  # fmt: skip
    fill(rows, "", text="总体同意。", commenter_type="individual", commenter="王小明")
    # QT-04 is only in the base edition: a comment asking to keep it gets a row of its own.
    rows.append(["QT-04", "", "", "请保留信用修复结果信息。", "organisation", "天津市信用协会", ""])
    file = write_csv(project / "returned.csv", rows)

    result = run_cli(
        "comments", "import", str(file), "--consultation", "catalogue-2027",
        "--received", "2026-11-30", "--channel", "email", cwd=project,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    after = (project / TARGET).read_bytes()
    assert after.startswith(before)  # existing rows untouched
    added = list(csv.reader(io.StringIO(after[len(before) :].decode("utf-8"))))
    assert added == [
        ["C007", "2026-11-30", "email", "individual", "王小明", "", "", "", "总体同意。", "pending", ""],
        ["C008", "2026-11-30", "email", "department", "天津市工业和信息化局", "TJ-GXJ", "SX-07", "scope", "建议写明拖欠金额的计算方法，\n并说明理由。", "pending", ""],
        ["C009", "2026-11-30", "email", "organisation", "天津市信用协会", "", "QT-04", "", "请保留信用修复结果信息。", "pending", ""],
    ]  # fmt: skip
    assert "imported 3 comments (C007–C009)" in result.stderr
    # Replaced through a temporary file, it keeps its mode rather than mkstemp's private 0o600.
    assert stat.S_IMODE((project / TARGET).stat().st_mode) == mode
    # The result is a consultation the build accepts.
    check = run_cli("check", "--as-of", SAMPLE_AS_OF, "-q", cwd=project)
    assert check.exit_code == 0, check.output


def test_a_bad_csv_template_is_rejected_row_by_row_and_nothing_is_written(project: Path) -> None:
    before = (project / TARGET).read_bytes()
    rows = template_rows(project)
    fill(rows, "SX-01", text="好。", commenter_type="robot", commenter="x")
    fill(rows, "SX-02", text="好。", commenter_type="individual")  # no commenter
    fill(
        rows,
        "SX-03",
        text="好。",
        commenter_type="department",
        commenter="某局",
        department="TJ-NOPE",
    )
    fill(rows, "SX-04", text="好。", commenter_type="department", commenter="某局")  # no code
    fill(rows, "SX-05", text="这一行是好的。", commenter_type="individual", commenter="李四")
    rows[-1][0] = "ZZ-99"
    rows[-1][3:6] = ["不存在的事项。", "individual", "赵六"]
    write_csv(project / "returned.csv", rows)
    last = len(rows)

    result = run_cli(
        "comments", "import", "returned.csv", "--consultation", "catalogue-2027",
        "--received", "2026-11-30", cwd=project,
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if "error[" in line]
    row = {code: n + 1 for n, r in enumerate(rows) for code in [r[0]]}
    assert lines == [
        f"returned.csv:row {row['SX-01']}:commenter_type: error[comments.import.constraint-error]: 'robot' is not allowed; expected one of: department, organisation, individual",
        f"returned.csv:row {row['SX-02']}:commenter: error[comments.import.missing-value]: 'commenter' must be filled in for a row with a comment",
        f"returned.csv:row {row['SX-03']}:department: error[consultation.unknown-department]: department 'TJ-NOPE' is not in catalogue/departments.yaml",
        f"returned.csv:row {row['SX-04']}:department: error[consultation.missing-department]: a department's comment needs its department code",
        f"returned.csv:row {last}:item_code: error[consultation.unknown-item]: item 'ZZ-99' is not in edition '2027-draft' or '2025'",
    ]  # fmt: skip
    assert (project / TARGET).read_bytes() == before


def xlsx_template(project: Path) -> openpyxl.Workbook:
    c = _consultation(project)
    diags = Diagnostics()
    catalogue = load_catalogue(project, dt.date.fromisoformat(SAMPLE_AS_OF), diags)
    data = template_xlsx(c, catalogue, lambda key: LangText(key, key))
    return openpyxl.load_workbook(io.BytesIO(data))


def xlsx_row(ws: openpyxl.worksheet.worksheet.Worksheet, code: str) -> int:
    return next(r[0].row for r in ws.iter_rows(min_row=2) if (r[0].value or "") == code)


def test_a_good_xlsx_template_is_appended(project: Path) -> None:
    wb = xlsx_template(project)
    ws = wb["comments"]
    header = [c.value for c in ws[1]]
    row = xlsx_row(ws, "JC-14")
    for name, value in {"text": "建议同时归集床位数。", "commenter_type": "department",
                        "commenter": "天津市民政局", "department": "TJ-MZJ"}.items():  # fmt: skip
        ws.cell(row=row, column=header.index(name) + 1, value=value)
    wb.save(project / "returned.xlsx")

    result = run_cli(
        "comments", "import", "returned.xlsx", "--consultation", "catalogue-2027",
        "--received", "2026-12-01", "--channel", "post", cwd=project,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    last = (project / TARGET).read_text(encoding="utf-8").splitlines()[-1]
    assert (
        last
        == "C007,2026-12-01,post,department,天津市民政局,TJ-MZJ,JC-14,,建议同时归集床位数。,pending,"
    )


def test_a_bad_xlsx_template_is_rejected_and_nothing_is_written(project: Path) -> None:
    before = (project / TARGET).read_bytes()
    wb = xlsx_template(project)
    ws = wb["comments"]
    header = [c.value for c in ws[1]]
    good, number = xlsx_row(ws, "SX-01"), xlsx_row(ws, "SX-02")
    for row, text in ((good, "好。"), (number, 12345)):
        ws.cell(row=row, column=header.index("text") + 1, value=text)
        ws.cell(row=row, column=header.index("commenter_type") + 1, value="individual")
        ws.cell(row=row, column=header.index("commenter") + 1, value="王小明")
    early = xlsx_row(ws, "SX-03")
    ws.cell(row=early, column=header.index("text") + 1, value="好。")
    ws.cell(row=early, column=header.index("commenter_type") + 1, value="organisation")
    wb.save(project / "returned.xlsx")

    result = run_cli(
        "comments", "import", "returned.xlsx", "--consultation", "catalogue-2027",
        "--received", "2026-11-10", cwd=project,
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    lines = [line.split(": ")[0] + " " + line.split("error[")[1].split("]")[0]
             for line in result.stderr.splitlines() if "error[" in line]  # fmt: skip
    assert lines == [
        f"returned.xlsx:row {good}:received consultation.comment-before-open",
        f"returned.xlsx:row {number}:text comments.import.type-error",
        f"returned.xlsx:row {early}:commenter comments.import.missing-value",
    ]
    assert (project / TARGET).read_bytes() == before


def test_a_renamed_column_and_an_unknown_consultation_are_refused(project: Path) -> None:
    rows = template_rows(project)
    rows[0][3] = "comment"
    rows[2][3:6] = ["好。", "individual", "王小明"]
    file = write_csv(project / "returned.csv", rows)
    result = run_cli(
        "comments", "import", str(file), "--consultation", "catalogue-2027", cwd=project
    )
    assert result.exit_code == 1
    assert f"{file}:row 1:text: error[comments.import.incorrect-label]" in result.stderr

    result = run_cli("comments", "import", str(file), "--consultation", "nope", cwd=project)
    assert result.exit_code == 1
    assert "error[comments.import.unknown-consultation]" in result.stderr
