"""Shard routing: the hash (and its JS twin), N, and that a token's postings live only in its shard."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import parallel
from generator.model import DocGroup, SearchDoc
from generator.search import index as index_module
from generator.search.index import SearchIndex, index_files
from generator.search.shards import (
    FIELD,
    MIN_PARTS,
    ShardDoc,
    base36,
    build_shard,
    compact_scores,
    empty_index,
    fnv1a32,
    next_pow2,
    part_count,
    shard_count,
    shard_of,
)
from generator.search.shardset import SPILL_BUCKETS, TASKS
from generator.search.sitewide import dump_json
from generator.search.tokenizer import CpBuilder, load, serialize, tokenize
from tests.search.test_index import record

REPO = Path(__file__).resolve().parents[2]
SEARCH_JS = REPO / "templates" / "static" / "js" / "search.js"

HARNESS = r"""
'use strict';
const fs = require('fs');
const search = require(process.argv[1]);
const req = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = req.tokens.map((t) => [search.fnv1a32(t), search.shardOf(t, req.shards)]);
process.stdout.write(JSON.stringify(out));
"""


def run_js(harness: str, scripts: list[Path], request: object) -> Any:
    """The harness's answer to `request` (JSON on stdin), run by Node with `scripts` as argv."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; it is required to check search.js")
    proc = subprocess.run(
        [node, "-e", harness, *map(str, scripts)],
        input=json.dumps(request, ensure_ascii=True),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"node harness failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout)


def js_hashes(tokens: list[str], shards: int) -> list[list[int]]:
    result: list[list[int]] = run_js(HARNESS, [SEARCH_JS], {"tokens": tokens, "shards": shards})
    return result


# -- the hash ----------------------------------------------------------------------------------


def test_fnv1a32_known_values() -> None:
    # Published FNV-1a 32-bit test vectors.
    assert fnv1a32("") == 0x811C9DC5
    assert fnv1a32("a") == 0xE40C292C
    assert fnv1a32("foobar") == 0xBF9CF968


def test_fnv1a32_hashes_utf8_bytes() -> None:
    # 天 is E5 A4 A9 in UTF-8; 𠀀 (a supplementary-plane ideograph) is F0 A0 80 80.
    h = 0x811C9DC5
    for byte in (0xE5, 0xA4, 0xA9):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    assert fnv1a32("天") == h
    assert fnv1a32("𠀀") != fnv1a32("\u0800\u0800")


PARITY_TOKENS = [
    "",
    "a",
    "foobar",
    "天津",
    "公司",
    "鑫达",
    "〇一",
    "号",
    "91120116ma05xxxxx1",
    "津市监罚〔2025〕123号",
    "〔2025〕123号",
    "𠀀𠀁",
    "𰻞𰻞",
    "豈更",
    "credit",
    "2025",
]


def test_python_and_js_hash_every_token_alike() -> None:
    tokens = PARITY_TOKENS + tokenize(
        "天津市滨海新区鑫达科技有限公司 津滨市监罚（2024）88号 Tianjin"
    )
    js = js_hashes(tokens, 4096)
    assert js == [[fnv1a32(t), fnv1a32(t) % 4096] for t in tokens]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12),
        min_size=1,
        max_size=40,
    )
)
def test_hash_parity_on_arbitrary_strings(tokens: list[str]) -> None:
    js = js_hashes(tokens, 16)
    assert js == [[fnv1a32(t), fnv1a32(t) % 16] for t in tokens]


# -- N ------------------------------------------------------------------------------------------


def test_next_pow2() -> None:
    assert [next_pow2(n) for n in (0, 1, 2, 3, 4, 5, 1000, 1024, 1025)] == [
        1, 1, 2, 4, 4, 8, 1024, 1024, 2048,
    ]  # fmt: skip


def test_shard_count_grows_with_postings_in_powers_of_two_from_16() -> None:
    assert shard_count(0, per_shard=100) == 16
    assert shard_count(1600, per_shard=100) == 16
    assert shard_count(1601, per_shard=100) == 32
    assert shard_count(102_400, per_shard=100) == 1024
    assert shard_count(102_401, per_shard=100) == 2048


def test_part_count_follows_the_same_rule() -> None:
    assert part_count(1, per_part=32) == MIN_PARTS
    assert part_count(32 * 16 + 1, per_part=32) == 32


def test_every_count_is_a_multiple_of_the_first_pass_buckets() -> None:
    # The first pass spills by hash % MIN_PARTS before N is known; that only works if N is a
    # multiple of MIN_PARTS (then hash % N determines hash % MIN_PARTS).
    for n in (0, 1, 17, 5000, 10**6, 10**8):
        assert shard_count(n) % MIN_PARTS == 0
        assert part_count(n) % MIN_PARTS == 0


