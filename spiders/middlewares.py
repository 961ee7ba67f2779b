"""Scope: the crawler only reaches the hosts a source allows, over http(s), and never a
private, loopback or link-local address unless that source sets ``allow_private = true``.

It runs as the first downloader middleware, so it also sees robots.txt requests and every
redirect target, not only the URLs the spider chose.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest

from pipeline.crawl.config import Source
from pipeline.urls import host_of, port_of, private_address

log = logging.getLogger(__name__)


class ScopeMiddleware:
    """Refuse out-of-scope requests before they leave the machine."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> ScopeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        problem = refusal(request.url, _source_for(request, self.crawler.spider))
        if problem:
            self.crawler.stats.inc_value("wirecopy/refused")
            source = request.meta.get("source")
            if source is not None:
                self.crawler.stats.inc_value(f"wirecopy/refused/{source.name}")
            log.warning("refused %s: %s", request.url, problem)
            raise IgnoreRequest(problem)

    def process_response(self, request: Request, response):
        """A redirect to ``file:``, ``data:`` or ``ftp:`` is not followed by Scrapy, which
        hands back the 3xx response instead: count it as refused, like any other."""
        location = response.headers.get(b"Location", b"").decode("latin-1").strip()
        if 300 <= response.status < 400 and location:
            target = urljoin(request.url, location)
            if not target.startswith(("http://", "https://")):
                self.crawler.stats.inc_value("wirecopy/refused")
                log.warning(
                    "refused redirect from %s to %s: only http and https", request.url, target
                )
        return response


def _source_for(request: Request, spider: Spider) -> Source | None:
    source = request.meta.get("source")
    if source is not None:
        return source
    host = host_of(request.url)  # robots.txt requests carry no source: find one by host
    return next((s for s in getattr(spider, "sources", ()) if host in s.allowed_hosts), None)


def refusal(url: str, source: Source | None) -> str | None:
    """Why a URL is out of scope for a source, or None when it may be fetched.

    >>> from pipeline.crawl.config import Source
    >>> site = Source("s", start_urls=("https://a.test/",), allowed_hosts=frozenset({"a.test"}))
    >>> refusal("ftp://a.test/x", site), refusal("https://b.test/", site)
    ('only http and https are crawled', 'b.test is not an allowed host of source "s"')
    """
    if not url.startswith(("http://", "https://")):
        return "only http and https are crawled"
    host = host_of(url)
    if source is None:
        return f"{host} belongs to no source"
    if host not in source.allowed_hosts:
        return f'{host} is not an allowed host of source "{source.name}"'
    port = port_of(url)
    if port not in source.ports:
        return f'port {port} of {host} is not a port of source "{source.name}"'
    if not source.allow_private:
        address = private_address(host)
        if address:
            return (
                f"{host} is a private, loopback or link-local address ({address}); set "
                f'allow_private = true for source "{source.name}" if you mean it'
            )
    return None
