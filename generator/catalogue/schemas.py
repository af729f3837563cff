"""`catalogue/schemas/<name>.yaml`: Frictionless table schemas with our custom keys split out.

Each field carries `title` (zh-CN), a custom `title_en` and a custom `publish` mode; the top level
carries a custom `roles:` mapping that tells the lists stage which column is the subject's name, its
credit code, the decision number and so on. The custom keys are removed before the descriptor is
handed to frictionless, which then checks the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import frictionless

from generator.catalogue.model import PUBLISH_MODES, FieldSpec, TableSchema
from generator.diagnostics import Diagnostics, Location
from generator.fields import Reader
from generator.model import LangText
from generator.yamlio import YList, YMap, load_yaml_file

SCHEMAS_DIR = "catalogue/schemas"
CUSTOM_FIELD_KEYS = ("title_en", "publish")
CUSTOM_TOP_KEYS = ("roles",)
FIELD_KEYS = (
    "name",
    "type",
    "title",
    "description",
    "constraints",
    "format",
    "example",
    "trueValues",
    "falseValues",
    "bareNumber",
    "groupChar",
    "decimalChar",
    "missingValues",
    *CUSTOM_FIELD_KEYS,
)
TOP_KEYS = (
    "fields",
    "missingValues",
    "primaryKey",
    "foreignKeys",
    "name",
    "title",
    "description",
    "$schema",
    *CUSTOM_TOP_KEYS,
)
REQUIRED_ROLES = (
    "subject_name",
    "subject_uscc",
    "decision_number",
    "decision_date",
    "authority",
    "authority_code",
)
OPTIONAL_ROLES = ("subject_category", "subject_id_number", "publicity_end")
LIST_ROLES = ("amount_fields",)


def load_schemas(root: Path, diags: Diagnostics) -> dict[str, TableSchema]:
    folder = root / SCHEMAS_DIR
    if not folder.is_dir():
        return {}
    schemas = {}
    for path in sorted(folder.glob("*.yaml")):
        rel = f"{SCHEMAS_DIR}/{path.name}"
        schema = load_schema(path, rel, diags)
        if schema is not None:
            schemas[schema.name] = schema
    return schemas


def load_schema(path: Path, rel: str, diags: Diagnostics) -> TableSchema | None:
    data = load_yaml_file(path, rel, diags)
    if data is None:
        return None
    if not isinstance(data, YMap):
        diags.error(
            "catalogue.schema.wrong-type", "a schema must be a mapping", Location(rel, 1, 1)
        )
        return None
    r = Reader(data, "catalogue.schema", diags)
    r.unknown_keys(TOP_KEYS)
    field_list = r.sequence("fields") or YList()
    fields = tuple(
        spec for i, f in enumerate(field_list) if (spec := _field(field_list, i, f, diags))
    )
    names = [f.name for f in fields]
    for i, name in enumerate(names):
        if name in names[:i]:
            diags.error(
                "catalogue.schema.duplicate-field",
                f"field {name!r} is defined twice",
                field_list.loc(i),
            )
    roles = _roles(r, {f.name: f.type for f in fields}, diags)
    descriptor = _plain(data)
    for key in CUSTOM_TOP_KEYS:
        descriptor.pop(key, None)
    for f in descriptor.get("fields", []):
        if isinstance(f, dict):
            for key in CUSTOM_FIELD_KEYS:
                f.pop(key, None)
    report = frictionless.Schema.validate_descriptor(descriptor)
    for error in report.errors:
        diags.error("catalogue.schema.invalid", error.message, Location(rel, data.line, data.col))
    return TableSchema(path.stem, rel, fields, roles, descriptor)


def _field(field_list: YList, index: int, value: Any, diags: Diagnostics) -> FieldSpec | None:
    if not isinstance(value, YMap):
        diags.error(
            "catalogue.schema.wrong-type", "each field must be a mapping", field_list.loc(index)
        )
        return None
    r = Reader(value, "catalogue.schema", diags)
    r.unknown_keys(FIELD_KEYS)
    name = r.string("name")
    title = r.string("title")
    title_en = r.string("title_en", required=False) or None
    publish = r.choice("publish", PUBLISH_MODES)
    description = r.string("description", required=False)
    if not (name and title and publish):
        return None
    return FieldSpec(
        name=name,
        title=LangText(title, title_en),
        publish=publish,
        type=r.string("type", required=False, default="string"),
        description=LangText(description) if description else None,
    )


def _roles(r: Reader, types: dict[str, str], diags: Diagnostics) -> dict[str, Any]:
    """Check that each role names a field of this schema; the lists stage relies on it."""
    m = r.mapping("roles")
    if m is None:
        return {}
    roles_reader = Reader(m, "catalogue.schema", diags)
    roles_reader.unknown_keys((*REQUIRED_ROLES, *OPTIONAL_ROLES, *LIST_ROLES))
    roles: dict[str, Any] = {}
    for role in (*REQUIRED_ROLES, *OPTIONAL_ROLES):
        name = roles_reader.string(role, required=role in REQUIRED_ROLES)
        if not name:
            continue
        if name not in types:
            roles_reader.error(
                "unknown-role-field", f"role {role!r} names {name!r}, which is not a field", role
            )
        roles[role] = name
    for role in LIST_ROLES:
        values = roles_reader.strings(role, required=False)
        seq = m.get(role)
        for i, name in enumerate(values):
            loc = seq.loc(i) if isinstance(seq, YList) else m.loc(role)
            if name not in types:
                diags.error(
                    "catalogue.schema.unknown-role-field",
                    f"role {role!r} names {name!r}, which is not a field",
                    loc,
                )
            elif types.get(name) != "number":
                diags.error(
                    "catalogue.schema.amount-not-number",
                    f"amount field {name!r} must have type number, not {types.get(name)!r}",
                    loc,
                )
        roles[role] = values
    return roles


def _plain(value: Any) -> Any:
    """A deep copy as plain dicts and lists, so frictionless and json see ordinary values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
