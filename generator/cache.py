"""Incremental builds: `credit-portal build --cache DIR` reuses what an earlier build wrote.

The cache is content-addressed, and a hit can never change a byte of the output:

* **The build key** is a sha256 over everything the published site depends on: the generator's
  own files and the versions of the libraries it depends on (Jinja2, lunr, ...), the templates
  (the project's and the theme's), site.yaml, content/ and catalogue/ (every file's path and
  bytes), the browser assets, the date the build treats as today (`--as-of`; without it the
  current hour, so a default "today" never outlives its day), --strict and --allow-shrink, and
  the previous site's `lists/manifest.json`, which the change files compare against. A build
  reads nothing else, so two builds with one key write the same bytes.
* **The objects.** Every file of a site built with a cache is hard-linked into
  `DIR/objects/<sha256>` as it is written (generator.write; no copy, the site and the cache share
  the inode), by the worker that wrote it.
* **The entries.** On success, `DIR/builds/<key>.json` records the site's manifest (for every
  file: path, digest, size, and the published file's inode and mtime) and the build's outcome
  (diagnostics, summary). It is written to a temporary name and renamed into place, and carries a
  checksum of its own content, so a killed build leaves no entry and a damaged one is ignored.
* **A hit** loads, validates, decides and renders nothing:
  - if the output folder holds exactly the manifest's files (same paths, and each file still the
    inode that was published, with its size and mtime: one stat per file), it already is what a
    cold build would write, and nothing is touched;
  - otherwise the cache's spare tree, `DIR/next/`, is made to hold the manifest's files and
    swapped with the site in one rename (generator.spare): only the files that differ are linked
    afresh, from the site or from the objects (each checked against its digest first), and
    files whose bytes equal the site's keep their inode and mtime. The old site becomes the
    spare. Where the spare cannot be used (another build holds it, or the cache is on another
    file system than the site), the tree is put together from the objects in a temporary tree,
    swapped in like any build's (generator.write).

  An entry that cannot be read, is of another format or key, or names a missing or altered object
  is ignored and the build runs in full, refreshing the cache.
* **The next build, ahead.** A rebuild with no input changed still differs from the build before
  it: its previous site is now that build, so its change files are "nothing changed" instead of
  the last build's differences. After a full build, generator.build therefore renders again the
  few tasks given the previous manifest, against the manifest just written, stores their files as
  objects and saves the entry of that next build (those files recorded with no inode). It also
  makes the spare hold that build's files, so the next build is a swap.

A changed input changes the key, and such a build runs in full; it still writes only the files
whose bytes changed (generator.write), and it makes its site in the spare (`working_tree`), which
holds the site before last or the predicted next one, so most of its files are already the right
ones. Pages that key on exactly what they are rendered from (subject and list pages, search
shards) are not rendered again when their key is the one recorded for them: generator.memo, with
its table in `DIR/pages.sqlite`. Rows decided before in the same context (everything but the
lists' data) are not validated and judged again, on the days their verdicts hold for:
generator.lists.rowmemo, with its tables in `DIR/rows-*.sqlite` (this environment's and one
other).

The cache only grows: remove DIR to reclaim the objects of old builds. Its spare tree is hard
links, mostly to the objects; after a hit it is the site that was replaced, whose files the spare
keeps on disk until the next hit or full build settles it again.

This module is imported by the command line before the rest of the build (a hit needs none of
it), so it imports only what a hit needs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from generator import assets, spare
from generator.diagnostics import Diagnostic, Location, Severity
from generator.lists.routes import MANIFEST_PATH
from generator.spool import file_sha256
from generator.write import Record, SiteWriter, UnsafeOutput, swap

FORMAT = 2  # 2: the entry's body follows its header line as it is, not as a JSON string
PACKAGE = Path(__file__).resolve().parent
THEME = PACKAGE.parent / "templates"
_INPUT_FOLDERS = ("content", "catalogue", "templates")
_CONFIG_FILE = "site.yaml"
_DIGEST = re.compile(r"[0-9a-f]{64}")
# Used when the installed package has no metadata to read its dependencies from.
_DEPENDENCIES = ("jinja2", "markupsafe", "markdown", "frictionless", "pyyaml", "lunr", "nh3",
                 "openpyxl")  # fmt: skip


@dataclass(frozen=True)
class KeyInputs:
    """What a build's key is computed from, besides the generator itself."""

    root: Path
    out: Path
    previous: Path | None = None
    as_of: dt.date | None = None
    strict: bool = False
    allow_shrink: bool = False


