"""Each validation rule of a consultation, reported with its location, and all of them in one run."""

from __future__ import annotations

from pathlib import Path

from tests.consultations.factory import CONSULTATION_YAML, HEADER, load

YAML = "content/consultations/c1/consultation.yaml"
CSV = "content/consultations/c1/comments.csv"


def test_a_valid_consultation_loads_without_diagnostics(tmp_path: Path) -> None:
    loaded, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "comments.csv": HEADER
            + "C001,2024-11-02,email,department,市场监管委,TJ-SCJG,SX-02,scope,请明确范围。,pending,\n"
            + "C002,2024-11-03,form,individual,王小明,,,,总体意见。,pending,\n",
        },
    )
    assert diags == []
    (c,) = loaded
    assert [x.id for x in c.comments] == ["C001", "C002"]
    assert c.draft.id == "2025-draft" and c.base is not None and c.base.id == "2023"


def test_the_draft_edition_must_have_status_draft(tmp_path: Path) -> None:
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML.replace(
                "draft_edition: 2025-draft", "draft_edition: '2025'"
            )
        },
    )
    assert diags == [(f"{YAML}:3:16", "error", "consultation.not-a-draft")]


def test_editions_must_exist(tmp_path: Path) -> None:
    loaded, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML.replace("2025-draft", "2029-draft").replace(
                "'2023'", "'1999'"
            )
        },
    )
    assert diags == [
        (f"{YAML}:3:16", "error", "consultation.unknown-edition"),
        (f"{YAML}:4:15", "error", "consultation.unknown-edition"),
    ]
    assert loaded == ()  # nothing is rendered for a consultation without its draft


def test_item_codes_must_be_in_the_draft_or_the_base_edition(tmp_path: Path) -> None:
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "comments.csv": HEADER
            + "C001,2024-11-02,email,individual,王小明,,SX-06,,只在征求意见稿中。,pending,\n"
            + "C002,2024-11-02,email,individual,王小明,,QT-08,,只在对照版本中：请保留。,pending,\n"
            + "C003,2024-11-02,email,individual,王小明,,SY-07,,只在审定版本中。,pending,\n"
            + "C004,2024-11-02,email,individual,王小明,,SX-99,,不存在。,pending,\n",
        },
    )
    assert diags == [
        (f"{CSV}:row 4:item_code", "error", "consultation.unknown-item"),
        (f"{CSV}:row 5:item_code", "error", "consultation.unknown-item"),
    ]


def test_department_codes_must_exist_and_be_given_for_departments(tmp_path: Path) -> None:
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "comments.csv": HEADER
            + "C001,2024-11-02,email,department,发改委,TJ-FGW,SX-01,,好。,pending,\n"
            + "C002,2024-11-02,email,department,某局,TJ-NOPE,SX-01,,好。,pending,\n"
            + "C003,2024-11-02,email,department,某局,,SX-01,,好。,pending,\n",
        },
    )
    assert diags == [
        (f"{CSV}:row 3:department", "error", "consultation.unknown-department"),
        (f"{CSV}:row 4:department", "error", "consultation.missing-department"),
    ]


def test_opens_must_not_be_after_closes(tmp_path: Path) -> None:
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML.replace(
                "closes: 2024-12-10", "closes: 2024-10-10"
            )
        },
    )
    assert diags == [(f"{YAML}:6:9", "error", "consultation.closes-before-opens")]


def test_a_comment_cannot_be_received_before_the_opening(tmp_path: Path) -> None:
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "comments.csv": HEADER
            + "C001,2024-10-31,email,individual,王小明,,SX-01,,太早了。,pending,\n"
            + "C002,2024-11-01,email,individual,王小明,,SX-01,,第一天。,pending,\n",
        },
    )
    assert diags == [(f"{CSV}:row 2:received", "error", "consultation.comment-before-open")]


def test_a_period_under_30_days_needs_a_reason(tmp_path: Path) -> None:
    short = CONSULTATION_YAML.replace("closes: 2024-12-10", "closes: 2024-11-29")  # 29 days
    _, diags = load(tmp_path / "a", {"consultation.yaml": short})
    assert diags == [(f"{YAML}:6:9", "error", "consultation.short-period")]

    thirty = CONSULTATION_YAML.replace("closes: 2024-12-10", "closes: 2024-11-30")  # 30 days
    _, diags = load(tmp_path / "b", {"consultation.yaml": thirty})
    assert diags == []

    reason = (
        short + "short_period_reason: {zh-CN: 上位法修订时限紧迫。, en: A deadline set by law.}\n"
    )
    _, diags = load(tmp_path / "c", {"consultation.yaml": reason})
    assert diags == []


def test_a_late_comment_is_kept_marked_late_with_a_warning(tmp_path: Path) -> None:
    loaded, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "comments.csv": HEADER
            + "C001,2024-12-10,email,individual,王小明,,SX-01,,最后一天。,pending,\n"
            + "C002,2024-12-11,post,individual,李四,,SX-01,,晚了一天。,pending,\n",
        },
    )
    assert diags == [(f"{CSV}:row 3:received", "warning", "consultation.late-comment")]
    (c,) = loaded
    assert [(x.id, x.late) for x in c.comments] == [("C001", False), ("C002", True)]


