"""YAML that remembers where each value came from, so diagnostics can point at `path:line:col`.

Mappings load as `YMap` and sequences as `YList`: plain dict/list subclasses that also carry the
1-based line and column of themselves and of each key or element (from PyYAML's node marks).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostics, Location


class YMap(dict[str, Any]):
    path: str = ""
    line: int = 1
    col: int = 1
    key_marks: dict[str, tuple[int, int]]
    value_marks: dict[str, tuple[int, int]]

    def __init__(self, *args: Any, path: str = "", **kwargs: Any) -> None:
        # A map built in code (e.g. empty front matter) still locates its problems in its file.
        super().__init__(*args, **kwargs)
        self.path = path
        self.key_marks, self.value_marks = {}, {}

    def loc(self, key: str | None = None, *, value: bool = True) -> Location:
        """Location of a key's value (or of the key itself), else of the mapping."""
        if key is not None:
            marks = self.value_marks if value else self.key_marks
            if key in marks:
                line, col = marks[key]
                return Location(self.path, line, col)
        return Location(self.path, self.line, self.col)


class YList(list[Any]):
    path: str = ""
    line: int = 1
    col: int = 1
    item_marks: list[tuple[int, int]]

    def __init__(self, *args: Any, path: str = "") -> None:
        super().__init__(*args)
        self.path = path
        self.item_marks = []

    def loc(self, index: int | None = None) -> Location:
        if index is not None and 0 <= index < len(self.item_marks):
            line, col = self.item_marks[index]
            return Location(self.path, line, col)
        return Location(self.path, self.line, self.col)


class _DuplicateKey(Exception):
    def __init__(self, key: str, mark: yaml.Mark) -> None:
        super().__init__(key)
        self.key = key
        self.mark = mark


def _loader_for(path: str) -> type[yaml.SafeLoader]:
    class LocatingLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> YMap:
        loader.flatten_mapping(node)
        result = YMap()
        result.path = path
        result.line, result.col = node.start_mark.line + 1, node.start_mark.column + 1
        result.key_marks, result.value_marks = {}, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                raise _DuplicateKey(key, key_node.start_mark)
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_marks[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result.value_marks[key] = (
                value_node.start_mark.line + 1,
                value_node.start_mark.column + 1,
            )
        return result

    def construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> YList:
        result = YList(loader.construct_object(child, deep=True) for child in node.value)
        result.path = path
        result.line, result.col = node.start_mark.line + 1, node.start_mark.column + 1
        result.item_marks = [(c.start_mark.line + 1, c.start_mark.column + 1) for c in node.value]
        return result

    LocatingLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping
    )
    LocatingLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_sequence
    )

    def construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
        # PyYAML raises a bare ValueError for 2026-02-30; make it a located content error.
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date ({exc})", node.start_mark
            ) from None

    LocatingLoader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    return LocatingLoader


# Catalogue editions repeat most of their items unchanged, file for file (62 different texts
# among the sample's 141 YAML files), and PyYAML is slow: each text is parsed once, and every
# call gets its own copy, located in its own file. Bounded, for a process that builds again and
# again (`serve`).
_PARSED: OrderedDict[tuple[str, int, str], Any] = OrderedDict()
_PARSED_MAX_FILES = 1024
_PARSED_MAX_CHARS = 16 << 20
_held = [0]  # characters of text held as keys
_SCALARS = (str, int, float, bool, type(None), dt.date, bytes)  # immutable: shared by copies


def parse_yaml(
    text: str, path: str, diags: Diagnostics, *, line_offset: int = 0, code: str = "yaml.syntax"
) -> Any:
    """Parse YAML text; on a syntax problem report it with its location and return None.

    `line_offset` shifts reported lines, for YAML embedded in a larger file (front matter).
    """
    key = (text, line_offset, code)
    parsed = _PARSED.get(key)
    if parsed is not None:
        _PARSED.move_to_end(key)
        return _relocated(parsed, path, {})
    data = _parse(text, path, diags, line_offset, code)
    if data is not None and _copyable(data, set()):
        _PARSED[key] = _relocated(data, "", {})  # a master copy that no caller holds
        _held[0] += len(text)
        while _PARSED and (len(_PARSED) > _PARSED_MAX_FILES or _held[0] > _PARSED_MAX_CHARS):
            (old, *_), _ = _PARSED.popitem(last=False)
            _held[0] -= len(old)
    return data


def _copyable(data: Any, seen: set[int]) -> bool:
    """Only mappings, sequences and immutable scalars (not a !!set, say): what `_relocated`
    copies faithfully."""
    if isinstance(data, YMap | YList):
        if id(data) in seen:
            return True
        seen.add(id(data))
        values = data.values() if isinstance(data, YMap) else data
        return all(_copyable(v, seen) for v in values)
    return isinstance(data, _SCALARS)


