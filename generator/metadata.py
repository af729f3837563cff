"""Dataset metadata for harvesters: schema.org JSON-LD in pages, DCAT-AP and DCAT-US catalogues.

A dataset is a page with downloads beside it: every catalogue edition, and every published list.
`collect()` describes each once, as a language-neutral `Dataset`, from the catalogue, the lists'
decision and the site's settings. Three renderings follow from it, so they never disagree:

- `Metadata.page_jsonld(route, lang)`: the schema.org `Dataset` for a dataset page's head (what
  Google Dataset Search reads), in the page's language;
- `catalog.jsonld`: a DCAT-AP catalogue of every dataset, in both languages;
- `data.json`: the same catalogue as Project Open Data (DCAT-US 1.1), which CKAN and data.gov harvest.

Identifiers are the datasets' Chinese landing-page URLs, which never change (issue 7's stable URLs).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from generator.catalogue import downloads as catalogue_downloads
from generator.catalogue.model import Catalogue, Edition
from generator.catalogue.render import edition_route
from generator.config import SiteConfig
from generator.i18n import Messages
from generator.lists import downloads as list_downloads
from generator.lists.decide import ListResult, ListsDecision
from generator.lists.routes import list_route
from generator.lists.store import published_span
from generator.model import DEFAULT_LANG, LANGS, LangText, OutputFile
from generator.render import lang_prefix

CATALOG_PATH = "catalog.jsonld"
DATA_JSON_PATH = "data.json"

# Controlled vocabularies DCAT-AP asks for (EU Publications Office) and IANA media types.
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
EU_LANGUAGES = {"zh-CN": EU_AUTHORITY + "language/ZHO", "en": EU_AUTHORITY + "language/ENG"}
EU_FILE_TYPES = {
    "text/csv": EU_AUTHORITY + "file-type/CSV",
    "application/json": EU_AUTHORITY + "file-type/JSON",
}
PUBLIC_ACCESS = EU_AUTHORITY + "access-right/PUBLIC"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# The files beside each dataset page, named by the sections that write them.
CATALOGUE_FILES = (
    catalogue_downloads.CSV_NAME,
    catalogue_downloads.JSON_NAME,
    catalogue_downloads.PACKAGE_NAME,
)
LIST_FILES = (list_downloads.CSV_NAME, list_downloads.JSON_NAME, list_downloads.PACKAGE_NAME)
POD_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
POD_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"

# DCAT-US wants an ISO 8601 repeating duration; update_frequency values from catalogue items.
POD_PERIODICITY = {
    "realtime": "R/PT1S",
    "daily": "R/P1D",
    "weekly": "R/P1W",
    "monthly": "R/P1M",
    "quarterly": "R/P3M",
    "yearly": "R/P1Y",
}


@dataclass(frozen=True)
class Distribution:
    path: str  # site-relative path of the file, the same for both languages
    media_type: str
    format: str  # short name: CSV, JSON
    title: LangText


@dataclass(frozen=True)
class Agent:
    name: LangText
    identifier: str = ""  # unified social credit code, where known


@dataclass(frozen=True)
class Dataset:
    route: str  # the landing page's language-neutral route
    name: LangText
    description: LangText
    keywords: tuple[LangText, ...]
    creators: tuple[Agent, ...]  # the publisher first, then the providing departments
    temporal_start: dt.date
    temporal_end: dt.date | None  # None: still in force
    modified: dt.date
    issued: dt.date | None
    languages: tuple[str, ...]  # languages of the data itself
    distributions: tuple[Distribution, ...]
    periodicity: str = ""  # an update_frequency value, "" when irregular


# -- describing the datasets -------------------------------------------------------------------


def collect(
    catalogue: Catalogue | None,
    lists: ListsDecision | None,
    config: SiteConfig,
    as_of: dt.date,
    messages: Messages,
) -> Metadata:
    """Every dataset of the site, editions first, then lists, each in code order."""
    text = _Texts(messages)
    datasets: list[Dataset] = []
    if catalogue is not None:
        datasets += (_edition(e, catalogue, config, as_of, text) for e in catalogue.editions)
        if lists is not None:
            datasets += (_list(r, catalogue, config, as_of, text) for r in lists.lists if r.public)
    return Metadata(tuple(datasets), config, as_of, text)


class _Texts:
    """UI strings in both languages, from the theme's `metadata.*` messages."""

    def __init__(self, messages: Messages) -> None:
        self.messages = messages

    def __call__(self, key: str, **values: Any) -> LangText:
        def one(lang: str) -> str:
            own = {k: v.get(lang) if isinstance(v, LangText) else v for k, v in values.items()}
            return self.messages.get(lang, f"metadata.{key}", **own)

        return LangText(one("zh-CN"), one("en"))