def build_key(
    inputs: KeyInputs, now: dt.datetime | None = None, previous_manifest: bytes | None = None
) -> str:
    """The key of a build of `inputs`; with `previous_manifest`, of the same build made against a
    previous site with that lists manifest (generator.build predicts the next build's files)."""
    digest = hashlib.sha256(f"credit-portal build cache {FORMAT}\n".encode())
    _sources(digest, inputs.root)
    if inputs.as_of is not None:
        _text(digest, "as of", inputs.as_of.isoformat())
    else:  # "today", in the site's time zone: any change of date changes the hour
        moment = now or dt.datetime.now(dt.UTC)
        _text(digest, "as of", "today at " + moment.strftime("%Y-%m-%dT%H"))
    _text(digest, "flags", f"strict={inputs.strict} allow_shrink={inputs.allow_shrink}")
    if previous_manifest is not None:
        _bytes(digest, "previous manifest", previous_manifest)
    else:
        previous = inputs.previous if inputs.previous is not None else inputs.out
        _file(digest, "previous manifest", previous.resolve() / MANIFEST_PATH)
    return digest.hexdigest()


# The lists' data files: what a page shows of them is in its own key (generator.memo).
_DATA_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xls", ".jsonl", ".ndjson")


def page_environment(inputs: KeyInputs) -> str:
    """The part of every page key (generator.memo) that is the same for every page of a build:
    the build key's inputs, less the lists' data files, the date, the flags and the previous
    manifest. A page that shows any of those puts it into its own key."""
    digest = hashlib.sha256(f"credit-portal page environment {FORMAT}\n".encode())
    _sources(digest, inputs.root, skip=_lists_data)
    return digest.hexdigest()


def rows_context(environment: str) -> str:
    """What every row of a build is judged by, but the date (generator.lists.rowmemo): the page
    environment, which holds everything but the lists' data files."""
    digest = hashlib.sha256(f"credit-portal rows context {FORMAT}\n".encode())
    _text(digest, "environment", environment)
    return digest.hexdigest()


def _lists_data(rel: str) -> bool:
    return rel.startswith("content/lists/") and rel.lower().endswith(_DATA_SUFFIXES)


def _sources(digest: Any, root: Path, skip: Callable[[str], bool] | None = None) -> None:
    """The generator, its dependencies, the templates and the project's input files, but those
    whose path (from the project's root) `skip` accepts."""
    _text(digest, "python", sys.version)
    for name, version in _versions():
        _text(digest, "dependency", f"{name}=={version}")
    _tree(digest, "generator", PACKAGE)
    _tree(digest, "theme", THEME)
    root = root.resolve()
    _file(digest, "config", root / _CONFIG_FILE)
    for folder in _INPUT_FOLDERS:
        _tree(digest, folder, root / folder, skip)
    modules = assets.node_modules(root)
    for source in sorted(assets.VENDOR_FILES):
        _file(digest, f"vendor {source}", modules / source)


def _versions() -> list[tuple[str, str]]:
    try:
        required = metadata.requires("credit-portal") or []
        names = sorted({_requirement_name(r) for r in required if "extra ==" not in r})
    except metadata.PackageNotFoundError:
        names = sorted(_DEPENDENCIES)
    found = []
    for name in names:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, "-"))
    return found


def _requirement_name(requirement: str) -> str:
    for i, char in enumerate(requirement):
        if not (char.isalnum() or char in "-_."):
            return requirement[:i].lower()
    return requirement.lower()


def _text(digest: Any, label: str, value: str) -> None:
    data = value.encode("utf-8")
    digest.update(b"%s %d\0" % (label.encode(), len(data)) + data)


def _file(digest: Any, label: str, path: Path) -> None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _text(digest, label, "(missing)")
        return
    except IsADirectoryError:
        _text(digest, label, "(a folder)")
        return
    _bytes(digest, label, data)


