"""A small web of real pages on loopback addresses, for crawl tests.

Each ``Site`` is a real HTTP server (``http.server``) on its own address and port that serves
fixed paths and records every request it receives, so a test can assert what was and was
not fetched. Feeds and sitemaps carry an ETag and answer ``304`` to a matching
``If-None-Match``. Bind first (to learn the ports that links must contain), add
the pages, then serve with ``running``; servers stop when its context ends.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    delay: float = 0.0  # seconds before answering: a slow page, for kill tests


@dataclass
class Site:
    host: str
    resources: dict[str, Resource] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # time.monotonic() of each request
    agents: list[str] = field(default_factory=list)
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def add(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        etag: str | None = None,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.resources[path] = Resource(data, content_type, etag)
        return self.base + path


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            site.times.append(time.monotonic())
            site.agents.append(self.headers.get("User-Agent", ""))
            resource = site.resources.get(self.path)
            if resource is None:
                self.send_error(404)
                return
            if resource.content_type == "redirect":
                self.send_response(302)
                self.send_header("Location", resource.body.decode())
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if resource.etag and self.headers.get("If-None-Match") == resource.etag:
                self.send_response(304)
                self.send_header("ETag", resource.etag)
                self.end_headers()
                return
            time.sleep(resource.delay)
            # the client may have been killed meanwhile
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._answer(resource)

        def _answer(self, resource: Resource) -> None:
            self.send_response(200)
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
            if resource.etag:
                self.send_header("ETag", resource.etag)
            self.end_headers()
            self.wfile.write(resource.body)

        def log_message(self, *args: object) -> None:
            """Quiet: the request list is the log."""

    return Handler


def bind(site: Site) -> ThreadingHTTPServer:
    """Bind a site's server now (to learn its port) without serving yet."""
    server = ThreadingHTTPServer((site.host, 0), _handler(site))
    site.port = server.server_address[1]
    return server


@contextmanager
def running(*servers: ThreadingHTTPServer) -> Iterator[None]:
    try:
        for server in servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        yield
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
