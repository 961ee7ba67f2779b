"""Crawl traps (issue 15), each on a small site of its own on 127.0.0.1: a sitemap index that
lists itself, sitemaps that list each other, a gzip bomb served as a sitemap, and a sitemap
longer than ``max_pages`` whose ETag must not be saved until every entry was fetched."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import corpus
from tests.conftest import rows
from tests.sitefarm import Site, bind, running

ARTICLES = ("0e014df6", "1ee91d1f", "20b2b649", "21486419", "264dc3ae")
SITEMAP = '<?xml version="1.0"?><{kind} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


def sitemap(kind: str, locs: list[str]) -> str:
    entry = "sitemap" if kind == "sitemapindex" else "url"
    items = "".join(f"<{entry}><loc>{loc}</loc></{entry}>" for loc in locs)
    return SITEMAP.format(kind=kind) + items + f"</{kind}>"


@pytest.fixture(scope="module")
def site():
    a, other = Site("127.0.0.1"), Site("127.0.0.1")
    server, elsewhere = bind(a), bind(other)
    other.add("/admin.html", "<html><body>another service on another port</body></html>")
    a.add("/moved.html", f"{other.base}/admin.html", "redirect")
    a.add("/scheme.html", "file:///etc/passwd", "redirect")
    a.add("/redirects.xml", sitemap("urlset", [f"{a.base}/moved.html", f"{a.base}/scheme.html"]))
    a.other = other
    pages = [corpus.load(corpus.page_id(prefix)) for prefix in ARTICLES]
    for number, page in enumerate(pages):
        a.add(f"/news/a{number}.html", page.html)
    a.add("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
    articles = [f"{a.base}/news/a{n}.html" for n in range(len(pages))]
    a.add("/self.xml", sitemap("sitemapindex", [f"{a.base}/self.xml"]), "application/xml")
    a.add("/ping.xml", sitemap("sitemapindex", [f"{a.base}/pong.xml"]), "application/xml")
    a.add(
        "/pong.xml",
        sitemap("sitemapindex", [f"{a.base}/ping.xml", f"{a.base}/list.xml"]),
        "application/xml",
    )
    a.add("/list.xml", sitemap("urlset", articles[:2]), "application/xml")
    a.add("/long.xml", sitemap("urlset", articles), "application/xml", etag='"long-v1"')
    bomb = gzip.compress(SITEMAP.format(kind="urlset").encode() + b" " * (40 << 20))
    a.add("/bomb.xml.gz", bomb, "application/x-gzip")
    with running(server, elsewhere):
        yield a


def crawl(
    folder: Path, site: Site, sitemaps: list[str], *, max_pages: int = 100
) -> tuple[Path, str]:
    sources = folder / "sources.toml"
    urls = ", ".join(f'"{site.base}{path}"' for path in sitemaps)
    sources.write_text(
        f"""
[settings]
user_agent = "wirecopy-test/0.1 (+http://127.0.0.1/contact)"
start_delay = 0
recrawl_after = "1d"
max_response_bytes = 4000000

[[source]]
name = "traps"
sitemaps = [{urls}]
max_pages = {max_pages}
allow_private = true
""",
        encoding="utf-8",
    )
    db = folder / "news.db"
    argv = [sys.executable, "-m", "pipeline", "crawl", "--sources", str(sources), "--db", str(db)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return db, result.stderr


def test_sitemap_index_listing_itself_ends(site: Site, tmp_path: Path) -> None:
    """Regression: a sitemap index that lists itself made 3,347 requests and never ended."""
    before = len(site.requests)
    crawl(tmp_path, site, ["/self.xml"])
    assert site.requests[before:].count("/self.xml") == 1


def test_sitemaps_listing_each_other_end(site: Site, tmp_path: Path) -> None:
    before = len(site.requests)
    db, _ = crawl(tmp_path, site, ["/ping.xml"])
    made = site.requests[before:]
    assert made.count("/ping.xml") == made.count("/pong.xml") == made.count("/list.xml") == 1
    assert rows(db, "select count(*) from articles") == [(2,)]


def test_gzip_sitemap_is_inflated_within_the_size_limit(site: Site, tmp_path: Path) -> None:
    """Regression: a 40 KB gzip served as a sitemap inflated without limit."""
    db, log = crawl(tmp_path, site, ["/bomb.xml.gz"])
    assert "once decompressed" in log
    assert rows(db, "select count(*) from articles") == [(0,)]
    assert rows(db, "select errors >= 1 from runs") == [(1,)]


def test_validators_wait_until_every_entry_is_fetched(site: Site, tmp_path: Path) -> None:
    """Regression: max_pages below the sitemap's length saved its ETag, so later runs got 304
    and never fetched the rest."""
    db, _ = crawl(tmp_path, site, ["/long.xml"], max_pages=2)
    assert rows(db, "select count(*) from articles") == [(2,)]
    assert rows(db, "select etag from urls where kind = 'sitemap'") == [(None,)]
    crawl(tmp_path, site, ["/long.xml"], max_pages=2)
    crawl(tmp_path, site, ["/long.xml"], max_pages=2)
    assert rows(db, "select count(*) from articles") == [(5,)]
    assert rows(db, "select etag from urls where kind = 'sitemap'") == [('"long-v1"',)]
    before = len(site.requests)
    crawl(tmp_path, site, ["/long.xml"], max_pages=2)
    assert [r for r in site.requests[before:] if r.startswith("/news/")] == []
    assert rows(db, "select status from urls where kind = 'sitemap'") == [(304,)]


def test_redirects_leave_neither_the_port_nor_the_scheme(site: Site, tmp_path: Path) -> None:
    """Regression: a redirect to another port of an allowed host was followed."""
    db, log = crawl(tmp_path, site, ["/redirects.xml"])
    assert site.other.requests == []
    assert "port" in log and "is not a port of source" in log
    assert "to file:///etc/passwd: only http and https" in log
    assert rows(db, "select refused from runs") == [(2,)]  # the port and the scheme, once each


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    """Regression: Retry-After was ignored; Scrapy asked again at once."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    article = corpus.load(corpus.page_id(ARTICLES[0])).html.encode()
    seen: list[tuple[str, float]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, time.monotonic()))
            if self.path == "/a.html" and sum(p == "/a.html" for p, _ in seen) == 1:
                self.send_response(429)
                self.send_header("Retry-After", "2")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path == "/later.html":
                self.send_response(503)
                self.send_header("Retry-After", "86400")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = article if self.path == "/a.html" else b"User-agent: *\nAllow: /\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[settings]\nuser_agent = "t/1 (+http://127.0.0.1/c)"\nstart_delay = 0\n'
            f'[[source]]\nname = "busy"\nstart_urls = ["{base}/a.html", "{base}/later.html"]\n'
            "depth = 0\nallow_private = true\n",
            encoding="utf-8",
        )
        argv = [sys.executable, "-m", "pipeline", "crawl", "--sources", str(sources)]
        result = subprocess.run(
            [*argv, "--db", str(tmp_path / "n.db")], capture_output=True, text=True, timeout=120
        )
    finally:
        server.shutdown()
        server.server_close()
    asked = [when for path, when in seen if path == "/a.html"]
    assert len(asked) == 2 and asked[1] - asked[0] >= 1.9, (seen, result.stderr)
    assert sum(path == "/later.html" for path, _ in seen) == 1  # not retried this run
    assert "asks to come back in 86400 s" in result.stderr