def _bytes(digest: Any, label: str, data: bytes) -> None:
    digest.update(b"%s %d\0" % (label.encode(), len(data)))
    digest.update(data)


def _tree(digest: Any, label: str, folder: Path, skip: Callable[[str], bool] | None = None) -> None:
    """Every file below `folder`, by path and bytes, in a fixed order (symlinks followed, as the
    build follows them), but those whose label and path `skip` accepts."""
    if not folder.is_dir():
        _text(digest, label, "(missing)")
        return
    for path, rel in _files(folder):
        if skip is None or not skip(f"{label}/{rel}"):
            _file(digest, f"{label}/{rel}", path)


def _files(folder: Path) -> Iterator[tuple[Path, str]]:
    for top, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        base = Path(top)
        for name in sorted(files):
            if not name.endswith(".pyc"):
                path = base / name
                yield path, path.relative_to(folder).as_posix()


# -- the cache folder ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reused:
    """The outcome of a build served from the cache: what the entry recorded."""

    ok: bool
    as_of: dt.date | None
    diagnostics: tuple[Diagnostic, ...]
    summary: dict[str, object]
    summary_lines: tuple[str, ...]
    files: int
    bytes: int
    unchanged: int  # files left as they were (all of them, unless the site had to be relinked)
    relinked: bool  # the site was put together from the cache's objects
    lists: None = None  # no per-row outcomes: nothing was decided
    memo: dict[str, int] = field(default_factory=dict)  # no page rendered (generator.memo)
    rows: dict[str, int] = field(default_factory=dict)  # no row decided (generator.lists.rowmemo)

    @property
    def written(self) -> int:
        return self.files - self.unchanged


class Cache:
    """A build cache folder: content-addressed objects and one entry per build key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.objects = self.folder / "objects"
        self.builds = self.folder / "builds"
        self.spare = self.folder / "next"  # the next site, made ahead (generator.spare)
        self.pages = self.folder / "pages.sqlite"  # page keys (generator.memo)
        self._made: set[str] = set()

    def object_path(self, digest: str) -> str:
        return f"{self.objects}/{digest[:2]}/{digest[2:]}"

    def keep(self, digest: str, path: str) -> bool:
        """Link the finished file at `path` into the objects, unless they have its digest: is
        the object now that file?"""
        target = self.object_path(digest)
        folder = target.rpartition("/")[0]
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        try:
            os.link(path, target)
            return True
        except FileExistsError:  # stored before (by an earlier build or another worker)
            return False
        except OSError:  # another file system: a copy, renamed into place whole
            partial = f"{target}.{os.getpid()}.tmp"
            with open(path, "rb") as src, open(partial, "wb") as dst:
                dst.write(src.read())
            os.replace(partial, target)
            return False

    def keep_page(self, digest: str, path: str) -> os.stat_result | None:
        """`keep`, for a page the page memo will name (generator.memo): None if the object is
        `path` itself, else the object's lstat.

        An object kept before, another file than `path`, may since have been changed in place
        through a site file it shares its inode with: it is checked against its digest, and
        replaced by `path` if it no longer holds those bytes."""
        if self.keep(digest, path):
            return None
        target = self.object_path(digest)
        found = os.lstat(target)
        mine = os.lstat(path)
        if (found.st_ino, found.st_dev) == (mine.st_ino, mine.st_dev):
            return found
        try:
            with open(target, "rb") as f:
                intact = hashlib.sha256(f.read()).hexdigest() == digest
        except OSError:
            intact = False
        if not intact:
            partial = f"{target}.{os.getpid()}.tmp"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            try:
                os.link(path, partial)
            except OSError:  # another file system: a copy
                with open(path, "rb") as src, open(partial, "wb") as dst:
                    dst.write(src.read())
            os.replace(partial, target)
            found = os.lstat(target)
        return found

    # -- entries ---------------------------------------------------------------------------------

    def entry_path(self, key: str) -> Path:
        return self.builds / f"{key}.json"

    def save(self, key: str, records: Sequence[Record], outcome: dict[str, Any]) -> None:
        body = {"outcome": outcome, "files": sorted(records)}
        # One JSON text per line: the header, then the body (no newline in either). The body is
        # not a string inside the header: escaped and parsed twice, a hundred thousand files'
        # records were about a sixth of a first unchanged rebuild's time.
        text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        data = text.encode("utf-8")
        header = {"format": FORMAT, "key": key, "checksum": hashlib.sha256(data).hexdigest()}
        self.builds.mkdir(parents=True, exist_ok=True)
        final = self.entry_path(key)
        partial = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        partial.write_bytes(json.dumps(header).encode("utf-8") + b"\n" + data + b"\n")
        os.replace(partial, final)

    def load(self, key: str) -> tuple[dict[str, Any], list[Record]] | None:
        """The entry of `key`: (outcome, files); None if there is none or it cannot be trusted."""
        try:
            head, _, data = self.entry_path(key).read_bytes().partition(b"\n")
            entry = json.loads(head)
            data = data.removesuffix(b"\n")
            if (
                not isinstance(entry, dict)
                or entry.get("format") != FORMAT
                or entry.get("key") != key
                or entry.get("checksum") != hashlib.sha256(data).hexdigest()
            ):
                return None
            body = json.loads(data)
            files = [(str(p), str(d), int(s), int(i), int(m)) for p, d, s, i, m in body["files"]]
            outcome = body["outcome"]
            # A digest names a file in the objects: nothing but 64 hex digits may.
            if not isinstance(outcome, dict) or not all(_DIGEST.fullmatch(f[1]) for f in files):
                return None
            return outcome, files
        except (OSError, ValueError, KeyError, TypeError):
            return None


def outcome(
    ok: bool,
    as_of: dt.date | None,
    diagnostics: Sequence[Diagnostic],
    summary: dict[str, object],
    summary_lines: Sequence[str],
) -> dict[str, Any]:
    """What an entry keeps of a build's result, besides its files."""
    return {
        "ok": ok,
        "as_of": as_of.isoformat() if as_of else None,
        "diagnostics": [d.as_dict() for d in diagnostics],
        "summary": summary,
        "summary_lines": list(summary_lines),
    }


