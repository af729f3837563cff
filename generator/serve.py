"""`credit-portal serve`: build, serve the site on localhost, and rebuild when an input changes."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import threading
from pathlib import Path

import click
from watchfiles import watch

from generator.build import BuildOptions, build
from generator.diagnostics import format_text
from generator.progress import Reporter

WATCHED = ("site.yaml", "content", "catalogue", "templates")


def _rebuild(root: Path, out: Path, as_of: dt.date | None) -> None:
    result = build(BuildOptions(root=root, out=out, as_of=as_of), Reporter())
    click.echo(format_text(result.diagnostics), nl=False, err=True)
    click.echo(
        "rebuilt" if result.ok else "build failed; still serving the last good site", err=True
    )


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args: object, out: Path, **kwargs: object) -> None:
        self.out = out
        super().__init__(*args, directory=str(out), **kwargs)  # type: ignore[arg-type]

    def translate_path(self, path: str) -> str:
        # Resolve against the current site/ on every request: a rebuild swaps the folder.
        self.directory = str(self.out.resolve())
        return super().translate_path(path)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self.out / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


def serve(root: Path, out: Path, as_of: dt.date | None, host: str, port: int) -> None:
    _rebuild(root, out, as_of)
    handler = functools.partial(_SiteHandler, out=out)
    httpd = http.server.ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    click.echo(f"serving {out} at http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    paths = [root / p for p in WATCHED if (root / p).exists()]
    try:
        for _changes in watch(*paths):
            _rebuild(root, out, as_of)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.shutdown()
