"""Consultations on draft catalogue editions as immutable values, handed from load to render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.catalogue.model import Edition
from generator.diagnostics import Location
from generator.model import LangText

CHANNELS = ("email", "post", "form", "meeting")
COMMENTER_TYPES = ("department", "organisation", "individual")
DISPOSITIONS = ("adopted", "partially_adopted", "not_adopted", "pending")
# "At least 30 days for rules and major decisions; shorter only with a stated reason" (DOMAIN.md).
MIN_PERIOD_DAYS = 30
# A feed entry says "closing soon" once this many days or fewer are left.
CLOSING_SOON_DAYS = 7


@dataclass(frozen=True)
class WaysToRespond:
    email: str | None = None
    postal_address: LangText | None = None
    form_url: str | None = None


@dataclass(frozen=True)
class Comment:
    """One row of comments.csv. `commenter` is as recorded; pages show `public_name` only."""

    id: str
    row: int  # the table row, header = row 1, as a spreadsheet counts
    received: dt.date
    channel: str
    commenter_type: str
    commenter: str
    department: str | None
    item_code: str | None  # None: a general comment on the draft as a whole
    field: str | None
    text: str
    disposition: str
    response: str
    late: bool  # received after the consultation closed: kept, and marked
    public_name: LangText  # individuals masked as surname + **, departments by official name


@dataclass(frozen=True)
class Outcome:
    """response.md: the published outcome. `date` comes from its optional front matter."""

    body: LangText  # Markdown source; `en` from response.en.md
    date: dt.date | None
    source: str
    date_location: Location | None = None


@dataclass(frozen=True)
class Consultation:
    id: str
    title: LangText
    draft: Edition
    base: Edition | None
    approved: Edition | None  # the edition finally approved, once concluded
    opens: dt.date
    closes: dt.date
    ways: WaysToRespond
    contact: LangText | None
    short_period_reason: LangText | None
    notice: LangText  # Markdown source; `en` from notice.en.md
    comments: tuple[Comment, ...]  # sorted by id
    outcome: Outcome | None
    source: str  # content/consultations/<id>/consultation.yaml
    locations: dict[str, Location]  # key of consultation.yaml -> where it is written

    @property
    def route(self) -> str:
        return consultation_route(self.id)

    @property
    def period_days(self) -> int:
        """The period counted inclusively: 1 to 30 November is 30 days."""
        return (self.closes - self.opens).days + 1


def consultation_route(consultation_id: str) -> str:
    return f"consultations/{consultation_id}/"