def reuse(cache: Cache, key: str, out: Path) -> Reused | None:
    """The site of an earlier build with this key, in `out`; None if the build must run."""
    found = cache.load(key)
    if found is None:
        return None
    recorded, files = found
    try:
        result = Reused(
            ok=bool(recorded["ok"]),
            as_of=dt.date.fromisoformat(recorded["as_of"]) if recorded["as_of"] else None,
            diagnostics=tuple(_diagnostic(d) for d in recorded["diagnostics"]),
            summary=dict(recorded["summary"]),
            summary_lines=tuple(str(line) for line in recorded["summary_lines"]),
            files=len(files),
            bytes=sum(size for _, _, size, _, _ in files),
            unchanged=len(files),
            relinked=False,
        )
    except (KeyError, TypeError, ValueError):
        return None
    site = out.resolve()
    live, clean = spare.tree_state(site)
    if clean and live == {path: (ino, size, mtime) for path, _, size, ino, mtime in files}:
        return result
    try:
        swapped = _swap_in_spare(cache, key, site, files, live, recorded)
        if swapped is not None:
            return replace(result, unchanged=swapped, relinked=True) if swapped >= 0 else None
        relinked = _relink(cache, key, out, files, recorded)
    except UnsafeOutput:  # a path outside the site, or twice: not an entry this code wrote
        return None
    if relinked is None:
        return None
    return replace(result, unchanged=relinked, relinked=True)


def _diagnostic(data: dict[str, Any]) -> Diagnostic:
    location = Location(**{k: v for k, v in data["location"].items()})
    return Diagnostic(location, Severity(data["severity"]), data["code"], data["message"])


def _swap_in_spare(
    cache: Cache,
    key: str,
    site: Path,
    files: Sequence[Record],
    live: dict[str, spare.Stat],
    recorded: dict[str, Any],
) -> int | None:
    """Settle the spare on `files` and swap it in (generator.spare): the files kept as they were;
    -1 if an object is missing or altered; None if the spare cannot be used here."""
    try:
        with spare.claim(cache.spare, site) as ours:
            if not ours:
                return None
            made = spare.settle(cache.spare, files, site, live, cache.object_path, _intact)
            if made is None:
                return -1
            if not swap(cache.spare, site):
                return None
    except OSError:  # the spare folder cannot be worked on: the tree is made the old way
        return None
    cache.save(key, made, recorded)
    return sum(live.get(path, (0,))[0] == ino for path, _, _, ino, _ in made)


