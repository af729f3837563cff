"""`catalogue/departments.yaml`: the information providers (Art. 7, 11), one list for all editions."""

from __future__ import annotations

import re
from pathlib import Path

from generator.catalogue.model import Department
from generator.diagnostics import Diagnostics, Location
from generator.fields import Reader
from generator.lists.identifiers import UsccResult, check_uscc, uscc_format_problem
from generator.yamlio import YList, YMap, load_yaml_file

DEPARTMENTS_FILE = "catalogue/departments.yaml"
LEVELS = ("municipal", "district")
# Codes become URL segments (catalogue/departments/<code>/), so they stay plain ASCII.
CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
DISTRICT_RE = re.compile(r"^[0-9]{6}$")


def load_departments(root: Path, diags: Diagnostics) -> tuple[Department, ...]:
    path = root / DEPARTMENTS_FILE
    if not path.is_file():
        diags.error(
            "catalogue.departments-missing",
            f"{DEPARTMENTS_FILE} is missing; it lists the information providers",
            Location(DEPARTMENTS_FILE),
        )
        return ()
    data = load_yaml_file(path, DEPARTMENTS_FILE, diags)
    if data is None:
        return ()
    if not isinstance(data, YMap):
        diags.error(
            "catalogue.department.wrong-type",
            "departments.yaml must be a mapping with a 'departments:' list",
            Location(DEPARTMENTS_FILE, 1, 1),
        )
        return ()
    top = Reader(data, "catalogue.department", diags)
    top.unknown_keys(("departments",))
    entries = top.sequence("departments") or YList()
    seen: dict[str, Location] = {}
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, YMap):
            diags.error(
                "catalogue.department.wrong-type",
                "each department must be a mapping",
                entries.loc(i),
            )
            continue
        dept = _department(entry, diags)
        if dept is None:
            continue
        if dept.code in seen:
            diags.error(
                "catalogue.duplicate-department",
                f"department {dept.code!r} is already defined at {seen[dept.code]}",
                entry.loc("code"),
            )
            continue
        seen[dept.code] = entry.loc("code")
        out.append(dept)
    return tuple(sorted(out, key=lambda d: d.code))


def _department(m: YMap, diags: Diagnostics) -> Department | None:
    r = Reader(m, "catalogue.department", diags)
    r.unknown_keys(("code", "name", "uscc", "level", "district"))
    code = r.string("code")
    if code and not CODE_RE.match(code):
        r.error("invalid-code", f"{code!r} is not a code like 'TJ-SCJG'", "code")
    name = r.text("name", need_en=True)
    uscc = r.string("uscc")
    if uscc:
        result = check_uscc(uscc)
        if result is UsccResult.BAD_FORMAT:
            r.error("invalid-uscc", uscc_format_problem(uscc) or "invalid code", "uscc")
        elif result is UsccResult.BAD_CHECK:
            # GB 32100: some early pilot codes fail the check yet are real (DOMAIN.md).
            r.warning("uscc-check", f"{uscc!r} fails the GB 32100 check character", "uscc")
    level = r.choice("level", LEVELS)
    district = r.string("district")
    if district and not DISTRICT_RE.match(district):
        r.error(
            "invalid-district",
            f"district must be a 6-digit division code, not {district!r}",
            "district",
        )
    elif district and level and (level == "municipal") != district.endswith("0000"):
        # A city's own code ends in 0000 (120000); a district's does not (120116).
        r.error(
            "invalid-district",
            f"a {level} department cannot have the division code {district!r}",
            "district",
        )
    if not code or name is None:
        return None
    return Department(code, name, uscc, level, district, str(m.loc()))
