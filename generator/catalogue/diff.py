"""What changed between two catalogue editions: items added, removed, and changed attribute by attribute.

The result holds display texts in both languages, so the site's diff pages, the consultations' draft
pages and `credit-portal diff` all show the same thing. Enumerated values (category, disclosure, …)
are shown through the catalogue's message files, so their wording lives in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from generator.catalogue.model import Edition, FieldSpec, Item, Publicity
from generator.i18n import load_messages
from generator.model import LangText

Labels = Callable[[str], LangText]  # message key -> the text in both languages

EMPTY = LangText("—", "—")

# The attributes compared, in the order an item file lists them (and the diff shows them).
ATTRIBUTES: tuple[str, ...] = (
    "name",
    "description",
    "category",
    "article_12_clause",
    "subject_types",
    "providers",
    "disclosure",
    "scope",
    "right_to_use",
    "legal_basis",
    "schema",
    "fields",
    "publicity",
    "update_frequency",
)


@dataclass(frozen=True)
class AttributeChange:
    attribute: str  # an Item attribute name; its label is the message `catalogue.attr.<attribute>`
    before: LangText
    after: LangText


@dataclass(frozen=True)
class ItemChange:
    code: str
    name: LangText  # the name in the newer edition
    changes: tuple[AttributeChange, ...]


@dataclass(frozen=True)
class EditionDiff:
    old_id: str
    new_id: str
    added: tuple[Item, ...]  # sorted by code
    removed: tuple[Item, ...]
    changed: tuple[ItemChange, ...]
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form; texts are `{"zh-CN": ..., "en": ...}`."""
        return {
            "old": self.old_id,
            "new": self.new_id,
            "added": [{"code": i.code, "name": _lang_dict(i.name)} for i in self.added],
            "removed": [{"code": i.code, "name": _lang_dict(i.name)} for i in self.removed],
            "changed": [
                {
                    "code": c.code,
                    "name": _lang_dict(c.name),
                    "changes": [
                        {
                            "attribute": a.attribute,
                            "before": _lang_dict(a.before),
                            "after": _lang_dict(a.after),
                        }
                        for a in c.changes
                    ],
                }
                for c in self.changed
            ],
            "unchanged": self.unchanged,
        }


def diff_editions(old: Edition, new: Edition, labels: Labels | None = None) -> EditionDiff:
    """Compare two editions item by item (by code); `labels` defaults to the shipped theme's messages."""
    labels = labels or default_labels
    old_items = {i.code: i for i in old.items}
    new_items = {i.code: i for i in new.items}
    added = tuple(new_items[c] for c in sorted(new_items.keys() - old_items.keys()))
    removed = tuple(old_items[c] for c in sorted(old_items.keys() - new_items.keys()))
    changed = []
    unchanged = 0
    for code in sorted(old_items.keys() & new_items.keys()):
        changes = diff_items(old_items[code], new_items[code], labels)
        if changes:
            changed.append(ItemChange(code, new_items[code].name, changes))
        else:
            unchanged += 1
    return EditionDiff(old.id, new.id, added, removed, tuple(changed), unchanged)


def diff_items(old: Item, new: Item, labels: Labels | None = None) -> tuple[AttributeChange, ...]:
    """The attributes of one item that differ, each with its before and after display text."""
    labels = labels or default_labels
    out = []
    for attribute in ATTRIBUTES:
        if attribute == "fields":
            change = _fields_change(old.fields, new.fields, labels)
            if change is not None:
                out.append(change)
            continue
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            out.append(
                AttributeChange(
                    attribute,
                    display(attribute, before, labels),
                    display(attribute, after, labels),
                )
            )
    return tuple(out)


def display(attribute: str, value: Any, labels: Labels) -> LangText:
    """An attribute's value as text in both languages."""
    if value is None or value == ():
        return EMPTY
    if isinstance(value, LangText):
        return value
    if attribute in ("category", "disclosure", "update_frequency"):
        return labels(f"catalogue.{attribute}.{value}")
    if attribute == "subject_types":
        return _join([labels(f"catalogue.subject_type.{v}") for v in value])
    if attribute == "legal_basis":
        return _join(value)
    if attribute == "providers":
        return LangText("、".join(value), ", ".join(value))
    if attribute == "publicity":
        return publicity_text(value, labels)
    if attribute == "article_12_clause":
        return labels(f"catalogue.clause.{value}")
    return LangText(str(value), str(value))