def _relink(
    cache: Cache, key: str, out: Path, files: Sequence[Record], recorded: dict[str, Any]
) -> int | None:
    """Put the site together again, atomically; the files kept as they were, or None on failure.

    A file of the output folder that is still the one recorded (same inode, size and mtime) is
    kept; any other comes from the objects, each read back and checked against its digest.
    """
    with SiteWriter(out, cache) as writer:
        for path, digest, size, ino, mtime in files:
            old = f"{writer.out}/{path}"
            try:
                info = os.lstat(old)
                same = (info.st_ino, info.st_size, info.st_mtime_ns) == (ino, size, mtime)
                # Not the file recorded (a file the cache predicted), but maybe the same bytes.
                same = same or (info.st_size == size and file_sha256(old) == digest)
            except OSError:
                same = False
            if same:
                writer.adopt(path, old, size, True, digest, info)
                continue
            source = cache.object_path(digest)
            if not _intact(source, digest, size):
                return None  # the temporary tree is removed; the site is as it was
            writer.adopt(path, source, size, False, digest)
        stats = writer.commit()
    cache.save(key, writer.records, recorded)
    return stats.unchanged


@contextlib.contextmanager
def next_tree(
    cache: Cache, out: Path, site: Sequence[Record]
) -> Iterator[Callable[[Sequence[Record]], None]]:
    """Make the cache's spare tree the next build's, ahead (generator.spare); yields `settle`,
    to be called with that build's files once they are predicted.

    Most of those files are the ones just written (`site`: their records), so a forked process
    links them into the spare while this one renders the few that will differ; `settle` then
    waits for it and changes only those. If `settle` is never called, the spare is left a copy
    of the site, which the next hit settles all the same.
    """
    folder = out.resolve()
    live = {path: (ino, size, mtime) for path, _, size, ino, mtime in site}

    def make(files: Sequence[Record]) -> None:
        spare.settle(cache.spare, files, folder, live, cache.object_path, _intact, trusted=True)

    with spare.claim(cache.spare, folder) as ours:
        if not ours:
            yield lambda files: None
            return
        child = os.fork()
        if child == 0:  # pragma: no cover - the forked process (its work is checked by the parent)
            code = 1
            try:
                make(site)
                code = 0
            finally:
                os._exit(code)
        waited = False

        def settle(files: Sequence[Record]) -> None:
            nonlocal waited
            os.waitpid(child, 0)  # whatever became of it, settling repairs the spare
            waited = True
            make(files)

        try:
            yield settle
        finally:
            if not waited:
                os.waitpid(child, 0)


@contextlib.contextmanager
def working_tree(cache: Cache | None, out: Path) -> Iterator[Path | None]:
    """The tree a full build makes its site in: the cache's spare, recycled (generator.write),
    if this process can have it; None (a new tree) without a cache, or where the spare cannot be
    used."""
    if cache is None:
        yield None
        return
    with spare.claim(cache.spare, out) as ours:
        yield cache.spare if ours else None


def _intact(source: str, digest: str, size: int) -> bool:
    try:
        with open(source, "rb") as f:
            data = f.read()
    except OSError:
        return False
    if len(data) == size and hashlib.sha256(data).hexdigest() == digest:
        return True
    # Altered (a site file it shares its inode with was edited in place): drop it, so that the
    # full build that follows stores the right bytes again.
    with contextlib.suppress(OSError):
        os.unlink(source)
    return False


def store_bytes(cache: Cache, data: bytes) -> str:
    """Put bytes that no site holds yet into the objects (written whole, then renamed)."""
    digest = hashlib.sha256(data).hexdigest()
    target = cache.object_path(digest)
    if not os.path.lexists(target):
        os.makedirs(target.rpartition("/")[0], exist_ok=True)
        partial = f"{target}.{os.getpid()}.tmp"
        with open(partial, "wb") as f:
            f.write(data)
        os.replace(partial, target)
    return digest
