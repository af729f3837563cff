"""A subject's search document names every list its records are on (the search's list filter)."""

from __future__ import annotations

from generator.lists.render import search_docs
from tests.lists.test_render import debt, decision, list_result, penalty, uscc


def test_a_subject_on_two_lists_names_both() -> None:
    shared = uscc(7)
    d = decision(
        list_result("SX-04", [debt(7, shared)]),
        list_result("SX-02", [penalty(7), penalty(8)]),
    )
    docs = list(search_docs(d))
    subjects = {(doc.lang, doc.codes): doc.list_code for doc in docs if doc.kind == "subject"}
    # Sorted and separated by spaces (search.js: listsOf); one document, for both languages.
    assert subjects == {
        ("zh-CN", (shared,)): "SX-02 SX-04",
        ("zh-CN", (uscc(8),)): "SX-02",
    }
    records = {doc.list_code for doc in docs if doc.kind == "record"}
    assert records == {"SX-02", "SX-04"}
