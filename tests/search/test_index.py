"""Index building on a small document set, and the browser's query code (search.js) run on it in Node.

The Node harness loads lunr.js, cp-tokenizer.js and search.js as CommonJS modules and gives
search.js a `fetch` that reads the built files from disk, recording every path asked for.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from generator.model import SearchDoc
from generator.search.index import index_files
from generator.search.shards import fnv1a32, shard_of
from generator.search.tokenizer import load, query, tokenize

REPO = Path(__file__).resolve().parents[2]
LUNR_JS = REPO / "node_modules" / "lunr" / "lunr.js"
CP_TOKENIZER_JS = REPO / "templates" / "static" / "js" / "cp-tokenizer.js"
SEARCH_JS = REPO / "templates" / "static" / "js" / "search.js"

HARNESS = r"""
'use strict';
const fs = require('fs');
const path = require('path');
const [lunrPath, cpPath, searchPath] = process.argv.slice(1);
const lunr = require(lunrPath);
const tok = require(cpPath);
const cp = require(searchPath);
tok.install(lunr);
const req = JSON.parse(fs.readFileSync(0, 'utf8'));
const hit = (h) => ({ title: h.title, kind: h.kind, list: h.list, url: h.url, exact: h.exact });
(async () => {
  const out = [];
  for (const q of req.queries) {
    const data = new cp.Data('', q.lang, lunr, tok);
    const fetched = [];
    // What the browser's fetch() would get from the built site; Data itself caches.
    global.fetch = (p) => {
      fetched.push(p);
      const file = path.join(req.dir, p);
      const ok = fs.existsSync(file);
      return Promise.resolve({
        ok: ok,
        status: ok ? 200 : 404,
        json: () => Promise.resolve(JSON.parse(fs.readFileSync(file, 'utf8'))),
      });
    };
    let found = await cp.search(data, q.text, q.filters || { types: null, list: '' });
    if (found && q.more) {
      await found.cursor.more(q.more);
      found = cp.summarise(found);
    }
    out.push(found === null ? null : {
      site: cp.rank(found.site, q.text).map(hit),
      shard: cp.rank(found.shard, q.text).map(hit),
      total: found.total,
      truncated: found.truncated,
      partial: found.partial,
      exactTotal: found.exactTotal,
      lists: found.lists,
      fetched: fetched,
    });
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
"""

CODE_A = "91120116MA05XXXXX1"
CODE_B = "91120101MA06YYYYY2"
CODE_C = "91120104MA07ZZZZZ3"
CODE_D = "91120116MA08WWWWW4"


def subject(name: str, code: str, former: str = "", numbers: Iterable[str] = ()) -> SearchDoc:
    # Shaped like generator.lists' documents: the text holds the names and decision numbers.
    return SearchDoc(
        ref=f"subject:zh-CN:{code}",
        kind="subject",
        lang="zh-CN",
        title=name,
        text=" ".join([name, *([former] if former else []), *numbers]),
        url=f"subjects/{code[-2:].lower()}/{code}/",
        codes=(code,),
    )


def record(name: str, code: str, number: str, list_code: str, key: str) -> SearchDoc:
    return SearchDoc(
        ref=f"record:zh-CN:{key}",
        kind="record",
        lang="zh-CN",
        title=f"{name} {number}",
        text="天津市市场监督管理局 罚款 违法事实：未按规定公示年度报告",
        url=f"subjects/{code[-2:].lower()}/{code}/#{key}",
        codes=(code, number),
        list_code=list_code,
    )


def page(lang: str, slug: str, title: str, text: str) -> SearchDoc:
    return SearchDoc(f"page:{lang}:{slug}", "page", lang, title, text, f"{slug}/")


DOCS = [
    subject(
        "天津鑫达科技有限公司",
        CODE_A,
        former="天津鑫达贸易有限公司",
        numbers=["津市监罚〔2025〕123号"],
    ),
    subject("天津鑫达科技有限公司滨海分公司", CODE_D),
    subject("天津市和平区华信贸易有限公司", CODE_B, numbers=["津和市监罚〔2024〕88号"]),
    subject("鑫达（天津）建筑工程有限公司", CODE_C, numbers=["津市监罚〔2025〕7号"]),
    record("天津鑫达科技有限公司", CODE_A, "津市监罚〔2025〕123号", "SX-02", "r1"),
    record("天津市和平区华信贸易有限公司", CODE_B, "津和市监罚〔2024〕88号", "SX-02", "r2"),
    record("鑫达（天津）建筑工程有限公司", CODE_C, "津市监罚〔2025〕7号", "SX-03", "r3"),
    page("zh-CN", "credit-repair", "信用修复", "信用主体可以申请信用修复。"),
    page("en", "credit-repair", "Credit repair", "A credit subject may apply for credit repair."),
    page("zh-CN", "about", "关于本站", "本站公开天津市公共信用信息。"),
    page("en", "about", "About", "This portal publishes public credit information of Tianjin."),
]


def english_copy(doc: SearchDoc) -> SearchDoc:
    return SearchDoc(
        doc.ref.replace(":zh-CN:", ":en:"),
        doc.kind,
        "en",
        doc.title,
        doc.text,
        doc.url,
        doc.codes,
        doc.list_code,
    )


def write_site(folder: Path, docs: list[SearchDoc], **kwargs: Any) -> dict[str, bytes]:
    files = {f.path: f.data for f in index_files(docs, **kwargs)}
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return files


def run_queries(folder: Path, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; it is required to run search.js")
    if not LUNR_JS.is_file():
        pytest.fail(f"{LUNR_JS} is missing; run `npm ci`")
    proc = subprocess.run(
        [node, "-e", HARNESS, str(LUNR_JS), str(CP_TOKENIZER_JS), str(SEARCH_JS)],
        input=json.dumps({"dir": str(folder), "queries": queries}, ensure_ascii=True),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"node harness failed ({proc.returncode}):\n{proc.stderr}")
    result: list[dict[str, Any]] = json.loads(proc.stdout)
    return result


def ask(
    folder: Path, text: str, lang: str = "zh-CN", more: int = 0, **filters: Any
) -> dict[str, Any]:
    q: dict[str, Any] = {"text": text, "lang": lang, "more": more}
    if filters:
        q["filters"] = {"types": filters.get("types"), "list": filters.get("list", "")}
    return run_queries(folder, [q])[0]


def titles(hits: list[dict[str, Any]], kind: str | None = None) -> list[str]:
    return [h["title"] for h in hits if kind is None or h["kind"] == kind]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search-index")
    write_site(folder, DOCS + [english_copy(d) for d in DOCS if d.kind in ("subject", "record")])
    return folder


# -- what is written ----------------------------------------------------------------------------


def test_files_written(site: Path) -> None:
    manifest = json.loads((site / "search/manifest.json").read_text("utf-8"))
    assert manifest["version"] == 1
    assert manifest["shards"] == 16
    assert manifest["parts"] == 16
    # Subjects and records are indexed once: the English copies are ignored.
    assert manifest["docs"] == 7
    assert manifest["groups"] == [["subject", None], ["record", "SX-02"], ["record", "SX-03"]]
    assert manifest["heavy"] == {}
    assert manifest["siteIndex"] == {
        "en": "search/site-index.en.json",
        "zh-CN": "search/site-index.zh-CN.json",
    }
    assert sorted(p.name for p in (site / "search/shards").iterdir()) == sorted(
        f"{i}.json" for i in range(16)
    )


def test_site_index_per_language_holds_that_languages_documents(site: Path) -> None:
    for lang, expected in (("zh-CN", ["信用修复", "关于本站"]), ("en", ["Credit repair", "About"])):
        data = json.loads((site / f"search/site-index.{lang}.json").read_text("utf-8"))
        assert sorted(d["t"] for d in data["docs"].values()) == sorted(expected)
        assert {d["k"] for d in data["docs"].values()} == {"page"}
        index = load(data["index"])
        found = [data["docs"][r["ref"]]["t"] for r in query(index, expected[0])]
        assert found[0] == expected[0]


def test_doc_store_entries_sit_in_the_part_of_their_ref(site: Path) -> None:
    parts = json.loads((site / "search/manifest.json").read_text("utf-8"))["parts"]
    seen = {}
    for path in (site / "search/docs").iterdir():
        part = int(path.stem)
        for ref, entry in json.loads(path.read_text("utf-8")).items():
            assert fnv1a32(ref) % parts == part
            seen[ref] = entry
    assert len(seen) == 7
    assert seen["0.0"] == [
        "天津鑫达科技有限公司",
        f"subjects/x1/{CODE_A}/",
        "天津鑫达科技有限公司 天津鑫达贸易有限公司 津市监罚〔2025〕123号",
        [CODE_A],
    ]


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = write_site(tmp_path / "a", DOCS)
    second = write_site(tmp_path / "b", list(DOCS))
    assert first == second


def test_no_documents_still_gives_loadable_indexes(tmp_path: Path) -> None:
    files = write_site(tmp_path, [])
    manifest = json.loads(files["search/manifest.json"])
    assert (manifest["docs"], manifest["shards"]) == (0, 16)
    found = ask(tmp_path, "天津")
    assert (found["site"], found["shard"], found["total"]) == ([], [], 0)


# -- query semantics (search.js in Node) ---------------------------------------------------------


def test_a_chinese_substring_finds_every_name_containing_it(site: Path) -> None:
    found = ask(site, "鑫达")
    assert sorted(titles(found["shard"], "subject")) == sorted(
        ["天津鑫达科技有限公司", "天津鑫达科技有限公司滨海分公司", "鑫达（天津）建筑工程有限公司"]
    )
    assert sorted(titles(found["shard"], "record")) == sorted(
        [
            "天津鑫达科技有限公司 津市监罚〔2025〕123号",
            "鑫达（天津）建筑工程有限公司 津市监罚〔2025〕7号",
        ]
    )


def test_bigrams_are_anded_across_shards(site: Path) -> None:
    found = ask(site, "鑫达科技")
    tokens = tokenize("鑫达科技")
    assert len({shard_of(t, 16) for t in tokens}) > 1  # the test needs an AND across shards
    assert sorted(titles(found["shard"], "subject")) == [
        "天津鑫达科技有限公司",
        "天津鑫达科技有限公司滨海分公司",
    ]


def test_a_former_name_finds_the_subject(site: Path) -> None:
    assert titles(ask(site, "鑫达贸易")["shard"], "subject") == ["天津鑫达科技有限公司"]


def test_an_exact_name_comes_first(site: Path) -> None:
    found = ask(site, "天津鑫达科技有限公司")
    subjects = [h for h in found["shard"] if h["kind"] == "subject"]
    assert [h["title"] for h in subjects] == [
        "天津鑫达科技有限公司",
        "天津鑫达科技有限公司滨海分公司",
    ]
    assert [h["exact"] for h in subjects] == [True, False]


def test_a_full_credit_code_finds_exactly_its_subject(site: Path) -> None:
    for text in (CODE_B, CODE_B.lower(), f" {CODE_B} "):
        found = ask(site, text)
        assert titles(found["shard"], "subject") == ["天津市和平区华信贸易有限公司"]
        assert titles(found["shard"], "record") == [
            "天津市和平区华信贸易有限公司 津和市监罚〔2024〕88号"
        ]
        assert found["shard"][0]["exact"] is True


def test_a_decision_number_finds_its_record(site: Path) -> None:
    for text in ("津市监罚〔2025〕123号", "津市监罚(2025)123号", "〔2025〕123号"):
        found = ask(site, text)
        assert titles(found["shard"], "record") == ["天津鑫达科技有限公司 津市监罚〔2025〕123号"]


def test_english_words_find_english_pages(site: Path) -> None:
    found = ask(site, "repair", lang="en")
    assert [(h["title"], h["url"]) for h in found["site"]] == [("Credit repair", "credit-repair/")]
    assert ask(site, "repair", lang="zh-CN")["site"] == []


def test_no_match(site: Path) -> None:
    found = ask(site, "不存在的名字")
    assert (found["site"], found["shard"], found["total"]) == ([], [], 0)


def test_only_the_shards_the_query_tokens_route_to_are_fetched(site: Path) -> None:
    text = "华信贸易"
    found = ask(site, text)
    shards = sorted(p for p in found["fetched"] if p.startswith("search/shards/"))
    assert shards == sorted({f"search/shards/{shard_of(t, 16)}.json" for t in tokenize(text)})
    assert "search/manifest.json" in found["fetched"]
    assert "search/site-index.zh-CN.json" in found["fetched"]


def test_filters_by_type_and_list(site: Path) -> None:
    types = {"subject": False, "record": True, "item": True, "consultation": True, "page": True}
    found = ask(site, "鑫达", types=types)
    assert titles(found["shard"], "subject") == []
    assert len(titles(found["shard"], "record")) == 2
    found = ask(site, "鑫达", list="SX-03")
    assert [(h["title"], h["list"]) for h in found["shard"]] == [
        ("鑫达（天津）建筑工程有限公司 津市监罚〔2025〕7号", "SX-03")
    ]
    none = {k: False for k in types}
    found = ask(site, "鑫达", types=none)
    assert (found["shard"], found["fetched"]) == (
        [],
        ["search/manifest.json", "search/site-index.zh-CN.json"],
    )


def test_a_query_without_tokens_searches_nothing(site: Path) -> None:
    assert ask(site, "  ，。!") is None


# -- heavy tokens --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def heavy_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search-heavy")
    write_site(folder, DOCS, heavy_cap=3)  # 天津, 鑫达, 公司... are in more than 3 documents
    return folder


def test_heavy_tokens_are_checked_not_fetched(heavy_site: Path) -> None:
    manifest = json.loads((heavy_site / "search/manifest.json").read_text("utf-8"))
    assert "天津" in manifest["heavy"]
    assert "鑫达" in manifest["heavy"]
    found = ask(heavy_site, "天津鑫达科技")
    light = [t for t in tokenize("天津鑫达科技") if t not in manifest["heavy"]]
    assert light  # 津鑫, 达科, 科技 are in three documents
    fetched = sorted(p for p in found["fetched"] if p.startswith("search/shards/"))
    assert fetched == sorted({f"search/shards/{shard_of(t, 16)}.json" for t in light})
    assert sorted(titles(found["shard"], "subject")) == [
        "天津鑫达科技有限公司",
        "天津鑫达科技有限公司滨海分公司",
    ]
    assert found["partial"] is False


def test_heavy_tokens_are_checked_against_the_display_data(heavy_site: Path) -> None:
    # 天津 and 津市 are heavy; 市和 and 和平 are not: only the check tests for the heavy ones.
    manifest = json.loads((heavy_site / "search/manifest.json").read_text("utf-8"))
    assert "津市" in manifest["heavy"]
    assert "和平" not in manifest["heavy"]
    found = ask(heavy_site, "天津市和平")
    assert titles(found["shard"], "subject") == ["天津市和平区华信贸易有限公司"]
    # 和平 (light) is only in 华信's documents, 鑫达 (heavy) is not: the check must drop them.
    assert "鑫达" in manifest["heavy"]
    assert ask(heavy_site, "鑫达 和平")["shard"] == []
    assert titles(ask(heavy_site, "公司 和平")["shard"], "subject") == [
        "天津市和平区华信贸易有限公司"
    ]


def test_a_query_of_heavy_tokens_only_gives_partial_results(heavy_site: Path) -> None:
    found = ask(heavy_site, "有限公司")
    assert found["partial"] is True
    subjects = titles(found["shard"], "subject")
    assert subjects  # the best postings of the rarest heavy token, checked for the others
    assert all("有限公司" in t for t in subjects)


# -- batches ----------------------------------------------------------------------------------------


def test_results_come_in_batches_of_twenty(tmp_path: Path) -> None:
    stems = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水"
    docs = [
        subject(f"天津青松{c}有限公司", f"911201{i:02d}MA05XXXXX1") for i, c in enumerate(stems)
    ]
    write_site(tmp_path, docs)
    first = ask(tmp_path, "青松")
    assert (len(first["shard"]), first["total"], first["truncated"]) == (20, 25, True)
    assert first["exactTotal"] is True
    parts = [p for p in first["fetched"] if p.startswith("search/docs/")]
    assert len(parts) <= 20  # display data of the first batch only
    both = ask(tmp_path, "青松", more=20)
    assert (len(both["shard"]), both["total"], both["truncated"]) == (25, 25, False)
    assert sorted(titles(both["shard"])) == sorted(f"天津青松{c}有限公司" for c in stems)


def test_a_subject_on_several_lists_is_kept_by_each_of_their_filters(tmp_path: Path) -> None:
    on_two = replace(subject("天津青松甲有限公司", "91120101MA05XXXXX1"), list_code="SX-01 SX-03")
    on_one = replace(subject("天津青松乙有限公司", "91120102MA05XXXXX2"), list_code="SX-02")
    write_site(tmp_path, [on_two, on_one])
    assert titles(ask(tmp_path, "青松", list="SX-01")["shard"]) == ["天津青松甲有限公司"]
    assert titles(ask(tmp_path, "青松", list="SX-03")["shard"]) == ["天津青松甲有限公司"]
    assert titles(ask(tmp_path, "青松", list="SX-02")["shard"]) == ["天津青松乙有限公司"]
    found = ask(tmp_path, "青松")
    assert sorted(titles(found["shard"])) == ["天津青松乙有限公司", "天津青松甲有限公司"]
    assert found["lists"] == ["SX-01", "SX-02", "SX-03"]
