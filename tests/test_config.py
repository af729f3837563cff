"""config: site.yaml is typed and checked; unknown keys and bad values are reported where they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.config import DEFAULT_TIERS, SiteConfig, Tier, load_config
from generator.diagnostics import Diagnostics
from generator.model import LangText
from tests.conftest import make_project

VALID = """\
name:
  zh-CN: 信用天津
  en: Credit Tianjin
base_url: https://credit.example.org/portal
time_zone: Asia/Shanghai
languages: [zh-CN, en]
publisher:
  zh-CN: 天津市公共信用中心
  en: Tianjin Public Credit Center
licence:
  name: CC-BY-4.0
  url: https://creativecommons.org/licenses/by/4.0/
contact_email: credit@example.org
"""


def load(tmp_path: Path, text: str) -> tuple[SiteConfig | None, list[tuple[str, int | None, str]]]:
    root = make_project(tmp_path, {"site.yaml": text})
    diags = Diagnostics()
    config = load_config(root, diags)
    return config, [(d.location.path, d.location.line, d.code) for d in diags.sorted()]


def test_valid_config(tmp_path: Path) -> None:
    config, problems = load(tmp_path, VALID)
    assert problems == []
    assert config is not None
    assert config.name == LangText("信用天津", "Credit Tianjin")
    assert config.base_url == "https://credit.example.org/portal/"  # a trailing slash is added
    assert config.base_path == "/portal/"
    assert config.time_zone == "Asia/Shanghai"
    assert config.languages == ("zh-CN", "en")
    assert config.licence_name == "CC-BY-4.0"
    assert config.contact_email == "credit@example.org"
    assert config.as_of is None
    assert config.policy.tiers == DEFAULT_TIERS


def test_the_repository_site_yaml_is_valid(tmp_path: Path) -> None:
    root = make_project(tmp_path, {}, with_sample=True)
    diags = Diagnostics()
    config = load_config(root, diags)
    assert list(diags) == []
    assert config is not None and config.as_of == dt.date(2026, 11, 30)


def test_defaults_when_optional_keys_are_left_out(tmp_path: Path) -> None:
    text = VALID.replace("time_zone: Asia/Shanghai\n", "").replace("languages: [zh-CN, en]\n", "")
    config, problems = load(tmp_path, text)
    assert problems == []
    assert config is not None
    assert config.time_zone == "Asia/Shanghai"
    assert config.languages == ("zh-CN", "en")


def test_unknown_key_is_an_error_at_its_line_with_a_hint(tmp_path: Path) -> None:
    config, problems = load(tmp_path, VALID + "base_ulr: https://x.org/\n")
    assert config is None
    assert problems == [("site.yaml", 14, "config.unknown-key")]


def test_unknown_key_inside_a_section(tmp_path: Path) -> None:
    text = VALID.replace("  name: CC-BY-4.0\n", "  name: CC-BY-4.0\n  version: 4\n")
    config, problems = load(tmp_path, text)
    assert config is None
    assert problems == [("site.yaml", 12, "config.licence.unknown-key")]


@pytest.mark.parametrize(
    "base_url",
    ["credit.example.org", "ftp://credit.example.org/", "https://", "/portal/"],
)
def test_bad_base_url(tmp_path: Path, base_url: str) -> None:
    config, problems = load(tmp_path, VALID.replace("https://credit.example.org/portal", base_url))
    assert config is None
    assert problems == [("site.yaml", 4, "config.invalid-value")]


def test_bad_time_zone(tmp_path: Path) -> None:
    config, problems = load(tmp_path, VALID.replace("Asia/Shanghai", "Asia/Tianjin"))
    assert config is None
    assert problems == [("site.yaml", 5, "config.invalid-value")]


def test_languages_must_be_zh_cn_then_en(tmp_path: Path) -> None:
    config, problems = load(tmp_path, VALID.replace("[zh-CN, en]", "[en, zh-CN]"))
    assert config is None
    assert problems == [("site.yaml", 6, "config.invalid-value")]


def test_name_needs_both_languages(tmp_path: Path) -> None:
    text = VALID.replace("name:\n  zh-CN: 信用天津\n  en: Credit Tianjin\n", "name: 信用天津\n")
    config, problems = load(tmp_path, text)
    assert config is None
    assert problems == [("site.yaml", 1, "config.missing-translation")]


def test_missing_required_keys(tmp_path: Path) -> None:
    config, problems = load(tmp_path, "name: {zh-CN: 信用天津, en: Credit Tianjin}\n")
    assert config is None
    assert {code for _, _, code in problems} == {"config.missing-key"}
    assert len(problems) == 4  # base_url, publisher, licence, contact_email


def test_all_problems_are_reported_in_one_run(tmp_path: Path) -> None:
    text = (
        VALID.replace("Asia/Shanghai", "Mars/Olympus").replace(
            "https://credit.example.org/portal", "nope"
        )
        + "extra: 1\n"
    )
    config, problems = load(tmp_path, text)
    assert config is None
    assert problems == [
        ("site.yaml", 4, "config.invalid-value"),
        ("site.yaml", 5, "config.invalid-value"),
        ("site.yaml", 14, "config.unknown-key"),
    ]


def test_missing_or_malformed_site_yaml(tmp_path: Path) -> None:
    diags = Diagnostics()
    assert load_config(tmp_path, diags) is None
    assert [(d.location.path, d.code) for d in diags] == [("site.yaml", "config.missing")]

    config, problems = load(tmp_path, "- a list\n")
    assert config is None
    assert problems == [("site.yaml", 1, "config.wrong-type")]

    config, problems = load(tmp_path, "name: [\n")
    assert config is None
    assert problems == [("site.yaml", 2, "yaml.syntax")]


def test_publication_tiers(tmp_path: Path) -> None:
    text = VALID + (
        "publication:\n"
        "  publicity_start: publication_date\n"
        "  natural_person_penalties: publish_masked\n"
        "  shrink_threshold: 0.5\n"
        "  page_size: 20\n"
        "  tiers:\n"
        "    minor: {published: false}\n"
        "    general: {published: true, min_months: 6, max_months: 12}\n"
    )
    config, problems = load(tmp_path, text)
    assert problems == []
    assert config is not None
    policy = config.policy
    assert policy.tiers == {
        "minor": Tier(published=False),
        "general": Tier(True, 6, 12),
        "serious": DEFAULT_TIERS["serious"],  # not given: the national default
    }
    assert policy.publicity_start == "publication_date"
    assert policy.natural_person_penalties == "publish_masked"
    assert policy.shrink_threshold == 0.5
    assert policy.page_size == 20


def test_publication_problems(tmp_path: Path) -> None:
    text = VALID + (
        "publication:\n"  # line 14
        "  publicity_start: whenever\n"
        "  shrink_threshold: 2\n"
        "  tiers:\n"
        "    general: {published: true, min_months: 13, max_months: 12}\n"
        "    serious: {published: true, min_months: 12}\n"
        "    fatal: {published: true}\n"
        "  colour: red\n"
    )
    config, problems = load(tmp_path, text)
    assert config is None
    assert problems == [
        ("site.yaml", 15, "config.publication.invalid-value"),
        ("site.yaml", 16, "config.publication.invalid-value"),
        ("site.yaml", 18, "config.publication.tiers.invalid-value"),
        ("site.yaml", 19, "config.publication.tiers.missing-key"),  # and no follow-on error
        ("site.yaml", 20, "config.publication.tiers.unknown-key"),
        ("site.yaml", 21, "config.publication.unknown-key"),
    ]


def test_as_of_in_site_yaml(tmp_path: Path) -> None:
    config, problems = load(tmp_path, VALID + "as_of: 2026-11-30\n")
    assert problems == []
    assert config is not None and config.as_of == dt.date(2026, 11, 30)
    config, problems = load(tmp_path, VALID + "as_of: 30 November\n")
    assert config is None
    assert problems == [("site.yaml", 14, "config.invalid-date")]


@pytest.mark.parametrize(
    ("zone", "now", "today"),
    [
        # 17:00 UTC is already 01:00 the next day in Shanghai (UTC+8).
        ("Asia/Shanghai", dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC), dt.date(2026, 12, 1)),
        ("Asia/Shanghai", dt.datetime(2026, 11, 30, 15, 59, tzinfo=dt.UTC), dt.date(2026, 11, 30)),
        ("UTC", dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC), dt.date(2026, 11, 30)),
        # The moment's own zone does not matter, only the site's.
        (
            "Asia/Shanghai",
            dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            dt.date(2026, 12, 1),
        ),
    ],
)
def test_today_is_the_date_in_the_site_time_zone(
    tmp_path: Path, zone: str, now: dt.datetime, today: dt.date
) -> None:
    config, problems = load(tmp_path, VALID.replace("Asia/Shanghai", zone))
    assert problems == [] and config is not None
    assert config.today(now) == today


def test_as_of_defaults_to_today_in_asia_shanghai(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --as-of and no as_of in site.yaml: the build asks config for today in the site's zone."""
    root = make_project(tmp_path, {"site.yaml": VALID.replace("time_zone: Asia/Shanghai\n", "")})
    asked: list[str] = []
    real_today = SiteConfig.today

    def fake_today(self: SiteConfig, now: dt.datetime | None = None) -> dt.date:
        asked.append(self.time_zone)
        return real_today(self, dt.datetime(2030, 6, 30, 16, 30, tzinfo=dt.UTC))

    monkeypatch.setattr(SiteConfig, "today", fake_today)
    result = build(BuildOptions(root=root, out=None))
    assert result.ok, result.diagnostics
    assert asked == ["Asia/Shanghai"]
    assert result.as_of == dt.date(2030, 7, 1)

    # An explicit --as-of, or as_of in site.yaml, wins and the clock is not asked.
    asked.clear()
    result = build(BuildOptions(root=root, out=None, as_of=dt.date(2026, 1, 2)))
    assert (result.as_of, asked) == (dt.date(2026, 1, 2), [])
    (root / "site.yaml").write_text(VALID + "as_of: 2026-11-30\n", encoding="utf-8")
    result = build(BuildOptions(root=root, out=None))
    assert (result.as_of, asked) == (dt.date(2026, 11, 30), [])
