"""The next site, made ahead: a spare tree in the build cache, swapped in whole on a hit.

A cache hit whose files differ from the site's (the first rebuild after a full build differs in
its change files, which compare against that build) used to put the whole site together again in
a new tree, a folder and a hard link per file, and remove the old tree after the swap: O(files)
of file-system work, 4 to 5 s at 100,000 records, for a handful of files that differ. Instead the
cache folder keeps a spare tree, `DIR/next/`:

- after a full build that predicts its next build (generator.build), the spare is made to hold
  that build's files: hard links to the site's own files and, for the few that will differ, to
  the objects;
- a hit whose site does not match makes the spare hold the entry's files (`settle`) and exchanges
  it with the site in one rename (generator.write.swap). The old site is the spare from then on,
  and the next such hit changes only what differs;
- a full build with the cache makes its site in the spare too (generator.cache.working_tree):
  the writer recycles it, checking each file against the site as it goes, and swaps it in the
  same way.

`settle` trusts a spare file only if it is the inode recorded for its path (same inode, size and
mtime, as a hit trusts the site's own files), and links anything else afresh: from the site, if
its file there is the one recorded or has the same bytes (so it keeps its mtime, and a sync by
size and mtime skips it), else from the objects, each checked against its digest first. A spare
left half-made by a killed build, or edited by hand, is therefore repaired, never published as
it is. The spare is never served: the site changes only by the exchange, as with every build.
Only one process at a time works on the spare (`claim`); a build that cannot have it, or whose
cache is on another file system than the site, puts the tree together in a new folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from generator.spool import file_sha256
from generator.write import Record, UnsafeOutput, check_inside, prune

Stat = tuple[int, int, int]  # inode, size, mtime in ns: what identifies a published file


@contextlib.contextmanager
def claim(spare: Path, site: Path) -> Iterator[bool]:
    """Hold the spare for this process: False if another has it, or it could not be swapped with
    `site` (another file system: a rename cannot move a tree across)."""
    spare.parent.mkdir(parents=True, exist_ok=True)
    try:
        same_device = os.stat(spare.parent).st_dev == os.stat(site.resolve().parent).st_dev
    except OSError:
        same_device = False
    if not same_device:
        yield False
        return
    with open(f"{spare}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except OSError:  # another build is using it: not worth waiting for
            held = False
        yield held  # the lock goes when the file is closed


def tree_state(folder: Path) -> tuple[dict[str, Stat], bool]:
    """Every file below `folder` by its path: (inode, size, mtime); and whether the tree is clean,
    that is, regular files only and no empty folder (a build never leaves one)."""
    found: dict[str, Stat] = {}
    clean = True
    stack = [""]
    while stack:
        rel = stack.pop()
        empty = True
        try:
            with os.scandir(f"{folder}/{rel}" if rel else folder) as entries:
                for entry in entries:
                    empty = False
                    path = f"{rel}/{entry.name}" if rel else entry.name
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(path)
                        continue
                    info = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(info.st_mode):
                        clean = False
                        continue
                    found[path] = (info.st_ino, info.st_size, info.st_mtime_ns)
        except OSError:
            return found, False
        clean = clean and not empty
    return found, clean


def settle(
    spare: Path,
    files: Sequence[Record],
    site: Path,
    live: Mapping[str, Stat],
    object_path: Callable[[str], str],
    intact: Callable[[str, str, int], bool],
    trusted: bool = False,
) -> list[Record] | None:
    """Make `spare` hold exactly `files`: their records as they now are, or None if an object
    they need is missing or altered (the spare is then left as it is, to be repaired later).
    UnsafeOutput if they name a path outside the tree, or one twice, unless they are `trusted`
    (the records of the files this process has just written, each checked then).

    `live` is the site's state (tree_state): a file there that is the one recorded, or has the
    same bytes, is linked from there.
    """
    want = {record[0]: record for record in files}
    if not trusted:
        for path in want:
            check_inside(path)  # an entry is data: it must not name a file outside the tree
    if len(want) != len(files):
        raise UnsafeOutput("an entry names a file twice")
    done: dict[str, Record] = {}
    folders = _keep_matching(spare, want, live, done)
    for path, digest, size, ino, mtime in files:
        if path in done:
            continue
        folder = path.rpartition("/")[0]
        if folder not in folders:
            os.makedirs(f"{spare}/{folder}" if folder else spare, exist_ok=True)
            folders.add(folder)
        source = f"{site}/{path}"
        here = live.get(path)
        if here is None or not (
            (ino and here == (ino, size, mtime)) or (here[1] == size and _digest(source) == digest)
        ):
            source = object_path(digest)
            if not intact(source, digest, size):
                return None
            info = os.lstat(source)
            here = (info.st_ino, info.st_size, info.st_mtime_ns)
        # Nothing is in the way: _keep_matching removed every file it did not keep. A link
        # shares its source's inode and mtime, so the record needs no stat of it.
        os.link(source, f"{spare}/{path}")
        done[path] = (path, digest, size, here[0], here[2])
    return [done[record[0]] for record in files]


def _keep_matching(
    spare: Path, want: Mapping[str, Record], live: Mapping[str, Stat], done: dict[str, Record]
) -> set[str]:
    """Keep the spare's files that are the ones recorded (into `done`), remove everything else,
    and say which folders are left.

    A spare file is mostly the same inode as the site's file at its path (the spare was made
    from the site). Its directory entry gives its inode without a stat; where that is the
    recorded inode and the site's file is too, the site's stat (size, mtime) vouches for it.
    Any other file is stat'ed itself.
    """
    if not spare.is_dir():
        with contextlib.suppress(FileNotFoundError):
            os.unlink(spare)  # not a folder: nothing of it can be kept
        return set()

    def keep(path: str, entry: os.DirEntry[str]) -> bool:
        record = want.get(path)
        # A predicted file (no inode recorded) is linked afresh: it may have been made from an
        # object, which only its digest can vouch for.
        if record is not None and record[3] and _is_recorded(entry, record, live):
            done[path] = record
            return True
        return False

    return {"", *prune(spare, keep)}


def _is_recorded(entry: os.DirEntry[str], record: Record, live: Mapping[str, Stat]) -> bool:
    """Is this directory entry the recorded file: same inode, size and mtime?"""
    recorded = (record[3], record[2], record[4])
    if entry.inode() != recorded[0] or entry.is_symlink():
        return False
    if live.get(record[0]) == recorded:
        return True  # the site's entry is this same inode, just stat'ed: the same size and mtime
    info = entry.stat(follow_symlinks=False)
    return stat.S_ISREG(info.st_mode) and (info.st_ino, info.st_size, info.st_mtime_ns) == recorded


def _digest(path: str) -> str:
    try:
        return file_sha256(path)
    except OSError:  # gone since the site was walked: not a source
        return ""
