"""Dataset metadata, read the way harvesters read it: as RDF, through pyld and rdflib.

- schema.org `Dataset` JSON-LD in the head of every dataset page (catalogue editions, published
  lists), in both languages;
- the DCAT-AP catalogue `/catalog.jsonld`;
- the Project Open Data (DCAT-US 1.1) catalogue `/data.json`.

No test fetches a remote JSON-LD context: the two the files name are replaced by local ones.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import rdflib
from bs4 import BeautifulSoup
from pyld import jsonld
from rdflib import Literal, Namespace, URIRef

from generator.config import load_config
from generator.diagnostics import Diagnostics
from generator.i18n import load_messages
from generator.metadata import POD_CONTEXT, collect, script_tag
from tests.conftest import REPO, SAMPLE_AS_OF, make_project, run_cli
from tests.test_site import site_config

# Plain namespaces: rdflib's predefined ones warn when pytest inspects this module.
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SDO = Namespace("http://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
POD = Namespace("https://project-open-data.cio.gov/v1.1/schema#")
LANGS = ("zh-CN", "en")
PREFIX = {"zh-CN": "", "en": "en/"}
ISO_DATE = r"\d{4}-\d{2}-\d{2}"

# The parts of schema.org's published context these tests rely on: its vocabulary (still http://)
# and the properties whose values are IRIs.
SCHEMA_ORG_CONTEXT = {
    "@context": {
        "@vocab": "http://schema.org/",
        "url": {"@type": "@id"},
        "contentUrl": {"@type": "@id"},
        "license": {"@type": "@id"},
    }
}
# The terms of Project Open Data's v1.1 context (catalog.jsonld) that data.json uses.
POD_TERMS = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dc": "http://purl.org/dc/terms/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "org": "http://www.w3.org/ns/org#",
    "pod": "https://project-open-data.cio.gov/v1.1/schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "@vocab": "http://www.w3.org/ns/dcat#",
    "downloadURL": {"@id": "dcat:downloadURL", "@type": "@id"},
    "conformsTo": {"@id": "dc:conformsTo", "@type": "@id"},
    "title": "dc:title",
    "description": "dc:description",
    "modified": {"@id": "dc:modified", "@type": "http://www.w3.org/2001/XMLSchema#date"},
    "issued": {"@id": "dc:issued", "@type": "http://www.w3.org/2001/XMLSchema#date"},
    "language": "dc:language",
    "license": "dc:license",
    "publisher": "dc:publisher",
    "identifier": "dc:identifier",
    "temporal": "dc:temporal",
    "format": "dc:format",
    "accrualPeriodicity": "dc:accrualPeriodicity",
    "accessLevel": "pod:accessLevel",
    "fn": "vcard:fn",
    "hasEmail": "vcard:hasEmail",
    "name": "skos:prefLabel",
}


def _loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_ORG_CONTEXT}
    raise AssertionError(f"a test tried to fetch {url}")


def to_graph(document: dict[str, Any]) -> rdflib.Graph:
    """JSON-LD -> RDF through pyld (as a harvester would), loaded into rdflib for queries."""
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": _loader})
    return rdflib.Graph().parse(data=nquads, format="nt")  # one default graph: N-Triples


def one(graph: rdflib.Graph, subject: Any, predicate: URIRef) -> Any:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} has {len(values)} values of {predicate}"
    return values[0]


def texts(graph: rdflib.Graph, subject: Any, predicate: URIRef) -> dict[str | None, str]:
    return {o.language: str(o) for o in graph.objects(subject, predicate)}


def dataset_pages(site: Path) -> dict[str, Path]:
    """Route -> zh-CN page of every dataset: the catalogue editions and the published lists."""
    pages = {
        p.parent.relative_to(site).as_posix() + "/": p
        for p in [*site.glob("catalogue/editions/*/index.html"), *site.glob("lists/*/index.html")]
        if p.parent.name != "changes"
    }
    assert any(r.startswith("catalogue/") for r in pages) and any(
        r.startswith("lists/") for r in pages
    )
    return dict(sorted(pages.items()))


def ld_scripts(path: Path) -> list[dict[str, Any]]:
    soup = BeautifulSoup(path.read_bytes(), "lxml")
    return [json.loads(s.string or "") for s in soup.find_all("script", type="application/ld+json")]


def built_file(site: Path, url: str) -> Path:
    base_url, _ = site_config()
    assert url.startswith(base_url), url
    rel = url.removeprefix(base_url)
    return site / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


# -- schema.org in the pages -----------------------------------------------------------------


def test_json_ld_only_on_dataset_pages(built_site: Path) -> None:
    with_ld = {
        p.relative_to(built_site).as_posix()
        for p in built_site.rglob("*.html")
        if b"application/ld+json" in p.read_bytes()
    }
    expected = {
        PREFIX[lang] + route + "index.html" for route in dataset_pages(built_site) for lang in LANGS
    }
    assert with_ld == expected


@pytest.mark.parametrize("lang", LANGS)
def test_every_dataset_page_describes_its_dataset_for_google(built_site: Path, lang: str) -> None:
    base_url, _ = site_config()
    for route, zh_page in dataset_pages(built_site).items():
        page = built_site / PREFIX[lang] / route / "index.html"
        (data,) = ld_scripts(page)
        assert data["@context"] == "https://schema.org"
        graph = to_graph(data)
        (dataset,) = graph.subjects(RDF.type, SDO.Dataset)
        assert str(dataset) == base_url + route + "#dataset"  # the same IRI in both languages
        assert one(graph, dataset, SDO.url) == URIRef(base_url + PREFIX[lang] + route)
        assert str(one(graph, dataset, SDO.identifier)) == base_url + route
        name = str(one(graph, dataset, SDO.name))
        h1 = BeautifulSoup(page.read_bytes(), "lxml").h1
        assert h1 is not None and " ".join(h1.get_text().split()) == name
        # Google Dataset Search wants 50 to 5000 characters of description.
        assert 50 <= len(str(one(graph, dataset, SDO.description))) <= 5000, route
        assert one(graph, dataset, SDO.license) == URIRef(
            "https://creativecommons.org/licenses/by/4.0/"
        )
        assert one(graph, dataset, SDO.isAccessibleForFree).toPython() is True
        assert re.fullmatch(
            rf"{ISO_DATE}(/({ISO_DATE}|\.\.))?", str(one(graph, dataset, SDO.temporalCoverage))
        )
        assert re.fullmatch(ISO_DATE, str(one(graph, dataset, SDO.dateModified)))
        assert {str(v) for v in graph.objects(dataset, SDO.inLanguage)} <= set(LANGS)
        assert len(list(graph.objects(dataset, SDO.keywords))) >= 3

        creators = list(graph.objects(dataset, SDO.creator))
        publisher = one(graph, dataset, SDO.publisher)
        for agent in [*creators, publisher]:
            assert one(graph, agent, RDF.type) == SDO.Organization
            assert str(one(graph, agent, SDO.name))
        publisher_name = (
            "天津市公共信用中心（示例）"
            if lang == "zh-CN"
            else "Tianjin Public Credit Center (sample)"
        )
        assert str(one(graph, publisher, SDO.name)) == publisher_name
        if route.startswith("lists/"):
            # The providing departments, identified by their credit codes, besides the publisher.
            providers = [c for c in creators if (c, SDO.identifier, None) in graph]
            assert providers and len(creators) == len(providers) + 1, route

        distributions = list(graph.objects(dataset, SDO.distribution))
        formats = set()
        for d in distributions:
            assert one(graph, d, RDF.type) == SDO.DataDownload
            content = one(graph, d, SDO.contentUrl)
            assert isinstance(content, URIRef) and built_file(built_site, str(content)).is_file()
            assert str(content).startswith(base_url + route)  # beside the page
            formats.add(str(one(graph, d, SDO.encodingFormat)))
        assert len(distributions) == 3 and formats == {"text/csv", "application/json"}
        assert zh_page.is_file()


def test_a_list_page_names_its_records_period_and_providers(built_site: Path) -> None:
    (data,) = ld_scripts(built_site / "en/lists/SX-02/index.html")
    records = json.loads((built_site / "lists/SX-02/data.json").read_text(encoding="utf-8"))[
        "records"
    ]
    dates = sorted(r["cf_jdrq"] for r in records)
    assert data["temporalCoverage"] == f"{dates[0]}/{dates[-1]}"
    assert data["dateModified"] == SAMPLE_AS_OF
    assert f"publishes {len(records):,} records" in data["description"]
    assert data["inLanguage"] == ["zh-CN"]


def test_an_edition_period_runs_until_its_successor_takes_effect(built_site: Path) -> None:
    periods = {
        edition: ld_scripts(built_site / f"en/catalogue/editions/{edition}/index.html")[0][
            "temporalCoverage"
        ]
        for edition in ("2023", "2025", "2027-draft")
    }
    assert periods == {
        "2023": "2023-04-01/2025-02-28",
        "2025": "2025-03-01/..",  # in force: open-ended
        "2027-draft": SAMPLE_AS_OF,  # not approved: describes the draft as of the build
    }


def test_script_content_cannot_close_the_script_element() -> None:
    hostile = {"name": "</script><script>alert(1)</script><!-- & -->", "x": "\u2028"}
    html = str(script_tag(hostile))
    assert html.count("</script>") == 1 and html.endswith("</script>\n")
    assert "<!--" not in html and "&" not in html.removeprefix(
        '<script type="application/ld+json">'
    )
    soup = BeautifulSoup(html, "lxml")
    scripts = soup.find_all("script")
    assert len(scripts) == 1
    assert json.loads(scripts[0].string) == hostile


def test_a_hostile_edition_title_stays_inside_its_json_ld(tmp_path: Path) -> None:
    hostile = '目录</script><script src="https://evil.example/x.js"></script>'
    project = make_project(
        tmp_path,
        {
            "content": None,  # the catalogue alone is enough, and faster
            "catalogue/editions/2025/edition.yaml": (
                "id: '2025'\n"
                f"title: {{zh-CN: '{hostile}', en: 'Edition </script> & <b>2025</b>'}}\n"
                "status: approved\n"
                "approving_body: {zh-CN: 天津市社会信用体系建设协调机构, en: Coordination Body}\n"
                "approval_document: 津信用办〔2025〕3号\n"
                "approval_date: 2025-02-18\n"
                "effective_date: 2025-03-01\n"
                "supersedes: '2023'\n"
            ),
        },
        with_sample=True,
    )
    out = tmp_path / "site"
    result = run_cli("build", "--as-of", SAMPLE_AS_OF, "-q", "--out", str(out), cwd=project)
    assert result.exit_code == 0, result.output
    for lang, title in (("zh-CN", hostile), ("en", "Edition </script> & <b>2025</b>")):
        soup = BeautifulSoup(
            (out / PREFIX[lang] / "catalogue/editions/2025/index.html").read_bytes(), "lxml"
        )
        scripts = soup.find_all("script")
        assert [s.get("type") for s in scripts] == ["application/ld+json"]
        assert json.loads(scripts[0].string or "")["name"] == title


# -- DCAT-AP: /catalog.jsonld ----------------------------------------------------------------


def parse_json_ld(document: dict[str, Any]) -> rdflib.Graph:
    """rdflib's own JSON-LD parser: a second implementation besides pyld."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's parser uses its old API
        return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


