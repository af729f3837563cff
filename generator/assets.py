"""Static assets: the theme's CSS/JS and the browser libraries installed from npm, all served from site/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from generator.diagnostics import Diagnostics, Location
from generator.model import OutputFile

ASSETS_ROUTE = "assets/"
# npm package file -> where it is served. Nothing is ever loaded from a CDN.
VENDOR_FILES = {
    "lunr/lunr.min.js": "vendor/lunr.min.js",
}


def node_modules(root: Path) -> Path:
    own = root / "node_modules"
    if own.is_dir():
        return own
    return Path(__file__).resolve().parent.parent / "node_modules"


def check_vendor(root: Path, diags: Diagnostics) -> None:
    modules = node_modules(root)
    for source in VENDOR_FILES:
        if not (modules / source).is_file():
            diags.error(
                "assets.missing",
                f"browser asset node_modules/{source} is missing; run `npm ci` (or `make build`)",
                Location("package.json"),
            )


def asset_files(root: Path, template_folder: Path) -> Iterator[OutputFile]:
    static = template_folder / "static"
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        yield OutputFile(ASSETS_ROUTE + path.relative_to(static).as_posix(), path.read_bytes())
    modules = node_modules(root)
    for source, target in sorted(VENDOR_FILES.items()):
        yield OutputFile(ASSETS_ROUTE + target, (modules / source).read_bytes())
