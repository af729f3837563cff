"""Checks and masking for the identifiers that appear in credit lists.

Covers the unified social credit code (GB 32100-2015), the organisation code it embeds
(GB 11714-1997) and the resident ID number (GB 11643-1999), plus the masking the portal
applies before a natural person's data is published.

Everything here is pure: strings in, values out. Turning a result into a `Diagnostic`
(and deciding between error and warning) is the caller's job.
"""

from __future__ import annotations

import enum
import re
from datetime import date

__all__ = [
    "COMPOUND_SURNAMES",
    "USCC_ALPHABET",
    "IdResult",
    "UsccResult",
    "check_org_code",
    "check_resident_id",
    "check_uscc",
    "mask_person_name",
    "mask_resident_id",
    "org_code_check_char",
    "resident_id_check_char",
    "uscc_check_char",
    "uscc_format_problem",
    "uscc_org_code",
]

# --- Unified social credit code (GB 32100-2015) -------------------------------------------

# I, O, S, V and Z are left out by the standard because they are easily confused with 1, 0,
# 5, U and 2. A character's value is its index here.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_LENGTH = 18
# Well-formed at a glance: checked on every row of every list, where nearly all codes are.
_USCC_WELL_FORMED = re.compile(f"[{USCC_ALPHABET}]{{{_USCC_LENGTH}}}")
_USCC_FIRST17 = re.compile(f"[{USCC_ALPHABET}]{{{len(_USCC_WEIGHTS)}}}")


class UsccResult(enum.Enum):
    """Outcome of `check_uscc`."""

    VALID = "valid"
    # Wrong length, a character outside USCC_ALPHABET, or lower case.
    BAD_FORMAT = "bad-format"
    # Well-formed but the 18th character does not match. Some early pilot codes fail the
    # check yet are real, so callers should warn rather than reject.
    BAD_CHECK = "bad-check"


def uscc_check_char(first17: str) -> str:
    """Return the check character for the first 17 characters of a USCC (GB 32100-2015, 5.4).

    Raises ValueError if `first17` is not 17 characters of `USCC_ALPHABET`; that is a bug in
    the caller, who should have used `check_uscc` on untrusted input.
    """
    if not _USCC_FIRST17.fullmatch(first17):
        raise ValueError(f"expected 17 characters of {USCC_ALPHABET!r}, got {first17!r}")
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    # The outer `% 31` maps a remainder of 0 to check value 0 rather than to 31.
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_format_problem(code: str) -> str | None:
    """Explain why `code` is not a well-formed USCC (GB 32100-2015), or return None if it is.

    Only the shape is judged here; the check character is `check_uscc`'s business.
    """
    if _USCC_WELL_FORMED.fullmatch(code):
        return None
    if len(code) != _USCC_LENGTH:
        return f"a unified social credit code has 18 characters, this one has {len(code)}"
    bad = sorted({c for c in code if c not in _USCC_VALUES})
    if not bad:
        return None
    if all(c.isascii() and c.upper() in _USCC_VALUES for c in bad):
        # Lower case is refused rather than silently fixed: the published list must carry the
        # code exactly as registered, so the source data is what should be corrected.
        return "unified social credit codes are written in upper case"
    listed = ", ".join(repr(c) for c in bad)
    return (
        f"{listed} not allowed in a unified social credit code "
        f"(only {USCC_ALPHABET}; I, O, S, V and Z are never used)"
    )


def check_uscc(code: str) -> UsccResult:
    """Check a unified social credit code against GB 32100-2015.

    Letters are allowed anywhere, including the registration authority, entity type and
    division positions: codes beginning with A, N or Y are real.
    """
    if uscc_format_problem(code) is not None:
        return UsccResult.BAD_FORMAT
    if uscc_check_char(code[:17]) != code[17]:
        return UsccResult.BAD_CHECK
    return UsccResult.VALID


def uscc_org_code(code: str) -> str:
    """Return the 9-character organisation code embedded at positions 9-17 of a USCC.

    GB 32100-2015, 4.1: authority (1) + entity type (1) + division (6) + organisation code (9)
    + check (1). Raises ValueError if `code` is not a well-formed USCC.
    """
    problem = uscc_format_problem(code)
    if problem is not None:
        raise ValueError(f"{code!r}: {problem}")
    return code[8:17]


# --- Organisation code (GB 11714-1997) ----------------------------------------------------

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Digits are worth their value and letters A=10 ... Z=35. Listing the ASCII characters keeps
# full-width and other Unicode digits, which str.isdigit() accepts, out.
_ORG_CODE_VALUES = {char: value for value, char in enumerate(_DIGITS + _UPPER)}


