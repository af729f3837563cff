"""What changed in each list since the previous publication, and the guard against a truncated source.

The site carries `lists/manifest.json`: for every published record its key, a hash of what was shown
and its provider. The next build reads the previous site's manifest and publishes the difference as a
page, a JSON file and an Atom feed per list. A removal names only the record key and the reason, never
the removed details (the record may have been repaired or revoked: showing it again would undo that).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostics, Location
from generator.lists.model import PublishedRecord, record_hash
from generator.lists.routes import MANIFEST_PATH
from generator.lists.store import PublishedRecords

MANIFEST_FORMAT = 1
NO_LONGER_IN_SOURCE = "no-longer-in-source"


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    hash: str
    provider: str


@dataclass(frozen=True)
class Manifest:
    """A site's published state: list code → record key → entry."""

    as_of: dt.date | None
    lists: Mapping[str, Mapping[str, ManifestEntry]]


@dataclass(frozen=True, slots=True)
class Removal:
    key: str
    reason: str


@dataclass(frozen=True)
class ListChanges:
    code: str
    added: tuple[PublishedRecord, ...]
    changed: tuple[PublishedRecord, ...]
    removed: tuple[Removal, ...]
    previous_as_of: dt.date | None
    baseline: bool  # no previous manifest: this publication is the starting point

    @property
    def total(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


# -- the manifest ------------------------------------------------------------------------------


def manifest_file(lists: Iterable[tuple[str, Sequence[PublishedRecord]]], as_of: dt.date) -> bytes:
    """`lists/manifest.json`, one line per list so that two manifests diff readably.

    Written entry by entry in key order, as `json.dumps(sort_keys=True)` of the whole dict would
    write it, so that a million records never become a dict of a million entries.
    """
    out = io.BytesIO()
    head = f'{{"as_of":"{as_of.isoformat()}","format":{MANIFEST_FORMAT},"lists":{{'
    out.write(f"{head}\n".encode())
    for n, (code, records) in enumerate(sorted(lists, key=lambda pair: pair[0])):
        out.write(f"{',' + chr(10) if n else ''}{json.dumps(code)}:{{".encode())
        for i, (key, hashed, provider) in enumerate(_hashes_by_key(records)):
            entry = {"hash": hashed, "provider": provider}
            text = f"{',' if i else ''}{_compact(key)}:{_compact(entry)}"
            out.write(text.encode("utf-8"))
        out.write(b"}")
    out.write(b"\n}}\n")
    return out.getvalue()


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _hashes_by_key(records: Sequence[PublishedRecord]) -> Iterable[tuple[str, str, str]]:
    """(key, hash, provider) in key order."""
    if isinstance(records, PublishedRecords):
        # From the store's key index and columns: no record is decoded, none hashed again.
        return records.hashes_by_key()
    return ((r.key, record_hash(r), r.provider) for r in sorted(records, key=lambda r: r.key))


def _hashes(records: Sequence[PublishedRecord]) -> Iterable[tuple[int, str, str]]:
    """(position, key, hash) in list order."""
    if isinstance(records, PublishedRecords):
        return records.hashes()
    return ((i, r.key, record_hash(r)) for i, r in enumerate(records))


def load_manifest(
    folder: Path | None, diags: Diagnostics, root: Path | None = None
) -> Manifest | None:
    """The previous site's manifest, or None when there is none (a first publication).

    `root` is the project folder, so that a problem is reported at a project-relative path.
    """
    if folder is None:
        return None
    path = folder / MANIFEST_PATH
    if not path.is_file():
        return None
    shown = path
    if root is not None and path.resolve().is_relative_to(root.resolve()):
        shown = path.resolve().relative_to(root.resolve())
    where = Location(shown.as_posix())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = _parse_manifest(data)
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError) as exc:
        diags.error(
            "list.previous-manifest",
            f"the previous site's manifest cannot be read ({exc}); without it the changes and "
            "the shrink guard cannot be computed. Pass --previous with another site folder",
            where,
        )
        return None
    return manifest


def _parse_manifest(data: Any) -> Manifest:
    if data.get("format") != MANIFEST_FORMAT:
        raise ValueError(f"unknown manifest format {data.get('format')!r}")
    as_of = dt.date.fromisoformat(data["as_of"]) if data.get("as_of") else None
    lists: dict[str, dict[str, ManifestEntry]] = {}
    for code, entries in data["lists"].items():
        lists[str(code)] = {
            str(key): ManifestEntry(str(e["hash"]), str(e["provider"]))
            for key, e in entries.items()
        }
    return Manifest(as_of, lists)


