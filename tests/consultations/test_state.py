"""Where a consultation stands on a date, what it has received by then, and the computed totals."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.consultations.model import Comment, Consultation, Outcome, WaysToRespond
from generator.consultations.render import feed_entries, home_context, index_sections
from generator.consultations.state import (
    State,
    closing_soon,
    days_left,
    received_by,
    state_at,
    summarise,
)
from generator.model import LangText
from tests.consultations.factory import BASE, DRAFT

D = dt.date


def comment(cid: str, received: D, disposition: str = "pending", **kw: object) -> Comment:
    values: dict[str, object] = {
        "id": cid,
        "row": 2,
        "received": received,
        "channel": "email",
        "commenter_type": "individual",
        "commenter": "王小明",
        "department": None,
        "item_code": "SX-01",
        "field": None,
        "text": "意见",
        "disposition": disposition,
        "response": "",
        "late": False,
        "public_name": LangText("王**"),
    }
    values.update(kw)
    return Comment(**values)  # type: ignore[arg-type]


OPENS, CLOSES = D(2026, 11, 16), D(2026, 12, 20)


def consultation(
    cid: str = "c1",
    opens: D = OPENS,
    closes: D = CLOSES,
    outcome: Outcome | None = None,
    comments: tuple[Comment, ...] = (),
) -> Consultation:
    return Consultation(
        id=cid,
        title=LangText(f"征求意见 {cid}", f"Consultation {cid}"),
        draft=DRAFT,
        base=BASE,
        approved=None,
        opens=opens,
        closes=closes,
        ways=WaysToRespond(email="c@example.org"),
        contact=None,
        short_period_reason=None,
        notice=LangText("说明"),
        comments=comments,
        outcome=outcome,
        source=f"content/consultations/{cid}/consultation.yaml",
        locations={},
    )


def outcome(date: D | None) -> Outcome:
    return Outcome(LangText("结果"), date, "content/consultations/c1/response.md")


@pytest.mark.parametrize(
    ("as_of", "with_outcome", "expected"),
    [
        (D(2026, 11, 15), False, State.UPCOMING),  # the day before it opens
        (D(2026, 11, 16), False, State.OPEN),  # opening day
        (D(2026, 11, 30), False, State.OPEN),
        (D(2026, 12, 20), False, State.OPEN),  # closing day is still open
        (D(2026, 12, 21), False, State.CLOSED),  # analysing feedback
        (D(2027, 2, 19), True, State.CLOSED),  # outcome written but published only on 2027-02-20
        (D(2027, 2, 20), True, State.CONCLUDED),
        (D(2026, 12, 1), True, State.OPEN),  # an outcome never ends the period early
    ],
)
def test_state_before_during_after_and_concluded(
    as_of: D, with_outcome: bool, expected: State
) -> None:
    c = consultation(outcome=outcome(D(2027, 2, 20)) if with_outcome else None)
    assert state_at(c, as_of) is expected


def test_an_undated_outcome_concludes_the_consultation_once_it_has_closed() -> None:
    c = consultation(outcome=outcome(None))
    assert state_at(c, D(2026, 12, 20)) is State.OPEN
    assert state_at(c, D(2026, 12, 21)) is State.CONCLUDED


def test_days_left_and_closing_soon() -> None:
    c = consultation()
    assert days_left(c, D(2026, 11, 30)) == 20
    assert days_left(c, D(2026, 12, 20)) == 0
    assert not closing_soon(c, D(2026, 12, 12))
    assert closing_soon(c, D(2026, 12, 13))  # 7 days left
    assert not closing_soon(c, D(2026, 12, 21))  # closed, no longer "closing"


def test_a_build_for_an_earlier_day_does_not_count_later_comments() -> None:
    c = consultation(comments=(comment("C001", D(2026, 11, 17)), comment("C002", D(2026, 12, 1))))
    assert [x.id for x in received_by(c, D(2026, 11, 30))] == ["C001"]
    assert [x.id for x in received_by(c, D(2026, 12, 1))] == ["C001", "C002"]


def test_the_summary_is_counted_from_the_comments() -> None:
    comments = (
        comment("C001", D(2026, 11, 17), "adopted"),
        comment("C002", D(2026, 11, 17), "adopted"),
        comment("C003", D(2026, 11, 17), "partially_adopted"),
        comment("C004", D(2026, 11, 17), "not_adopted"),
        comment("C005", D(2026, 11, 17), "not_adopted"),
        comment("C006", D(2026, 11, 17), "not_adopted"),
        comment("C007", D(2026, 12, 21), "pending", late=True),
        comment(
            "C008", D(2026, 11, 17), "adopted", commenter_type="department", department="TJ-FGW"
        ),
        comment(
            "C009", D(2026, 11, 17), "adopted", commenter_type="department", department="TJ-FGW"
        ),
        comment(
            "C010", D(2026, 11, 17), "adopted", commenter_type="department", department="TJ-SCJG"
        ),
    )
    s = summarise(comments)
    assert (s.received, s.adopted, s.partially_adopted, s.not_adopted, s.pending) == (
        10,
        5,
        1,
        3,
        1,
    )
    assert (s.late, s.departments) == (1, 2)
    assert s.adopted + s.partially_adopted + s.not_adopted + s.pending == s.received


def test_the_index_lists_open_consultations_first() -> None:
    as_of = D(2026, 11, 30)
    concluded = consultation("old", D(2024, 11, 1), D(2024, 12, 10), outcome(D(2025, 2, 20)))
    closed = consultation("closed", D(2026, 9, 1), D(2026, 10, 31))
    upcoming = consultation("next", D(2027, 1, 10), D(2027, 2, 20))
    open_late = consultation("open-b", D(2026, 11, 1), D(2027, 1, 5))
    open_soon = consultation("open-a", D(2026, 11, 16), D(2026, 12, 20))
    sections = index_sections((concluded, closed, upcoming, open_late, open_soon), as_of)
    assert [(state, [c.id for c, _ in items]) for state, items in sections] == [
        (State.OPEN, ["open-a", "open-b"]),
        (State.UPCOMING, ["next"]),
        (State.CLOSED, ["closed"]),
        (State.CONCLUDED, ["old"]),
    ]
    assert home_context((concluded, open_soon), as_of) == {"open_consultations": [(open_soon, 20)]}
    assert home_context((concluded,), as_of) == {"open_consultations": []}


def test_the_feed_has_opened_closing_soon_and_concluded_entries() -> None:
    concluded = consultation("old", D(2024, 11, 1), D(2024, 12, 10), outcome(D(2025, 2, 20)))
    closing = consultation("c1", D(2026, 11, 16), D(2026, 12, 20))
    upcoming = consultation("next", D(2027, 1, 10), D(2027, 2, 20))
    entries = feed_entries((concluded, closing, upcoming), D(2026, 12, 15))
    assert [(e.kind, e.consultation.id, e.date) for e in entries] == [
        ("closing_soon", "c1", D(2026, 12, 13)),
        ("opened", "c1", D(2026, 11, 16)),
        ("concluded", "old", D(2025, 2, 20)),
        ("opened", "old", D(2024, 11, 1)),
    ]
    # Twenty days before the close, nothing is "closing soon" yet.
    assert [e.kind for e in feed_entries((closing,), D(2026, 11, 30))] == ["opened"]
