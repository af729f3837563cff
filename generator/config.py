"""`site.yaml`: the site's identity and publication policy, typed and checked (unknown keys included)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.diagnostics import Diagnostics, Location
from generator.fields import Reader
from generator.model import LANGS, LangText
from generator.yamlio import YMap, load_yaml_file

CONFIG_FILE = "site.yaml"


@dataclass(frozen=True)
class Tier:
    """A publicity tier; `published=False` means records of this tier are not published at all."""

    published: bool
    min_months: int = 0
    max_months: int = 0


DEFAULT_TIERS: dict[str, Tier] = {
    # National rules in force 2026 (DOMAIN.md, "Publicity periods"); settings, not constants.
    "minor": Tier(published=False),
    "general": Tier(published=True, min_months=3, max_months=12),
    "serious": Tier(published=True, min_months=12, max_months=36),
}


@dataclass(frozen=True)
class PublicationPolicy:
    tiers: dict[str, Tier] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    # "Penalties against natural persons are, in principle, not displayed" (DOMAIN.md).
    natural_person_penalties: str = "withhold"  # withhold | publish_masked
    # Some drafts count the period from publication instead of the decision date: keep it a setting.
    publicity_start: str = "decision_date"  # decision_date | publication_date
    # Share of a provider's previously published records that may vanish without withdrawals.
    shrink_threshold: float = 0.2
    page_size: int = 50


@dataclass(frozen=True)
class SiteConfig:
    name: LangText
    base_url: str
    time_zone: str
    languages: tuple[str, ...]
    publisher: LangText
    licence_name: str
    licence_url: str
    contact_email: str
    as_of: dt.date | None = None
    policy: PublicationPolicy = field(default_factory=PublicationPolicy)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, always ending in '/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """Today in the site's time zone; `now` (timezone-aware) replaces the clock in tests."""
        moment = now if now is not None else dt.datetime.now(dt.UTC)
        return moment.astimezone(ZoneInfo(self.time_zone)).date()


TOP_KEYS = (
    "name",
    "base_url",
    "time_zone",
    "languages",
    "publisher",
    "licence",
    "contact_email",
    "as_of",
    "publication",
)


def load_config(root: Path, diags: Diagnostics) -> SiteConfig | None:
    path = root / CONFIG_FILE
    if not path.is_file():
        diags.error(
            "config.missing",
            f"no {CONFIG_FILE} here; run the command in a credit-portal project folder",
            Location(CONFIG_FILE),
        )
        return None
    data = load_yaml_file(path, CONFIG_FILE, diags)
    if data is None:
        return None
    if not isinstance(data, YMap):
        diags.error(
            "config.wrong-type",
            "site.yaml must be a mapping of settings",
            Location(CONFIG_FILE, 1, 1),
        )
        return None
    r = Reader(data, "config", diags)
    r.unknown_keys(TOP_KEYS)
    name = r.text("name", need_en=True)
    base_url = r.string("base_url")
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            r.error(
                "invalid-value",
                f"base_url must be an absolute http(s) URL, not {base_url!r}",
                "base_url",
            )
        elif not base_url.endswith("/"):
            base_url += "/"
    time_zone = r.string("time_zone", required=False, default="Asia/Shanghai")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        r.error("invalid-value", f"unknown time zone {time_zone!r}", "time_zone")
        time_zone = "Asia/Shanghai"
    languages = r.strings("languages", required=False) or LANGS
    if tuple(languages) != LANGS:
        r.error("invalid-value", f"languages must be {list(LANGS)} (zh-CN first)", "languages")
    publisher = r.text("publisher", need_en=True)
    licence_name, licence_url = "", ""
    licence = r.mapping("licence")
    if licence is not None:
        lr = Reader(licence, "config.licence", diags)
        lr.unknown_keys(("name", "url"))
        licence_name, licence_url = lr.string("name"), lr.string("url")
    contact_email = r.string("contact_email")
    as_of = r.date("as_of", required=False)
    policy_map = r.mapping("publication", required=False)
    policy = _policy(policy_map, diags) if policy_map is not None else PublicationPolicy()
    if name is None or publisher is None or diags.has_errors():
        return None
    return SiteConfig(
        name=name,
        base_url=base_url,
        time_zone=time_zone,
        languages=LANGS,
        publisher=publisher,
        licence_name=licence_name,
        licence_url=licence_url,
        contact_email=contact_email,
        as_of=as_of,
        policy=policy,
    )


def _policy(m: YMap, diags: Diagnostics) -> PublicationPolicy:
    r = Reader(m, "config.publication", diags)
    r.unknown_keys(
        ("tiers", "natural_person_penalties", "publicity_start", "shrink_threshold", "page_size")
    )
    tiers = dict(DEFAULT_TIERS)
    tiers_map = r.mapping("tiers", required=False)
    if tiers_map is not None:
        tr = Reader(tiers_map, "config.publication.tiers", diags)
        tr.unknown_keys(DEFAULT_TIERS)
        for tier_name in DEFAULT_TIERS:
            tm = tr.mapping(tier_name, required=False)
            if tm is None:
                continue
            t = Reader(tm, "config.publication.tiers", diags)
            t.unknown_keys(("published", "min_months", "max_months"))
            published = t.boolean("published", default=True)
            lo = t.integer("min_months", required=published)
            hi = t.integer("max_months", required=published)
            # Compare only values that were read: a missing one is already reported.
            if published and lo is not None and hi is not None and not 0 <= lo <= hi:
                t.error("invalid-value", "need 0 <= min_months <= max_months", "max_months")
            tiers[tier_name] = Tier(published, lo or 0, hi or 0)
    natural = r.choice("natural_person_penalties", ("withhold", "publish_masked"), required=False)
    start = r.choice("publicity_start", ("decision_date", "publication_date"), required=False)
    shrink = PublicationPolicy.shrink_threshold
    if "shrink_threshold" in m:
        value = m["shrink_threshold"]
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
            shrink = float(value)
        else:
            r.error(
                "invalid-value",
                "shrink_threshold must be a share between 0 and 1",
                "shrink_threshold",
            )
    page_size = r.integer("page_size", required=False, default=50) or 50
    return PublicationPolicy(
        tiers=tiers,
        natural_person_penalties=natural or "withhold",
        publicity_start=start or "decision_date",
        shrink_threshold=shrink,
        page_size=page_size,
    )
