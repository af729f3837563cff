"""Hostile content for the small project, and the checks that find live markup in what was built.

Every payload sets `window.__pwned` (or opens a dialog) if it ever runs, so a browser can tell.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from tests.reliability.project import (
    COMMENTS,
    CONSULTATION,
    EDITIONS,
    OTHER_COMPANY,
    RECORDS,
    good_files,
    item_yaml,
    make_uscc,
    penalty,
    person_penalty,
    to_csv,
)

PWN = "window.__pwned=1"
SCRIPT = f"<script>{PWN}</script>"
HANDLER = f'<img src=x onerror="{PWN};alert(1)">'
SVG = f"<svg/onload={PWN}>"
# Out of an attribute, a title, a textarea, a script block and a comment, then a script.
BREAKOUT = f"\"'></title></textarea></script><script>{PWN}</script><!--"
CDATA = f"]]><script>{PWN}</script>"
JS_URL = f"javascript:{PWN}"
BROKEN = '<div><b>未闭合<p class="x'
TEMPLATE = "{{ 7*7 }}{% if true %}"
MARKUP = SCRIPT + HANDLER + SVG + BREAKOUT + CDATA + BROKEN + TEMPLATE + JS_URL

HOSTILE_NAME = f"天津恶意{SCRIPT}{HANDLER}有限公司"
HOSTILE_COMPANY = make_uscc("MA07EW1L")
# A spreadsheet would run these if a download wrote them as they are.
FORMULA_NAME = '=HYPERLINK("https://evil.example/","点击")'
FORMULA_COMPANY = make_uscc("MA08F9RM")

MARKDOWN = f"""\
## 标题 {{: onclick="{PWN}" style="display:none" }}

正文 {SCRIPT} 与 {HANDLER} 与 {SVG}

[链接](javascript:{PWN}) [大写](JaVaScRiPt:{PWN}) <a href="javascript:{PWN}">直接</a>
<a href="&#106;avascript:{PWN}">实体</a> <a href="jav&#x09;ascript:{PWN}">制表符</a>
<a href="data:text/html,{SCRIPT}">数据</a> <javascript:{PWN}>

![图](javascript:{PWN})

<iframe src="javascript:{PWN}"></iframe><object data="javascript:{PWN}"></object>
<form action="javascript:{PWN}"><button formaction="javascript:{PWN}">按钮</button></form>
<details open ontoggle="{PWN}"><summary>摘要</summary>细节</details>
<style>body {{ display: none }}</style><link rel="stylesheet" href="https://evil.example/x.css">
<noscript><p title="</noscript><img src=x onerror={PWN}>"></noscript>
<math><mi xlink:href="javascript:{PWN}">数学</mi></math>
<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:{PWN}">
<scr<script>ipt>{PWN}</scr</script>ipt>

{BREAKOUT}

{BROKEN}
"""


def flow(zh: str, en: str) -> str:
    """A bilingual YAML value that survives any characters: JSON is YAML."""
    return json.dumps({"zh-CN": zh, "en": en}, ensure_ascii=False)


def front_matter(title: str, slug: str, extra: str = "") -> str:
    return f"---\ntitle: {flow(title, title)}\nslug: {slug}\n{extra}---\n"


def _item() -> str:
    lines = item_yaml().splitlines()
    replaced = {
        "name": flow(f"行政处罚信息{SCRIPT}", f"Penalties {HANDLER}"),
        "description": flow(f"说明{MARKUP}", f"About {MARKUP}"),
        "scope": flow(FORMULA_NAME, "+1+1 scope"),
    }
    out = []
    for line in lines:
        key = line.split(":", 1)[0]
        out.append(f"{key}: {replaced[key]}" if key in replaced else line)
    return "\n".join(out) + "\n"


def _comments() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COMMENTS.splitlines()[0].split(","))  # the header
    writer.writerow(["C001", "2026-11-17", "email", "organisation", f"恶意组织{SCRIPT}", "",
                     "SX-02", "", f"意见{MARKUP}\n[链接](javascript:{PWN})", "pending", ""])  # fmt: skip
    writer.writerow(["C002", "2026-11-18", "form", "individual", f"王{HANDLER}", "", "", "",
                     FORMULA_NAME, "not_adopted", f"不予采纳。{MARKUP}"])  # fmt: skip
    return buffer.getvalue()


CONSULTATION_YAML = f"""\
id: c1
title: {flow(f"征求意见{SCRIPT}", f"Consultation {BREAKOUT}")}
draft_edition: 2027-draft
opens: 2026-10-20
closes: 2026-11-25
ways_to_respond:
  email: consultation@example.org
