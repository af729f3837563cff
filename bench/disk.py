#!/usr/bin/env python3
"""What making a site's files costs on this disk, fresh and right after a removal.

    python3 bench/disk.py [N] [--size BYTES] [--dir DIR]

Makes N files of BYTES bytes (default 100,000 files of 6,000 bytes, a subject page's size) in
256 folders under a new folder in DIR (default: bench/work/), as the build lays out subject
pages; removes them; and at once makes them again. Prints the wall and system time per file for
each step, as JSON.

Why: a build writes a million small files, and what one costs depends on the file system more
than on the generator. On ext4 without a journal (this machine's disk: /proc/fs/ext4/*/options
says `nojournal_checksum`, /proc/fs/jbd2/ is empty), the inode allocator skips, one by one,
inodes freed in the last minutes (fs/ext4/ialloc.c, `recently_deleted`), so files made right
after a large removal cost many times more system time. bench/run.py therefore removes the
previous site only after the build it measures. A deploy that removes the old site just before
building pays this on such a disk.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = 256


def make(folder: Path, count: int, data: bytes) -> dict[str, float]:
    for fan in range(FOLDERS):
        (folder / f"{fan:02x}").mkdir(parents=True, exist_ok=True)
    wall, before = time.perf_counter(), os.times()
    for i in range(count):
        with open(folder / f"{i % FOLDERS:02x}" / f"s{i}.html", "wb") as f:
            f.write(data)
    return _per_file(count, wall, before)


def remove(folder: Path, count: int) -> dict[str, float]:
    wall, before = time.perf_counter(), os.times()
    shutil.rmtree(folder)
    return _per_file(count, wall, before)


def _per_file(count: int, wall: float, before: os.times_result) -> dict[str, float]:
    after = os.times()
    return {
        "wall_s": round(time.perf_counter() - wall, 3),
        "sys_s": round(after.system - before.system, 3),
        "us_per_file": round((time.perf_counter() - wall) / max(count, 1) * 1e6, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="?", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=6_000)
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "work")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="disk-", dir=args.dir))
    data = b"x" * args.size
    try:
        result = {
            "files": args.files,
            "size": args.size,
            "dir": str(args.dir),
            "fresh": make(base / "a", args.files, data),
            "remove": remove(base / "a", args.files),
            "after_removal": make(base / "b", args.files, data),
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