def publicity_text(publicity: Publicity, labels: Labels) -> LangText:
    parts = []
    if publicity.tier:
        parts.append(labels(f"catalogue.tier.{publicity.tier}"))
    if publicity.min_months is not None or publicity.max_months is not None:
        months = labels("catalogue.months")
        span = f"{publicity.min_months or 0}–{publicity.max_months or 0}"
        parts.append(LangText(f"{span} {months.zh}", f"{span} {months.get('en')}"))
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    tier, months_text = parts
    return LangText(f"{tier.zh}（{months_text.zh}）", f"{tier.get('en')} ({months_text.get('en')})")


def field_text(spec: FieldSpec, labels: Labels) -> LangText:
    mode = labels(f"catalogue.publish.{spec.publish}")
    return LangText(
        f"{spec.name}（{spec.title.zh}）：{mode.zh}",
        f"{spec.name} ({spec.title.get('en')}): {mode.get('en')}",
    )


def _fields_change(
    old: tuple[FieldSpec, ...], new: tuple[FieldSpec, ...], labels: Labels
) -> AttributeChange | None:
    """Only the fields that differ are shown: the old form before, the new form after.

    Whole field lists of twenty columns would bury the one that changed its publish mode.
    """
    old_by, new_by = {f.name: f for f in old}, {f.name: f for f in new}
    before = [f for f in old if new_by.get(f.name) != f]
    after = [f for f in new if old_by.get(f.name) != f]
    order_changed = [f.name for f in old] != [f.name for f in new]
    if not before and not after:
        if not order_changed:
            return None
        order = labels("catalogue.fields_order")
        return AttributeChange(
            "fields",
            _prefix(
                order, LangText("、".join(f.name for f in old), ", ".join(f.name for f in old))
            ),
            _prefix(
                order, LangText("、".join(f.name for f in new), ", ".join(f.name for f in new))
            ),
        )
    return AttributeChange(
        "fields",
        _join([field_text(f, labels) for f in before]) if before else EMPTY,
        _join([field_text(f, labels) for f in after]) if after else EMPTY,
    )


def _prefix(head: LangText, body: LangText) -> LangText:
    return LangText(f"{head.zh}：{body.zh}", f"{head.get('en')}: {body.get('en')}")


def _join(texts: Iterable[LangText]) -> LangText:
    texts = list(texts)
    if not texts:
        return EMPTY
    return LangText("；".join(t.zh for t in texts), "; ".join(t.get("en") for t in texts))


def _lang_dict(text: LangText) -> dict[str, str]:
    return {"zh-CN": text.zh, "en": text.get("en")}


@cache
def _shipped_labels() -> dict[str, LangText]:
    folder = Path(__file__).resolve().parent.parent.parent / "templates" / "i18n"
    messages = load_messages(folder)
    zh, en = messages.catalogues["zh-CN"], messages.catalogues["en"]
    return {k: LangText(v, en.get(k)) for k, v in zh.items() if k.startswith("catalogue.")}


def default_labels(key: str) -> LangText:
    """Labels from the theme shipped with the generator (the renderer passes the project's own)."""
    return _shipped_labels().get(key) or LangText(key.rsplit(".", 1)[-1])


def format_text(diff: EditionDiff, lang: str, labels: Labels | None = None) -> str:
    """The diff as plain text for the terminal, in one language."""
    labels = labels or default_labels

    def tr(key: str) -> str:
        return labels(key).get(lang)

    lines = [f"{tr('catalogue.diff.title_text')}: {diff.old_id} → {diff.new_id}"]
    if diff.is_empty:
        lines.append(tr("catalogue.diff.no_changes"))
    sections: tuple[tuple[str, str, tuple[Item, ...]], ...] = (
        ("added", "+", diff.added),
        ("removed", "-", diff.removed),
    )
    for key, mark, items in sections:
        if items:
            lines.append("")
            lines.append(f"{tr('catalogue.diff.' + key)} ({len(items)})")
            lines.extend(f"  {mark} {i.code}  {i.name.get(lang)}" for i in items)
    if diff.changed:
        lines.append("")
        lines.append(f"{tr('catalogue.diff.changed')} ({len(diff.changed)})")
        for change in diff.changed:
            lines.append(f"  ~ {change.code}  {change.name.get(lang)}")
            for a in change.changes:
                lines.append(f"      {tr('catalogue.attr.' + a.attribute)}:")
                lines.append(f"        - {a.before.get(lang)}")
                lines.append(f"        + {a.after.get(lang)}")
    return "\n".join(lines) + "\n"
