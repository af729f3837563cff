"""How editions follow one another, and what that means for one item across them.

An edition is compared with the one it `supersedes`. A draft that names none is compared with the
edition in force, since that is what it would replace. The site's diff pages and each item's history
use the same pairs, so every "what changed" link lands on a page that exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalogue.diff import AttributeChange, Labels, diff_items
from generator.catalogue.model import Catalogue, Edition, Item

FIRST, SAME, CHANGED, REMOVED, ABSENT, LISTED = (
    "first",
    "same",
    "changed",
    "removed",
    "absent",
    "listed",
)


def predecessor(catalogue: Catalogue, edition: Edition) -> Edition | None:
    """The edition this one replaces (or would replace, for a draft)."""
    if edition.supersedes is not None:
        return catalogue.edition(edition.supersedes)
    in_force = catalogue.in_force
    if edition.status == "draft" and in_force is not None and in_force.id != edition.id:
        return in_force
    return None


def diff_pairs(catalogue: Catalogue) -> tuple[tuple[Edition, Edition], ...]:
    """(new, old) for every diff page, in edition order."""
    pairs = []
    for edition in catalogue.editions:
        old = predecessor(catalogue, edition)
        if old is not None and old.id != edition.id:
            pairs.append((edition, old))
    return tuple(pairs)


def diff_route(new_id: str, old_id: str) -> str:
    return f"catalogue/editions/{new_id}/diff/{old_id}/"


@dataclass(frozen=True)
class HistoryRow:
    edition: Edition
    item: Item | None  # the item as this edition has it, if it has it
    state: str  # first | same | changed | removed | absent | listed
    compared_with: Edition | None
    changes: tuple[AttributeChange, ...] = ()


def item_history(catalogue: Catalogue, code: str, labels: Labels) -> tuple[HistoryRow, ...]:
    rows = []
    for edition in catalogue.editions:
        item = edition.item(code)
        old = predecessor(catalogue, edition)
        old_item = old.item(code) if old is not None else None
        if item is None:
            state = REMOVED if old_item is not None else ABSENT
            rows.append(HistoryRow(edition, None, state, old))
        elif old is None:
            rows.append(HistoryRow(edition, item, LISTED, None))
        elif old_item is None:
            rows.append(HistoryRow(edition, item, FIRST, old))
        else:
            changes = diff_items(old_item, item, labels)
            rows.append(HistoryRow(edition, item, CHANGED if changes else SAME, old, changes))
    return tuple(rows)


def shown_version(catalogue: Catalogue, code: str) -> tuple[Edition, Item] | None:
    """The version an item page shows: the edition in force, else the latest approved-once
    edition that has it, else the latest draft or withdrawn one."""
    in_force = catalogue.in_force
    if in_force is not None and (item := in_force.item(code)) is not None:
        return in_force, item
    holders = [(e, i) for e in catalogue.editions if (i := e.item(code)) is not None]
    if not holders:
        return None
    approved = [(e, i) for e, i in holders if e.status in ("approved", "superseded")]
    return (approved or holders)[-1]


def all_codes(catalogue: Catalogue) -> tuple[str, ...]:
    return tuple(sorted({i.code for e in catalogue.editions for i in e.items}))