def test_base36() -> None:
    assert [base36(n) for n in (0, 9, 10, 35, 36, 1295, 1296)] == [
        "0", "9", "a", "z", "10", "zz", "100",
    ]  # fmt: skip


# -- postings live only in their shard ----------------------------------------------------------


def _subject(n: int, name: str, code: str) -> SearchDoc:
    return SearchDoc(
        ref=f"subject:zh-CN:{code}",
        kind="subject",
        lang="zh-CN",
        title=name,
        text=name,
        url=f"subjects/00/{code}/",
        codes=(code,),
    )


def _built(docs: list[SearchDoc], **kwargs: Any) -> dict[str, Any]:
    return {f.path: json.loads(f.data) for f in index_files(docs, **kwargs)}


def test_each_token_is_indexed_in_its_own_shard_only() -> None:
    docs = [
        _subject(1, "天津鑫达科技有限公司", "91120116MA05XXXXX1"),
        _subject(2, "天津市和平区华信贸易有限公司", "91120101MA06YYYYY2"),
        _subject(3, "鑫达（天津）建筑工程有限公司", "91120104MA07ZZZZZ3"),
    ]
    files = _built(docs)
    manifest = files["search/manifest.json"]
    n = manifest["shards"]
    assert n == 16
    shard_files = {p: d for p, d in files.items() if p.startswith("search/shards/")}
    assert sorted(shard_files) == sorted(f"search/shards/{i}.json" for i in range(n))

    where: dict[str, set[int]] = {}
    for path, data in shard_files.items():
        shard = int(path.rsplit("/", 1)[1].removesuffix(".json"))
        for term, _posting in data["invertedIndex"]:
            assert shard_of(term, n) == shard, (term, shard)
            where.setdefault(term, set()).add(shard)
    # Every token of every document is findable, in exactly one shard.
    expected = {t for d in docs for t in tokenize(d.title) + tokenize(d.codes[0])}
    assert set(where) == expected
    assert all(len(shards) == 1 for shards in where.values())


def test_a_document_is_in_the_shards_of_its_tokens_and_no_others() -> None:
    doc = _subject(1, "天津鑫达科技有限公司", "91120116MA05XXXXX1")
    files = _built([doc])
    n = files["search/manifest.json"]["shards"]
    expected = {shard_of(t, n) for t in tokenize(doc.title) + tokenize(doc.codes[0])}
    holding = {
        int(p.rsplit("/", 1)[1].removesuffix(".json"))
        for p, d in files.items()
        if p.startswith("search/shards/") and d["fieldVectors"]
    }
    assert holding == expected


def test_shard_queries_find_only_their_own_tokens() -> None:
    files = _built([_subject(1, "天津鑫达科技有限公司", "91120116MA05XXXXX1")])
    n = files["search/manifest.json"]["shards"]
    token = "鑫达"
    own = load(files[f"search/shards/{shard_of(token, n)}.json"])
    assert [r["ref"] for r in own.search(token)] == ["0.0"]
    other = load(files[f"search/shards/{(shard_of(token, n) + 1) % n}.json"])
    assert other.search(token) == []


# -- heavy tokens -------------------------------------------------------------------------------


def test_a_heavy_token_keeps_only_its_best_postings_and_is_reported() -> None:
    docs = [
        ShardDoc("a", 5, ("公司", "甲乙")),
        ShardDoc("b", 2, ("公司",)),
        ShardDoc("c", 9, ("公司", "丙丁")),
        ShardDoc("d", 3, ("公司",)),
    ]
    result = build_shard(docs, total_docs=4, heavy_cap=2)
    assert result.heavy == {"公司": 4}
    index = dict(result.index["invertedIndex"])
    # The two shortest documents keep it; the others are still there for their other tokens.
    assert sorted(index["公司"]["t"]) == ["b", "d"]
    assert sorted(index["甲乙"]["t"]) == ["a"]
    assert sorted(index["丙丁"]["t"]) == ["c"]


def test_heavy_tokens_are_listed_in_the_manifest() -> None:
    docs = [
        _subject(i, f"天津{c}有限公司", f"9112011{i}MA05XXXXX{i}")
        for i, c in enumerate("甲乙丙丁戊")
    ]
    manifest = _built(docs, heavy_cap=3)["search/manifest.json"]
    assert manifest["heavyCap"] == 3
    # 天津, 有限, 限公, 公司 are in all five names; each name's own bigrams are in one.
    assert manifest["heavy"] == {"公司": 5, "天津": 5, "有限": 5, "限公": 5}


