"""Find and read the list packages in content/lists/: descriptor, resources, path safety, encoding.

Nothing here opens a resource before its path has been checked: not absolute, no `..`, not a
URL, and not a symlink that leads out of the package folder. Frictionless only ever sees the
descriptor (to validate it) and rows we have already read, never a path.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frictionless import Package

from generator.diagnostics import Diagnostics, Location
from generator.fields import Reader
from generator.yamlio import YList, YMap, parse_yaml, read_text

LISTS_DIR = "content/lists"
DESCRIPTOR_NAMES = ("datapackage.json", "datapackage.yaml")
RECORDS, WITHDRAWALS, OBJECTIONS = "records", "withdrawals", "objections"
RESOURCE_NAMES = (RECORDS, WITHDRAWALS, OBJECTIONS)
# Declared encoding (normalised by `codecs.lookup`) -> the codec we decode with. UTF-8 is read
# with utf-8-sig so that a byte-order mark, which Excel writes, is dropped from the first label.
ENCODINGS = {"utf-8": "utf-8-sig", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030", "gbk": "gbk"}
DIALECT_KEYS = ("delimiter", "quoteChar", "header", "doubleQuote")

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
# Undecodable bytes come through as lone surrogates (errors="surrogateescape"); a correctly
# decoded text can never contain them, so finding one names the row and field exactly.
_UNDECODED = re.compile("[\udc80-\udcff]+")


@dataclass(frozen=True)
class ResourceFile:
    """One CSV resource of a package, its path already checked and its encoding settled."""

    name: str  # records | withdrawals | objections
    path: str  # project-relative posix path, as diagnostics show it
    file: Path  # the checked file on disk
    encoding: str  # Python codec: utf-8-sig, gb18030 or gbk
    declared: str  # the encoding as the package declared it ("" when not declared)
    declared_fields: tuple[str, ...] | None = None  # field names of a schema the package declares
    delimiter: str = ","
    quote_char: str = '"'


@dataclass(frozen=True)
class ListPackage:
    name: str
    folder: str  # content/lists/<name>
    descriptor: str  # project-relative path of datapackage.json|yaml
    item_code: str
    provider: str
    extracted: dt.date | None
    records: ResourceFile
    withdrawals: ResourceFile | None = None
    objections: ResourceFile | None = None
    # Locations of the descriptor's keys, so later stages can point at `provider:` and the like.
    locations: dict[str, Location] = field(default_factory=dict)

    def loc(self, key: str) -> Location:
        return self.locations.get(key, Location(self.descriptor))


def discover_packages(root: Path, diags: Diagnostics) -> tuple[ListPackage, ...]:
    """Every readable package under content/lists/, sorted by name; problems go to `diags`."""
    base = root / LISTS_DIR
    if not base.is_dir():
        return ()
    packages = []
    for folder in sorted(base.iterdir(), key=lambda p: p.name):
        if folder.name.startswith((".", "_")) or not (folder.is_dir() or folder.is_symlink()):
            continue
        package = read_package(root, folder, diags)
        if package is not None:
            packages.append(package)
    return tuple(packages)


def read_package(root: Path, folder: Path, diags: Diagnostics) -> ListPackage | None:
    rel_folder = f"{LISTS_DIR}/{folder.name}"
    if not _inside(folder, root / LISTS_DIR):
        diags.error(
            "list.unsafe-path",
            "the package folder is a symlink that leads out of content/lists/",
            Location(rel_folder),
        )
        return None
    found = [name for name in DESCRIPTOR_NAMES if (folder / name).exists()]
    if not found:
        diags.error(
            "list.no-descriptor",
            "a list package needs a datapackage.json or datapackage.yaml",
            Location(rel_folder),
        )
        return None
    if len(found) > 1:
        diags.error(
            "list.two-descriptors",
            "keep one descriptor: both datapackage.json and datapackage.yaml are here",
            Location(rel_folder),
        )
        return None
    rel = f"{rel_folder}/{found[0]}"
    if not _inside(folder / found[0], folder):
        diags.error(
            "list.unsafe-path", "the descriptor is a symlink out of its package", Location(rel)
        )
        return None
    data = _load_descriptor(folder / found[0], rel, diags)
    if data is None:
        return None
    return _read_descriptor(data, folder, rel_folder, rel, diags)


def _read_descriptor(
    data: YMap, folder: Path, rel_folder: str, rel: str, diags: Diagnostics
) -> ListPackage | None:
    errors_before = len(diags.errors)
    r = Reader(data, "list", diags)
    name = r.string("name")
    if name and name != folder.name:
        r.error("name-mismatch", f"name is {name!r} but the folder is {folder.name!r}", "name")
    item_code = r.string("catalogue_item")
    provider = r.string("provider")
    extracted = r.date("extracted")
    resources = _read_resources(r, folder, rel_folder, diags)
    if len(diags.errors) > errors_before or resources is None:
        return None
    # Frictionless checks the standard part of the descriptor. Only now, with every path
    # known to be safe, does it see the descriptor; it still opens nothing.
    report = Package.validate_descriptor(_plain(data))
    for error in report.flatten(["type", "message"]):
        diags.error("list.descriptor-invalid", f"{error[0]}: {error[1]}", Location(rel))
    if not report.valid:
        return None
    locations = {key: data.loc(key) for key in ("name", "catalogue_item", "provider")}
    return ListPackage(
        name=folder.name,
        folder=rel_folder,
        descriptor=rel,
        item_code=item_code,
        provider=provider,
        extracted=extracted,
        records=resources[RECORDS],
        withdrawals=resources.get(WITHDRAWALS),
        objections=resources.get(OBJECTIONS),
        locations=locations,
    )


def _read_resources(
    r: Reader, folder: Path, rel_folder: str, diags: Diagnostics
) -> dict[str, ResourceFile] | None:
    items = r.sequence("resources")
    if items is None:
        return None
    found: dict[str, ResourceFile] = {}
    ok = True
    for index, entry in enumerate(items):
        if not isinstance(entry, YMap):
            diags.error("list.wrong-type", "each resource must be a mapping", items.loc(index))
            ok = False
            continue
        resource = _read_resource(entry, folder, rel_folder, diags)
        if resource is None:
            ok = False
        elif resource.name in found:
            diags.error(
                "list.duplicate-resource",
                f"resource {resource.name!r} is declared twice",
                entry.loc("name"),
            )
            ok = False
        else:
            found[resource.name] = resource
    if ok and RECORDS not in found:
        diags.error(
            "list.no-records",
            "the package needs a resource named 'records' (records.csv)",
            items.loc(),
        )
        return None
    return found if ok else None


def _read_resource(
    m: YMap, folder: Path, rel_folder: str, diags: Diagnostics
) -> ResourceFile | None:
    r = Reader(m, "list", diags)
    errors_before = len(diags.errors)
    name = r.string("name")
    if name and name not in RESOURCE_NAMES:
        r.error(
            "unknown-resource",
            f"unknown resource {name!r}; a list package has {', '.join(RESOURCE_NAMES)}",
            "name",
        )
    if "data" in m:
        r.error("inline-data", "rows must be in a CSV file named by 'path', not inline", "data")
    # Every path-like property is checked before anything else looks at it.
    for key in ("schema", "dialect"):
        if isinstance(m.get(key), str):
            problem = unsafe_path(m[key], folder)
            if problem:
                r.error("unsafe-path", f"{key} {m[key]!r}: {problem}", key)
            else:
                r.error(
                    "unsupported",
                    f"{key} must be written inline in the descriptor, not as a file",
                    key,
                )
    path = _resource_path(m, r)
    file = None
    if path:
        problem = unsafe_path(path, folder)
        if problem:
            r.error("unsafe-path", f"path {path!r}: {problem}", "path")
        elif not (folder / path).is_file():
            r.error("missing-file", f"{path!r} does not exist in the package", "path")
        elif not path.lower().endswith(".csv"):
            r.error("not-csv", f"{path!r}: a resource must be a .csv file", "path")
        else:
            file = folder / path
    fmt = r.string("format", required=False)
    if fmt and fmt.lower() != "csv":
        r.error("not-csv", f"format is {fmt!r}; list resources are csv", "format")
    declared = r.string("encoding", required=False)
    encoding = _codec(declared)
    if encoding is None:
        r.error(
            "encoding-unsupported",
            f"encoding {declared!r} is not accepted; use utf-8 (the default), gb18030 or gbk",
            "encoding",
        )
    declared_fields = _declared_fields(m, r)
    delimiter, quote_char = _dialect(m, r)
    if len(diags.errors) > errors_before or file is None or encoding is None:
        return None
    return ResourceFile(
        name=name,
        path=f"{rel_folder}/{path}",
        file=file,
        encoding=encoding,
        declared=declared,
        declared_fields=declared_fields,
        delimiter=delimiter,
        quote_char=quote_char,
    )


def _resource_path(m: YMap, r: Reader) -> str:
    value = m.get("path")
    if isinstance(value, YList):
        r.error("unsupported", "a resource has one file: 'path' must not be a list", "path")
        return ""
    return r.string("path")


def unsafe_path(path: str, folder: Path) -> str | None:
    """Why `path` may not be opened from inside `folder`, or None when it is safe.

    Checked on the text first (no file system access), then on the resolved path, which
    catches a symlink that points out of the package.
    """
    if not path.strip():
        return "the path is empty"
    if path.startswith(("/", "\\")) or _DRIVE.match(path):
        return "an absolute path is not allowed; give a path relative to the package folder"
    if "://" in path or _SCHEME.match(path):
        return "a URL is not allowed; put the file in the package folder"
    if "\\" in path:
        return "write paths with '/', not '\\'"
    if ".." in path.split("/"):
        return "'..' is not allowed; the file must be inside the package folder"
    if not _inside(folder / path, folder):
        return "the path leads out of the package folder through a symlink"
    return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def _codec(declared: str) -> str | None:
    if not declared:
        return ENCODINGS["utf-8"]
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return None
    return ENCODINGS.get(name.replace("_", "-"))


def _declared_fields(m: YMap, r: Reader) -> tuple[str, ...] | None:
    schema = m.get("schema")
    if schema is None or isinstance(schema, str):
        return None
    fields = schema.get("fields") if isinstance(schema, YMap) else None
    if not isinstance(fields, YList) or not all(
        isinstance(f, YMap) and isinstance(f.get("name"), str) for f in fields
    ):
        r.error("schema-invalid", "a declared schema needs a list of fields with names", "schema")
        return None
    return tuple(f["name"] for f in fields)


def _dialect(m: YMap, r: Reader) -> tuple[str, str]:
    dialect = m.get("dialect")
    if not isinstance(dialect, YMap):
        return ",", '"'
    dr = Reader(dialect, "list", r.diags)
    for key in dialect:
        if key not in DIALECT_KEYS:
            dr.error("unsupported", f"dialect {key!r} is not supported by the portal", key)
    if dialect.get("header", True) is not True or dialect.get("doubleQuote", True) is not True:
        dr.error("unsupported", "records need a header row and doubled quotes")
    delimiter = dr.string("delimiter", required=False, default=",")
    quote_char = dr.string("quoteChar", required=False, default='"')
    if len(delimiter) != 1 or len(quote_char) != 1:
        dr.error("unsupported", "delimiter and quoteChar are single characters")
        return ",", '"'
    return delimiter, quote_char


def _load_descriptor(path: Path, rel: str, diags: Diagnostics) -> YMap | None:
    text = read_text(path, rel, diags)
    if text is None:
        return None
    if rel.endswith(".json"):
        data = _load_json(text, rel, diags)
    else:
        data = parse_yaml(text, rel, diags, code="list.descriptor-syntax")
    if data is None:
        return None
    if not isinstance(data, YMap):
        diags.error("list.descriptor-invalid", "the descriptor must be a mapping", Location(rel))
        return None
    return data


def _load_json(text: str, rel: str, diags: Diagnostics) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        diags.error(
            "list.descriptor-syntax",
            f"invalid JSON: {exc.msg}",
            Location(rel, exc.lineno, exc.colno),
        )
        return None
    except RecursionError:  # thousands of nested `[`: the decoder recurses
        diags.error("list.descriptor-syntax", "invalid JSON: nested too deeply", Location(rel))
        return None
    # JSON is (almost always) YAML too, and the YAML loader remembers where each key is.
    located = parse_yaml(text, rel, Diagnostics())
    if isinstance(located, YMap) and _plain(located) == value:
        return located
    return _ymap(value, rel)


def _ymap(value: Any, rel: str) -> Any:
    """Wrap plain JSON values as YMap/YList without locations (they point at the file)."""
    if isinstance(value, dict):
        m = YMap({k: _ymap(v, rel) for k, v in value.items()})
        m.path, m.key_marks, m.value_marks = rel, {}, {}
        return m
    if isinstance(value, list):
        seq = YList(_ymap(v, rel) for v in value)
        seq.path, seq.item_marks = rel, []
        return seq
    return value


def _plain(value: Any) -> Any:
    """A JSON-ready copy (YAML gives dates as date objects; frictionless wants text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- Reading rows ---------------------------------------------------------------------------


def read_rows(resource: ResourceFile) -> Iterator[list[str]]:
    """Stream the CSV records of a resource, the header first; rows are never all in memory.

    Bytes the encoding cannot decode come through as lone surrogates (see `undecoded`).
    csv.Error (a broken file) propagates; the caller reports it with its row.
    """
    with (
        resource.file.open("rb") as raw,
        io.TextIOWrapper(
            raw, encoding=resource.encoding, errors="surrogateescape", newline=""
        ) as text,
    ):
        yield from csv.reader(text, delimiter=resource.delimiter, quotechar=resource.quote_char)


def decodes_cleanly(text: str) -> bool:
    """True when `text` has no undecoded bytes: a test 7x faster than `undecoded` on clean text
    (lone surrogates are what UTF-8 cannot encode), made on every row before looking closer."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def undecoded(cell: str) -> bytes | None:
    """The bytes of `cell` that its encoding could not decode, or None when it decoded cleanly."""
    found = _UNDECODED.findall(cell)
    if not found:
        return None
    return "".join(found).encode("utf-8", "surrogateescape")


def encoding_message(resource: ResourceFile, bad: bytes) -> str:
    shown = " ".join(f"0x{b:02X}" for b in bad[:6])
    if resource.declared:
        return f"bytes {shown} are not valid {resource.declared}"
    return (
        f"bytes {shown} are not valid UTF-8; save the file as UTF-8, or declare "
        f"'encoding: gb18030' (or gbk) on the resource"
    )
