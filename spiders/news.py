"""The ``news`` spider: fetch what sources.toml lists, and only fetch.

Start URLs are read for links (they are section pages, not articles). Sitemaps (indexes and
news sitemaps, filtered by ``lastmod`` against ``since``) and RSS/Atom feeds name article
URLs. Article pages are stored and, within ``depth``, read for more links. Feeds and sitemaps
are fetched with conditional GET; an article already fetched within ``recrawl_after`` is not
requested again. Every response goes to the item pipeline as a raw item: extraction,
cleaning, clustering and storage are the pipeline's job (``pipeline.crawl.bridge``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from lxml import etree
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.gz import gunzip

from pipeline.crawl.config import Source, load, politeness
from pipeline.urls import canonical
from spiders.middlewares import refusal

log = logging.getLogger(__name__)
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class NewsSpider(scrapy.Spider):
    name = "news"

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        """Apply sources.toml's ``[settings]`` however the crawl was started: ``scrapy crawl
        news -a sources=...`` reaches here before Scrapy freezes its settings, as does
        ``python -m pipeline crawl``."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not crawler.settings.frozen:
            crawler.settings.setdict(politeness(spider.config), priority="spider")
        return spider

    def __init__(
        self, sources: str = "sources.toml", db: str = "wirecopy.db", since: str = "", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.sources_path = Path(sources)
        self.config = load(self.sources_path)
        self.sources = self.config.sources
        self.db_path = Path(db)
        self.since = since  # YYYY-MM-DD; sitemap entries last modified before it are skipped
        self.scheduled: Counter[str] = Counter()
        self.store = None  # set by the item pipeline: read access to what was fetched before
        self.sitemaps_seen: set[str] = set()  # a sitemap index that lists itself ends here
        # Validators of feeds and sitemaps whose every entry was scheduled: the item pipeline
        # saves them when the crawl ends cleanly, so a killed or capped run fetches them whole
        # next time instead of getting 304 for entries it never fetched.
        self.validators: dict[str, dict] = {}
        self.truncated: set[str] = set()  # sources that hit max_pages in this run
        self.fetched: Counter[str] = Counter()  # responses per source
        self.failures: dict[str, str] = {}  # the first download error per source

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources:
            for url in source.sitemaps:
                yield self._conditional(url, source, "sitemap", self.parse_sitemap)
            for url in source.feeds:
                yield self._conditional(url, source, "feed", self.parse_feed)
            for url in source.start_urls:
                meta = {"source": source, "depth": 0, "kind": "start", "found_by": "start_urls"}
                yield scrapy.Request(
                    url, self.parse_page, meta=meta, dont_filter=self._own_frontier(),
                    errback=self.on_error,
                )  # fmt: skip

    def _conditional(self, url: str, source: Source, kind: str, callback) -> scrapy.Request:
        """A feed or sitemap request with If-None-Match / If-Modified-Since from last time."""
        if kind == "sitemap":
            self.sitemaps_seen.add(canonical(url))
        headers = {}
        state = self.store.url_state(canonical(url)) if self.store else None
        if state and state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state and state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        meta = {
            "source": source,
            "depth": 0,
            "kind": kind,
            "found_by": kind,
            "handle_httpstatus_list": [304],
        }
        return scrapy.Request(
            url,
            callback,
            headers=headers,
            meta=meta,
            dont_filter=self._own_frontier(),
            errback=self.on_error,
        )

    def _own_frontier(self) -> bool:
        """Start requests skip the duplicate filter, unless crawlers share one frontier: then
        it is what makes several crawlers fetch each feed and start page once."""
        return not self.settings.getbool("WIRECOPY_SHARED_FRONTIER")

    def on_error(self, failure) -> None:
        """A request that failed: one line in the log and a count, not a traceback (timeouts,
        refused connections and oversize responses are routine for a crawler). Requests our
        scope rules or robots.txt refused are counted by them, not here."""
        if failure.check(IgnoreRequest):
            return
        request = failure.request
        source = request.meta.get("source")
        problem = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"[:300]
        self.crawler.stats.inc_value("wirecopy/errors")
        self.crawler.stats.inc_value("wirecopy/errors/download")
        if source is not None:
            self.failures.setdefault(source.name, problem)
        log.warning("could not fetch %s: %s", request.url, problem)

    # -- feeds and sitemaps -------------------------------------------------------------

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        self.fetched[response.meta["source"].name] += 1
        yield self._fetch_item(response)
        root = self._xml(response, "sitemap")
        if root is None:
            return
        kind = etree.QName(root).localname
        if kind not in ("urlset", "sitemapindex"):
            self._error(
                response, "sitemap", f"root element is <{kind}>, not <urlset> or <sitemapindex>"
            )
            return
        for entry in root:
            loc, lastmod = _child_text(entry, "loc"), _child_text(entry, "lastmod")
            if not loc:
                continue
            if self.since and lastmod and lastmod[:10] < self.since:
                self.crawler.stats.inc_value("wirecopy/skipped_since")
                continue
            if kind == "sitemapindex":
                if canonical(loc) in self.sitemaps_seen:
                    log.warning("sitemap %s lists %s again: not fetched twice", response.url, loc)
                    continue
                yield self._conditional(loc, response.meta["source"], "sitemap", self.parse_sitemap)
            else:
                yield from self._article(loc, response, "sitemap " + response.url)
        self._complete(response)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        self.fetched[response.meta["source"].name] += 1
        yield self._fetch_item(response)
        root = self._xml(response, "feed")
        if root is None:
            return
        links = root.xpath(
            "//item/link/text() | //*[local-name()='entry']/*[local-name()='link']"
            "[not(@rel) or @rel='alternate']/@href"
        )
        if not links:
            self._error(response, "feed", "no RSS <item><link> or Atom <entry><link> found")
        for link in links:
            yield from self._article(
                response.urljoin(link.strip()), response, "feed " + response.url
            )
        self._complete(response)

    def _complete(self, response: Response) -> None:
        """Every entry of this feed or sitemap was scheduled: its validators may be saved."""
        source = response.meta["source"].name
        headers = _headers(response)
        if source not in self.truncated and (headers.get("etag") or headers.get("last-modified")):
            self.validators[canonical(response.url)] = {
                "source": source,
                "etag": headers.get("etag"),
                "last_modified": headers.get("last-modified"),
            }

    def _xml(self, response: Response, what: str):
        """The parsed feed or sitemap; None when unchanged (304) or unreadable (counted)."""
        if response.status == 304:
            return None
        body = response.body
        if body[:2] == b"\x1f\x8b":
            limit = self.config.settings.max_response_bytes
            try:
                body = gunzip(body, max_size=limit)
            except OSError as exc:
                self._error(response, what, f"broken gzip: {exc}")
                return None
            except ValueError:  # scrapy's decompression size limit
                self._error(response, what, f"larger than {limit} bytes once decompressed")
                return None
        try:
            return etree.fromstring(body, _XML)
        except etree.XMLSyntaxError as exc:
            self._error(response, what, f"malformed XML: {exc}")
            return None

    def _error(self, response: Response, what: str, problem: str) -> None:
        self.crawler.stats.inc_value("wirecopy/errors")
        self.crawler.stats.inc_value(f"wirecopy/errors/{what}")
        log.error("%s %s skipped: %s", what, response.url, problem)

    # -- pages ---------------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        self.fetched[meta["source"].name] += 1
        if meta["kind"] == "start":
            yield self._fetch_item(response)  # start pages are read for links, not stored
        if meta["kind"] == "page":
            yield {
                "type": "page",
                "url": response.url,
                "body": response.body,
                "status": response.status,
                "headers": _headers(response),
                "source": meta["source"].name,
                "found_by": meta["found_by"],
                "fetched_at": _now(),
            }
        if meta["depth"] < meta["source"].depth and hasattr(response, "text"):
            # Hosts are filtered by our own scope rules in _article: LinkExtractor's
            # allow_domains drops every link when the host carries a port.
            for link in LinkExtractor().extract_links(response):
                yield from self._article(link.url, response, response.url, meta["depth"] + 1)

    def _article(
        self, url: str, response: Response, found_by: str, depth: int = 1
    ) -> Iterator[Any]:
        """Request an article URL if it is in scope, wanted, new enough and under the limit."""
        source: Source = response.meta["source"]
        key = canonical(url)
        if not source.url_wanted(key) or refusal(key, source):
            return
        if self.scheduled[source.name] >= source.max_pages:
            self.truncated.add(source.name)  # entries left for the next run: keep validators out
            return
        if self._fresh(key):
            return
        self.scheduled[source.name] += 1
        meta = {"source": source, "depth": depth, "kind": "page", "found_by": found_by}
        yield scrapy.Request(key, self.parse_page, meta=meta, errback=self.on_error)

    def _fresh(self, url: str) -> bool:
        """Fetched within ``recrawl_after``: counted and skipped."""
        state = self.store.url_state(url) if self.store else None
        if not state or not state.get("last_fetched") or state.get("kind") != "page":
            return False
        age = datetime.now(UTC) - datetime.fromisoformat(state["last_fetched"])
        if age < self.config.settings.recrawl_after:
            self.crawler.stats.inc_value("wirecopy/skipped_fresh")
            return True
        return False

    def _fetch_item(self, response: Response) -> dict:
        """A feed or sitemap fetch, for the pipeline to record (its validators are saved only
        when the crawl ends cleanly: ``validators``)."""
        return {
            "type": "fetch",
            "url": response.url,
            "status": response.status,
            "kind": response.meta["kind"],
            "source": response.meta["source"].name,
            "fetched_at": _now(),
        }


def _child_text(element, name: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return (child.text or "").strip() or None
    return None


def _headers(response: Response) -> dict[str, str]:
    return {
        key.decode("latin-1").lower(): values[0].decode("latin-1")
        for key, values in response.headers.items()
        if values
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
