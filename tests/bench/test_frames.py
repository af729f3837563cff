"""base.html's frame, rendered once per language (generator/frames.py), gives the same pages.

The whole sample site is built with every framed page also rendered in full and compared; then
small themes show each case where the frame must not be used, and that the output is still right.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import frames as frames_mod
from generator.build import BuildOptions, build
from generator.config import load_config
from generator.diagnostics import Diagnostics
from generator.frames import Frames
from generator.render import NavEntry, Renderer
from tests.conftest import make_project

REPO = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 30)


def test_every_page_of_the_sample_site_equals_its_plain_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frames and the per-language helpers change nothing: each page is also rendered plainly
    (the template, the globals, the caller's context) and must be the same bytes."""
    compared: dict[str, int] = {}
    framed: dict[str, int] = {}
    render, frame = Renderer.render, Frames.render

    def checked(self: Renderer, template: str, route: str, lang: str, **context: Any) -> Any:
        page = render(self, template, route, lang, **context)
        plain = self.env.get_template(template).render(route=route, lang=lang, **context)
        assert page.data.decode("utf-8") == plain, (template, route, lang)
        compared[template] = compared.get(template, 0) + 1
        return page

    def counted(self: Frames, template: str, *args: Any) -> str | None:
        text = frame(self, template, *args)
        if text is not None:
            framed[template] = framed.get(template, 0) + 1
        return text

    monkeypatch.setattr(Renderer, "render", checked)
    monkeypatch.setattr(Frames, "render", counted)
    project = make_project(tmp_path, {}, with_sample=True)
    result = build(BuildOptions(root=project, out=tmp_path / "site", as_of=AS_OF))
    assert result.ok
    assert sum(compared.values()) > 500
    # The frame is really used, for the pages there are many of.
    assert {"lists/subject.html", "lists/list.html", "page.html"} <= set(framed), framed
    assert framed["lists/subject.html"] == compared["lists/subject.html"]


def theme(tmp_path: Path, base: str, pages: dict[str, str]) -> Renderer:
    folder = tmp_path / "templates"
    shutil.copytree(REPO / "templates" / "i18n", folder / "i18n")
    (folder / "base.html").write_text(base, "utf-8")
    for name, text in pages.items():
        (folder / name).write_text(text, "utf-8")
    config = load_config(REPO, Diagnostics())
    assert config is not None
    return Renderer(config, folder, AS_OF)


BASE = (
    '<html lang="{{ lang }}"><title>{% block title %}{% endblock %}</title>\n'
    '<link rel="canonical" href="{{ abs_url(route) }}">\n'
    '{% for e in nav %}<a href="{{ url(e.route) }}"{% if e.route == route %} aria-current="page"'
    "{% endif %}>{{ tx(e.label) }}</a>{% endfor %}\n"
    "{% block main %}default main{% endblock %}\n</html>\n"
)
PAGE = '{% extends "base.html" %}{% block title %}T{{ n }}{% endblock %}{% block main %}<p>{{ n }}</p>{% endblock %}'


def full(r: Renderer, template: str, route: str, lang: str, **context: Any) -> str:
    return r.env.get_template(template).render(route=route, lang=lang, **context)


def test_pages_are_framed_and_equal(tmp_path: Path) -> None:
    r = theme(tmp_path, BASE, {"page.html": PAGE})
    for n in range(3):
        for lang in ("zh-CN", "en"):
            page = r.render("page.html", f"things/{n}/", lang, n=n)
            assert page.data.decode() == full(r, "page.html", f"things/{n}/", lang, n=n)
    assert r._frames is not None and not r._frames.refused
    assert len(r._frames.verified) == 2  # one full comparison per template and language


def test_the_page_the_navigation_marks_current_is_rendered_in_full(tmp_path: Path) -> None:
    r = theme(tmp_path, BASE, {"page.html": PAGE})
    r.set_nav((NavEntry("things/1/", r.label("site.home")),))
    page = r.render("page.html", "things/1/", "zh-CN", n=1).data.decode()
    assert 'aria-current="page"' in page
    assert page == full(r, "page.html", "things/1/", "zh-CN", n=1)
    other = r.render("page.html", "things/2/", "zh-CN", n=2).data.decode()
    assert 'aria-current="page"' not in other


def test_a_route_that_escaping_would_change_is_rendered_in_full(tmp_path: Path) -> None:
    r = theme(tmp_path, BASE, {"page.html": PAGE})
    route = "a&b/"
    page = r.render("page.html", route, "en", n=1).data.decode()
    assert "a&amp;b/" in page and page == full(r, "page.html", route, "en", n=1)


def test_a_base_reading_page_values_outside_its_blocks_gets_no_frame(tmp_path: Path) -> None:
    base = BASE.replace("<html", '<html data-n="{{ n }}"')
    r = theme(tmp_path, base, {"page.html": PAGE})
    page = r.render("page.html", "things/1/", "en", n=7).data.decode()
    assert 'data-n="7"' in page
    assert r._frames is not None and not r._frames.usable


def test_super_and_default_blocks_come_out_as_in_full(tmp_path: Path) -> None:
    child = '{% extends "base.html" %}{% block main %}[{{ super() }}]{% endblock %}'
    bare = '{% extends "base.html" %}'
    r = theme(tmp_path, BASE, {"child.html": child, "bare.html": bare})
    for name in ("child.html", "bare.html"):
        for n in range(2):
            page = r.render(name, f"x/{n}/", "zh-CN").data.decode()
            assert page == full(r, name, f"x/{n}/", "zh-CN")
    assert "[default main]" in r.render("child.html", "x/9/", "en").data.decode()
    assert r._frames is not None and not r._frames.refused


def test_a_template_not_built_on_base_is_refused_and_rendered_in_full(tmp_path: Path) -> None:
    feed = "<feed>{{ route }}</feed>\n"
    r = theme(tmp_path, BASE, {"feed.xml": feed})
    for n in range(2):
        assert (
            r.render("feed.xml", f"f/{n}.xml", "zh-CN").data.decode() == f"<feed>f/{n}.xml</feed>\n"
        )
    assert r._frames is not None and "feed.xml" in r._frames.refused


@pytest.mark.pure_python
def test_a_mismatch_on_the_first_page_refuses_the_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = theme(tmp_path, BASE, {"page.html": PAGE})
    monkeypatch.setattr(frames_mod.Frames, "_page", lambda *a: "wrong")
    assert r.render("page.html", "x/", "en", n=1).data.decode() == full(
        r, "page.html", "x/", "en", n=1
    )
    assert r._frames is not None and "page.html" in r._frames.refused


def test_nested_blocks_in_base_give_no_frame(tmp_path: Path) -> None:
    base = "<html>{% block outer %}<div>{% block inner %}{% endblock %}</div>{% endblock %}</html>"
    r = theme(
        tmp_path, base, {"page.html": '{% extends "base.html" %}{% block inner %}i{% endblock %}'}
    )
    assert r.render("page.html", "x/", "en").data.decode() == "<html><div>i</div></html>"
    assert r._frames is not None and not r._frames.usable
