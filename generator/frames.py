"""Render only a page's own blocks, and put them into base.html's frame, rendered once per language.

Every page repeats base.html's head, header, navigation and footer: for the lists' subject pages,
a hundred thousand of them, that frame was 40% of the render time. Outside its blocks, base.html
depends only on the language, the route and the site-wide globals, and the route only ever goes
through `url()`/`abs_url()` into an attribute. So the frame is rendered once per language with a
marker where the route goes and one where each block goes; a page then renders only its blocks
(through a stand-in base.html that just lists them) and fills the markers in.

Nothing here is trusted blindly:
- a base.html that reads anything besides the route, the language and the globals outside its
  blocks gets no frame at all;
- a route that escaping would change, or that the navigation highlights, is rendered in full;
- the first page of every template in every language is also rendered in full and must match, or
  that template is rendered in full from then on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.runtime import new_context

BASE = "base.html"
_END = "\x1e"  # ends each block in the stand-in base's output
_ROUTE = "\x04"  # where the route goes in a frame
_BLOCK = re.compile(r"{% block (\w+) %}(.*?){% endblock %}", re.S)
_SAFE_ROUTE = re.compile(r"[A-Za-z0-9._~/-]*")  # unchanged by HTML escaping and URL joining


@dataclass(frozen=True)
class _Frame:
    parts: tuple[str | tuple[str], ...]  # text, or (block name,), or _ROUTE


class Frames:
    """Page renderer that reuses base.html's frame; `render()` returns None where it cannot."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.blocks, self.outside, stand_in = self._analyse()
        self.split_env = env.overlay(
            loader=jinja2.ChoiceLoader([jinja2.DictLoader({BASE: stand_in}), env.loader]),  # type: ignore[list-item]
            cache_size=400,  # its own cache: templates compiled against the stand-in
        )
        self.frames: dict[tuple[str, tuple[int, ...]], _Frame] = {}
        # Templates do not change during a build (the environment has auto_reload off), so
        # each is looked up once, not through the environment's locked cache on every page.
        self.templates: dict[str, jinja2.Template] = {}
        self.verified: set[tuple[str, str]] = set()
        self.refused: set[str] = set()

    def _analyse(self) -> tuple[tuple[str, ...], frozenset[str], str]:
        """base.html's blocks, what it reads outside them, and the stand-in base.

        The stand-in is base.html with everything outside its blocks left out and a separator
        after each block, so a page renders exactly its blocks' text, base.html's own bodies
        (and super()) included. Blocks are cut from the source text; a base.html where that is
        not clean-cut (nested blocks, whitespace control on block tags) gets no frame.
        """
        try:
            source = self.env.loader.get_source(self.env, BASE)[0] if self.env.loader else ""
        except jinja2.TemplateNotFound:
            return (), frozenset(), ""
        tree = self.env.parse(source)
        blocks = tuple(block.name for block in tree.find_all(nodes.Block))
        cut = _BLOCK.findall(source)
        if tuple(name for name, _ in cut) != blocks or any(
            "{%" in b and "block" in b for _, b in cut
        ):
            return (), frozenset(), ""
        # What base.html reads outside its blocks: only these may shape the shared frame.
        for block in tree.find_all(nodes.Block):
            block.body = []
        outside = frozenset(meta.find_undeclared_variables(tree))
        stand_in = "".join(f"{{% block {n} %}}{body}{{% endblock %}}{_END}" for n, body in cut)
        return blocks, outside, stand_in

    @property
    def usable(self) -> bool:
        allowed = set(self.env.globals) | {"route", "lang"}
        return bool(self.blocks) and self.outside <= allowed

    def render(
        self, template: str, route: str, lang: str, context: Mapping[str, Any]
    ) -> str | None:
        if template in self.refused or not self.usable or not _SAFE_ROUTE.fullmatch(route):
            return None
        nav = self.env.globals.get("nav")
        if isinstance(nav, tuple | list) and any(getattr(e, "route", None) == route for e in nav):
            return None  # the navigation marks this page as current: the frame would not
        page = self._page(template, route, lang, context)
        if page is None:
            self.refused.add(template)
            return None
        if (template, lang) not in self.verified:
            full = self.env.get_template(template).render(route=route, lang=lang, **context)
            if full != page:
                self.refused.add(template)
                return full
            self.verified.add((template, lang))
        return page

    def _page(self, template: str, route: str, lang: str, context: Mapping[str, Any]) -> str | None:
        compiled = self.templates.get(template)
        if compiled is None:
            compiled = self.templates[template] = self.split_env.get_template(template)
        text = _render(compiled, {**context, "route": route, "lang": lang})
        pieces = text.split(_END)
        if len(pieces) != len(self.blocks) + 1 or pieces[-1]:
            return None  # not a page of base.html, or a block's own output holds the separator
        own = dict(zip(self.blocks, pieces, strict=False))
        return "".join(
            (route if part == _ROUTE else part) if isinstance(part, str) else own[part[0]]
            for part in self._frame(lang).parts
        )

    def _frame(self, lang: str) -> _Frame:
        # Globals set after the renderer was made (navigation, JSON-LD) give a new frame.
        key = (lang, tuple(id(self.env.globals.get(name)) for name in sorted(self.outside)))
        frame = self.frames.get(key)
        if frame is None:
            marked = "".join(
                f"{{% block {name} %}}\x03{name}\x03{{% endblock %}}" for name in self.blocks
            )
            text = self.env.from_string('{% extends "' + BASE + '" %}' + marked).render(
                route=_ROUTE, lang=lang
            )
            parts: list[str | tuple[str]] = []
            for i, piece in enumerate(re.split("\x03(\\w+)\x03", text)):
                if i % 2:
                    parts.append((piece,))
                else:
                    parts.extend(p for p in re.split(f"({_ROUTE})", piece) if p)
            frame = self.frames[key] = _Frame(tuple(parts))
        return frame


def _render(template: jinja2.Template, values: dict[str, Any]) -> str:
    """`template.render(values)`, with the globals flattened into a plain dict first.

    Jinja keeps a template's globals in a ChainMap, and makes every page's context by copying it
    key by key in Python (`dict(globals, **vars)`, then `set(globals)`): most of a subject page's
    render time, a hundred thousand times over. Flattening the maps with `dict.update` gives the
    same context (same names, same values, the template's own globals over the environment's)
    for a fraction of that. Errors are reported as `render()` reports them.
    """
    chain = template.globals
    flat: dict[str, Any] = {}
    for layer in reversed(getattr(chain, "maps", [chain])):
        flat.update(layer)
    context = new_context(
        template.environment, template.name, template.blocks, {**flat, **values}, True, flat
    )
    try:
        return template.environment.concat(template.root_render_func(context))  # type: ignore[attr-defined]
    except Exception:
        template.environment.handle_exception()