def test_a_shard_without_documents_is_a_valid_empty_index() -> None:
    result = build_shard([], total_docs=0)
    assert result.index["fieldVectors"] == []
    assert result.index["invertedIndex"] == []
    assert result.index["pipeline"] == ["cpTokenKeep"]
    assert load(result.index).search("天津") == []


# -- the direct writer is lunr.py, byte for byte -------------------------------------------------


def lunr_py_shard(docs: list[ShardDoc], total_docs: int, heavy_cap: int) -> dict[str, Any]:
    """The reference: the same shard built by lunr.py's Builder through CpBuilder."""
    docs = sorted(docs, key=lambda d: (d.length, d.ref))
    frequency: dict[str, int] = {}
    for doc in docs:
        for token in set(doc.tokens):
            frequency[token] = frequency.get(token, 0) + 1
    kept = {t: 0 for t, df in frequency.items() if df > heavy_cap}
    cp = CpBuilder()
    cp.builder.ref("r")
    cp.builder.field(FIELD, 1, lambda doc: doc[FIELD])  # pre-tokenised: one item, one token
    for doc in docs:
        tokens = [t for t in doc.tokens if t not in kept or kept[t] < heavy_cap]
        for token in set(tokens) & kept.keys():
            kept[token] += 1
        if tokens:
            cp.builder.add({"r": doc.ref, FIELD: tokens})
            cp.builder.field_lengths[f"{FIELD}/{doc.ref}"] = doc.length
    cp.builder.document_count = max(cp.builder.document_count, total_docs)
    if not cp.builder.field_lengths:
        return empty_index([FIELD])
    return compact_scores(serialize(cp.build()))


