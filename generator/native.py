"""Use the mypyc-compiled twins of the hot modules (scripts/compile_native.py), when they match.

`make setup` compiles 16 modules (validation, rules, record fragments, tokenizer, search shards,
downloads, the render glue) into build/native/. The compiled modules run the same source, so they
give the same files (a test builds the sample both ways and compares them), for less CPU.

They are used only when all of these hold, and otherwise every module runs as pure Python:
- build/native/manifest.json is there, for this interpreter's extension suffix;
- every source file of the package is byte for byte what they were compiled from (a compiled
  module may have folded in what it imports, so one edited file anywhere turns them all off,
  until `make` compiles them again);
- the environment does not say CP_NATIVE=0 (to profile with py-spy, which sees no compiled
  frames, or to compare).

The check reads the package's sources once per process, a few milliseconds.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import sysconfig
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NATIVE = ROOT / "build" / "native"
MANIFEST = "manifest.json"
DISABLE = "CP_NATIVE"


def sources_digest(root: Path) -> str:
    """The digest scripts/compile_native.py records (the same function, kept in step by a test)."""
    digest = hashlib.sha256()
    for path in sorted((root / "generator").rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


class _Finder:
    """Finds the compiled modules (and mypyc's shared library) in build/native/."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        file = self.files.get(name)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(name, str(file))
        return importlib.util.spec_from_file_location(name, file, loader=loader)


def compiled_modules(native: Path = NATIVE, root: Path = ROOT) -> dict[str, Path] | None:
    """Module name -> compiled file, if build/native/ matches this interpreter and these sources."""
    try:
        manifest = json.loads((native / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not isinstance(manifest, dict) or manifest.get("ext_suffix") != suffix:
        return None
    if manifest.get("sources") != sources_digest(root):
        return None
    files: dict[str, Path] = {}
    for relative in manifest.get("files", []):
        file = native / relative
        if not file.is_file():
            return None
        files[relative.removesuffix(suffix).replace("/", ".")] = file
    return files


def stale(native: Path = NATIVE, root: Path = ROOT) -> bool:
    """Were compiled modules made here, for this interpreter, from sources edited since?"""
    try:
        manifest = json.loads((native / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(manifest, dict)
        and manifest.get("ext_suffix") == sysconfig.get_config_var("EXT_SUFFIX")
        and manifest.get("sources") != sources_digest(root)
    )


_ACTIVE = False
_STALE = False


def install() -> bool:
    """Put the compiled modules first on the import path, if they may be used; True if so."""
    global _ACTIVE, _STALE
    if _ACTIVE:
        return True
    if os.environ.get(DISABLE, "") == "0":
        return False
    files = compiled_modules()
    if files is None:
        # Said by the build (cli.py): after an edit of the package, the whole build runs as
        # Python, a third slower, until `make` compiles again; nothing else would tell why.
        _STALE = stale()
        return False
    if not files or any(name in sys.modules for name in files):
        return False  # a module already imported as Python stays so: never mix the two
    sys.meta_path.insert(0, _Finder(files))
    _ACTIVE = True
    return True


def active() -> bool:
    """Are the compiled modules in use in this process?"""
    return _ACTIVE


def out_of_date() -> bool:
    """Were compiled modules left unused in this process because the sources changed since?"""
    return _STALE


def docstring(func: Callable[..., Any]) -> str:
    """A module-level function's docstring, as written: `__doc__`, or for a function compiled by
    mypyc (which keeps none) the docstring in its module's source. The publication rules and the
    domain checks are documented by their docstrings (docs/publication-rules.md)."""
    if func.__doc__ is not None or not func.__module__.startswith("generator."):
        return func.__doc__ or ""
    return _source_docstrings(func.__module__).get(func.__name__, "")


@functools.cache
def _source_docstrings(module: str) -> dict[str, str]:
    source = ROOT.joinpath(*module.split(".")).with_suffix(".py").read_text(encoding="utf-8")
    return {
        node.name: ast.get_docstring(node, clean=False) or ""
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
    }
