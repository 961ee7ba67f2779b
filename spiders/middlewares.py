"""Scope: the crawler only reaches the hosts a source allows, over http(s), and never a
private, loopback or link-local address unless that source sets ``allow_private = true``.

It runs as the first downloader middleware, so it also sees robots.txt requests and every
redirect target, not only the URLs the spider chose.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
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


class RetryAfterMiddleware:
    """Honour ``Retry-After`` on 429 and 503: the site's later requests wait that long (the
    download slot's delay), and a wait longer than ``MAX_RETRY_AFTER`` is not retried in this
    run at all (the URL is fetched on a later one). Scrapy's retry would ask again at once.
    Its ``process_response`` runs before Scrapy's RetryMiddleware (priority 550)."""

    MAX_RETRY_AFTER = 300.0

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response):
        if response.status not in (429, 503):
            return response
        wait = retry_after(response.headers.get(b"Retry-After", b"").decode("latin-1"))
        if wait is None:
            return response
        if wait > self.MAX_RETRY_AFTER:
            request.meta["dont_retry"] = True
            log.warning("%s asks to come back in %.0f s: left for a later run", request.url, wait)
            return response
        slots = self.crawler.engine.downloader.slots
        slot = slots.get(request.meta.get("download_slot") or host_of(request.url))
        if slot is not None:  # Scrapy varies a slot's delay by ±jitter: wait at least ``wait``
            jitter = min(float(getattr(slot, "jitter", 0.0) or 0.0), 0.9)
            slot.delay = max(slot.delay, wait / (1 - jitter))
        log.info("%s asks to wait %.0f s before the next request", request.url, wait)
        return response


def retry_after(value: str) -> float | None:
    """Seconds a ``Retry-After`` header asks for: a number, or an HTTP date.

    >>> retry_after("120"), retry_after("soon")
    (120.0, None)
    """
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
