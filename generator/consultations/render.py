"""Render stage for consultations: the index, each consultation's page, the outcome diff, the comment
templates and the Atom feed. The page of a consultation keeps its address through every state.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup

from generator.catalogue.diff import EditionDiff, diff_editions, display
from generator.catalogue.model import Catalogue, Item
from generator.catalogue.render import edition_route, item_route
from generator.consultations.downloads import CSV_NAME, XLSX_NAME, template_csv, template_xlsx
from generator.consultations.model import Comment, Consultation
from generator.consultations.state import (
    STATE_ORDER,
    State,
    Summary,
    closing_soon,
    concluded_on,
    days_left,
    received_by,
    state_at,
    summarise,
)
from generator.markdown_render import render_markdown
from generator.model import LANGS, LangText, OutputFile
from generator.render import NavEntry, Renderer

INDEX = "consultations/"
FEED = "consultations/feed.xml"
# Shown under "details" in the draft's list; name, category and disclosure are shown above them.
DETAIL_ATTRIBUTES = (
    "article_12_clause",
    "subject_types",
    "providers",
    "scope",
    "right_to_use",
    "legal_basis",
    "publicity",
    "update_frequency",
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def nav_entry(renderer: Renderer) -> NavEntry:
    return NavEntry(INDEX, renderer.label("consultations.nav"), 1.3)


def outcome_diff_route(c: Consultation) -> str:
    return f"{c.route}outcome-diff/"


@dataclass(frozen=True)
class CommentGroup:
    """The comments on one item (or, with no code, on the draft as a whole)."""

    code: str | None
    name: LangText | None
    comments: tuple[Comment, ...]

    @property
    def anchor(self) -> str:
        return f"comments-{self.code}" if self.code else "comments-general"


def render_consultations(
    consultations: tuple[Consultation, ...],
    catalogue: Catalogue | None,
    renderer: Renderer,
) -> Iterator[OutputFile]:
    as_of = renderer.as_of
    yield from renderer.render_all_langs(
        "consultations/index.html", INDEX, {"sections": index_sections(consultations, as_of)}
    )
    for c in consultations:
        context = page_context(c, renderer)
        yield from renderer.render_all_langs("consultations/consultation.html", c.route, context)
        if context["state"] is State.CONCLUDED and c.approved is not None:
            yield from renderer.render_all_langs(
                "consultations/outcome_diff.html",
                outcome_diff_route(c),
                {
                    "c": c,
                    "diff": diff_editions(c.draft, c.approved, renderer.label),
                    "approved_route": edition_route(c.approved.id),
                },
            )
        yield OutputFile(c.route + CSV_NAME, template_csv(c, renderer.label))
        yield OutputFile(c.route + XLSX_NAME, template_xlsx(c, catalogue, renderer.label))
    for lang in LANGS:
        yield renderer.render(
            "consultations/feed.xml", FEED, lang, entries=feed_entries(consultations, as_of)
        )


def index_sections(
    consultations: tuple[Consultation, ...], as_of: dt.date
) -> list[tuple[State, list[tuple[Consultation, int]]]]:
    """Open ones first (closing soonest first), then upcoming, then the past (most recent first)."""
    by_state: dict[State, list[Consultation]] = {s: [] for s in STATE_ORDER}
    for c in consultations:
        by_state[state_at(c, as_of)].append(c)
    by_state[State.OPEN].sort(key=lambda c: (c.closes, c.id))
    by_state[State.UPCOMING].sort(key=lambda c: (c.opens, c.id))
    for past in (State.CLOSED, State.CONCLUDED):
        by_state[past].sort(key=lambda c: (c.closes, c.id), reverse=True)
    return [
        (s, [(c, days_left(c, as_of)) for c in by_state[s]]) for s in STATE_ORDER if by_state[s]
    ]


def page_context(c: Consultation, renderer: Renderer) -> dict[str, Any]:
    as_of = renderer.as_of
    state = state_at(c, as_of)
    comments = received_by(c, as_of)
    diff = diff_editions(c.base, c.draft, renderer.label) if c.base is not None else None
    published = state in (State.CLOSED, State.CONCLUDED)
    base_path = renderer.config.base_path
    return {
        "c": c,
        "state": state,
        "days_left": days_left(c, as_of),
        "summary": summarise(comments),
        "counts": Counter(x.item_code or "" for x in comments),
        "groups": comment_groups(c, comments) if published else [],
        "published": published,
        "diff": diff,
        "item_status": _item_status(diff),
        "item_details": {i.code: _details(i, renderer) for i in c.draft.items},
        "notice_html": _markdown_langs(c.notice, base_path),
        "outcome_html": _markdown_langs(c.outcome.body, base_path) if c.outcome else None,
        "approved_route": edition_route(c.approved.id) if c.approved else None,
        "outcome_diff_route": outcome_diff_route(c),
        "edition_route": edition_route,
        "item_route": item_route,
        "draft_codes": frozenset(i.code for i in c.draft.items),
        "actions": {lang: _actions(c, renderer, lang) for lang in LANGS},
        "text_lang": text_lang,
        "csv_name": CSV_NAME,
        "xlsx_name": XLSX_NAME,
    }


def comment_groups(c: Consultation, comments: tuple[Comment, ...]) -> list[CommentGroup]:
    """General comments first, then the draft's items in order, then items only in the base."""
    by_code: dict[str, list[Comment]] = {}
    for x in comments:
        by_code.setdefault(x.item_code or "", []).append(x)
    groups = []
    if "" in by_code:
        groups.append(CommentGroup(None, None, tuple(by_code.pop(""))))
    for item in c.draft.items:
        if item.code in by_code:
            groups.append(CommentGroup(item.code, item.name, tuple(by_code.pop(item.code))))
    for code in sorted(by_code):
        in_base = c.base.item(code) if c.base is not None else None
        name = in_base.name if in_base else None
        groups.append(CommentGroup(code, name, tuple(by_code[code])))
    return groups


