"""Where a consultation stands on the build's `--as-of` date, and what it has received by then.

The page life follows GOV.UK: upcoming → open → closed ("analysing feedback") → concluded. Every
answer is a function of the data and `as_of`, never of the wall clock, so a build for a past date
shows what the page said that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from generator.consultations.model import CLOSING_SOON_DAYS, Comment, Consultation


class State(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"  # analysing feedback
    CONCLUDED = "concluded"


# Index order: open ones first, then what is coming, then the past.
STATE_ORDER = (State.OPEN, State.UPCOMING, State.CLOSED, State.CONCLUDED)


def state_at(c: Consultation, as_of: dt.date) -> State:
    if as_of < c.opens:
        return State.UPCOMING
    if as_of <= c.closes:
        return State.OPEN
    if c.outcome is not None and (c.outcome.date is None or c.outcome.date <= as_of):
        return State.CONCLUDED
    return State.CLOSED


def days_left(c: Consultation, as_of: dt.date) -> int:
    """Whole days after `as_of` until the close; 0 on the closing day itself."""
    return max((c.closes - as_of).days, 0)


def closing_soon(c: Consultation, as_of: dt.date) -> bool:
    return state_at(c, as_of) is State.OPEN and days_left(c, as_of) <= CLOSING_SOON_DAYS


def concluded_on(c: Consultation) -> dt.date:
    """The day the outcome was published: response.md's `date`, else the day after the close."""
    if c.outcome is not None and c.outcome.date is not None:
        return c.outcome.date
    return c.closes + dt.timedelta(days=1)


def received_by(c: Consultation, as_of: dt.date) -> tuple[Comment, ...]:
    """The comments received on or before `as_of`: a build for a past day does not see later ones."""
    return tuple(x for x in c.comments if x.received <= as_of)


@dataclass(frozen=True)
class Summary:
    """The feedback totals, computed from the comments (never typed by hand)."""

    received: int
    adopted: int
    partially_adopted: int
    not_adopted: int
    pending: int
    late: int
    departments: int  # distinct departments that commented


def summarise(comments: tuple[Comment, ...]) -> Summary:
    def count(disposition: str) -> int:
        return sum(1 for x in comments if x.disposition == disposition)

    return Summary(
        received=len(comments),
        adopted=count("adopted"),
        partially_adopted=count("partially_adopted"),
        not_adopted=count("not_adopted"),
        pending=count("pending"),
        late=sum(1 for x in comments if x.late),
        departments=len({x.department for x in comments if x.commenter_type == "department"}),
    )