@pytest.fixture(scope="module")
def dcat(built_site: Path) -> rdflib.Graph:
    document = json.loads((built_site / "catalog.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)  # inline: nothing to fetch
    return parse_json_ld(document)


def test_dcat_catalogue_mandatory_properties(dcat: rdflib.Graph, built_site: Path) -> None:
    base_url, _ = site_config()
    (catalog,) = dcat.subjects(RDF.type, DCAT.Catalog)
    assert set(texts(dcat, catalog, DCTERMS.title)) == {"zh-CN", "en"}
    assert set(texts(dcat, catalog, DCTERMS.description)) == {"zh-CN", "en"}
    publisher = one(dcat, catalog, DCTERMS.publisher)
    assert texts(dcat, publisher, FOAF.name) == {
        "zh-CN": "天津市公共信用中心（示例）",
        "en": "Tianjin Public Credit Center (sample)",
    }
    assert one(dcat, catalog, FOAF.homepage) == URIRef(base_url)
    assert one(dcat, catalog, DCTERMS.modified) == Literal(SAMPLE_AS_OF, datatype=XSD.date)
    datasets = set(dcat.objects(catalog, DCAT.dataset))
    assert datasets == set(dcat.subjects(RDF.type, DCAT.Dataset))
    expected = {URIRef(base_url + route + "#dataset") for route in dataset_pages(built_site)}
    assert datasets == expected  # every dataset, under the IRI its page's JSON-LD gives it


def test_dcat_datasets_and_distributions(dcat: rdflib.Graph, built_site: Path) -> None:
    base_url, _ = site_config()
    for dataset in dcat.subjects(RDF.type, DCAT.Dataset):
        route = str(dataset).removeprefix(base_url).removesuffix("#dataset")
        assert set(texts(dcat, dataset, DCTERMS.title)) == {"zh-CN", "en"}, dataset
        assert set(texts(dcat, dataset, DCTERMS.description)) == {"zh-CN", "en"}, dataset
        assert str(one(dcat, dataset, DCTERMS.identifier)) == base_url + route
        assert one(dcat, dataset, DCTERMS.modified).datatype == XSD.date
        assert {str(o) for o in dcat.objects(dataset, DCAT.landingPage)} == {
            base_url + route,
            base_url + "en/" + route,
        }
        contact = one(dcat, dataset, DCAT.contactPoint)
        assert str(one(dcat, contact, VCARD.hasEmail)).startswith("mailto:")
        period = one(dcat, dataset, DCTERMS.temporal)
        assert one(dcat, period, DCAT.startDate).datatype == XSD.date
        assert len(list(dcat.objects(dataset, DCAT.keyword))) >= 3
        distributions = list(dcat.objects(dataset, DCAT.distribution))
        assert len(distributions) == 3, dataset
        for d in distributions:
            assert one(dcat, d, DCAT.accessURL) == URIRef(base_url + route)
            download = one(dcat, d, DCAT.downloadURL)
            assert built_file(built_site, str(download)).is_file(), download
            assert str(one(dcat, d, DCAT.mediaType)).startswith(
                "https://www.iana.org/assignments/media-types/"
            )
            assert one(dcat, d, DCTERMS.license) == URIRef(
                "https://creativecommons.org/licenses/by/4.0/"
            )
            assert str(one(dcat, d, DCTERMS["format"])).startswith(
                "http://publications.europa.eu/resource/authority/file-type/"
            )
        if route.startswith("lists/"):
            providers = [
                c
                for c in dcat.objects(dataset, DCTERMS.creator)
                if (c, FOAF.name, None) in dcat and (c, DCTERMS.identifier, None) in dcat
            ]
            assert providers, dataset


# -- DCAT-US 1.1: /data.json -------------------------------------------------------------------

# The required fields of Project Open Data v1.1 (federal-only bureauCode and programCode aside),
# with the formats its JSON schema gives them.
POD_DATASET_SCHEMA = {
    "type": "object",
    "required": [
        "title", "description", "keyword", "modified", "publisher", "contactPoint",
        "identifier", "accessLevel", "license", "distribution",
    ],
    "properties": {
        "@type": {"enum": ["dcat:Dataset"]},
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1},
        "keyword": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        "modified": {"type": "string", "pattern": f"^{ISO_DATE}$"},
        "issued": {"type": "string", "pattern": f"^{ISO_DATE}$"},
        "temporal": {"type": "string", "pattern": f"^{ISO_DATE}/{ISO_DATE}$"},
        "accrualPeriodicity": {"type": "string", "pattern": r"^(irregular|R/P(T\d+S|\d+[DWMY]))$"},
        "publisher": {"type": "object", "required": ["name"]},
        "contactPoint": {
            "type": "object",
            "required": ["fn", "hasEmail"],
            "properties": {"hasEmail": {"type": "string", "pattern": r"^mailto:[\w.+-]+@[\w.-]+$"}},
        },
        "identifier": {"type": "string", "minLength": 1},
        "accessLevel": {"enum": ["public", "restricted public", "non-public"]},
        "license": {"type": "string", "pattern": "^https?://"},
        "landingPage": {"type": "string", "pattern": "^https?://"},
        "describedBy": {"type": "string", "pattern": "^https?://.*/datapackage\\.json$"},
        "describedByType": {"enum": ["application/json"]},
        "language": {"type": "array", "items": {"type": "string", "pattern": r"^[a-z]{2,3}(-[A-Z]{2})?$"}},
        "distribution": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["downloadURL", "mediaType"],  # mediaType is required with downloadURL
                "properties": {
                    "@type": {"enum": ["dcat:Distribution"]},
                    "downloadURL": {"type": "string", "pattern": "^https?://"},
                    "mediaType": {"type": "string", "pattern": r"^[-\w]+/[-\w.+]+$"},
                },
            },
        },
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def data_json(built_site: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((built_site / "data.json").read_text(encoding="utf-8"))
    return document


def test_data_json_follows_project_open_data_1_1(
    data_json: dict[str, Any], built_site: Path
) -> None:
    base_url, _ = site_config()
    assert data_json["@context"] == POD_CONTEXT
    assert data_json["@type"] == "dcat:Catalog"
    assert data_json["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    datasets = data_json["dataset"]
    assert len(datasets) == len(dataset_pages(built_site))
    for dataset in datasets:
        jsonschema.validate(dataset, POD_DATASET_SCHEMA)
        for d in dataset["distribution"]:
            assert built_file(built_site, d["downloadURL"]).is_file(), d["downloadURL"]
        start, end = (dt.date.fromisoformat(d) for d in dataset["temporal"].split("/"))
        assert start <= end
    identifiers = [d["identifier"] for d in datasets]
    assert len(set(identifiers)) == len(identifiers)
    assert {i.removeprefix(base_url) for i in identifiers} == set(dataset_pages(built_site))


def test_data_json_reads_as_dcat_rdf(data_json: dict[str, Any]) -> None:
    document = {**data_json, "@context": POD_TERMS}
    graph = parse_json_ld(document)
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(data_json["dataset"])
    for dataset in datasets:
        assert str(one(graph, dataset, DCTERMS.title))
        assert one(graph, dataset, DCTERMS.modified).datatype == XSD.date
        assert str(one(graph, dataset, POD.accessLevel)) == "public"
        for d in graph.objects(dataset, DCAT.distribution):
            assert isinstance(one(graph, d, DCAT.downloadURL), URIRef)


def test_the_three_descriptions_agree(
    dcat: rdflib.Graph, data_json: dict[str, Any], built_site: Path
) -> None:
    """One dataset, the same name and downloads in the page, the DCAT-AP and the DCAT-US files."""
    base_url, _ = site_config()
    pod = {d["identifier"]: d for d in data_json["dataset"]}
    for route in dataset_pages(built_site):
        (page,) = ld_scripts(built_site / "en" / route / "index.html")
        dataset = URIRef(base_url + route + "#dataset")
        downloads = {d["contentUrl"] for d in page["distribution"]}
        assert downloads == {
            str(one(dcat, d, DCAT.downloadURL)) for d in dcat.objects(dataset, DCAT.distribution)
        }
        assert downloads == {d["downloadURL"] for d in pod[base_url + route]["distribution"]}
        assert (
            page["name"]
            == texts(dcat, dataset, DCTERMS.title)["en"]
            == pod[base_url + route]["title"]
        )


def test_a_site_without_datasets_has_empty_catalogues_and_no_json_ld() -> None:
    config = load_config(REPO, Diagnostics())
    assert config is not None
    meta = collect(
        None, None, config, dt.date(2026, 11, 30), load_messages(REPO / "templates/i18n")
    )
    assert meta.datasets == ()
    assert str(meta.page_jsonld("lists/SX-02/", "en")) == ""
    files = {f.path: json.loads(f.data) for f in meta.files()}
    assert files["catalog.jsonld"]["dcat:dataset"] == []
    assert files["data.json"]["dataset"] == []
    graph = parse_json_ld(files["catalog.jsonld"])
    assert len(list(graph.subjects(RDF.type, DCAT.Catalog))) == 1
