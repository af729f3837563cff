"""Search documents for consultations: the title and the notice, never the comments.

Comment text is untrusted and may name people, so it stays out of the index.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.consultations.model import Consultation
from generator.model import LANGS, SearchDoc
from generator.pages import plain_text


def search_docs(consultations: tuple[Consultation, ...]) -> Iterator[SearchDoc]:
    for c in consultations:
        for lang in LANGS:
            notice = c.notice.en if lang == "en" and c.notice.en else c.notice.zh
            yield SearchDoc(
                ref=f"consultation:{lang}:{c.id}",
                kind="consultation",
                lang=lang,
                title=c.title.get(lang),
                text=plain_text(notice),
                url=c.route,
                codes=(c.id, c.draft.id),
            )
