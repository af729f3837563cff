"""Search documents for catalogue items: the edition in force and the drafts under discussion."""

from __future__ import annotations

from collections.abc import Iterator

from generator.catalogue.model import Catalogue, Edition, Item
from generator.model import LANGS, LangText, SearchDoc


def _text(value: LangText | None, lang: str) -> str:
    return value.get(lang) if value is not None else ""


def _doc(edition: Edition, item: Item, lang: str, current: bool) -> SearchDoc:
    title = f"{item.code} {item.name.get(lang)}"
    if not current:
        title += f" · {edition.title.get(lang)}"
    parts = [
        _text(item.description, lang),
        _text(item.scope, lang),
        *(b.get(lang) for b in item.legal_basis),
        " ".join(item.providers),
    ]
    # The in-force version is the item page; a draft's version is its row on the draft's page.
    url = (
        f"catalogue/items/{item.code}/"
        if current
        else f"catalogue/editions/{edition.id}/#{item.code}"
    )
    return SearchDoc(
        ref=f"item:{lang}:{edition.id}:{item.code}",
        kind="item",
        lang=lang,
        title=title,
        text=" ".join(p for p in parts if p),
        url=url,
        codes=(item.code,),
    )


def search_docs(catalogue: Catalogue) -> Iterator[SearchDoc]:
    """One document per item and language, for the edition in force and for every draft."""
    in_force = catalogue.in_force
    editions = [e for e in catalogue.editions if e.status == "draft"]
    if in_force is not None:
        editions.insert(0, in_force)
    for edition in editions:
        current = in_force is not None and edition.id == in_force.id
        for item in edition.items:
            for lang in LANGS:
                yield _doc(edition, item, lang, current)
