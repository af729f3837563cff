"""i18n: the message catalogues, every one of templates/i18n/*.yaml, agree across both languages."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from generator.i18n import Messages, _flatten, load_messages
from generator.model import LANGS
from tests.conftest import REPO

I18N = REPO / "templates" / "i18n"
TEMPLATES = REPO / "templates"


def catalogue_files() -> list[Path]:
    return sorted(I18N.glob("*.yaml"))


def stem_and_lang(path: Path) -> tuple[str, str]:
    """`zh-CN.yaml` -> ("", "zh-CN"); `catalogue.en.yaml` -> ("catalogue", "en")."""
    for lang in LANGS:
        if path.name == f"{lang}.yaml":
            return "", lang
        if path.name.endswith(f".{lang}.yaml"):
            return path.name[: -len(f".{lang}.yaml")], lang
    raise AssertionError(f"{path.name}: not named <lang>.yaml or <section>.<lang>.yaml")


def flat(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    assert isinstance(data, dict), f"{path.name} must be a mapping"
    return _flatten(data)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_catalogue_file_is_named_for_one_of_the_languages() -> None:
    assert catalogue_files(), "no message catalogues found"
    for path in catalogue_files():
        stem_and_lang(path)


@pytest.mark.parametrize("path", catalogue_files(), ids=lambda p: p.name)
def test_every_file_has_its_other_language_with_the_same_keys(path: Path) -> None:
    stem, lang = stem_and_lang(path)
    for other in LANGS:
        if other == lang:
            continue
        sibling = I18N / (f"{stem}.{other}.yaml" if stem else f"{other}.yaml")
        assert sibling.is_file(), f"{path.name} has no {sibling.name}"
        mine, theirs = flat(path), flat(sibling)
        assert sorted(mine.keys() - theirs.keys()) == [], f"missing from {sibling.name}"
        assert sorted(theirs.keys() - mine.keys()) == [], f"missing from {path.name}"
        for key in mine:
            assert placeholders(mine[key]) == placeholders(theirs[key]), (
                f"{key}: {{placeholders}} differ between {path.name} and {sibling.name}"
            )


@pytest.mark.parametrize("path", catalogue_files(), ids=lambda p: p.name)
def test_values_are_non_empty_texts(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def walk(tree: dict[str, object], prefix: str) -> None:
        for key, value in tree.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                assert isinstance(value, str), f"{prefix}{key} is {value!r}, not a text"
                assert value.strip(), f"{prefix}{key} is empty"

    walk(data, "")


@pytest.mark.parametrize("path", catalogue_files(), ids=lambda p: p.name)
def test_section_keys_are_namespaced_by_the_section(path: Path) -> None:
    stem, _ = stem_and_lang(path)
    if not stem:
        return
    outside = [key for key in flat(path) if not key.startswith(f"{stem}.")]
    assert outside == [], f"{path.name} defines keys outside {stem}.*"


def test_merged_catalogues_have_the_same_keys() -> None:
    messages = load_messages(I18N)
    zh, en = (set(messages.catalogues[lang]) for lang in LANGS)
    assert sorted(zh - en) == [] and sorted(en - zh) == []
    assert messages.get("zh-CN", "site.skip_link") == "跳到正文"
    assert messages.get("en", "site.skip_link") == "Skip to main content"


# A literal key only: `t('a.b')` or `t('a.b', n=1)`, not a computed `t('a.' ~ kind)`.
T_CALL = re.compile(r"""\bt\(\s*(['"])([\w.-]+)\1\s*[,)]""")


def test_every_key_a_template_uses_exists_in_both_languages() -> None:
    messages = load_messages(I18N)
    used: dict[str, str] = {}
    for template in sorted(TEMPLATES.rglob("*")):
        if template.suffix in (".html", ".xml", ".txt", ".json") and template.is_file():
            for match in T_CALL.finditer(template.read_text(encoding="utf-8")):
                used.setdefault(match.group(2), template.relative_to(REPO).as_posix())
    assert "site.skip_link" in used  # the pattern finds what it should
    missing = {
        f"{key} (used in {where})": [lang for lang in LANGS if key not in messages.catalogues[lang]]
        for key, where in sorted(used.items())
        if any(key not in messages.catalogues[lang] for lang in LANGS)
    }
    assert missing == {}


def test_placeholders_are_filled() -> None:
    messages = load_messages(I18N)
    assert messages.get("en", "site.data_as_of", date="2026-11-30") == "Data as of 2026-11-30"
    assert (
        messages.get("zh-CN", "site.data_as_of", date="2026年11月30日") == "数据截至 2026年11月30日"
    )


def test_a_missing_key_fails_loudly() -> None:
    messages = Messages({"zh-CN": {}, "en": {}})
    with pytest.raises(KeyError, match="'nope' is missing from the en catalogue"):
        messages.get("en", "nope")


def test_section_files_merge_and_a_clash_is_refused(tmp_path: Path) -> None:
    for lang in LANGS:
        (tmp_path / f"{lang}.yaml").write_text("site:\n  home: H\n", encoding="utf-8")
        (tmp_path / f"demo.{lang}.yaml").write_text("demo:\n  title: T\n", encoding="utf-8")
    messages = load_messages(tmp_path)
    assert messages.catalogues["en"] == {"site.home": "H", "demo.title": "T"}

    (tmp_path / "clash.en.yaml").write_text("site:\n  home: again\n", encoding="utf-8")
    with pytest.raises(
        ValueError, match=r"clash\.en\.yaml: message keys defined twice: \['site.home'\]"
    ):
        load_messages(tmp_path)
