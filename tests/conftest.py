"""Shared test helpers: throw-away projects, the CLI in a subprocess, the built sample site, a browser.

Every section's tests use these, so they stay generic: nothing here knows about a particular section.

- `make_project(tmp_path, files, with_sample=False)` writes a project whose inputs are visible in the
  test (mkdocs' `@tempdir(files={...})`, Hugo's txtar projects).
- `run_cli(*args, cwd=...)` runs `python -m generator` for real, so exit codes and tracebacks are real.
- Session fixtures `built_site`, `served_site`, `browser`; function fixture `browser_page`.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator import native, spool

REPO = Path(__file__).resolve().parent.parent
SAMPLE_AS_OF = "2026-11-30"
# The inputs a sample project is made of; templates and node_modules are found from the repo itself.
SAMPLE_INPUTS = ("site.yaml", "content", "catalogue")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


# -- projects --------------------------------------------------------------------------------


def make_project(
    tmp_path: Path,
    files: Mapping[str, str | bytes | None],
    with_sample: bool = False,
) -> Path:
    """Write a project into `tmp_path/project` and return that folder.

    With `with_sample`, the repo's site.yaml, content/ and catalogue/ are copied first; otherwise only
    the repo's site.yaml. Then `files` (posix paths relative to the project) are written over them:
    a str is written as UTF-8 exactly as given, bytes as they are, and None deletes the file or folder.
    """
    project = tmp_path / "project"
    project.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_INPUTS if with_sample else ("site.yaml",):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name, dirs_exist_ok=True)
        elif source.is_file():
            shutil.copyfile(source, project / name)
    for rel, data in files.items():
        target = project / rel
        if data is None:
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return project


@pytest.fixture
def project_factory(tmp_path: Path) -> Callable[..., Path]:
    """`project_factory(files, with_sample=False)`: make_project in this test's tmp_path."""

    def factory(
        files: Mapping[str, str | bytes | None] | None = None, with_sample: bool = False
    ) -> Path:
        return make_project(tmp_path, files or {}, with_sample=with_sample)

    return factory


# -- the command line ------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, for assertion messages."""
        return f"$ credit-portal {' '.join(self.args)}\n[exit {self.exit_code}]\n" + (
            f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}"
        )


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def run_cli(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 300
) -> Result:
    """Run `python -m generator ARGS` in a subprocess; `env` is laid over the current environment."""
    completed = subprocess.run(
        cli_command(*args),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return Result(
        tuple(args),
        completed.returncode,
        completed.stdout.decode("utf-8", errors="replace"),
        completed.stderr.decode("utf-8", errors="replace"),
    )


# -- the built sample site -------------------------------------------------------------------


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repo's sample site, built once per worker as of 2026-11-30; the site folder's Path."""
    out = tmp_path_factory.mktemp("built") / "site"
    result = run_cli("build", "--as-of", SAMPLE_AS_OF, "--quiet", "--out", str(out), cwd=REPO)
    if result.exit_code != 0 or not (out / "index.html").is_file():
        pytest.fail(f"building the sample site failed:\n{result.output}", pytrace=False)
    return out


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from one folder, with the site's own 404.html for missing paths."""

    def __init__(self, *args: Any, folder: Path, **kwargs: Any) -> None:
        self.folder = folder
        super().__init__(*args, directory=str(folder), **kwargs)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self.folder / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output readable


@pytest.fixture(scope="session")
def served_site(built_site: Path) -> Iterator[str]:
    """`built_site` served on 127.0.0.1 at a free port; the base URL, without a trailing slash."""
    handler = functools.partial(_SiteHandler, folder=built_site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# -- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield launched
        finally:
            launched.close()


_BROWSER_ERRORS = pytest.StashKey[list[str]]()


@pytest.fixture
def browser_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page in a fresh context; any console error or page error fails the test."""
    errors: list[str] = []
    request.node.stash[_BROWSER_ERRORS] = errors
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)

    def on_console(message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            errors.append(f"console error at {location.get('url', '?')}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error at {page.url}: {exc}"))
    try:
        yield page
    finally:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Report browser errors as a failure of the test itself, not of its teardown."""
    result = yield
    errors = item.stash.get(_BROWSER_ERRORS, None)
    if errors:
        pytest.fail("the browser reported errors:\n" + "\n".join(errors), pytrace=False)
    return result


@pytest.fixture(autouse=True, scope="session")
def _spool_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Downloads made outside a site writer (unit tests) spool here and go with the session,
    instead of piling up in the system's temporary folder (generator.spool)."""
    with spool.folder(tmp_path_factory.mktemp("spool")) as folder:
        yield folder


def pytest_runtest_setup(item: pytest.Item) -> None:
    # A compiled module (generator/native.py) calls its own functions and reads its own class
    # constants directly, past a monkeypatched attribute: such a test would test nothing.
    if item.get_closest_marker("pure_python") is not None and native.active():
        pytest.skip("replaces what a compiled module reads directly; run with CP_NATIVE=0")
