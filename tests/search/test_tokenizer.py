"""Unit tests for generator.search.tokenizer (the Python half of the shared tokenizer)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lunr.token import Token

from generator.search.tokenizer import (
    DOCNO_PREFIX_MAX,
    PIPELINE_LABEL,
    CpBuilder,
    SearchResult,
    build_index,
    is_han,
    load,
    lunr_tokenizer,
    query,
    serialize,
    tokenize,
)

# --------------------------------------------------------------------------
# Rules


def test_empty_and_separator_only() -> None:
    assert tokenize("") == []
    assert tokenize(" \t\n\u3000") == []
    assert tokenize("，。！？、；：“”‘’《》——…· ,.!?;:'\"-_/\\@#$%^&*+=~`|<>{}") == []


def test_latin_words_lowercased_not_stemmed_no_stop_words() -> None:
    assert tokenize("The Running Companies of Tianjin") == [
        "the",
        "running",
        "companies",
        "of",
        "tianjin",
    ]


def test_latin_split_on_punctuation_and_underscore() -> None:
    assert tokenize("foo-bar_baz,qux.Quux/x") == ["foo", "bar", "baz", "qux", "quux", "x"]


def test_letters_and_digits_stay_together() -> None:
    assert tokenize("abc123 2025 v2") == ["abc123", "2025", "v2"]


def test_cjk_single_character_is_unigram() -> None:
    assert tokenize("天") == ["天"]
    assert tokenize("天 津") == ["天", "津"]


def test_cjk_run_gives_overlapping_bigrams() -> None:
    assert tokenize("天津市场") == ["天津", "津市", "市场"]
    assert tokenize("天津") == ["天津"]


def test_mixed_script_in_order_of_appearance() -> None:
    assert tokenize("ABC天津123市场x") == ["abc", "天津", "123", "市场", "x"]


def test_cjk_separated_by_punctuation_and_emoji() -> None:
    assert tokenize("天津、滨海😀新区") == ["天津", "滨海", "新区"]
    assert tokenize("天津·和平") == ["天津", "和平"]


def test_supplementary_plane_ideographs_are_single_characters() -> None:
    assert tokenize("𠀀") == ["𠀀"]
    assert tokenize("𠀀𠀁𠀂") == ["𠀀𠀁", "𠀁𠀂"]
    assert tokenize("天𠀀") == ["天𠀀"]
    # plane 3 (CJK extension G): biáng
    assert tokenize("𰻞𰻞面") == ["𰻞𰻞", "𰻞面"]


def test_han_ranges() -> None:
    for ch in "〇㐀䶿一鿿豈﩮𠀀𪛟𰀀":
        assert is_han(ch), hex(ord(ch))
    for ch in "a1、〔〕々ーカ한😀\u3006":
        assert not is_han(ch), hex(ord(ch))


def test_ideographic_zero_in_dates() -> None:
    assert tokenize("二〇二五年") == ["二〇", "〇二", "二五", "五年"]


def test_full_width_normalised() -> None:
    assert tokenize("ＡＢＣ１２３") == ["abc123"]
    assert tokenize("Ｈｅｌｌｏ，世界！") == ["hello", "世界"]
    assert tokenize("ＴＩＡＮＪＩＮ\u3000２０２５") == ["tianjin", "2025"]


def test_compatibility_ideographs_and_radicals_normalised() -> None:
    # U+F900 and the Kangxi radical U+2F00 NFKC-normalise to unified ideographs.
    assert tokenize("\uf900") == ["\u8c48"]
    assert tokenize("\u2f00\u2f06") == ["一二"]


def test_credit_code_whole_and_case_insensitive() -> None:
    code = "91120116MA05XXXXX1"
    expected = ["91120116ma05xxxxx1"]
    assert tokenize(code) == expected
    assert tokenize(code.lower()) == expected
    assert tokenize("９１１２０１１６ＭＡ０５ＸＸＸＸＸ１") == expected
    assert tokenize(f"统一社会信用代码：{code}（天津）") == [
        "统一",
        "一社",
        "社会",
        "会信",
        "信用",
        "用代",
        "代码",
        "91120116ma05xxxxx1",
        "天津",
    ]


def test_document_number_whole_variants_and_sub_tokens() -> None:
    assert tokenize("津市监罚〔2025〕123号") == [
        "津市监罚〔2025〕123号",  # the whole number
        "津市",
        "市监罚〔2025〕123号",
        "市监",
        "监罚〔2025〕123号",
        "监罚",
        "罚〔2025〕123号",
        "罚",  # boundary unigram (a)
        "〔2025〕123号",  # no prefix
        "2025",
        "123",
        "号",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "津市监罚〔2025〕123号",
        "津市监罚（2025）123号",
        "津市监罚(2025)123号",
        "津市监罚[2025]123号",
        "津市监罚［２０２５］１２３号",
        "津市监罚【2025】123号",
        "津市监罚〔2025)123号",
    ],
)
def test_document_number_bracket_styles_are_canonicalised(text: str) -> None:
    assert tokenize(text) == tokenize("津市监罚〔2025〕123号")
    assert tokenize(text)[0] == "津市监罚〔2025〕123号"


def test_court_case_number() -> None:
    assert tokenize("(2025)津01执123号") == [
        "〔2025〕津01执123号",
        "2025",
        "津",
        "01",
        "执",
        "123",
        "号",
    ]


def test_document_number_tail_stops_after_first_hao() -> None:
    toks = tokenize("根据津市监罚〔2025〕123号行政处罚决定书")
    assert "津市监罚〔2025〕123号" in toks
    assert "根据津市监罚〔2025〕123号" in toks
    assert not any("行政" in t and "〔" in t for t in toks)
    # boundary unigram (b): the glued 号 is also emitted alone
    assert "号" in toks and "号行" in toks


def test_document_number_tail_without_hao_takes_whole_run() -> None:
    assert tokenize("〔2025〕第五 x")[0] == "〔2025〕第五"
    assert tokenize("〔2025〕第五号文件")[0] == "〔2025〕第五号"


def test_document_number_prefix_is_capped() -> None:
    long_prefix = "本局依法作出的行政处罚决定津滨市监罚"
    toks = tokenize(long_prefix + "〔2024〕88号")
    whole = [t for t in toks if "〔" in t]
    assert whole[0] == long_prefix[-DOCNO_PREFIX_MAX:] + "〔2024〕88号"
    assert len(whole) == DOCNO_PREFIX_MAX + 1
    assert whole[-1] == "〔2024〕88号"


@pytest.mark.parametrize(
    "text", ["(202)津1号", "(20255)津1号", "（2025 ）1号", "(２０２a)1号", "2025)"]
)
def test_not_a_document_number(text: str) -> None:
    assert not any("〔" in t for t in tokenize(text))


def test_partial_document_number_queries_are_sub_token_sets() -> None:
    doc = set(tokenize("处罚决定书文号：津市监罚〔2025〕123号行政处罚"))
    for partial in [
        "津市监罚〔2025〕123号",
        "津市监罚(2025)123号",
        "监罚〔2025〕123号",
        "〔2025〕123号",
        "2025 123",
        "津市监罚",
        "123",
    ]:
        assert set(tokenize(partial)) <= doc, partial
    for other in ["津市监罚〔2025〕124号", "津市监罚〔2024〕123号", "津市监罚〔2025〕12"]:
        assert not set(tokenize(other)) <= doc, other


def test_non_cjk_scripts_and_symbols_dropped() -> None:
    assert tokenize("カタカナ ひらがな 한국어 天津") == ["天津"]
    assert tokenize("café") == ["caf"]  # non-ASCII letters separate tokens


def test_lunr_tokenizer_returns_tokens_with_metadata() -> None:
    toks = lunr_tokenizer("天津 ABC", metadata={"fields": ["name"]})
    assert all(isinstance(t, Token) for t in toks)
    assert [str(t) for t in toks] == ["天津", "abc"]
    assert toks[1].metadata == {"index": 1, "fields": ["name"]}
    assert lunr_tokenizer(None) == []
    assert [str(t) for t in lunr_tokenizer(["天津", 2025])] == ["天津", "2025"]


# --------------------------------------------------------------------------
# lunr.py index

COMPANIES: list[dict[str, Any]] = [
    {"id": "c1", "name": "天津某某科技有限公司", "code": "91120116MA05XXXXX1"},
    {"id": "c2", "name": "天津某某商贸有限公司", "code": "91120104MA06YYYYY2"},
    {"id": "c3", "name": "北京某某科技有限公司", "code": None},
    {"id": "c4", "name": "天津市场监督管理局", "code": "11120000MB1234567X"},
    {
        "id": "c5",
        "name": "Tianjin Example Trading Co., Ltd.",
        "code": "",
        "decision": "根据津市监罚〔2025〕123号行政处罚决定书",
    },
    {"id": "c6", "name": "天津𠀀𠀁有限公司", "code": None, "decision": "(2025)津01执123号"},
]


@pytest.fixture(scope="module")
def index() -> Any:
    return build_index(
        "id",
        ["name", {"field_name": "code", "boost": 2}, "decision"],
        [{"decision": None, **doc} for doc in COMPANIES],
    )


def refs(results: list[SearchResult]) -> set[str]:
    return {r["ref"] for r in results}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("某某科技", {"c1", "c3"}),
        ("天津某某科技有限公司", {"c1"}),
        ("天津某某科技", {"c1"}),
        ("某某", {"c1", "c2", "c3"}),
        ("有限公司", {"c1", "c2", "c3", "c6"}),
        ("市场监督", {"c4"}),
        ("91120116ma05xxxxx1", {"c1"}),
        ("９１１２０１１６ＭＡ０５ＸＸＸＸＸ１", {"c1"}),
        ("91120116MA05XXXXX1 某某科技", {"c1"}),
        ("tianjin trading", {"c5"}),
        ("TIANJIN", {"c5"}),
        ("津市监罚〔2025〕123号", {"c5"}),
        ("津市监罚(2025)123号", {"c5"}),
        ("〔2025〕123号", {"c5"}),
        ("(2025)津01执123号", {"c6"}),
        ("2025 123", {"c5", "c6"}),
        ("𠀀𠀁", {"c6"}),
        ("津𠀀", {"c6"}),
    ],
)
def test_index_finds_by_part(index: Any, text: str, expected: set[str]) -> None:
    assert refs(query(index, text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "某某电子",  # bigram 某电 absent
        "科技商贸",  # each half present in some document, never adjacent
        "天津北京",
        "有限责任公司",
        "91120116",  # identifiers are whole tokens
        "津市监罚〔2025〕124号",
        "trading tianjin2",
        "",
        "，。！",
    ],
)
def test_index_rejects_absent_substrings(index: Any, text: str) -> None:
    assert query(index, text) == []


def test_query_tokens_are_all_required(index: Any) -> None:
    # 天津 + 津某 + 某某: 北京某某科技 has 某某 but neither 天津 nor 津某
    assert refs(query(index, "天津某某")) == {"c1", "c2"}
    # the full name ranks its own company first
    assert query(index, "天津某某科技有限公司")[0]["ref"] == "c1"


def test_default_lunr_cannot_do_this() -> None:
    """Why this module exists: stock lunr.py trims every Chinese character."""
    import lunr

    stock = lunr.lunr("id", ["name"], [{"id": d["id"], "name": d["name"]} for d in COMPANIES])
    assert stock.search("某某科技") == []


def test_serialized_pipeline_is_ours_only(index: Any) -> None:
    data = serialize(index)
    assert data["pipeline"] == [PIPELINE_LABEL] == ["cpTokenKeep"]
    builder = CpBuilder()
    assert builder.builder.pipeline.serialize() == [PIPELINE_LABEL]
    assert builder.builder.search_pipeline.serialize() == [PIPELINE_LABEL]


def test_serialize_is_json_and_round_trips(index: Any) -> None:
    data = json.loads(json.dumps(serialize(index), ensure_ascii=False))
    assert data["version"] == "2.3.9"
    assert data["fields"] == ["name", "code", "decision"]
    reloaded = load(data)
    for text in ["某某科技", "津市监罚〔2025〕123号", "𠀀𠀁"]:
        assert refs(query(reloaded, text)) == refs(query(index, text))


def test_serialize_orders_terms_by_utf16_code_units() -> None:
    # U+FA0E survives NFKC; in UTF-16 it sorts after the surrogates of U+20000,
    # in code points before. lunr.js's TokenSet.Builder needs UTF-16 order.
    idx = build_index("id", ["t"], [{"id": "a", "t": "\ufa0e"}, {"id": "b", "t": "𠀀"}])
    assert [term for term, _ in idx.serialize()["invertedIndex"]] == ["\ufa0e", "𠀀"]
    assert [term for term, _ in serialize(idx)["invertedIndex"]] == ["𠀀", "\ufa0e"]
    assert refs(query(load(serialize(idx)), "\ufa0e")) == {"a"}


def test_field_values_none_scalars_and_lists() -> None:
    idx = build_index(
        "id",
        ["t", {"field_name": "tags", "extractor": lambda d: d.get("tags")}],
        [
            {"id": 1, "t": None},
            {"id": 2, "t": 2025, "tags": ["天津市", "Credit"]},
            ({"id": 3, "t": "天津市"}, {"boost": 2}),
        ],
    )
    assert refs(query(idx, "2025 credit")) == {"2"}
    assert refs(query(idx, "天津")) == {"2", "3"}
    assert query(idx, "天津")[0]["ref"] == "3"  # document boost
