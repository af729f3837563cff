"""The sample catalogue built into a site of its own (no content/), so that these tests depend on the
catalogue alone and not on other sections' sample content."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE_AS_OF, make_project, run_cli


@pytest.fixture(scope="session")
def catalogue_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """site.yaml and catalogue/ from the repo, built as of 2026-11-30; the site folder."""
    project = make_project(
        tmp_path_factory.mktemp("catalogue"), {"content": None}, with_sample=True
    )
    out = project.parent / "site"
    result = run_cli("build", "--as-of", SAMPLE_AS_OF, "-q", "--out", str(out), cwd=project)
    if result.exit_code != 0:
        pytest.fail(f"building the sample catalogue failed:\n{result.output}", pytrace=False)
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def catalogue_url(catalogue_site: Path) -> Iterator[str]:
    """`catalogue_site` served on 127.0.0.1; the base URL without a trailing slash."""
    handler = functools.partial(_Quiet, directory=str(catalogue_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
