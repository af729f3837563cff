"""Which catalogue edition is in force on a given day.

The rule, from the issue ("the latest approved one with effective_date on or before it") read with
the history in mind: an edition now marked `superseded` was approved once and was in force in its
day, so for a past `--as-of` it must still be found. So:

* candidates are the editions with status `approved` or `superseded` and an effective date on or
  before the day;
* the one in force is the candidate with the latest effective date;
* `draft` and `withdrawn` editions are never candidates: a draft was never approved, and a
  withdrawn edition has been taken back;
* with no candidate, no edition is in force (the validate stage reports it); with two candidates
  on the same latest date, the choice is ambiguous (also reported), and `edition_in_force` then
  returns None rather than guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from generator.catalogue.model import Edition

CANDIDATE_STATUSES = frozenset({"approved", "superseded"})


def in_force_candidates(editions: Iterable[Edition], as_of: dt.date) -> tuple[Edition, ...]:
    """The editions tied for being in force on `as_of` (normally exactly one), sorted by id."""
    eligible = [
        e
        for e in editions
        if e.status in CANDIDATE_STATUSES
        and e.effective_date is not None
        and e.effective_date <= as_of
    ]
    if not eligible:
        return ()
    latest = max(e.effective_date for e in eligible if e.effective_date is not None)
    return tuple(sorted((e for e in eligible if e.effective_date == latest), key=lambda e: e.id))


def edition_in_force(editions: Iterable[Edition], as_of: dt.date) -> Edition | None:
    """The edition in force on `as_of`, or None when there is none or the choice is ambiguous."""
    candidates = in_force_candidates(editions, as_of)
    return candidates[0] if len(candidates) == 1 else None
