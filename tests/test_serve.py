"""`credit-portal serve`: previews on localhost and rebuilds when an input changes.

Never asserts on timing: every wait polls for a visible change, with a generous bound.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import cli_command, make_project

HOME = "---\ntitle:\n  zh-CN: 首页\n  en: Home\nslug: index\nnav_order: 1\n---\n欢迎。\n"
ABOUT = "---\ntitle:\n  zh-CN: 关于平台\n  en: About\nslug: about\nnav_order: 2\n---\n正文。\n"
WAIT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}")


def h1(html: bytes) -> str:
    heading = BeautifulSoup(html, "lxml").h1
    return heading.get_text(strip=True) if heading else ""


class Server:
    def __init__(self, process: subprocess.Popen[bytes], url: str) -> None:
        self.process = process
        self.url = url
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line.decode("utf-8", errors="replace"))

    def up(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"serve exited with {self.process.returncode}:\n{''.join(self.log)}")
        try:
            return fetch(self.url + "/")[0] == 200
        except OSError:
            return False


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    project = make_project(
        tmp_path, {"content/pages/index.md": HOME, "content/pages/about.md": ABOUT}
    )
    port = free_port()
    process = subprocess.Popen(
        cli_command("serve", "--port", str(port), "--as-of", "2026-11-30"),
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    running = Server(process, f"http://127.0.0.1:{port}")
    try:
        wait_for(running.up, "the preview server to answer")
        yield running, project
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_answers_and_rebuilds_on_change(server: tuple[Server, Path]) -> None:
    running, project = server
    status, body = fetch(running.url + "/about/")
    assert (status, h1(body)) == (200, "关于平台")
    assert fetch(running.url + "/")[0] == 200
    assert fetch(running.url + "/en/about/")[0] == 200

    (project / "content/pages/about.md").write_text(
        ABOUT.replace("关于平台", "关于本平台（已修改）"), encoding="utf-8"
    )
    wait_for(
        lambda: h1(fetch(running.url + "/about/")[1]) == "关于本平台（已修改）",
        "the page to show the change",
    )


def test_serve_keeps_the_last_good_site_when_a_change_breaks_the_build(
    server: tuple[Server, Path],
) -> None:
    running, project = server
    (project / "content/pages/about.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    wait_for(lambda: any("build failed" in line for line in running.log), "the failed rebuild")
    assert any("content/pages/about.md" in line for line in running.log)
    status, body = fetch(running.url + "/about/")
    assert (status, h1(body)) == (200, "关于平台")


def test_serve_answers_missing_pages_with_the_site_404(server: tuple[Server, Path]) -> None:
    running, _ = server
    status, body = fetch(running.url + "/no/such/page/")
    assert status == 404
    assert h1(body) == "页面不存在"
