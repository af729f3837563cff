"""Typed reading of located YAML mappings: each getter reports a problem with its location."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from generator.diagnostics import Diagnostics, Location
from generator.model import LangText
from generator.yamlio import YList, YMap


class Reader:
    """Reads the keys of one mapping, reporting under a code prefix such as `catalogue.item`."""

    def __init__(self, mapping: YMap, prefix: str, diags: Diagnostics) -> None:
        self.m = mapping
        self.prefix = prefix
        self.diags = diags

    def error(self, code: str, message: str, key: str | None = None) -> None:
        self.diags.error(f"{self.prefix}.{code}", message, self.m.loc(key))

    def warning(self, code: str, message: str, key: str | None = None) -> None:
        self.diags.warning(f"{self.prefix}.{code}", message, self.m.loc(key))

    def loc(self, key: str | None = None) -> Location:
        return self.m.loc(key)

    def unknown_keys(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in self.m:
            if key not in allowed:
                hint = _closest(key, allowed)
                self.diags.error(
                    f"{self.prefix}.unknown-key",
                    f"unknown key {key!r}" + (f"; did you mean {hint!r}?" if hint else ""),
                    self.m.loc(key, value=False),
                )

    def _present(self, key: str, required: bool) -> bool:
        value = self.m.get(key)
        # A blank text counts as missing: `title: {zh-CN: ""}` must not drop a page silently.
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                # At the blank value if there is one, else at the mapping that lacks the key.
                self.error("missing-key", f"required key {key!r} is missing or empty", key)
            return False
        return True

    def string(self, key: str, *, required: bool = True, default: str = "") -> str:
        if not self._present(key, required):
            return default
        value = self.m[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error("wrong-type", f"{key!r} must be a text, not {_kind(value)}", key)
            return default
        return str(value)

    def choice(self, key: str, choices: Iterable[str], *, required: bool = True) -> str:
        choices = tuple(choices)
        value = self.string(key, required=required)
        if value and value not in choices:
            self.error(
                "invalid-value",
                f"{key!r} is {value!r}; expected one of: {', '.join(choices)}",
                key,
            )
            return ""
        return value

    def integer(self, key: str, *, required: bool = True, default: int | None = None) -> int | None:
        if not self._present(key, required):
            return default
        value = self.m[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error("wrong-type", f"{key!r} must be a whole number, not {_kind(value)}", key)
            return default
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        if not self._present(key, False):
            return default
        value = self.m[key]
        if not isinstance(value, bool):
            self.error("wrong-type", f"{key!r} must be true or false, not {_kind(value)}", key)
            return default
        return value

    def date(self, key: str, *, required: bool = True) -> dt.date | None:
        if not self._present(key, required):
            return None
        value = self.m[key]
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error("invalid-date", f"{key!r} must be a date written YYYY-MM-DD, not {value!r}", key)
        return None

    def text(self, key: str, *, required: bool = True, need_en: bool = False) -> LangText | None:
        """A bilingual text: a mapping {zh-CN: ..., en: ...}, or a plain string (zh-CN only)."""
        if not self._present(key, required):
            return None
        return lang_text(self.m[key], self.m.loc(key), f"{self.prefix}", self.diags, key, need_en)

    def mapping(self, key: str, *, required: bool = True) -> YMap | None:
        if not self._present(key, required):
            return None
        value = self.m[key]
        if not isinstance(value, YMap):
            self.error("wrong-type", f"{key!r} must be a mapping, not {_kind(value)}", key)
            return None
        return value

    def sequence(self, key: str, *, required: bool = True) -> YList | None:
        if not self._present(key, required):
            return None
        value = self.m[key]
        if not isinstance(value, YList):
            self.error("wrong-type", f"{key!r} must be a list, not {_kind(value)}", key)
            return None
        return value

    def strings(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        items = self.sequence(key, required=required)
        if items is None:
            return ()
        out = []
        for i, value in enumerate(items):
            if isinstance(value, str | int) and not isinstance(value, bool):
                out.append(str(value))
            else:
                self.diags.error(
                    f"{self.prefix}.wrong-type",
                    f"items of {key!r} must be texts, not {_kind(value)}",
                    items.loc(i),
                )
        return tuple(out)


def lang_text(
    value: Any, loc: Location, prefix: str, diags: Diagnostics, key: str, need_en: bool = False
) -> LangText | None:
    if isinstance(value, str):
        if need_en:
            diags.error(f"{prefix}.missing-translation", f"{key!r} needs an 'en' text", loc)
        return LangText(value)
    if not isinstance(value, YMap):
        diags.error(
            f"{prefix}.wrong-type",
            f"{key!r} must be a text or a mapping of languages (zh-CN, en), not {_kind(value)}",
            loc,
        )
        return None
    reader = Reader(value, prefix, diags)
    reader.unknown_keys(("zh-CN", "en"))
    zh = reader.string("zh-CN")
    en = reader.string("en", required=need_en) or None
    return LangText(zh, en) if zh else None


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    return f"{type(value).__name__}"


def _closest(key: str, allowed: Iterable[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
    return matches[0] if matches else None