contact: {flow(f"联系人{HANDLER}", "Contact")}
"""


def hostile_rows() -> list[dict[str, str]]:
    """The good project's rows, so nothing vanishes, and two published hostile ones."""
    return [
        penalty(),
        penalty("津市监罚〔2026〕3号", uscc=OTHER_COMPANY),
        person_penalty(),
        penalty(
            f"津市监罚〔2026〕9号{SCRIPT}",
            name=HOSTILE_NAME,
            uscc=HOSTILE_COMPANY,
            rep_name=BREAKOUT,
            facts=MARKUP,
            authority=f"天津市市场监督管理委员会{SVG}",
        ),
        penalty(
            "-10+20",
            name=FORMULA_NAME,
            uscc=FORMULA_COMPANY,
            rep_name="@SUM(1+1)",
            facts="=cmd|' /C calc'!A0",
            authority="+天津市市场监督管理委员会",
        ),
    ]


def hostile_files() -> dict[str, str | bytes | None]:
    return {
        **good_files(),
        "content/pages/index.md": front_matter(f"首页{SCRIPT}", "index", "nav_order: 1\n")
        + MARKDOWN,
        "content/pages/evil.md": front_matter(f"页面{BREAKOUT}", "evil") + MARKDOWN,
        "content/notices/2026-11-20-evil.md": front_matter(
            f"通知{SCRIPT}{CDATA}", "evil", "date: 2026-11-20\n"
        )
        + MARKDOWN,
        f"{EDITIONS}/2025/items/SX-02.yaml": _item(),
        RECORDS: to_csv(hostile_rows()),
        f"{CONSULTATION}/consultation.yaml": CONSULTATION_YAML,
        f"{CONSULTATION}/notice.md": MARKDOWN,
        f"{CONSULTATION}/comments.csv": _comments(),
    }


# --- Finding live markup --------------------------------------------------------------------

URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "data",
     "srcset", "ping", "cite", "longdesc", "manifest", "codebase", "dynsrc", "lowsrc"}
)  # fmt: skip
FORBIDDEN_ELEMENTS = frozenset(
    {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "link"}
)
# The site's own links: stylesheets and icons from its own assets, nothing else.
OWN_LINK_RELS = frozenset(
    {"stylesheet", "icon", "alternate", "canonical", "license", "search", "preload"}
)
DANGEROUS_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript):", re.IGNORECASE)
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]")


def dangerous_url(value: str) -> bool:
    """Whether a URL would run script: browsers ignore whitespace and controls in the scheme."""
    return bool(DANGEROUS_SCHEME.match(_IGNORED_IN_SCHEME.sub("", value)))


def live_markup(html: str | bytes, where: str) -> Iterator[str]:
    """Every element or attribute in `html` that could run script or restyle the page."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(True):
        name = tag.name.lower()
        if name == "script":
            kind = (tag.get("type") or "").lower()
            if kind == "application/ld+json":
                try:
                    json.loads(tag.string or "")
                except ValueError:
                    yield f"{where}: JSON-LD that is not JSON: {str(tag)[:200]}"
            elif not tag.get("src") or (tag.string or "").strip():
                yield f"{where}: inline script {str(tag)[:200]}"
            elif "//" in str(tag["src"]) or dangerous_url(str(tag["src"])):
                yield f"{where}: script from elsewhere {tag['src']}"
            continue
        if name == "link":
            rels = set(tag.get("rel") or ())
            href = str(tag.get("href", ""))
            foreign = href.startswith(("//", "http:", "https:")) and bool(
                rels & {"stylesheet", "preload"}
            )
            if not rels <= OWN_LINK_RELS or foreign or dangerous_url(href):
                yield f"{where}: foreign link {str(tag)[:200]}"
            continue
        if name in FORBIDDEN_ELEMENTS:
            yield f"{where}: <{name}> element {str(tag)[:200]}"
        if name == "meta" and (tag.get("http-equiv") or "").lower() == "refresh":
            yield f"{where}: meta refresh {str(tag)[:200]}"
        for attr, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attr.lower().startswith("on"):
                yield f"{where}: event handler {attr}= on <{name}>"
            elif attr.lower() == "style":
                yield f"{where}: inline style on <{name}>"
            elif attr.lower() in URL_ATTRIBUTES and dangerous_url(text):
                yield f"{where}: {attr}={text!r} on <{name}>"


def json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def files(site: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file() and p.suffix in suffixes)