def test_a_concluded_consultation_has_no_pending_comments(tmp_path: Path) -> None:
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "response.md": "---\ndate: 2025-02-20\n---\n处理结果。\n",
            "comments.csv": HEADER
            + "C001,2024-11-02,email,individual,王小明,,SX-01,,意见。,adopted,采纳。\n"
            + "C002,2024-11-02,email,individual,王小明,,SX-02,,意见。,pending,\n",
        },
    )
    assert diags == [(f"{CSV}:row 3:disposition", "error", "consultation.pending-after-conclusion")]


def test_pending_comments_are_fine_before_the_conclusion(tmp_path: Path) -> None:
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "comments.csv": HEADER
            + "C001,2024-11-02,email,individual,王小明,,SX-01,,意见。,pending,\n",
        },
    )
    assert diags == []


def test_at_least_one_way_to_respond(tmp_path: Path) -> None:
    yaml = CONSULTATION_YAML.replace(
        "  email: consultation@example.org\n  form_url: https://forms.example.org/c1\n", "  {}\n"
    ).replace("ways_to_respond:\n  {}", "ways_to_respond: {}")
    _, diags = load(tmp_path, {"consultation.yaml": yaml})
    assert diags == [(f"{YAML}:7:18", "error", "consultation.no-way-to-respond")]


def test_the_outcome_is_dated_after_the_close_and_the_approved_edition_was_approved(
    tmp_path: Path,
) -> None:
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML + "approved_edition: 2025-draft\n",
            "response.md": "---\ndate: 2024-12-01\n---\n结果。\n",
        },
    )
    assert diags == [
        (f"{YAML}:10:19", "error", "consultation.not-approved"),
        ("content/consultations/c1/response.md:2:7", "error", "consultation.outcome-before-close"),
    ]


def test_decided_comments_need_a_response_and_fields_must_be_known(tmp_path: Path) -> None:
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "comments.csv": HEADER
            + "C001,2024-11-02,email,individual,王小明,,SX-01,scope,意见。,not_adopted,\n"
            + "C002,2024-11-02,email,individual,王小明,,SX-01,cf_wsh,意见。,pending,\n"
            + "C003,2024-11-02,email,individual,王小明,,SX-01,colour,意见。,pending,\n",
        },
    )
    assert diags == [
        (f"{CSV}:row 2:response", "warning", "consultation.no-response"),
        (f"{CSV}:row 4:field", "warning", "consultation.unknown-field"),
    ]


def test_the_comments_table_is_checked_by_its_frictionless_schema(tmp_path: Path) -> None:
    loaded, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "comments.csv": HEADER
            + "C001,2024-11-02,email,individual,王小明,,SX-01,,好。,pending,\n"
            + "C002,2024-13-02,email,individual,王小明,,SX-01,,日期错误。,pending,\n"
            + "C003,2024-11-02,fax,individual,王小明,,SX-01,,渠道错误。,maybe,\n"
            + "C001,2024-11-02,email,individual,王小明,,SX-01,,重复编号。,pending,\n"
            + "C005,2024-11-02,email,robot,王小明,,SX-01,,,pending,\n",
        },
    )
    assert diags == [
        (f"{CSV}:row 3:received", "error", "consultation.comments.type-error"),
        (f"{CSV}:row 4:channel", "error", "consultation.comments.constraint-error"),
        (f"{CSV}:row 4:disposition", "error", "consultation.comments.constraint-error"),
        (f"{CSV}:row 5:id", "error", "consultation.comments.primary-key"),
        (f"{CSV}:row 6:commenter_type", "error", "consultation.comments.constraint-error"),
        (f"{CSV}:row 6:text", "error", "consultation.comments.constraint-error"),
    ]
    (c,) = loaded
    assert [x.id for x in c.comments] == ["C001"]  # only the good row goes on


def test_a_renamed_column_is_reported_on_the_header_row(tmp_path: Path) -> None:
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": CONSULTATION_YAML,
            "comments.csv": HEADER.replace("item_code", "item")
            + "C001,2024-11-02,email,individual,王小明,,SX-01,,好。,pending,\n",
        },
    )
    assert diags == [(f"{CSV}:row 1:item_code", "error", "consultation.comments.incorrect-label")]


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    yaml = CONSULTATION_YAML.replace("draft_edition: 2025-draft", "draft_edition: '2025'").replace(
        "opens: 2024-11-01", "opens: 2024-11-20"
    )
    _, diags = load(
        tmp_path,
        {
            "consultation.yaml": yaml,
            "response.md": "结果。\n",
            "comments.csv": HEADER
            + "C001,2024-11-02,email,department,某局,TJ-NOPE,SX-99,,早。,pending,\n"
            + "C002,2024-12-20,email,department,某局,,SX-01,,晚。,adopted,采纳。\n",
        },
    )
    assert diags == [
        (f"{CSV}:row 2:department", "error", "consultation.unknown-department"),
        (f"{CSV}:row 2:disposition", "error", "consultation.pending-after-conclusion"),
        (f"{CSV}:row 2:item_code", "error", "consultation.unknown-item"),
        (f"{CSV}:row 2:received", "error", "consultation.comment-before-open"),
        (f"{CSV}:row 3:department", "error", "consultation.missing-department"),
        (f"{CSV}:row 3:received", "warning", "consultation.late-comment"),
        (f"{YAML}:3:16", "error", "consultation.not-a-draft"),
        (f"{YAML}:6:9", "error", "consultation.short-period"),
    ]


def test_the_folder_name_is_the_id(tmp_path: Path) -> None:
    _, diags = load(tmp_path, {"consultation.yaml": CONSULTATION_YAML.replace("id: c1", "id: c2")})
    assert diags == [(f"{YAML}:1:5", "error", "consultation.id-mismatch")]