def _edition(
    edition: Edition, catalogue: Catalogue, config: SiteConfig, as_of: dt.date, text: _Texts
) -> Dataset:
    route = edition_route(edition.id)
    start, end = _edition_period(edition, catalogue, as_of)
    status = text(
        f"edition_status.{edition.status}",
        body=edition.approving_body or LangText(""),
        date=edition.approval_date.isoformat() if edition.approval_date else "",
    )
    return Dataset(
        route=route,
        name=edition.title,
        description=text(
            "edition_description", title=edition.title, count=len(edition.items), status=status
        ),
        keywords=(text("keyword.credit"), text("keyword.catalogue"), text("keyword.open_data")),
        creators=(Agent(config.publisher),),
        temporal_start=start,
        temporal_end=end,
        modified=edition.approval_date or edition.effective_date or as_of,
        issued=edition.approval_date,
        languages=LANGS,  # the files carry every text in both languages
        distributions=_downloads(route, CATALOGUE_FILES, text),
    )


def _downloads(folder: str, names: tuple[str, str, str], text: _Texts) -> tuple[Distribution, ...]:
    """The three files beside every dataset page: a CSV, the same as JSON, and their data package."""
    csv_name, json_name, package_name = names
    return (
        Distribution(folder + csv_name, "text/csv", "CSV", text("distribution.csv")),
        Distribution(folder + json_name, "application/json", "JSON", text("distribution.json")),
        Distribution(
            folder + package_name, "application/json", "JSON", text("distribution.datapackage")
        ),
    )


def _edition_period(
    edition: Edition, catalogue: Catalogue, as_of: dt.date
) -> tuple[dt.date, dt.date | None]:
    """When the edition applies: from its effective date to the day before its successor's.

    A draft has no period of its own: it describes the catalogue as proposed on the build date.
    """
    if edition.effective_date is None:
        return as_of, as_of
    successor = next(
        (
            e
            for e in catalogue.editions
            if e.supersedes == edition.id
            and e.status in ("approved", "superseded")
            and e.effective_date is not None
        ),
        None,
    )
    if successor is None or successor.effective_date is None:
        return edition.effective_date, None
    return edition.effective_date, successor.effective_date - dt.timedelta(days=1)


def _list(
    result: ListResult, catalogue: Catalogue, config: SiteConfig, as_of: dt.date, text: _Texts
) -> Dataset:
    code = result.item_code
    edition = catalogue.in_force
    item = edition.item(code) if edition is not None else None
    title = item.name if item is not None else LangText(code)
    # From the decide stage's store without reading every record: this runs before the pages
    # are rendered, on one core.
    found, first, last = published_span(result.published)
    # The departments whose records are in the list; the catalogue's providers when it is empty.
    provider_codes = found or (list(item.providers) if item is not None else [])
    providers = tuple(
        Agent(d.name, d.uscc)
        for d in (catalogue.department(c) for c in provider_codes)
        if d is not None
    )
    about = item.description if item is not None and item.description else title
    route = list_route(code)
    return Dataset(
        route=route,
        name=LangText(f"{code} {title.zh}", f"{code} {title.get('en')}"),
        description=text(
            "list_description",
            description=about,
            date=as_of.isoformat(),
            count=f"{len(result.published):,}",
        ),
        keywords=(
            text("keyword.credit"),
            text("keyword.list"),
            text("keyword.open_data"),
            LangText(code),
        ),
        creators=(Agent(config.publisher), *providers),
        temporal_start=first or as_of,
        temporal_end=last or as_of,
        # Records leave the list when their publicity ends, so the list changes with the date.
        modified=as_of,
        issued=None,
        languages=(DEFAULT_LANG,),  # the records are in Chinese
        distributions=_downloads(route, LIST_FILES, text),
        periodicity=item.update_frequency if item is not None else "",
    )


