"""search_docs: one document per item and language, for the edition in force and each draft."""

from __future__ import annotations

import datetime as dt

from generator.catalogue.load import load_catalogue
from generator.catalogue.search import search_docs
from generator.diagnostics import Diagnostics
from tests.conftest import REPO


def test_docs_for_the_edition_in_force_and_the_drafts() -> None:
    catalogue = load_catalogue(REPO, dt.date(2026, 11, 30), Diagnostics())
    assert catalogue is not None
    docs = list(search_docs(catalogue))
    editions = {"2025": 33, "2025-draft": 32, "2027-draft": 35}  # 2023 is superseded: not indexed
    assert len(docs) == 2 * sum(editions.values())
    assert len({d.ref for d in docs}) == len(docs)
    by_ref = {d.ref: d for d in docs}
    current = by_ref["item:en:2025:SX-02"]
    assert current.kind == "item"
    assert current.url == "catalogue/items/SX-02/"
    assert current.title == "SX-02 Administrative penalties under the general procedure"
    assert current.codes == ("SX-02",)
    assert "Art. 12(2)" in current.text
    draft = by_ref["item:zh-CN:2027-draft:SX-07"]
    assert draft.url == "catalogue/editions/2027-draft/#SX-07"
    assert draft.lang == "zh-CN" and "征求意见稿" in draft.title
