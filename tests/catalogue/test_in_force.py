"""Which edition is in force on a given day (in_force.py): approved and superseded editions count by
effective date; drafts and withdrawn editions never do."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.catalogue.in_force import edition_in_force, in_force_candidates
from generator.catalogue.load import load_catalogue
from generator.catalogue.model import Edition
from generator.diagnostics import Diagnostics
from generator.model import LangText
from tests.conftest import REPO


def edition(edition_id: str, status: str, effective: str | None, supersedes: str | None = None) -> Edition:
    day = dt.date.fromisoformat(effective) if effective else None
    return Edition(
        id=edition_id,
        title=LangText(edition_id),
        status=status,
        approving_body=None,
        approval_document=None if status == "draft" else f"doc-{edition_id}",
        approval_date=day,
        effective_date=day,
        supersedes=supersedes,
        items=(),
        source=f"catalogue/editions/{edition_id}/edition.yaml",
    )


# The sample's shape: 2023 (superseded), 2025 (approved, from 2025-03-01), a draft that became 2025,
# and a later draft still under consultation.
EDITIONS = (
    edition("2023", "superseded", "2023-04-01"),
    edition("2025-draft", "draft", None, "2023"),
    edition("2025", "approved", "2025-03-01", "2023"),
    edition("2027-draft", "draft", None, "2025"),
)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2022-12-31", None),  # before any edition took effect
        ("2023-04-01", "2023"),  # the first day of the first edition
        ("2024-01-01", "2023"),  # a superseded edition was in force in its day
        ("2025-02-28", "2023"),  # 2025 approved, not yet effective
        ("2025-03-01", "2025"),  # its effective date exactly
        ("2026-11-30", "2025"),
        ("2030-01-01", "2025"),  # the later draft is never in force
    ],
)
def test_in_force_by_date(as_of: str, expected: str | None) -> None:
    found = edition_in_force(EDITIONS, dt.date.fromisoformat(as_of))
    assert (found.id if found else None) == expected


def test_a_draft_with_a_date_is_still_never_in_force() -> None:
    editions = (*EDITIONS, edition("2027-draft", "draft", "2027-01-01", "2025"))
    found = edition_in_force(editions, dt.date(2028, 1, 1))
    assert found is not None and found.id == "2025"


def test_a_withdrawn_edition_is_never_in_force() -> None:
    editions = (*EDITIONS, edition("2026", "withdrawn", "2026-01-01", "2025"))
    found = edition_in_force(editions, dt.date(2026, 6, 1))
    assert found is not None and found.id == "2025"


def test_two_editions_on_one_day_are_ambiguous() -> None:
    editions = (*EDITIONS, edition("2025b", "approved", "2025-03-01"))
    assert [e.id for e in in_force_candidates(editions, dt.date(2026, 1, 1))] == ["2025", "2025b"]
    assert edition_in_force(editions, dt.date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [("2024-01-01", "2023"), ("2025-03-01", "2025"), ("2026-11-30", "2025")],
)
def test_the_sample_catalogue_at_several_dates(as_of: str, expected: str) -> None:
    diags = Diagnostics()
    catalogue = load_catalogue(REPO, dt.date.fromisoformat(as_of), diags)
    assert [str(d) for d in diags] == []
    assert catalogue is not None and catalogue.in_force is not None
    assert catalogue.in_force.id == expected


def test_the_sample_catalogue_before_any_edition_is_an_error() -> None:
    diags = Diagnostics()
    catalogue = load_catalogue(REPO, dt.date(2020, 1, 1), diags)
    assert catalogue is not None and catalogue.in_force is None
    assert [(d.location.path, d.code) for d in diags] == [
        ("catalogue/editions", "catalogue.no-edition-in-force")
    ]