def org_code_check_char(first8: str) -> str:
    """Return the check character for the 8-character body of an organisation code (GB 11714).

    Raises ValueError if `first8` is not 8 digits or upper-case letters.
    """
    if len(first8) != len(_ORG_CODE_WEIGHTS) or any(c not in _ORG_CODE_VALUES for c in first8):
        raise ValueError(f"expected 8 digits or upper-case letters, got {first8!r}")
    total = sum(_ORG_CODE_VALUES[c] * w for c, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    # The check value runs 1..11; 10 and 11 do not fit one digit, hence X and 0.
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def check_org_code(code: str) -> bool:
    """Return whether `code` is a valid organisation code (GB 11714-1997).

    Accepts both `123456789` and the printed form `12345678-9`.
    """
    if len(code) == 10 and code[8] == "-":
        code = code[:8] + code[9]
    if len(code) != 9 or any(c not in _ORG_CODE_VALUES for c in code[:8]):
        return False
    return org_code_check_char(code[:8]) == code[8]


# --- Resident ID number (GB 11643-1999) ---------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Indexed by the weighted sum mod 11 (GB 11643-1999, 7.2, ISO 7064 MOD 11-2).
_ID_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)


class IdResult(enum.Enum):
    """Outcome of `check_resident_id`."""

    VALID = "valid"
    # Neither 18 characters (17 digits + digit or X) nor 15 digits.
    BAD_FORMAT = "bad-format"
    BAD_CHECK = "bad-check"
    # Not a calendar date, before 1900-01-01, or after `today` when given.
    BAD_BIRTH_DATE = "bad-birth-date"


def _all_digits(text: str) -> bool:
    # str.isdigit() would also accept full-width and superscript digits.
    return all(c in _DIGITS for c in text)


def resident_id_check_char(first17: str) -> str:
    """Return the check character for the first 17 digits of a resident ID (GB 11643-1999).

    Raises ValueError if `first17` is not 17 ASCII digits.
    """
    if len(first17) != len(_ID_WEIGHTS) or not _all_digits(first17):
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _birth_date_ok(year: int, month: int, day: int, today: date | None) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:  # 30 February, month 13 and the like
        return False
    return born >= _EARLIEST_BIRTH and (today is None or born <= today)


def check_resident_id(number: str, today: date | None = None) -> IdResult:
    """Check a resident ID number against GB 11643-1999 (18 characters) or its 15-digit forerunner.

    The check character may be written `x` as well as `X`. Pass `today` to also refuse birth
    dates in the future. A number with an impossible birth date is reported as BAD_BIRTH_DATE
    even if its check character is also wrong: it cannot belong to anyone either way.
    """
    if len(number) == 18:
        body, check = number[:17], number[17].upper()
        if not _all_digits(body) or check not in _ID_CHECK_CHARS:
            return IdResult.BAD_FORMAT
        if not _birth_date_ok(int(body[6:10]), int(body[10:12]), int(body[12:14]), today):
            return IdResult.BAD_BIRTH_DATE
        if resident_id_check_char(body) != check:
            return IdResult.BAD_CHECK
        return IdResult.VALID
    if len(number) == 15:
        # GB 11643-1989 numbers: division (6) + YYMMDD (19YY) + sequence (3), no check char.
        if not _all_digits(number):
            return IdResult.BAD_FORMAT
        year = 1900 + int(number[6:8])
        if not _birth_date_ok(year, int(number[8:10]), int(number[10:12]), today):
            return IdResult.BAD_BIRTH_DATE
        return IdResult.VALID
    return IdResult.BAD_FORMAT


# --- Masking ------------------------------------------------------------------------------


def _looks_like_resident_id(number: str) -> bool:
    if len(number) == 18:
        return _all_digits(number[:17]) and number[17] in _DIGITS + "Xx"
    return len(number) == 15 and _all_digits(number)


def mask_resident_id(number: str) -> str:
    """Hide the birth date of a resident ID number: `120101********1234`.

    The division code and the last four characters stay visible so that a person can still
    recognise their own entry. 15-digit numbers become first 6 + `******` + last 3. Anything
    else (passports, garbled input) becomes `****` + its last 4 characters, so that neither its
    length nor the rest of it leaks; four characters or fewer become just `****`.
    """
    if _looks_like_resident_id(number):
        if len(number) == 18:
            return number[:6] + "*" * 8 + number[14:]
        return number[:6] + "*" * 6 + number[12:]
    if len(number) > 4:
        return "****" + number[-4:]
    # Showing the "last 4" of a short string would show all of it.
    return "****"


# Two-character surnames, so that 欧阳修 becomes 欧阳** and not 欧**.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
        "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延",
    }
)  # fmt: skip


def mask_person_name(name: str) -> str:
    """Show only the surname of an individual commenter: 王** or 欧阳**.

    Latin-script names keep their first letter (`J**`). Surrounding whitespace is ignored
    and an empty name stays empty.
    """
    name = name.strip()
    if not name:
        return ""
    # A two-character name that happens to equal a compound surname (欧阳) is more likely
    # surname 欧 + given name 阳, and keeping one character reveals less either way.
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2] + "**"
    return name[0] + "**"