# -- rendering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metadata:
    datasets: tuple[Dataset, ...]
    config: SiteConfig
    as_of: dt.date
    text: _Texts

    @functools.cached_property
    def _by_route(self) -> dict[str, Dataset]:
        # Looked up once for every page the site renders, a million subject pages included.
        return {d.route: d for d in self.datasets}

    def dataset(self, route: str) -> Dataset | None:
        return self._by_route.get(route)

    def url(self, route: str, lang: str = DEFAULT_LANG) -> str:
        return self.config.base_url + lang_prefix(lang) + route

    def dataset_id(self, dataset: Dataset) -> str:
        """The dataset's IRI in every rendering: its Chinese landing page, plus `#dataset`."""
        return self.url(dataset.route) + "#dataset"

    def identifier(self, dataset: Dataset) -> str:
        return self.url(dataset.route)

    # schema.org, for the page's head ---------------------------------------------------------

    def page_jsonld(self, route: str, lang: str) -> Markup:
        """The `<script type="application/ld+json">` for a dataset page, or nothing for others.

        Templates call this as a Jinja global (`dataset_jsonld(route, lang)`).
        """
        dataset = self.dataset(route)
        if dataset is None:
            return Markup("")
        return script_tag(self.schema_org(dataset, lang))

    def schema_org(self, dataset: Dataset, lang: str) -> dict[str, Any]:
        publisher = self._schema_org_agent(dataset.creators[0], lang, url=self.config.base_url)
        end = dataset.temporal_end.isoformat() if dataset.temporal_end else ".."
        start = dataset.temporal_start.isoformat()
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "@id": self.dataset_id(dataset),
            "identifier": self.identifier(dataset),
            "url": self.url(dataset.route, lang),
            "name": dataset.name.get(lang),
            "description": dataset.description.get(lang),
            "keywords": [k.get(lang) for k in dataset.keywords],
            "creator": [
                publisher,
                *(self._schema_org_agent(a, lang) for a in dataset.creators[1:]),
            ],
            "publisher": publisher,
            "license": self.config.licence_url,
            "isAccessibleForFree": True,
            "inLanguage": list(dataset.languages),
            "temporalCoverage": start if end == start else f"{start}/{end}",
            "dateModified": dataset.modified.isoformat(),
            "distribution": [
                {
                    "@type": "DataDownload",
                    "name": d.title.get(lang),
                    "contentUrl": self.config.base_url + d.path,
                    "encodingFormat": d.media_type,
                }
                for d in dataset.distributions
            ],
            "includedInDataCatalog": {
                "@type": "DataCatalog",
                "name": self.config.name.get(lang),
                "url": self.url("", lang),
            },
        }
        if dataset.issued is not None:
            data["datePublished"] = dataset.issued.isoformat()
        return data

    @staticmethod
    def _schema_org_agent(agent: Agent, lang: str, url: str = "") -> dict[str, Any]:
        data: dict[str, Any] = {"@type": "Organization", "name": agent.name.get(lang)}
        if url:
            data["url"] = url
        if agent.identifier:
            data["identifier"] = agent.identifier
        return data

    # the files at the site root ----------------------------------------------------------------

    def files(self) -> Iterator[OutputFile]:
        yield OutputFile(CATALOG_PATH, _dumps(self.dcat_catalog()))
        yield OutputFile(DATA_JSON_PATH, _dumps(self.pod_catalog()))

    def dcat_catalog(self) -> dict[str, Any]:
        """DCAT-AP: the catalogue's mandatory and recommended properties, texts in both languages."""
        publisher_id = self.config.base_url + "#publisher"
        return {
            "@context": DCAT_CONTEXT,
            "@id": self.config.base_url + CATALOG_PATH,
            "@type": "dcat:Catalog",
            "dct:title": _tagged(self.text("catalog_title", site=self.config.name)),
            "dct:description": _tagged(
                self.text(
                    "catalog_description", site=self.config.name, publisher=self.config.publisher
                )
            ),
            "dct:publisher": {
                "@id": publisher_id,
                "@type": "foaf:Agent",
                "foaf:name": _tagged(self.config.publisher),
                "foaf:homepage": {"@id": self.config.base_url},
            },
            "foaf:homepage": {"@id": self.config.base_url},
            "dct:language": [{"@id": EU_LANGUAGES[lang]} for lang in LANGS],
            "dct:license": {"@id": self.config.licence_url},
            "dct:modified": _date(self.as_of),
            "dcat:dataset": [self._dcat_dataset(d, publisher_id) for d in self.datasets],
        }

    def _dcat_dataset(self, dataset: Dataset, publisher_id: str) -> dict[str, Any]:
        landing = self.url(dataset.route)
        temporal: dict[str, Any] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _date(dataset.temporal_start),
        }
        if dataset.temporal_end is not None:
            temporal["dcat:endDate"] = _date(dataset.temporal_end)
        data: dict[str, Any] = {
            "@id": self.dataset_id(dataset),
            "@type": "dcat:Dataset",
            "dct:identifier": self.identifier(dataset),
            "dct:title": _tagged(dataset.name),
            "dct:description": _tagged(dataset.description),
            "dcat:keyword": [v for k in dataset.keywords for v in _tagged(k)],
            "dct:publisher": {"@id": publisher_id},
            "dct:creator": [
                {"@id": publisher_id},
                *(
                    {
                        "@type": "foaf:Agent",
                        "foaf:name": _tagged(a.name),
                        "dct:identifier": a.identifier,
                    }
                    for a in dataset.creators[1:]
                ),
            ],
            "dcat:contactPoint": {
                "@type": "vcard:Organization",
                "vcard:fn": _tagged(self.config.publisher),
                "vcard:hasEmail": {"@id": "mailto:" + self.config.contact_email},
            },
            "dcat:landingPage": [{"@id": self.url(dataset.route, lang)} for lang in LANGS],
            "dct:language": [{"@id": EU_LANGUAGES[lang]} for lang in dataset.languages],
            "dct:accessRights": {"@id": PUBLIC_ACCESS},
            "dct:temporal": temporal,
            "dct:modified": _date(dataset.modified),
            "dcat:distribution": [
                {
                    "@type": "dcat:Distribution",
                    "dct:title": _tagged(d.title),
                    "dcat:accessURL": {"@id": landing},
                    "dcat:downloadURL": {"@id": self.config.base_url + d.path},
                    "dcat:mediaType": {"@id": IANA_MEDIA_TYPES + d.media_type},
                    "dct:format": {"@id": EU_FILE_TYPES[d.media_type]},
                    "dct:license": {"@id": self.config.licence_url},
                }
                for d in dataset.distributions
            ],
        }
        if dataset.issued is not None:
            data["dct:issued"] = _date(dataset.issued)
        return data

    def pod_catalog(self) -> dict[str, Any]:
        """Project Open Data v1.1 (DCAT-US). Its texts are single-language, so English is used:
        the harvesters that read data.json are English-speaking; catalog.jsonld has both."""
        return {
            "@context": POD_CONTEXT,
            "@id": self.config.base_url + DATA_JSON_PATH,
            "@type": "dcat:Catalog",
            "conformsTo": POD_SCHEMA,
            "describedBy": POD_SCHEMA + "/catalog.json",
            "dataset": [self._pod_dataset(d) for d in self.datasets],
        }

    def _pod_dataset(self, dataset: Dataset) -> dict[str, Any]:
        # DCAT-US has no open-ended interval: a period still running is given up to the build date.
        end = dataset.temporal_end or self.as_of
        data: dict[str, Any] = {
            "@type": "dcat:Dataset",
            "identifier": self.identifier(dataset),
            "title": dataset.name.get("en"),
            "description": dataset.description.get("en"),
            "keyword": [k.get("en") for k in dataset.keywords],
            "modified": dataset.modified.isoformat(),
            "publisher": {"@type": "org:Organization", "name": self.config.publisher.get("en")},
            "contactPoint": {
                "@type": "vcard:Contact",
                "fn": self.config.publisher.get("en"),
                "hasEmail": "mailto:" + self.config.contact_email,
            },
            "accessLevel": "public",
            "license": self.config.licence_url,
            "landingPage": self.url(dataset.route),
            "language": list(dataset.languages),
            "temporal": f"{dataset.temporal_start.isoformat()}/{end.isoformat()}",
            "accrualPeriodicity": POD_PERIODICITY.get(dataset.periodicity, "irregular"),
            "distribution": [
                {
                    "@type": "dcat:Distribution",
                    "title": d.title.get("en"),
                    "downloadURL": self.config.base_url + d.path,
                    "mediaType": d.media_type,
                    "format": d.format,
                }
                for d in dataset.distributions
            ],
        }
        if dataset.issued is not None:
            data["issued"] = dataset.issued.isoformat()
        # The data package's table schema is the data dictionary DCAT-US asks to link.
        package = next(
            (d for d in dataset.distributions if d.path.endswith("datapackage.json")), None
        )
        if package is not None:
            data["describedBy"] = self.config.base_url + package.path
            data["describedByType"] = package.media_type
        return data


# -- helpers ---------------------------------------------------------------------------------------


def script_tag(data: dict[str, Any]) -> Markup:
    """JSON-LD inside `<script>`, safe whatever the data holds.

    `<`, `>` and `&` are written as JSON escapes, so no value (a hostile list entry, say) can close
    the script element or open a comment; the JSON parses to exactly the same data.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # U+2028/2029 are valid in JSON but end a line in older JavaScript engines.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(f'<script type="application/ld+json">{text}</script>\n')


def _tagged(text: LangText) -> list[dict[str, str]]:
    values = [{"@language": "zh-CN", "@value": text.zh}]
    if text.en:
        values.append({"@language": "en", "@value": text.en})
    return values


def _date(day: dt.date) -> dict[str, str]:
    return {"@type": "xsd:date", "@value": day.isoformat()}


def _dumps(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
