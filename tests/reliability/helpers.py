"""Helpers shared by the reliability tests: tree snapshots and the diagnostics a build printed."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import settings

# Property tests in CI: the same examples on every run and no example database, so that a failure
# is reproducible from the test alone. `make fuzz` runs the same properties far longer (fuzz/).
CI = settings(derandomize=True, database=None, deadline=None)

# `path[:line:col | :row N:field]: severity[code]: message`, as diagnostics.format_text prints.
DIAGNOSTIC = re.compile(r"^(?P<where>.+?): (?P<severity>error|warning)\[(?P<code>[a-z0-9.-]+)\]: ")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by posix path, with its bytes; symlinks are listed as links."""
    tree: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            tree[rel] = b"symlink -> " + str(path.readlink()).encode()
        elif path.is_file():
            tree[rel] = path.read_bytes()
    return tree


def differences(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """What changed between two snapshots, for assertion messages."""
    return (
        [f"removed {name}" for name in sorted(before.keys() - after.keys())]
        + [f"added {name}" for name in sorted(after.keys() - before.keys())]
        + [f"changed {n}" for n in sorted(before.keys() & after.keys()) if before[n] != after[n]]
    )


def printed_diagnostics(stderr: str) -> list[str]:
    """The `location: severity[code]` part of every diagnostic line a text-format build printed."""
    found = []
    for line in stderr.splitlines():
        match = DIAGNOSTIC.match(line)
        if match:
            found.append(f"{match['where']}: {match['severity']}[{match['code']}]")
    return found


def temp_trees(out: Path) -> list[Path]:
    """Temporary and set-aside trees the writer leaves beside `out` (none after a clean exit)."""
    return sorted(out.parent.glob(f".{out.name}.*"))