_TOKENS = st.sampled_from(
    [
        "天津",
        "公司",
        "有限",
        "鑫达",
        "津市监罚〔2025〕123号",
        "91120116ma05xxxxx1",
        "𠀀𠀁",
        "豈更",
        "a",
        "2025",
    ]
)
_DOCS = st.lists(
    st.tuples(st.lists(_TOKENS, min_size=0, max_size=6), st.integers(0, 8)),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(_DOCS, st.integers(0, 50), st.integers(1, 5))
def test_build_shard_writes_what_lunr_py_writes(
    raw: list[tuple[list[str], int]], extra_docs: int, heavy_cap: int
) -> None:
    docs = [
        ShardDoc(base36(i), len(tokens) + extra, tuple(tokens))
        for i, (tokens, extra) in enumerate(raw)
    ]
    total = len(docs) + extra_docs
    ours = build_shard(docs, total, heavy_cap).index
    assert dump_json(ours) == dump_json(lunr_py_shard(docs, total, heavy_cap))


def test_build_shard_matches_lunr_py_on_real_names() -> None:
    names = ["天津鑫达科技有限公司", "天津市和平区华信贸易有限公司", "鑫达（天津）建筑工程有限公司"]
    docs = [
        ShardDoc(base36(i), len(tokenize(n)) + 3, tuple(tokenize(n) + tokenize(n)[:2]))
        for i, n in enumerate(names)
    ]
    assert dump_json(build_shard(docs, 1000, 2).index) == dump_json(lunr_py_shard(docs, 1000, 2))


# -- the index stage as tasks ---------------------------------------------------------------------


def test_the_task_split_covers_every_unit() -> None:
    # Task n builds the units u with u % TASKS == n; units number min(N, SPILL_BUCKETS) and
    # min(P, SPILL_BUCKETS), which TASKS must divide.
    assert MIN_PARTS % TASKS == 0
    assert SPILL_BUCKETS % TASKS == 0


@pytest.mark.parametrize("per_shard", [8000, 5])  # N = 16 (units of 4 files) and N > 64
def test_a_first_pass_and_tasks_in_forked_processes_write_what_one_process_writes(
    per_shard: int,
) -> None:
    names = [f"天津{a}{b}科技有限公司" for a in "甲乙丙丁戊己庚辛" for b in "子丑寅卯辰巳午未"]
    docs = [_subject(i, name, f"9112011{i:03d}MA05XXXX") for i, name in enumerate(names)]
    alone = {f.path: f.data for f in index_files(docs, per_shard=per_shard, heavy_cap=20)}
    index = SearchIndex(docs, per_shard=per_shard, heavy_cap=20, jobs=2)  # two writers
    with index.first_pass():
        tasks = index.tasks()
        assert len(tasks) == TASKS + 1
        forked = {f.path: f.data for f in parallel.run(tasks, 2)}
    assert forked == alone
    manifest = json.loads(alone["search/manifest.json"])
    assert manifest["shards"] == (16 if per_shard == 8000 else 128)
    assert manifest["heavy"]  # 天津, 科技, ... in all 64 names


def _group_docs(n: int, records: int) -> list[SearchDoc]:
    """A subject on list SX-0<n % 3> and its records, as the lists section makes them."""
    code = f"9112011{n:03d}MA05XXXX"
    name = f"天津{'甲乙丙丁戊己庚辛'[n % 8]}{'子丑寅卯辰巳午未'[n // 8 % 8]}科技有限公司"
    lists = [f"SX-0{(n + r) % 3}" for r in range(records)]
    subject = dataclasses.replace(
        _subject(n, name, code), list_code=" ".join(sorted(set(lists))) or None
    )
    return [
        subject,
        *(
            record(name, code, f"津罚〔2026〕{n}-{r}号", item, f"{code}-{r}")
            for r, item in enumerate(lists)
        ),
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_groups_made_only_where_needed_index_as_their_documents_do(
    jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blocks of 3 documents, groups of 1 to 5: groups inside one writer's blocks, across both.
    monkeypatch.setattr(index_module, "WRITER_BLOCK", 3)
    flat = [_group_docs(n, n % 5) for n in range(40)]
    made: list[int] = []  # in this process: the groups the first writer made

    def group(n: int, docs: list[SearchDoc]) -> DocGroup:
        def make() -> list[SearchDoc]:
            made.append(n)
            return list(docs)

        return DocGroup(tuple((d.kind, d.list_code) for d in docs), make)

    alone = {f.path: f.data for f in index_files([d for docs in flat for d in docs])}
    index = SearchIndex([group(n, docs) for n, docs in enumerate(flat)], jobs=jobs)
    with index.first_pass():
        grouped = {f.path: f.data for f in parallel.run(index.tasks(), jobs)}
    assert grouped == alone
    if jobs == 1:
        assert made == list(range(40))
    else:  # the first writer took blocks 0, 2, 4...: only the groups with a document in them
        starts = [0]
        for docs in flat:
            starts.append(starts[-1] + len(docs))
        mine = [
            n
            for n, docs in enumerate(flat)
            if any((starts[n] + i) // 3 % 2 == 0 for i in range(len(docs)))
        ]
        assert made == mine and len(mine) < 40


def test_a_group_that_makes_other_documents_than_it_said_fails() -> None:
    docs = _group_docs(1, 2)
    wrong = DocGroup((("subject", None),), lambda: docs)
    with pytest.raises(RuntimeError, match="other documents"):
        list(index_files([wrong]))


def test_a_failing_writer_fails_the_first_pass() -> None:
    def docs() -> Iterator[SearchDoc]:
        yield _subject(0, "天津甲乙科技有限公司", "91120110MA05XXXX00")
        if os.getpid() != parent:
            raise ValueError("boom in the forked writer")
        yield _subject(1, "天津丙丁科技有限公司", "91120111MA05XXXX01")

    parent = os.getpid()
    index = SearchIndex(docs(), jobs=2)
    with pytest.raises(RuntimeError, match="boom in the forked writer"), index.first_pass():
        pass


# -- what a document is found by -------------------------------------------------------------------

ENTRY_HARNESS = r"""
'use strict';
const fs = require('fs');
const search = require(process.argv[1]);
const cp = require(process.argv[2]);
const req = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = req.map((d) => search.entryTokens([d.title, '', d.text, d.codes], d.kind, cp.tokenize));
process.stdout.write(JSON.stringify(out));
"""

ENTRIES = [
    {
        "kind": "subject",
        "title": "天津市滨海新区鑫达科技有限公司",
        "text": "天津市滨海新区鑫达科技有限公司 天津鑫达贸易公司",
        "codes": ["91120116MA05XXXXX1"],
    },
    {
        "kind": "record",
        "title": "天津市滨海新区鑫达科技有限公司 津滨市监罚（2024）88号",
        "text": "天津市滨海新区市场监督管理局 虚假宣传",
        "codes": ["91120116MA05XXXXX1", "津滨市监罚（2024）88号"],
    },
    {
        "kind": "record",
        "title": "张某 （2024）津0116执123号",
        "text": "",
        "codes": ["（2024）津0116执123号"],
    },
]


def test_a_document_is_found_by_the_same_tokens_in_python_and_js() -> None:
    """search.js checks a hit on a heavy token against the doc-store entry (entryTokens): it
    must see the tokens the build indexed (doc_tokens), no more and no fewer."""
    from generator.search.shardset import doc_tokens
    from tests.search.test_tokenizer_parity import CP_TOKENIZER_JS

    found = run_js(ENTRY_HARNESS, [SEARCH_JS, CP_TOKENIZER_JS], ENTRIES)
    expected = [doc_tokens(d["kind"], d["title"], d["text"], d["codes"]) for d in ENTRIES]
    assert found == expected
    # A record's text is a snippet for display: it is not searched.
    assert "虚假" not in expected[1] and "鑫达" in expected[1]
