"""Tests for generator.lists.identifiers (GB 32100-2015, GB 11714-1997, GB 11643-1999)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from generator.lists.identifiers import (
    COMPOUND_SURNAMES,
    USCC_ALPHABET,
    IdResult,
    UsccResult,
    check_org_code,
    check_resident_id,
    check_uscc,
    mask_person_name,
    mask_resident_id,
    org_code_check_char,
    resident_id_check_char,
    uscc_check_char,
    uscc_format_problem,
    uscc_org_code,
)

DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# --- Unified social credit code -----------------------------------------------------------

# Published codes whose check characters were computed elsewhere: the worked example used in
# many GB 32100 guides and three well-known companies. They check the algorithm independently
# of our own arithmetic.
PUBLISHED_USCCS = [
    "91350100M000100Y43",  # commonly cited example
    "914403001922038216",  # Huawei Technologies
    "91330100716105852F",  # Alibaba (China)
    "9144030071526726XG",  # Tencent (Shenzhen), check char and embedded org-code check are X/G
]

# Tianjin-shaped codes for each registration authority / entity type we expect, built from a
# valid organisation code and our check character.
TIANJIN_SHAPED_USCCS = [
    "91120116MA05N7Q016",  # 9 1: company registered by market regulation, Binhai New Area
    "11120000000001230G",  # 1 1: government body
    "12120000ABCD1234X1",  # 1 2: public institution
    "521200000000012309",  # 5 2: private non-enterprise unit registered by civil affairs
    "Y1120000MA05N7Q015",  # Y 1: farmers' co-operative
    "N2120104000001230N",  # N 2: rural collective economic organisation
    "A1120000ABCD1234XT",  # A 1: registered by another authority
    "31120000MA05N7Q011",  # 3 1: law firm registered by justice
]


@pytest.mark.parametrize("code", PUBLISHED_USCCS + TIANJIN_SHAPED_USCCS)
def test_well_formed_codes_are_valid(code: str) -> None:
    assert check_uscc(code) is UsccResult.VALID
    assert uscc_format_problem(code) is None


def test_check_value_maps_through_the_alphabet() -> None:
    # Worked by hand: sum 0 -> (31 - 0) % 31 = 0 -> "0"; sum 1 -> 30 -> "Y", the last character.
    assert uscc_check_char("0" * 17) == "0"
    assert uscc_check_char("1" + "0" * 16) == "Y"
    # "A" is worth 10 and the second weight is 3: 30 -> (31 - 30) % 31 = 1 -> "1".
    assert uscc_check_char("0A" + "0" * 15) == "1"


def test_alphabet_leaves_out_confusable_letters() -> None:
    assert len(USCC_ALPHABET) == 31
    assert not set("IOSVZ") & set(USCC_ALPHABET)


def test_wrong_check_character_is_bad_check() -> None:
    assert check_uscc("91350100M000100Y44") is UsccResult.BAD_CHECK
    assert check_uscc("911200001030648802") is UsccResult.BAD_CHECK


@pytest.mark.parametrize("letter", list("IOSVZ"))
@pytest.mark.parametrize("position", [0, 8, 17])
def test_letters_outside_the_alphabet_are_bad_format(letter: str, position: int) -> None:
    code = "91350100M000100Y43"
    code = code[:position] + letter + code[position + 1 :]
    assert check_uscc(code) is UsccResult.BAD_FORMAT
    problem = uscc_format_problem(code)
    assert problem is not None and repr(letter) in problem


@pytest.mark.parametrize(
    "code",
    [
        "",
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19 characters
        " 91350100M000100Y43",
        "91350100M000100Y4-",
        "９1350100M000100Y43",  # full-width digit
    ],
)
def test_malformed_codes_are_bad_format(code: str) -> None:
    assert check_uscc(code) is UsccResult.BAD_FORMAT
    assert uscc_format_problem(code)


def test_lower_case_is_bad_format_with_a_reason() -> None:
    code = "91350100m000100y43"
    assert check_uscc(code) is UsccResult.BAD_FORMAT
    assert uscc_format_problem(code) == "unified social credit codes are written in upper case"


def test_length_problem_is_explained() -> None:
    assert uscc_format_problem("91350100M000100Y4") == (
        "a unified social credit code has 18 characters, this one has 17"
    )


@pytest.mark.parametrize("bad", ["", "0" * 16, "0" * 18, "I" + "0" * 16, "a" + "0" * 16])
def test_check_char_refuses_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(bad)


uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@given(uscc_bodies)
def test_body_plus_computed_check_is_valid(body: str) -> None:
    assert check_uscc(body + uscc_check_char(body)) is UsccResult.VALID


@given(uscc_bodies, st.sampled_from(USCC_ALPHABET))
def test_any_other_check_char_is_bad_check(body: str, other: str) -> None:
    assume(other != uscc_check_char(body))
    assert check_uscc(body + other) is UsccResult.BAD_CHECK


@given(uscc_bodies, st.integers(0, 16), st.sampled_from(USCC_ALPHABET))
def test_single_character_typo_is_caught(body: str, position: int, new: str) -> None:
    # 31 is prime and no weight is 0 mod 31, so any one changed character moves the check.
    assume(body[position] != new)
    code = body + uscc_check_char(body)
    typo = code[:position] + new + code[position + 1 :]
    assert check_uscc(typo) is UsccResult.BAD_CHECK


@given(uscc_bodies, st.integers(0, 15))
def test_adjacent_transposition_is_caught(body: str, position: int) -> None:
    # Neighbouring weights differ mod 31, so swapping two different characters moves the check.
    assume(body[position] != body[position + 1])
    code = body + uscc_check_char(body)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert check_uscc(swapped) is UsccResult.BAD_CHECK


def test_embedded_org_code() -> None:
    assert uscc_org_code("91350100M000100Y43") == "M000100Y4"
    assert uscc_org_code("914403001922038216") == "192203821"
    # Pilot codes with a wrong check character still have an organisation code to show.
    assert uscc_org_code("91350100M000100Y44") == "M000100Y4"


@pytest.mark.parametrize("code", PUBLISHED_USCCS + TIANJIN_SHAPED_USCCS)
def test_embedded_org_code_has_a_valid_check(code: str) -> None:
    assert check_org_code(uscc_org_code(code))


def test_embedded_org_code_refuses_malformed_codes() -> None:
    with pytest.raises(ValueError, match="18 characters"):
        uscc_org_code("91350100M000100Y4")


# --- Organisation code --------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "19220382-1",  # Huawei, embedded in its USCC
        "716105852",  # Alibaba, without the hyphen
        "71526726-X",  # Tencent: check value 10 is written X
        "00000000-0",  # sum 0 -> 11 - 0 = 11, written 0
        "00000006-X",  # 6 x 2 = 12, 12 mod 11 = 1 -> 10, written X
        "A0000000-3",  # A is worth 10: 10 x 3 = 30, 30 mod 11 = 8 -> 3
        "MA05N7Q01",
    ],
)
def test_valid_org_codes(code: str) -> None:
    assert check_org_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "19220382-2",  # wrong check
        "192203822",
        "71526726-0",
        "71526726-x",  # lower-case check char
        "1922038-21",  # hyphen in the wrong place
        "19220382--1",
        "1922038211",
        "19220382",
        "",
        "a0000000-3",
        "１9220382-1",  # full-width digit
    ],
)
def test_invalid_org_codes(code: str) -> None:
    assert not check_org_code(code)


def test_org_code_check_chars_by_hand() -> None:
    assert org_code_check_char("00000000") == "0"
    assert org_code_check_char("00000006") == "X"
    assert org_code_check_char("A0000000") == "3"


@pytest.mark.parametrize("bad", ["", "0000000", "000000000", "a0000000", "0000000-"])
def test_org_code_check_char_refuses_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        org_code_check_char(bad)


@given(st.text(alphabet=DIGITS + UPPER, min_size=8, max_size=8))
def test_org_code_round_trip(body: str) -> None:
    check = org_code_check_char(body)
    assert check_org_code(body + check)
    assert check_org_code(f"{body}-{check}")
    for other in DIGITS + "X":
        if other != check:
            assert not check_org_code(body + other)


# --- Resident ID number -------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the example in GB 11643-1999
        "11010519491231002x",  # lower-case x is accepted
        "120101199003071235",
        "120102200002290040",  # 29 February 2000: a leap year
        "12011619850615231X",
        "120101900307123",  # 15 digits, born 1990-03-07
        "120101000101001",  # 15 digits, born 1900-01-01
    ],
)
def test_valid_resident_ids(number: str) -> None:
    assert check_resident_id(number) is IdResult.VALID


def test_check_char_matches_the_standard_examples() -> None:
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("44052418800101001") == "4"


@pytest.mark.parametrize(
    "number",
    ["110105194912310021", "120101199003071234", "120116198506152310"],
)
def test_wrong_check_char_is_bad_check(number: str) -> None:
    assert check_resident_id(number) is IdResult.BAD_CHECK


@pytest.mark.parametrize(
    "number",
    [
        "120101199002301238",  # 30 February, with a correct check char
        "120101190002290013",  # 29 February 1900: not a leap year
        "120101200102290017",  # 29 February 2001
        "440524188001010014",  # GB 11643 example, born 1880: before 1900
        "120101199013011230",  # month 13
        "120101199000011234",  # month 0
        "120101900230123",  # 15 digits, 30 February 1990
        "120101901301123",  # 15 digits, month 13
        "120101000229001",  # 15 digits, 29 February 1900 (19YY, and 1900 is not a leap year)
    ],
)
def test_impossible_birth_dates(number: str) -> None:
    assert check_resident_id(number) is IdResult.BAD_BIRTH_DATE


def test_birth_after_today_is_refused_only_when_today_is_given() -> None:
    number = "120105202501010013"  # born 2025-01-01
    assert check_resident_id(number) is IdResult.VALID
    assert check_resident_id(number, today=date(2024, 12, 31)) is IdResult.BAD_BIRTH_DATE
    assert check_resident_id(number, today=date(2025, 1, 1)) is IdResult.VALID
    assert check_resident_id("120101900307123", today=date(1990, 3, 6)) is IdResult.BAD_BIRTH_DATE
    # 15-digit years are 19YY, so 90 is 1990, well before 2000.
    assert check_resident_id("120101900307123", today=date(2000, 1, 1)) is IdResult.VALID


@pytest.mark.parametrize(
    "number",
    [
        "",
        "12010119900307123",  # 17 characters
        "1201011990030712355",  # 19 characters
        "12010119900307123Y",  # check char not in 10X98765432
        "1201011990030712X5",  # X not at the end
        "A20101199003071235",
        "１20101199003071235",  # full-width digit
        "12010190030712X",  # 15 characters with an X
        "E12345678",  # passport
        " 120101199003071235",
    ],
)
def test_malformed_resident_ids(number: str) -> None:
    assert check_resident_id(number) is IdResult.BAD_FORMAT


divisions = st.text(alphabet=DIGITS, min_size=6, max_size=6)
sequences = st.text(alphabet=DIGITS, min_size=3, max_size=3)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@st.composite
def resident_ids(draw: st.DrawFn) -> tuple[str, date]:
    born = draw(birth_dates)
    body = draw(divisions) + born.strftime("%Y%m%d") + draw(sequences)
    return body + resident_id_check_char(body), born


@given(resident_ids())
def test_generated_resident_ids_are_valid(id_and_birth: tuple[str, date]) -> None:
    number, born = id_and_birth
    assert check_resident_id(number) is IdResult.VALID
    assert check_resident_id(number, today=born) is IdResult.VALID


@given(resident_ids(), st.integers(0, 16), st.sampled_from(DIGITS))
def test_single_digit_typo_is_caught(
    id_and_birth: tuple[str, date], position: int, new: str
) -> None:
    number, _ = id_and_birth
    assume(number[position] != new)
    typo = number[:position] + new + number[position + 1 :]
    # A typo in the date may make it impossible, which is reported first; otherwise the check
    # character must catch it (11 is prime and no weight is 0 mod 11).
    assert check_resident_id(typo) in (IdResult.BAD_CHECK, IdResult.BAD_BIRTH_DATE)


# --- Masking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("120101199003071234", "120101********1234"),
        ("11010519491231002X", "110105********002X"),
        ("11010519491231002x", "110105********002x"),
        ("120101900307123", "120101******123"),
        ("E12345678", "****5678"),  # passport: length hidden
        ("G1234567890123", "****0123"),
        ("12345", "****2345"),
        ("1234", "****"),
        ("12", "****"),
        ("", "****"),
        ("12010119900307123Y", "****123Y"),  # 18 characters but not an ID: reveal only 4
        ("12010119900307123", "****7123"),  # 17 characters
    ],
)
def test_mask_resident_id(number: str, masked: str) -> None:
    assert mask_resident_id(number) == masked


@given(resident_ids())
def test_masked_id_never_shows_the_birth_date(id_and_birth: tuple[str, date]) -> None:
    number, born = id_and_birth
    masked = mask_resident_id(number)
    assert masked[6:14] == "*" * 8
    assert born.strftime("%Y%m%d") not in masked
    assert born.strftime("%y%m%d") not in masked  # no 6-digit run can hold YYMMDD either
    assert masked[:6] == number[:6] and masked[14:] == number[14:]


@given(divisions, birth_dates.filter(lambda d: d.year < 2000), sequences)
def test_masked_old_id_never_shows_the_birth_date(division: str, born: date, seq: str) -> None:
    number = division + born.strftime("%y%m%d") + seq
    masked = mask_resident_id(number)
    assert masked == division + "******" + seq
    assert born.strftime("%y%m%d") not in masked


@given(st.text())
def test_masking_reveals_at_most_a_short_tail(text: str) -> None:
    masked = mask_resident_id(text)
    if re.fullmatch(r"[0-9]{17}[0-9Xx]|[0-9]{15}", text):
        assert masked[6:-4].strip("*") == "" and len(masked) == len(text)
    else:
        assert masked[:4] == "****" and len(masked) in (4, 8)
        assert masked[4:] == (text[-4:] if len(text) > 4 else "")


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小明", "王**"),
        ("李四", "李**"),
        ("张", "张**"),
        ("欧阳修", "欧阳**"),
        ("司马光", "司马**"),
        ("诸葛亮", "诸葛**"),
        ("上官婉儿", "上官**"),
        ("欧阳", "欧**"),  # two characters: read as surname 欧 + given name 阳
        ("阿依古丽·买买提", "阿**"),
        ("John Smith", "J**"),
        ("émile Zola", "é**"),
        ("  李四 ", "李**"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_person_name(name: str, masked: str) -> None:
    assert mask_person_name(name) == masked


@pytest.mark.parametrize("surname", sorted(COMPOUND_SURNAMES))
def test_every_compound_surname_is_kept_whole(surname: str) -> None:
    assert mask_person_name(surname + "明") == surname + "**"


def test_compound_surname_list_is_complete() -> None:
    # The surnames the portal's masking rule names explicitly.
    expected = {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
        "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延",
    }  # fmt: skip
    assert expected == COMPOUND_SURNAMES
