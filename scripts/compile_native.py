#!/usr/bin/env python3
"""Compile the build's hottest pure-Python modules with mypyc into build/native/.

    .venv/bin/python scripts/compile_native.py    # make setup runs it when a source changed
    .venv/bin/python scripts/compile_native.py --strict   # make lint: a failure is an error

The modules below are where a large build spends its Python time per record (validating rows,
the rules, formatting records, tokenizing, writing the search shards and the downloads). mypyc
compiles their type-annotated code, unchanged, to C extensions: the same results, for about a
sixth less CPU over a whole build (docs/performance.md). generator/native.py loads them only while
they were compiled from exactly the source tree at hand; otherwise the pure-Python modules run.

Compiling needs a C compiler and the Python headers. Where it fails, this says so in one line,
leaves no compiled modules behind and exits 0: the generator works the same without them. With
`--strict` (`make lint`) it exits 1 instead: code mypyc refuses would otherwise only be seen as a
slower build (and in CI, where tests require the compiled modules).
Left out are modules that cannot be compiled as they are: weak references to their classes
(the store), subclasses of Python classes (write), surrogates in string literals (package).
What mypyc needed elsewhere: it keeps no docstrings (the rule table reads them from the source:
generator.native.docstring), and a frozen dataclass of a compiled module does not unpickle (a
row's verdict is a named tuple). A compiled module calls its own functions and reads its own
class constants directly, so a test that replaces one is marked `pure_python`, and `make test`
runs it with CP_NATIVE=0.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from generator.native import (  # noqa: E402 (stdlib only)
    MANIFEST,
    NATIVE,
    compiled_modules,
    sources_digest,
)

MODULES = (
    "generator/discovery.py",
    "generator/frames.py",
    "generator/lists/changes.py",
    "generator/lists/decide.py",
    "generator/lists/downloads.py",
    "generator/lists/fastpath.py",
    "generator/lists/fragments.py",
    "generator/lists/identifiers.py",
    "generator/lists/render.py",
    "generator/lists/routes.py",
    "generator/lists/rules.py",
    "generator/lists/validate.py",
    "generator/search/index.py",
    "generator/search/shards.py",
    "generator/search/shardset.py",
    "generator/search/tokenizer.py",
)

# Run by `_compile` in a child process: setuptools' setup() calls sys.exit on errors.
_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify

build_lib, build_temp, *modules = sys.argv[1:]
setup(
    name="credit-portal-native",
    ext_modules=mypycify(modules, opt_level="3", target_dir=build_temp + "/c"),
    script_args=["--quiet", "build_ext", "--build-lib", build_lib, "--build-temp", build_temp],
)
"""


def _compile(work: Path) -> None:
    lib = work / "lib"
    temp = work / "temp"
    # Taken first: a source edited while mypyc runs must not pass for the one it compiled.
    sources = sources_digest(ROOT)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(
        [sys.executable, "-c", _SETUP, str(lib), str(temp), *MODULES],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # mypyc reports type errors on stdout, gcc on stderr
        text=True,
    )
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    built = sorted(p.relative_to(lib).as_posix() for p in lib.rglob("*" + suffix))
    expected = {m.removesuffix(".py") + suffix for m in MODULES}
    if not expected <= set(built):
        raise RuntimeError(f"mypyc made {built}, not every module of {sorted(expected)}")
    if sources_digest(ROOT) != sources:
        raise RuntimeError("a source file changed while it was being compiled; run make again")
    manifest = {"ext_suffix": suffix, "sources": sources, "files": built}
    (lib / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    strict = argv == ["--strict"]
    if argv and not strict:
        print(__doc__, file=sys.stderr)
        return 2
    compiled = compiled_modules()
    wanted = {m.removesuffix(".py").replace("/", ".") for m in MODULES}
    if compiled is not None and {n for n in compiled if n.startswith("generator.")} == wanted:
        print(f"compile_native: {NATIVE.relative_to(ROOT)} is up to date")
        return 0
    NATIVE.parent.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="native-", dir=NATIVE.parent))
    try:
        try:
            _compile(work)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "output", None) or str(exc)
            found = [line for line in detail.splitlines() if "error" in line.lower()]
            last = found[:1] or [line for line in detail.splitlines() if line.strip()][-1:] or [""]
            shutil.rmtree(NATIVE, ignore_errors=True)  # never leave an older build in use
            print(
                f"compile_native: not compiled ({last[0][:200]}); the pure-Python modules run",
                file=sys.stderr,
            )
            return 1 if strict else 0
        # Replace the old build in one step where the new one is complete.
        old = NATIVE.with_name(NATIVE.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if NATIVE.exists():
            NATIVE.rename(old)
        (work / "lib").rename(NATIVE)
        shutil.rmtree(old, ignore_errors=True)
        print(f"compile_native: {len(MODULES)} modules compiled into {NATIVE.relative_to(ROOT)}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
