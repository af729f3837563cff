"""Fuzz one target with atheris (libFuzzer): `python fuzz/run.py TARGET [libFuzzer options]`.

New inputs that reach new code go to fuzz/work/TARGET/ (not committed); the committed seeds in
fuzz/corpus/TARGET/ are read too. A crash is written to fuzz/findings/ and stops the run: turn it
into a seed named regress-*, fix the bug, and add a test (see fuzz/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent

with atheris.instrument_imports(include=["generator"]):
    import targets


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in targets.TARGETS:
        sys.exit(f"usage: run.py {{{','.join(targets.TARGETS)}}} [libFuzzer options]")
    name = sys.argv[1]
    work, seeds, findings = HERE / "work" / name, HERE / "corpus" / name, HERE / "findings"
    for folder in (work, findings):
        folder.mkdir(parents=True, exist_ok=True)
    args = [
        sys.argv[0],
        *sys.argv[2:],
        f"-artifact_prefix={findings}/{name}-",
        "-timeout=20",  # a quadratic path on a hostile input is a finding too
        "-rss_limit_mb=3072",
        str(work),
        str(seeds),
    ]
    atheris.Setup(args, targets.TARGETS[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
