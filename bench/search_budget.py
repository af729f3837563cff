#!/usr/bin/env python3
"""Search's per-query budget at scale: index bytes transferred and time to results in Chromium.

    .venv/bin/python bench/search_budget.py --records 1000000 [--runs 3] [--work DIR] [--no-docs]

1. Builds the repo's sample site (pages, catalogue, consultations: the site-wide indexes).
2. Replaces its subject and record shards with ones built by the generator's own
   `generator.search.index.index_files` from synthetic SearchDocs made directly: N records of
   companies named and coded by scripts/gen_sample_lists.py's `Identities`, about 1.6 records
   per subject, shaped like generator.lists' search documents.
3. Serves the site on 127.0.0.1 and, in headless Chromium (/usr/bin/chromium, Playwright), runs
   a 2-, 3- and 4-character Chinese name query and a credit-code query (plus two informative
   ones), each in a fresh browser context (cold cache), recording every file fetched.
4. Writes the figures into the "Search" section of docs/performance.md (--no-docs: print only).

Budget (issue 6): at most 500 KB gzip of index per query; first results within 300 ms.
Bytes are the gzip -6 size of each file fetched (what a gzip-enabled server sends); the local
server itself sends them uncompressed. Not a test: it takes minutes, and timings vary.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import platform
import re
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from gen_sample_lists import (  # noqa: E402
    DISTRICT_ABBR,
    DISTRICT_CODES,
    DISTRICT_NAME,
    Identities,
)

from generator.build import BuildOptions, build  # noqa: E402
from generator.lists.routes import record_route, subject_route  # noqa: E402
from generator.model import SearchDoc  # noqa: E402
from generator.search.index import index_files  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUDGET_BYTES = 500 * 1024
BUDGET_MS = 300
SEED = 20261130
DOC_FILE = ROOT / "docs" / "performance.md"


def markers(records: int) -> tuple[str, str]:
    """Each scale measured has its own block in docs/performance.md, replaced on the next run."""
    return f"<!-- search-budget:{records}:start -->", f"<!-- search-budget:{records}:end -->"


VIOLATIONS = (
    "未按规定公示年度报告",
    "销售不符合食品安全标准的食品",
    "使用未经检定的计量器具",
    "发布虚假广告",
    "提交虚假材料取得公司登记",
    "未取得施工许可证擅自施工",
    "超标排放大气污染物",
)
LISTS = (("SX-02", 80), ("SX-01", 5), ("SX-03", 8), ("SX-04", 4), ("SX-05", 3))


# -- synthetic documents --------------------------------------------------------------------------


@dataclass
class Sample:
    """Subjects remembered while generating, to build the queries from."""

    names: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def authorities(district: str) -> list[tuple[str, str]]:
    abbr = DISTRICT_ABBR[district]
    name = DISTRICT_NAME[district]
    return [
        ("天津市市场监督管理委员会", "津市监罚"),
        (f"天津市{name}市场监督管理局", f"津{abbr}市监罚"),
        ("国家税务总局天津市税务局第一稽查局", "津税一稽罚"),
        ("天津市生态环境局", "津环罚"),
        (f"天津市{name}住房和建设委员会", f"津{abbr}建罚"),
    ]


def synthetic_docs(records: int, sample: Sample) -> Iterator[SearchDoc]:
    """Subjects with their records, streamed; shaped like generator.lists.render.search_docs."""
    people = Identities(SEED)
    numbers: dict[tuple[str, int], int] = {}
    lists = [code for code, weight in LISTS for _ in range(weight)]
    made = 0
    i = 0
    while made < records:
        rng = Random(f"{SEED}:bench:{i}")
        district = DISTRICT_CODES[i % len(DISTRICT_CODES)]
        index = i // len(DISTRICT_CODES)
        roll = rng.random()
        if roll < 0.1:
            org = people.shop(district, index)
        else:
            sector = "market" if roll < 0.75 else "build" if roll < 0.88 else "plant"
            org = people.company(district, index, sector)
        count = 1 if roll < 0.65 else 2 if roll < 0.85 else 3 if roll < 0.95 else 5
        count = min(count, records - made)
        recs = []
        for k in range(count):
            authority, prefix = rng.choice(authorities(district))
            year = 2024 + rng.randrange(3)
            number = numbers.get((prefix, year), 1 + rng.randrange(3))
            numbers[(prefix, year)] = number + 1 + rng.randrange(3)
            docno = f"{prefix}〔{year}〕{number}号"
            recs.append((f"{org.uscc}-{k}", authority, docno, rng.choice(lists)))
        if i % 97 == 0:
            sample.names.append(org.name)
            sample.codes.append(org.uscc)
        key = org.uscc
        yield SearchDoc(
            ref=f"subject:zh-CN:{key}",
            kind="subject",
            lang="zh-CN",
            title=org.name,
            text=org.name,  # its names, as generator.lists.render._subject_docs gives them
            url=subject_route(key),
            codes=(org.uscc,),
        )
        for record_key, authority, docno, list_code in recs:
            facts = f"经查，当事人{rng.choice(VIOLATIONS)}，违反了相关法律法规的规定。"
            text = " ".join(
                [authority, org.name, org.category, org.uscc, org.rep.name, docno, facts]
            )
            yield SearchDoc(
                ref=f"record:zh-CN:{record_key}",
                kind="record",
                lang="zh-CN",
                title=f"{org.name} {docno}",
                text=text[:500],
                url=record_route(key, record_key),
                codes=(org.uscc, docno),
                list_code=list_code,
            )
        made += count
        i += 1


# -- building ------------------------------------------------------------------------------------


@dataclass
class BuildFigures:
    records: int
    seconds: float
    peak_rss_mb: float
    manifest: dict[str, Any]
    files: int
    raw_bytes: int
    gzip_bytes: int


SYNTHETIC = ("search/shards", "search/docs", "search/manifest.json")


def build_sample(site: Path) -> None:
    print(f"building the sample site into {site} …", flush=True)
    result = build(BuildOptions(root=ROOT, out=site))
    if not result.ok:
        sys.exit("the sample site does not build; run `credit-portal build` to see why")


def rebuild_sample(work: Path) -> Path:
    """The current sample site and theme, with the synthetic shards of an earlier run moved in."""
    old, site = work / "site", work / "site.new"
    shutil.rmtree(site, ignore_errors=True)
    build_sample(site)
    for rel in SYNTHETIC:
        target = site / rel
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        (old / rel).rename(target)
    shutil.rmtree(old)
    site.rename(old)
    return old


def build_site(work: Path, records: int, sample: Sample) -> tuple[Path, BuildFigures]:
    site = work / "site"
    build_sample(site)
    search = site / "search"
    for name in ("shards", "docs"):
        shutil.rmtree(search / name, ignore_errors=True)
    print(f"indexing {records:,} synthetic records …", flush=True)
    started = time.perf_counter()
    files = raw = packed = 0
    manifest: dict[str, Any] = {}
    for file in index_files(synthetic_docs(records, sample)):
        if file.path.startswith("search/site-index."):
            continue  # keep the sample's real site-wide indexes
        target = site / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.data)
        files += 1
        raw += len(file.data)
        packed += len(gzip.compress(file.data, 6))
        if file.path == "search/manifest.json":
            manifest = json.loads(file.data)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = BuildFigures(records, seconds, peak, manifest, files, raw, packed)
    print(
        f"  {seconds:.0f} s, peak RSS {peak:.0f} MB, {files:,} files, "
        f"{raw / 1e6:.0f} MB ({packed / 1e6:.0f} MB gzip), N={manifest['shards']}, "
        f"P={manifest['parts']}, {len(manifest['heavy'])} heavy tokens",
        flush=True,
    )
    return site, figures


# -- measuring -----------------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class QueryFigures:
    label: str
    query: str
    results: str
    files: dict[str, int]  # category -> count
    gzip: dict[str, int]  # category -> gzip bytes
    nav_ms: list[float]  # navigation start -> all results shown (page with ?q=, cold cache)
    query_ms: list[float]  # query start -> all results shown (same runs)
    typed_ms: list[float]  # a new query typed on a loaded page -> results shown
    first_nav_ms: list[float] = field(default_factory=list)  # navigation -> first results shown
    first_query_ms: list[float] = field(default_factory=list)  # query start -> first results

    @property
    def total_gzip(self) -> int:
        return sum(self.gzip.values())


def category(path: str) -> str:
    if path.startswith("/search/shards/"):
        return "shards"
    if path.startswith("/search/docs/"):
        return "docs"
    if path.startswith("/search/site-index."):
        return "site index"
    return "manifest"


def measure(site: Path, queries: list[tuple[str, str]], runs: int) -> list[QueryFigures]:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sizes: dict[str, int] = {}

    def gz(path: str) -> int:
        if path not in sizes:
            sizes[path] = len(gzip.compress((site / path.lstrip("/")).read_bytes(), 6))
        return sizes[path]

    out: list[QueryFigures] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm_up(browser, base)
            for label, q in queries:
                figures = QueryFigures(label, q, "", {}, {}, [], [], [])
                for run in range(runs):
                    context = browser.new_context()
                    page = context.new_page()
                    fetched: list[str] = []
                    page.on(
                        "request",
                        lambda r, f=fetched: (
                            f.append(urlsplit(r.url).path)
                            if urlsplit(r.url).path.endswith(".json")
                            else None
                        ),
                    )
                    page.goto(f"{base}/search/?q={quote(q)}")
                    page.wait_for_selector("#search-results[data-state=done]", timeout=60_000)
                    nav, took, first_nav, first_took = marks(page)
                    figures.nav_ms.append(nav)
                    figures.query_ms.append(took)
                    figures.first_nav_ms.append(first_nav)
                    figures.first_query_ms.append(first_took)
                    if run == 0:
                        figures.results = page.locator("#search-status").inner_text()
                        for path in sorted(set(fetched)):
                            cat = category(path)
                            figures.files[cat] = figures.files.get(cat, 0) + 1
                            figures.gzip[cat] = figures.gzip.get(cat, 0) + gz(path)
                    context.close()
                    figures.typed_ms.append(typed_query(browser, base, q))
                out.append(figures)
                print(f"  {label}: {q!r}: {summary_line(figures)}", flush=True)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def warm_up(browser: Any, base: str) -> None:
    """One throw-away search, so the first measured one does not pay for starting Chromium."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/search/?q=warm")
    page.wait_for_selector("#search-results[data-state=done]", timeout=60_000)
    context.close()


