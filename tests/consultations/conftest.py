"""The sample site without the lists' sample content, built once, so that these tests depend on the
catalogue and the consultations alone and not on other sections' work in progress."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE_AS_OF, make_project, run_cli


def build_sample(base: Path) -> Path:
    project = make_project(base, {"content/lists": None}, with_sample=True)
    out = base / "site"
    result = run_cli("build", "--as-of", SAMPLE_AS_OF, "-q", "--out", str(out), cwd=project)
    if result.exit_code != 0:
        pytest.fail(f"building the sample consultations failed:\n{result.output}", pytrace=False)
    return out


@pytest.fixture(scope="session")
def consultation_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """site.yaml, content/ (less content/lists) and catalogue/ from the repo, built as of 2026-11-30."""
    return build_sample(tmp_path_factory.mktemp("consultations"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def consultation_url(consultation_site: Path) -> Iterator[str]:
    """`consultation_site` served on 127.0.0.1; the base URL without a trailing slash."""
    handler = functools.partial(_Quiet, directory=str(consultation_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
