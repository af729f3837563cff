"""Python <-> JavaScript parity of the shared tokenizer, and lunr.py -> lunr.js index loading.

Runs Node on a small harness that evaluates lunr.js and cp-tokenizer.js the way
a browser does (plain scripts sharing one global object, ``window``). These
tests FAIL (never skip) when node or lunr.js is missing: the browser search
depends on both halves agreeing.

lunr.js is looked up at <repo>/node_modules/lunr/lunr.js, then at the path in
the CP_LUNR_JS environment variable.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.search.tokenizer import build_index, query, serialize, tokenize

REPO = Path(__file__).resolve().parents[2]
CP_TOKENIZER_JS = REPO / "templates" / "static" / "js" / "cp-tokenizer.js"

HARNESS = r"""
'use strict';
const fs = require('fs');
const vm = require('vm');
const [lunrPath, cpPath] = process.argv.slice(1);
// Browser-like: one global object that is also `window`; no module/exports.
const sandbox = { console };
sandbox.window = sandbox;
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(lunrPath, 'utf8'), sandbox, { filename: lunrPath });
vm.runInContext(fs.readFileSync(cpPath, 'utf8'), sandbox, { filename: cpPath });
const { lunr, cpTokenizer } = sandbox;
if (typeof lunr !== 'function') throw new Error('lunr.js did not define window.lunr');
if (!cpTokenizer) throw new Error('cp-tokenizer.js did not define window.cpTokenizer');
const req = JSON.parse(fs.readFileSync(0, 'utf8'));
let out;
if (req.mode === 'tokenize') {
  out = req.inputs.map((s) => Array.from(cpTokenizer.tokenize(s)));
} else if (req.mode === 'query') {
  cpTokenizer.install(); // finds window.lunr
  const index = lunr.Index.load(JSON.parse(fs.readFileSync(req.index, 'utf8')));
  out = req.queries.map((q) => cpTokenizer.query(index, q).map((r) => r.ref));
} else if (req.mode === 'load-without-install') {
  try {
    lunr.Index.load(JSON.parse(fs.readFileSync(req.index, 'utf8')));
    out = 'loaded';
  } catch (e) {
    out = String(e.message);
  }
} else if (req.mode === 'commonjs') {
  // Node/CommonJS path: module.exports, explicit install(lunr).
  const realLunr = require(lunrPath);
  const cp = require(cpPath);
  const again = require(cpPath);
  cp.install(realLunr);
  cp.install(realLunr); // idempotent
  out = {
    same: cp === again,
    label: cp.PIPELINE_LABEL,
    registered: typeof realLunr.Pipeline.registeredFunctions[cp.PIPELINE_LABEL],
    tokens: cp.tokenize(req.input),
  };
}
process.stdout.write(JSON.stringify(out));
"""


def _lunr_js() -> Path:
    candidates = [REPO / "node_modules" / "lunr" / "lunr.js"]
    if os.environ.get("CP_LUNR_JS"):
        candidates.append(Path(os.environ["CP_LUNR_JS"]))
    for path in candidates:
        if path.is_file():
            return path
    pytest.fail(
        "lunr.js not found (looked at: "
        + ", ".join(map(str, candidates))
        + "); run `npm ci` in the repo or set CP_LUNR_JS=/path/to/lunr.js"
    )


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; it is required to check the JS tokenizer")
    return node


def run_node(request: dict[str, Any]) -> Any:
    proc = subprocess.run(
        [_node(), "-e", HARNESS, str(_lunr_js()), str(CP_TOKENIZER_JS)],
        input=json.dumps(request, ensure_ascii=True),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"node harness failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout)


def js_tokenize(inputs: list[str]) -> list[list[str]]:
    result: list[list[str]] = run_node({"mode": "tokenize", "inputs": inputs})
    return result


def assert_parity(inputs: list[str]) -> None:
    js = js_tokenize(inputs)
    assert len(js) == len(inputs)
    mismatches = [
        {"input": text, "python": tokenize(text), "js": js_tokens}
        for text, js_tokens in zip(inputs, js, strict=True)
        if tokenize(text) != js_tokens
    ]
    assert not mismatches, json.dumps(mismatches[:10], ensure_ascii=False, indent=1)


TRICKY = [
    "",
    "   \t\n\u3000",
    "天",
    "天津市某某科技有限公司",
    "Tianjin Credit Portal",
    "ＴＩＡＮＪＩＮ\u3000１２３ Ｈｅｌｌｏ，世界！",
    "91120116MA05XXXXX1",
    "统一社会信用代码：９１１２０１１６ＭＡ０５ＸＸＸＸＸ１（天津）",
    "津市监罚〔2025〕123号",
    "津市监罚（2025）123号",
    "津市监罚(2025)123号",
    "津市监罚[2025]123号",
    "津市监罚【2025】123号",
    "津市监罚［２０２５］１２３号",
    "津市监罚︹2025︺123号",  # vertical presentation forms NFKC to 〔〕
    "(2025)津01执123号",
    "（2025）津0101民初4567号之一",
    "根据津市监罚〔2025〕123号行政处罚决定书",
    "本局依法作出的行政处罚决定津滨市监罚〔2024〕88号。",
    "〔2025〕123号",
    "〔2025〕",
    "(202)津1号 (20255)津1号 (２０２a)1号",
    "〔2025)混合括号1号",
    "a(2025)b ((2025)) 〔2025〕〔2026〕1号",
    "〔2025〕第五号文件 〔2025〕第号 津市监罚〔2025〕第1号号",
    "𠀀",
    "𠀀𠀁𠀂abc𠀃",
    "𰻞𰻞面馆",
    "㐀㐁 \U0002f800",  # extension A; compatibility supplement -> U+4E3D
    "豈更車 \ufa0e\ufa0f",  # compatibility ideographs, with and without decomposition
    "⼀⼆⼈",  # Kangxi radicals
    "二〇二五年十月",
    "天津😀市场👍🏽 👨‍👩‍👧 🇨🇳",
    "ﬁnance Ⅻ ①②③ ⑵ ㈱天津 ㍻ ㎏",
    "İstanbul KELVIN \u212a Straße ΣΑΣ ǅ",
    "天津-滨海_新区/河西·和平、南开",
    "tab\tnewline\nnbsp\u00a0zwsp\u200bjoin\u200d",
    "e\u0301 café cafe\u0301 Tiānjīn",
    "\ufeffBOM天津",
    "Ｎｏ.１２３号 第号",
    "カタカナ ﾊﾝｶｸ ひらがな 한국어 天津",
    "abc123def 2025-01-01 v2.3.9",
]


def test_tricky_strings_tokenize_identically() -> None:
    assert len(TRICKY) >= 40
    assert_parity(TRICKY)


# Characters that exercise the rules, mixed with arbitrary text below.
_INTERESTING = [
    *"天津市某某科技有限公司号监罚执民初〇一二",
    *"()[]〔〕【】（）［］︹︺",
    *"0123456789０１２３ａｂｃＡＢＣabcXYZ",
    *" \u3000\t\n,.，。、·-_/",
    *"𠀀𠀁𪛖𰻞豈\ufa0e⼀㈱①ﬁİ\u212aΣ\u0301😀👍🏽\u200d",
    "\U0002f800",  # compatibility supplement
    "\U0003134a",  # extension G
    "\U00031350",  # extension H (Unicode 15: unassigned for Python 3.11, Han by range)
]


def _assigned(ch: str) -> bool:
    # Python 3.11 knows Unicode 14, Node's ICU is newer; characters unknown to
    # Python may legitimately normalise differently in JS. Keep them out.
    return unicodedata.category(ch) not in ("Cn", "Cs")


_docno = st.builds(
    lambda prefix, open_, year, close, tail: prefix + open_ + year + close + tail,
    st.text(alphabet=st.sampled_from(list("津市监罚滨和平南开区")), max_size=10),
    st.sampled_from(list("([〔【（［")),
    st.text(alphabet=st.sampled_from(list("0123456789０２５")), min_size=4, max_size=4)
    | st.text(alphabet=st.sampled_from(list("0123456789０２５")), min_size=3, max_size=5),
    st.sampled_from(list(")]〕】）］")),
    st.text(alphabet=st.sampled_from(list("津01执民初123号第之一abc")), max_size=10),
)
_fragment = st.one_of(
    st.text(alphabet=st.sampled_from(_INTERESTING), max_size=12),
    st.text(alphabet=st.characters(codec="utf-8").filter(_assigned), max_size=8),
    _docno,
    _docno,  # listed twice: weight the most intricate rule up
    st.from_regex(r"[0-9A-HJ-NP-RTUW-Y]{18}", fullmatch=True),
)
_strings = st.lists(_fragment, max_size=5).map("".join)


def _hypothesis_batch(size: int = 300) -> list[str]:
    """~300 deterministic hypothesis-generated strings, for one node call."""
    collected: list[str] = []

    @settings(max_examples=size, derandomize=True, database=None, deadline=None)
    @given(_strings)
    def collect(text: str) -> None:
        collected.append(text)

    collect()
    return list(dict.fromkeys(collected))


def test_hypothesis_batch_tokenizes_identically() -> None:
    batch = _hypothesis_batch()
    assert len(batch) >= 200
    assert sum(bool(tokenize(s)) for s in batch) >= 100  # not a batch of blanks
    assert any("〔" in t for s in batch for t in tokenize(s))  # has document numbers
    assert_parity(batch)


# --------------------------------------------------------------------------
# lunr.js loads and queries an index built by lunr.py

DOCS = [
    {"id": "c1", "name": "天津某某科技有限公司", "code": "91120116MA05XXXXX1", "doc": ""},
    {"id": "c2", "name": "天津某某商贸有限公司", "code": "91120104MA06YYYYY2", "doc": None},
    {"id": "c3", "name": "北京某某科技有限公司", "code": "", "doc": ""},
    {"id": "c4", "name": "Tianjin Example Trading Co.", "code": "", "doc": "津市监罚〔2025〕123号"},
    {"id": "c5", "name": "天津𠀀𠀁\ufa0e有限公司", "code": "", "doc": "根据(2025)津01执7号判决"},
]

QUERIES = {
    "某某科技": ["c1", "c3"],
    "天津某某科技": ["c1"],
    "某某": ["c1", "c2", "c3"],
    "科技商贸": [],
    "某某电子": [],
    "９１１２０１１６ｍａ０５ＸＸＸＸＸ１": ["c1"],
    "91120116": [],
    "trading TIANJIN": ["c4"],
    "津市监罚（2025）123号": ["c4"],
    "〔2025〕123号": ["c4"],
    "津市监罚〔2025〕124号": [],
    "(2025)津01执7号": ["c5"],
    "𠀀𠀁": ["c5"],
    "\ufa0e有限": ["c5"],
    "": [],
    "！？": [],
}


@pytest.fixture
def index_file(tmp_path: Path) -> Path:
    index = build_index("id", ["name", {"field_name": "code", "boost": 2}, "doc"], DOCS)
    path = tmp_path / "index.json"
    path.write_text(json.dumps(serialize(index), ensure_ascii=False), encoding="utf-8")
    return path


def test_lunr_js_loads_python_index_and_queries_like_python(index_file: Path) -> None:
    js = run_node({"mode": "query", "index": str(index_file), "queries": list(QUERIES)})
    index = build_index("id", ["name", {"field_name": "code", "boost": 2}, "doc"], DOCS)
    for (text, expected), js_refs in zip(QUERIES.items(), js, strict=True):
        python_refs = [r["ref"] for r in query(index, text)]
        assert sorted(js_refs) == expected, text
        assert sorted(python_refs) == expected, text
    # same ranking on both sides for a multi-hit query
    assert js[list(QUERIES).index("某某")] == [r["ref"] for r in query(index, "某某")]


def test_lunr_js_needs_install_for_our_pipeline(index_file: Path) -> None:
    message = run_node({"mode": "load-without-install", "index": str(index_file)})
    assert message == "Cannot load unregistered function: cpTokenKeep"


def test_commonjs_export_and_idempotent_install() -> None:
    out = run_node({"mode": "commonjs", "input": "天津市场 ＡＢＣ"})
    assert out == {
        "same": True,
        "label": "cpTokenKeep",
        "registered": "function",
        "tokens": tokenize("天津市场 ＡＢＣ"),
    }
