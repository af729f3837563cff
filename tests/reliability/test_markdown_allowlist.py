"""Publisher-written Markdown reaches pages only through nh3's allow-list (markdown_render.py).

tests/test_markdown_render.py covers the everyday cases (script, handlers, javascript: links); this
module attacks the allow-list itself: encodings, parser confusion, Markdown extensions that add
attributes, and generated documents mixing allowed and forbidden markup.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.markdown_render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown
from tests.reliability.helpers import CI
from tests.reliability.hostile import HANDLER, MARKDOWN, PWN, SCRIPT, dangerous_url, live_markup

# The attributes nh3 itself adds: rel on links (link_rel="noopener").
ADDED_ATTRIBUTES = {"a": {"rel"}}


def allowed_attributes(tag: str) -> set[str]:
    return (
        ALLOWED_ATTRIBUTES["*"]
        | ALLOWED_ATTRIBUTES.get(tag, set())
        | ADDED_ATTRIBUTES.get(tag, set())
    )


def outside_allow_list(html: str) -> list[str]:
    """Tags and attributes in `html` that the allow-list does not name."""
    problems = []
    for tag in BeautifulSoup(html, "lxml").find_all(True):
        if tag.name in ("html", "body", "head"):
            continue  # lxml's document wrapper
        if tag.name not in ALLOWED_TAGS:
            problems.append(f"<{tag.name}>")
        problems += [f"{tag.name}[{a}]" for a in tag.attrs if a not in allowed_attributes(tag.name)]
    return problems


def test_the_markup_check_finds_live_markup() -> None:
    """The check every hostile test relies on does find what it is looking for."""
    found = list(live_markup(f"<p>{SCRIPT}{HANDLER}<a href=' java\tscript:x'>a</a></p>", "t"))
    assert len(found) == 3, found


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(MARKDOWN, id="the-hostile-page"),
        pytest.param(f'<a href="&#106;&#97;vascript:{PWN}">x</a>', id="decimal-entities"),
        pytest.param(f'<a href="&#x6A;avascript:{PWN}">x</a>', id="hex-entity"),
        pytest.param(f'<a href="java\nscript:{PWN}">x</a>', id="newline-in-scheme"),
        pytest.param(f'<a href=" \x01javascript:{PWN}">x</a>', id="control-before-scheme"),
        pytest.param(f'<a href="vbscript:{PWN}">x</a>', id="vbscript"),
        pytest.param(f"[x](javascript&colon;{PWN})", id="named-entity-colon"),
        pytest.param(f"[x]: javascript:{PWN}\n\n[ref][x]", id="reference-link"),
        pytest.param(f"<javascript:{PWN}>", id="autolink"),
        pytest.param(f"![x](data:image/svg+xml,<svg onload={PWN}>)", id="data-image"),
        pytest.param(f'<img src="x" alt="x" onerror="{PWN}">', id="img-onerror"),
        pytest.param(f"<IMG SRC=x ONERROR={PWN}>", id="upper-case"),
        pytest.param(f'<p title="a" onmouseover={PWN}>x</p>', id="unquoted-handler"),
        pytest.param(f"## Heading {{: onclick='{PWN}' }}\n", id="attr-list-handler"),
        pytest.param(f"[x](https://e.org/){{: onclick='{PWN}' }}\n", id="attr-list-on-link"),
        pytest.param("para\n{: style='position:fixed;inset:0' }\n", id="attr-list-style"),
        pytest.param(f"<svg><script>{PWN}</script></svg>", id="svg-script"),
        pytest.param(f'<svg><a xlink:href="javascript:{PWN}">x</a></svg>', id="svg-link"),
        pytest.param(f'<math><mtext><table><mglyph><style><img src=x onerror="{PWN}">', id="mxss"),
        pytest.param(f'<noscript><p title="</noscript><img src=x onerror={PWN}>">', id="noscript"),
        pytest.param(f"<template><script>{PWN}</script></template>", id="template"),
        pytest.param(f"<scr<script>ipt>{PWN}</scr</script>ipt>", id="nested-script"),
        pytest.param(f"<!--><script>{PWN}</script>-->", id="comment-trick"),
        pytest.param(f'<iframe srcdoc="<script>{PWN}</script>"></iframe>', id="srcdoc"),
        pytest.param(f'<form><button formaction="javascript:{PWN}">x</button></form>', id="form"),
        pytest.param(f'<input autofocus onfocus="{PWN}">', id="autofocus"),
        pytest.param(
            '<meta http-equiv="refresh" content="0;url=https://evil.example/">', id="meta"
        ),
        pytest.param('<base href="https://evil.example/">', id="base"),
        pytest.param('<link rel="stylesheet" href="https://evil.example/x.css">', id="link"),
        pytest.param("<style>*{display:none}</style>", id="style-element"),
        pytest.param(f'<object data="javascript:{PWN}"></object><embed src="x.swf">', id="plugins"),
        pytest.param(
            f'<div id="x" class="y" style="color:red" data-x="{PWN}">d</div>', id="data-attr"
        ),
        pytest.param("<table><tr><td><div><b>broken <p class='x", id="broken-html"),
        pytest.param(f"```html\n{SCRIPT}\n```\n", id="code-fence"),
    ],
)
def test_hostile_markdown_comes_out_inert(source: str) -> None:
    html = render_markdown(source)
    assert list(live_markup(html, "markdown")) == []
    assert outside_allow_list(html) == []
    for a in BeautifulSoup(html, "lxml").find_all(["a", "img"]):
        for attr in ("href", "src"):
            if a.get(attr):
                assert not dangerous_url(a[attr]), a


def test_code_shows_markup_as_text() -> None:
    """A fenced example of a script is shown, escaped, not run and not dropped."""
    soup = BeautifulSoup(render_markdown(f"```html\n{SCRIPT}\n```\n"), "lxml")
    assert soup.find("script") is None
    assert soup.pre.get_text().strip() == SCRIPT


def test_what_the_allow_list_allows_survives() -> None:
    source = (
        '<abbr title="统一社会信用代码">USCC</abbr> '
        '<a href="https://www.gov.cn/" title="t">政府网</a> <a href="mailto:x@example.org">信</a> '
        '<a href="/lists/">名单</a> <span lang="en" class="note">note</span>\n\n'
        '<table><thead><tr><th scope="col" colspan="2">表头</th></tr></thead>'
        '<tbody><tr><td rowspan="1">1</td><td>2</td></tr></tbody></table>\n\n'
        "<details><summary>摘要</summary>内容</details>\n\n"
        '<img src="/assets/a.png" alt="图" width="10" height="10">\n'
    )
    soup = BeautifulSoup(render_markdown(source), "lxml")
    assert soup.abbr["title"] == "统一社会信用代码"
    assert [a["href"] for a in soup.find_all("a")] == [
        "https://www.gov.cn/",
        "mailto:x@example.org",
        "/lists/",
    ]
    assert all(a["rel"] == ["noopener"] for a in soup.find_all("a"))
    assert soup.span["lang"] == "en" and soup.span["class"] == ["note"]
    assert soup.th["scope"] == "col" and soup.th["colspan"] == "2"
    assert soup.details.summary.get_text() == "摘要"
    assert soup.img.attrs == {"src": "/assets/a.png", "alt": "图", "width": "10", "height": "10"}


# --- Generated documents: any mix of allowed and forbidden markup ----------------------------

TAGS = [
    *sorted(ALLOWED_TAGS),
    *("script", "style", "iframe", "svg", "math", "object", "form", "input", "button"),
    *("textarea", "noscript", "template", "base", "meta", "link", "title", "select", "xmp"),
]
ATTRIBUTES = [
    *("id", "class", "title", "lang", "href", "src", "alt", "style", "onclick", "onerror"),
    *("onload", "srcdoc", "formaction", "xlink:href", "data", "action", "scope", "colspan"),
]
NASTY_VALUES = [
    *(f"javascript:{PWN}", f" JaVa\tScRiPt:{PWN}", "data:text/html,x", "vbscript:x"),
    *("https://e.org/", "/x", "x", f'"><script>{PWN}</script>', "&#106;avascript:x"),
]
VALUES = st.one_of(st.sampled_from(NASTY_VALUES), st.text(max_size=8))


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attrs = draw(st.lists(st.tuples(st.sampled_from(ATTRIBUTES), VALUES), max_size=3))
    quoted = "".join(f' {name}="{value}"' for name, value in attrs)
    children = draw(
        st.lists(
            st.one_of(st.text(max_size=10), element(depth + 1)) if depth < 3 else st.text(),
            max_size=3,
        )
    )
    closed = draw(st.booleans())  # broken HTML too
    return f"<{tag}{quoted}>{''.join(children)}" + (f"</{tag}>" if closed else "")


@settings(CI, max_examples=150)
@given(st.lists(st.one_of(element(), st.text(max_size=20)), min_size=1, max_size=4))
def test_any_mix_of_markup_comes_out_within_the_allow_list(parts: list[str]) -> None:
    html = render_markdown("\n\n".join(parts))
    assert list(live_markup(html, "generated")) == []
    assert outside_allow_list(html) == []