# -- differences ------------------------------------------------------------------------------


def list_changes(
    code: str,
    records: Sequence[PublishedRecord],
    previous: Manifest | None,
    withheld_reasons: Mapping[str, str],
) -> ListChanges:
    """Added and changed records in list order (newest decision first), removals by key."""
    if previous is None:
        return ListChanges(code, (), (), (), None, True)
    before = previous.lists.get(code, {})
    added, changed = [], []
    current = set()
    for position, key, hashed in _hashes(records):
        current.add(key)
        entry = before.get(key)
        if entry is None:
            added.append(position)
        elif entry.hash != hashed:
            changed.append(position)
    # Only these records are read whole; usually a handful of a list's.
    shown = _at(records, {*added, *changed})
    removed = tuple(
        Removal(key, withheld_reasons.get(key, NO_LONGER_IN_SOURCE))
        for key in sorted(before)
        if key not in current
    )
    return ListChanges(
        code,
        tuple(shown[i] for i in added),
        tuple(shown[i] for i in changed),
        removed,
        previous.as_of,
        False,
    )


def _at(records: Sequence[PublishedRecord], positions: set[int]) -> dict[int, PublishedRecord]:
    """The records at these positions: one read each if they are few, else one pass over all."""
    if len(positions) <= 1_000:
        return {i: records[i] for i in positions}
    return {i: r for i, r in enumerate(records) if i in positions}


def check_shrink(
    published_keys: Iterable[str],
    previous: Manifest | None,
    withheld_reasons: Mapping[str, str],
    threshold: float,
    allow: bool,
    diags: Diagnostics,
    packages_of: Callable[[str], Sequence[str]] = lambda provider: (),
) -> None:
    """Fail the build when a provider's records vanish with no reason behind them (a cut-off export).

    A record that left because it expired, was repaired, revoked, corrected or upheld on objection
    has a reason in `withheld_reasons`; only records that are simply gone from the source count.
    `packages_of(provider)` gives the packages of its published records, sorted, to point at.
    """
    if previous is None:
        return
    now = set(published_keys)
    before: Counter[str] = Counter()
    vanished: Counter[str] = Counter()
    for entries in previous.lists.values():
        for key, entry in entries.items():
            before[entry.provider] += 1
            if key not in now and key not in withheld_reasons:
                vanished[entry.provider] += 1
    for provider in sorted(vanished):
        share = vanished[provider] / before[provider]
        if share <= threshold or allow:
            continue
        folders = packages_of(provider)
        where = Location(f"content/lists/{folders[0]}" if folders else "content/lists")
        diags.error(
            "list.shrink",
            f"{vanished[provider]} of provider {provider}'s {before[provider]} previously "
            f"published records ({share:.0%}) are gone from the source with no withdrawal, "
            f"expiry or other reason, more than the shrink threshold of {threshold:.0%}. "
            "Is a package truncated or missing? If the removal is intended, build with "
            "--allow-shrink",
            where,
        )


# -- the change files -----------------------------------------------------------------------------


def changes_json(
    changes: ListChanges, as_of: dt.date, record_url: Mapping[str, str] | None = None
) -> bytes:
    """`lists/<code>/changes.json`; `record_url` maps a record key to its page address."""
    urls = record_url or {}

    def shown(record: PublishedRecord) -> dict[str, object]:
        return {
            "key": record.key,
            "subject_key": record.subject_key,
            "subject_name": record.subject_name,
            "decision_number": record.decision_number,
            "decision_date": record.decision_date.isoformat(),
            "url": urls.get(record.key, ""),
        }

    payload = {
        "list": changes.code,
        "as_of": as_of.isoformat(),
        "previous_as_of": changes.previous_as_of.isoformat() if changes.previous_as_of else None,
        "baseline": changes.baseline,
        "counts": {
            "added": len(changes.added),
            "changed": len(changes.changed),
            "removed": len(changes.removed),
        },
        "added": [shown(r) for r in changes.added],
        "changed": [shown(r) for r in changes.changed],
        # Only the key and the reason: a removed record's details are never published again.
        "removed": [{"key": r.key, "reason": r.reason} for r in changes.removed],
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1)
    return (text + "\n").encode("utf-8")


def removal_reasons(changes: Iterable[ListChanges]) -> Iterator[tuple[str, int]]:
    """Removals counted by reason, across lists, most frequent first."""
    counts = Counter(r.reason for c in changes for r in c.removed)
    yield from sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