def _item_status(diff: EditionDiff | None) -> dict[str, str]:
    """For the draft's list: which items are new or changed compared with the base edition."""
    if diff is None:
        return {}
    status = {i.code: "added" for i in diff.added}
    status.update({ch.code: "changed" for ch in diff.changed})
    return status


def _details(item: Item, renderer: Renderer) -> list[tuple[str, LangText]]:
    """An item's further attributes as display texts, worded as the catalogue's own pages word them."""
    out = []
    for attribute in DETAIL_ATTRIBUTES:
        value = getattr(item, attribute)
        if value is None or value == ():
            continue
        out.append((attribute, display(attribute, value, renderer.label)))
    return out


def _markdown_langs(text: LangText, base_path: str) -> dict[str, tuple[Markup, bool]]:
    """Rendered Markdown per page language, and whether it fell back to the Chinese text."""
    out = {}
    for lang in LANGS:
        fallback = lang == "en" and not text.en
        source = text.en if lang == "en" and text.en else text.zh
        out[lang] = (Markup(render_markdown(source, base_path)), fallback)
    return out


def _actions(c: Consultation, renderer: Renderer, lang: str) -> dict[str, dict[str, str]]:
    """Per item code: the prefilled mailto and the form link ("" when not configured)."""
    actions = {"": _item_action(c, None, renderer, lang)}
    for item in c.draft.items:
        actions[item.code] = _item_action(c, item, renderer, lang)
    return actions


def _item_action(
    c: Consultation, item: Item | None, renderer: Renderer, lang: str
) -> dict[str, str]:
    code = item.code if item else ""
    name = item.name.get(lang) if item else ""
    mailto = ""
    if c.ways.email:
        key = "item" if item else "general"
        subject = renderer.t(lang, f"consultations.mail.subject_{key}", id=c.id, code=code)
        body = renderer.t(
            lang,
            f"consultations.mail.body_{key}",
            id=c.id,
            code=code,
            name=name,
            title=c.title.get(lang),
        )
        # RFC 6068: %20 for spaces (never +) and CRLF line breaks in the body.
        query = f"subject={quote(subject, safe='')}&body={quote(body.replace(chr(10), chr(13) + chr(10)), safe='')}"
        mailto = f"mailto:{c.ways.email}?{query}"
    form = ""
    if c.ways.form_url:
        params = {"consultation": c.id, **({"item": code} if code else {})}
        form = f"{c.ways.form_url}?{urlencode(params)}"
    return {"mailto": mailto, "form": form}


def text_lang(text: str, page_lang: str) -> str | None:
    """The `lang` to mark untrusted free text with when it is plainly not in the page's language."""
    if page_lang == "en" and _CJK.search(text):
        return "zh-CN"
    if page_lang != "en" and not _CJK.search(text) and _LATIN.search(text):
        return "en"
    return None


@dataclass(frozen=True)
class FeedEntry:
    kind: str  # opened | closing_soon | concluded
    consultation: Consultation
    date: dt.date
    summary: Summary | None = None  # for `concluded`


def feed_entries(consultations: tuple[Consultation, ...], as_of: dt.date) -> list[FeedEntry]:
    """What happened up to `as_of`, newest first: opened, closing soon (≤ 7 days left), concluded."""
    entries = []
    for c in consultations:
        state = state_at(c, as_of)
        if state is State.UPCOMING:
            continue
        entries.append(FeedEntry("opened", c, c.opens))
        if closing_soon(c, as_of):
            entries.append(
                FeedEntry("closing_soon", c, max(c.opens, c.closes - dt.timedelta(days=7)))
            )
        if state is State.CONCLUDED:
            summary = summarise(received_by(c, as_of))
            entries.append(FeedEntry("concluded", c, concluded_on(c), summary))
    order = {"opened": 0, "closing_soon": 1, "concluded": 2}
    return sorted(entries, key=lambda e: (e.date, order[e.kind], e.consultation.id), reverse=True)


def home_context(consultations: tuple[Consultation, ...], as_of: dt.date) -> dict[str, object]:
    """For the home page: the consultations open on `as_of`, closing soonest first."""
    open_now = sorted(
        (c for c in consultations if state_at(c, as_of) is State.OPEN),
        key=lambda c: (c.closes, c.id),
    )
    return {"open_consultations": [(c, days_left(c, as_of)) for c in open_now]}
