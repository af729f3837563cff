"""The fuzz targets: one function per parser, each taking the fuzzer's bytes.

A target fails only on a bug: an exception escaping a loader (bad content must become diagnostics,
never an exception) or a broken invariant (an assert). This module does not import atheris, so
that tests/reliability/test_fuzz_corpus.py can replay the committed corpus in CI without it.

Input layout: for the loaders that read a project, the first byte chooses which file of the small
project (tests/reliability/project.py) the rest replaces; see FILES.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from generator.catalogue.load import load_catalogue  # noqa: E402
from generator.catalogue.model import Catalogue  # noqa: E402
from generator.config import SiteConfig, load_config  # noqa: E402
from generator.consultations import load_consultations  # noqa: E402
from generator.content import load_content  # noqa: E402
from generator.diagnostics import Diagnostics  # noqa: E402
from generator.lists.decide import load_and_decide  # noqa: E402
from generator.markdown_render import render_markdown  # noqa: E402
from generator.search.tokenizer import tokenize  # noqa: E402
from tests.reliability.hostile import live_markup  # noqa: E402
from tests.reliability.project import (  # noqa: E402
    CONSULTATION,
    DESCRIPTOR,
    EDITIONS,
    PACKAGE,
    RECORDS,
    descriptor,
    good_files,
)

AS_OF = dt.date(2026, 11, 30)
WITHDRAWALS = f"{PACKAGE}/withdrawals.csv"
OBJECTIONS = f"{PACKAGE}/objections.csv"

# The files each project target may replace, chosen by the input's first byte (modulo).
FILES: dict[str, tuple[str, ...]] = {
    "catalogue": (
        "catalogue/departments.yaml",
        "catalogue/schemas/penalties.yaml",
        f"{EDITIONS}/2025/edition.yaml",
        f"{EDITIONS}/2025/items/SX-02.yaml",
        f"{EDITIONS}/2027-draft/edition.yaml",
        f"{CONSULTATION}/consultation.yaml",
        f"{CONSULTATION}/comments.csv",
    ),
    "package": (DESCRIPTOR, RECORDS, WITHDRAWALS, OBJECTIONS),
}


def base_files() -> dict[str, bytes]:
    """The small project, with a withdrawals and an objections table for the package target."""
    files = {k: v.encode() if isinstance(v, str) else v for k, v in good_files().items() if v}
    resources = [
        {"name": "records", "path": "records.csv", "format": "csv"},
        {"name": "withdrawals", "path": "withdrawals.csv"},
        {"name": "objections", "path": "objections.csv"},
    ]
    files[DESCRIPTOR] = descriptor(resources=resources).encode()
    files[WITHDRAWALS] = (
        b"decision_number,subject_id,reason,withdrawal_number,withdrawal_date\n"
        + "津市监罚〔2026〕3号,91120000MA06P2Q34D,repaired,W-1,2026-10-01\n".encode()
    )
    files[OBJECTIONS] = (
        b"decision_number,subject_id,received,status\n"
        + "津市监罚〔2026〕1号,91120000MA05W7K10T,2026-11-01,under_review\n".encode()
    )
    return files


def split(target: str, data: bytes) -> tuple[str, bytes]:
    """(the file the input replaces, its new bytes)."""
    files = FILES[target]
    if not data:
        return files[0], b""
    return files[data[0] % len(files)], data[1:]


def seed(target: str, rel: str, content: bytes) -> bytes:
    """The input that replaces `rel` by `content`: the inverse of split()."""
    return bytes([FILES[target].index(rel)]) + content


class Project:
    """A throw-away copy of the small project; each input changes one file, restored after."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cp-fuzz-")) / "project"
        self.files = base_files()
        self.changed: str | None = None
        self.root.mkdir(parents=True)
        shutil.copyfile(REPO / "site.yaml", self.root / "site.yaml")
        for path, data in self.files.items():
            self._write(path, data)

    def _write(self, rel: str, data: bytes) -> None:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def reset(self, rel: str | None = None, content: bytes | None = None) -> Path:
        """The good project, with `rel` replaced by `content` when given."""
        if self.changed is not None:
            self._write(self.changed, self.files[self.changed])
            self.changed = None
        if rel is not None and content is not None:
            self._write(rel, content)
            self.changed = rel
        return self.root


@cache
def project() -> Project:
    return Project()


@cache
def context() -> tuple[SiteConfig, Catalogue]:
    """The good project's config and catalogue, loaded once for the package target."""
    root = project().reset()
    diags = Diagnostics()
    config = load_config(root, diags)
    catalogue = load_catalogue(root, AS_OF, diags)
    assert config is not None and catalogue is not None and not diags.has_errors(), list(diags)
    return config, catalogue


# --- The targets ----------------------------------------------------------------------------


def front_matter(data: bytes) -> None:
    """A page's bytes through read_text, split_front_matter, the typed Reader and Markdown."""
    root = project().reset("content/pages/index.md", data)
    diags = Diagnostics()
    content = load_content(root, diags)
    for page in content.pages:
        assert page.slug and page.title.zh
        html = render_markdown(page.body.zh)
        live = list(live_markup(html, "rendered Markdown"))
        assert live == [], live
    for d in diags:
        assert d.code and d.location.path.startswith("content/"), d


def catalogue(data: bytes) -> None:
    """One catalogue or consultation file replaced; both loaders and the catalogue's rules."""
    rel, content = split("catalogue", data)
    root = project().reset(rel, content)
    diags = Diagnostics()
    loaded = load_catalogue(root, AS_OF, diags)
    load_consultations(root, loaded, AS_OF, diags)
    for d in diags:
        assert d.code and "." in d.code, d
    if loaded is not None:
        for edition in loaded.editions:
            assert isinstance(edition.items, tuple)


def package(data: bytes) -> None:
    """One file of the list package replaced; the whole decide stage, which checks accounting."""
    config, loaded = context()
    rel, content = split("package", data)
    root = project().reset(rel, content)
    diags = Diagnostics()
    decision = load_and_decide(root, loaded, config, AS_OF, diags)
    for result in decision.lists:
        assert result.input_rows == len(result.outcomes)


def tokenizer(data: bytes) -> None:
    """Any text: tokens are non-empty, carry no separators, and come out the same twice."""
    text = data.decode("utf-8", errors="replace")
    tokens = tokenize(text)
    assert tokens == tokenize(text)
    for token in tokens:
        assert token and not any(ch.isspace() for ch in token), (text, token)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "front_matter": front_matter,
    "catalogue": catalogue,
    "package": package,
    "tokenizer": tokenizer,
}