def _relocated(data: Any, path: str, memo: dict[int, Any]) -> Any:
    """A copy of parsed `data` whose locations are in `path`; a value shared through aliases
    stays one shared value."""
    if not isinstance(data, YMap | YList):
        return data
    done = memo.get(id(data))
    if done is not None:
        return done
    if isinstance(data, YMap):
        mapping = YMap(path=path)
        memo[id(data)] = mapping
        mapping.line, mapping.col = data.line, data.col
        mapping.key_marks, mapping.value_marks = dict(data.key_marks), dict(data.value_marks)
        for k, v in data.items():
            mapping[k] = _relocated(v, path, memo)
        return mapping
    sequence = YList(path=path)
    memo[id(data)] = sequence
    sequence.line, sequence.col = data.line, data.col
    sequence.item_marks = list(data.item_marks)
    sequence.extend(_relocated(v, path, memo) for v in data)
    return sequence


def _parse(text: str, path: str, diags: Diagnostics, line_offset: int, code: str) -> Any:
    try:
        loader = _loader_for(path)(text)
    except yaml.reader.ReaderError as exc:
        # PyYAML checks the whole text for characters YAML forbids (NUL, most controls) first.
        line = text.count("\n", 0, exc.position) + 1 + line_offset
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        problem = f"the character U+{exc.character:04X} is not allowed in YAML"
        diags.error(code, f"invalid YAML: {problem}", Location(path, line, col))
        return None
    try:
        data = loader.get_single_data()
    except RecursionError:
        # PyYAML composes nested collections recursively: thousands of `[` exhaust the stack.
        diags.error(code, "invalid YAML: nested too deeply", Location(path, 1 + line_offset, 1))
        return None
    except _DuplicateKey as exc:
        diags.error(
            "yaml.duplicate-key",
            f"duplicate key {exc.key!r}",
            Location(path, exc.mark.line + 1 + line_offset, exc.mark.column + 1),
        )
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        col = mark.column + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        diags.error(code, f"invalid YAML: {problem}", Location(path, line, col))
        return None
    except yaml.YAMLError as exc:
        diags.error(code, f"invalid YAML: {exc}", Location(path, 1 + line_offset, 1))
        return None
    finally:
        loader.dispose()
    if _expanded_size(data) > MAX_VALUES:
        diags.error(
            code,
            f"the YAML expands to more than {MAX_VALUES:,} values through aliases (*name); "
            "write the values out",
            Location(path, 1 + line_offset, 1),
        )
        return None
    if line_offset:
        _shift(data, line_offset, set())
    return data


# Aliases share one value between many places, so a small file can stand for a huge document
# ("billion laughs"). Every later stage walks the expanded values; no real input comes near this.
MAX_VALUES = 1_000_000


def _expanded_size(data: Any) -> int:
    """How many values `data` holds with every alias written out (each shared value sized once)."""
    sizes: dict[int, int] = {}

    def size(value: Any) -> int:
        if not isinstance(value, dict | list):
            return 1
        if id(value) not in sizes:
            children = value.values() if isinstance(value, dict) else value
            sizes[id(value)] = min(MAX_VALUES + 1, 1 + sum(size(v) for v in children))
        return sizes[id(value)]

    return size(data)


def _shift(data: Any, offset: int, seen: set[int]) -> None:
    # A value reached through several aliases is one object: shift its marks once.
    if id(data) in seen:
        return
    seen.add(id(data))
    if isinstance(data, YMap):
        data.line += offset
        data.key_marks = {k: (ln + offset, c) for k, (ln, c) in data.key_marks.items()}
        data.value_marks = {k: (ln + offset, c) for k, (ln, c) in data.value_marks.items()}
        for v in data.values():
            _shift(v, offset, seen)
    elif isinstance(data, YList):
        data.line += offset
        data.item_marks = [(ln + offset, c) for ln, c in data.item_marks]
        for v in data:
            _shift(v, offset, seen)


def read_text(path: Path, rel: str, diags: Diagnostics) -> str | None:
    """Read a UTF-8 text file (a BOM is allowed); report undecodable bytes with their line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diags.error("file.unreadable", f"cannot read file: {exc.strerror}", Location(rel))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diags.error(
            "file.encoding",
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            Location(rel, line, col),
        )
        return None
    # Normalise CRLF so that line numbers and output do not depend on the editor used.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_yaml_file(path: Path, rel: str, diags: Diagnostics) -> Any:
    text = read_text(path, rel, diags)
    if text is None:
        return None
    return parse_yaml(text, rel, diags)