def marks(page: Any) -> tuple[float, float, float, float]:
    """Navigation -> all results, query -> all results, and the same for the first results.

    search.js shows the subjects and records found before the site-wide index is in, when they
    are in first (the usual case on a cold page): it marks cp-search-first when it shows any
    result, and cp-search-done when it shows them all.
    """
    nav, took, first_nav, first_took = page.evaluate(
        """() => {
          const s = performance.getEntriesByName('cp-search-start').pop();
          const d = performance.getEntriesByName('cp-search-done').pop();
          const f = performance.getEntriesByName('cp-search-first').pop() || d;
          return [d.startTime, d.startTime - s.startTime, f.startTime, f.startTime - s.startTime];
        }"""
    )
    return nav, took, first_nav, first_took


def typed_query(browser: Any, base: str, q: str) -> float:
    """The page loaded (manifest and site index in), then the query typed and submitted."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/search/")
    page.wait_for_function("window.cpSearchPage !== undefined")
    page.wait_for_selector("#search-list option:nth-child(2)", state="attached")
    page.locator("#search-q").fill(q)
    page.locator("#search-q").press("Enter")
    page.wait_for_selector("#search-results[data-state=done]", timeout=60_000)
    took = marks(page)[1]
    context.close()
    return took


def summary_line(f: QueryFigures) -> str:
    return (
        f"{f.total_gzip / 1024:.0f} KB gzip "
        f"({', '.join(f'{k} {v / 1024:.0f} KB/{f.files[k]}' for k, v in sorted(f.gzip.items()))}); "
        f"page {statistics.median(f.first_nav_ms):.0f}/{statistics.median(f.nav_ms):.0f} ms, "
        f"query {statistics.median(f.first_query_ms):.0f}/{statistics.median(f.query_ms):.0f} ms, "
        f"typed {statistics.median(f.typed_ms):.0f} ms; {f.results}"
    )


def pick_queries(sample: Sample, heavy: dict[str, int]) -> list[tuple[str, str]]:
    """Parts of real synthetic names: a trade-name stem, then stem + industry.

    The stem is one whose bigram is not heavy (most trade names); a stem that is heavy (a place
    name such as 泰达, common in company names) is measured on its own line.
    """
    pattern = re.compile(r"^天津([^市（]{2})(.{2})")
    found = [m for n in sample.names if (m := pattern.match(n))]
    light = [m for m in found if m.group(1) not in heavy and m.group(2) not in heavy]
    m = light[len(light) // 2]
    stem, industry = m.group(1), m.group(2)
    queries = [
        ("2 characters", stem),
        ("3 characters", stem + industry[0]),
        ("4 characters", stem + industry),
        ("credit code", sample.codes[len(sample.codes) // 3]),
    ]
    heavy_stems = sorted({m.group(1) for m in found if m.group(1) in heavy})
    if heavy_stems:
        queries.append(("heavy 2 characters", heavy_stems[0]))
    queries += [("with 天津 (heavy)", "天津" + stem), ("heavy only", "有限公司")]
    return queries


# -- reporting -----------------------------------------------------------------------------------


def report(build_figures: BuildFigures, results: list[QueryFigures], runs: int, load: float) -> str:
    b = build_figures
    m = b.manifest
    start, end = markers(b.records)
    lines = [
        start,
        f"#### {b.records:,} records",
        "",
        f"Measured by `bench/search_budget.py --records {b.records}` "
        f"({platform.machine()}, {os.cpu_count()} CPUs, Chromium headless, localhost; "
        f"median of {runs} runs, each in a fresh browser context with a cold cache; "
        f"1-minute load average {load:.1f} when the queries ran).",
        "",
        f"Index: {b.records:,} records and {m['docs'] - b.records:,} subjects "
        f"({m['postings']:,} postings) in N = {m['shards']:,} shards and {m['parts']:,} doc-store "
        f"parts; {len(m['heavy'])} heavy tokens (df > {m['heavyCap']:,}). "
        f"Built in {b.seconds:.0f} s with a peak RSS of {b.peak_rss_mb:.0f} MB (bench process); "
        f"{b.files:,} files, {b.raw_bytes / 1e6:.0f} MB ({b.gzip_bytes / 1e6:.0f} MB gzip).",
        "",
        "| query | text | index transferred (gzip) | of which shards / doc store / site index "
        "| page load → first / all results | query → first / all results "
        "| typed on a loaded page → results | outcome |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in results:
        ok = "✅" if f.total_gzip <= BUDGET_BYTES else "❌"
        parts = " / ".join(
            f"{f.gzip.get(k, 0) / 1024:.0f} KB ({f.files.get(k, 0)})"
            for k in ("shards", "docs", "site index")
        )
        lines.append(
            f"| {f.label} | `{f.query}` | {ok} {f.total_gzip / 1024:.0f} KB | {parts} "
            f"| {statistics.median(f.first_nav_ms):.0f} / {statistics.median(f.nav_ms):.0f} ms "
            f"| {statistics.median(f.first_query_ms):.0f} / {statistics.median(f.query_ms):.0f} ms "
            f"| {statistics.median(f.typed_ms):.0f} ms | {f.results} |"
        )
    lines += ["", end]
    return "\n".join(lines)


def write_docs(block: str, records: int) -> None:
    start, end = markers(records)
    text = DOC_FILE.read_text("utf-8") if DOC_FILE.is_file() else "# Performance\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC_FILE.write_text(text, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="keep the built site here (default: a temp dir)")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="reuse the shards an earlier run left in --work (with the current sample site and "
        "theme); only measure the queries again",
    )
    args = parser.parse_args()
    if args.measure_only and args.work is None:
        parser.error("--measure-only needs --work")
    work = args.work or Path(tempfile.mkdtemp(prefix="cp-search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    saved = work / "bench.json"
    try:
        if args.measure_only:
            data = json.loads(saved.read_text("utf-8"))
            site = rebuild_sample(work)
            figures = BuildFigures(**data["build"])
            sample = Sample(**data["sample"])
        else:
            sample = Sample()
            site, figures = build_site(work, args.records, sample)
            saved.write_text(
                json.dumps({"build": figures.__dict__, "sample": sample.__dict__}), "utf-8"
            )
        queries = pick_queries(sample, figures.manifest["heavy"])
        results = measure(site, queries, args.runs)
        block = report(figures, results, args.runs, os.getloadavg()[0])
        print(block)
        if not args.no_docs:
            write_docs(block, figures.records)
            print(f"updated {DOC_FILE.relative_to(ROOT)}")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
