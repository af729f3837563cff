"""Dependency hygiene: the locks cover what pyproject.toml and package.json ask for, pinned and
hashed, and `make` installs from them. (`make audit` checks them for known vulnerabilities; it
needs the network, so it runs outside CI.)"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

PIN = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s*\\\n\s*--hash=sha256:[0-9a-f]{64})+)", re.M
)


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """Package -> (pinned version, number of hashes)."""
    text = path.read_text(encoding="utf-8")
    found = {canonicalize_name(m[1]): (m[2], m[3].count("--hash=")) for m in PIN.finditer(text)}
    requirements = [
        line for line in text.splitlines() if line and not line.startswith((" ", "#", "\t"))
    ]
    assert len(requirements) == len(found), "every requirement is pinned with == and hashed"
    return found


def test_the_lock_pins_every_dependency_within_its_range() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["test"]]
    lock = locked(REPO / "requirements.lock")
    problems = []
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        if name not in lock:
            problems.append(f"{requirement} is not in requirements.lock: run `make lock`")
        elif not requirement.specifier.contains(lock[name][0], prereleases=True):
            problems.append(f"{requirement} but the lock has {lock[name][0]}: run `make lock`")
    assert problems == []
    # The editable install runs without build isolation: its build backend is locked too.
    build = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    for requirement in map(Requirement, build["requires"]):
        version = lock[canonicalize_name(requirement.name)][0]
        assert requirement.specifier.contains(version), requirement


def test_the_fuzz_lock_pins_atheris() -> None:
    lock = locked(REPO / "fuzz" / "requirements.lock")
    assert "atheris" in lock


def test_npm_dependencies_are_exact_and_locked() -> None:
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    declared = {**manifest.get("dependencies", {}), **manifest.get("devDependencies", {})}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in declared.values()), declared
    assert lock["lockfileVersion"] >= 2
    packages = lock["packages"]
    for name, version in declared.items():
        assert packages[f"node_modules/{name}"]["version"] == version, name
        assert packages[f"node_modules/{name}"]["integrity"].startswith("sha512-"), name


def test_make_installs_from_the_locks() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    rule = makefile.split("$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    assert "requirements.lock" in rule.splitlines()[0]  # a changed lock reinstalls
    assert "--require-hashes -r requirements.lock" in rule
    assert "--no-deps" in rule
    assert "npm ci" in makefile
