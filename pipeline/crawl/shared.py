"""Crawl from many machines: one frontier in Redis, the one writer elsewhere.

With ``crawl --redis URL`` each crawler process (on any machine) takes its requests from one
scrapy-redis queue and checks one duplicate filter, so a URL is fetched once per round
however many crawlers run. Three things scrapy-redis leaves to its users are handled here:

* The duplicate filter would grow forever and, kept, would refuse next hour's feeds: it is
  scoped to a *round* (``--round``, by default the UTC hour the crawl starts in) and expires a
  day after the round began. Crawlers started in the same round share one crawl.
* Download delays are per process, so N crawlers would hit a site N times as hard: one clock
  per host in Redis (``SET NX PX``) lets a request go only when the host's interval since the
  last request from any crawler has passed (``start_delay`` in ``[settings]``).
* A request a crawler popped and then died with would be gone for the round, and for good
  when only a stored (so fresh) page links to it: each popped request is leased to its
  crawler until what it produced is in Redis, and a crawler that stops beating has its
  leases queued again by the next one (``pipeline.crawl.leases``).

Each crawler extracts, cleans and fingerprints what it fetched and sends the processed page,
with its ``urls`` row, to the writer's stream (``pipeline.relay``); at the end it sends its
counts, which become its ``runs`` row. Freshness (``recrawl_after``) and conditional GETs
read the writer's mirror of the ``urls`` table in Redis.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from scrapy_redis.dupefilter import RFPDupeFilter

from pipeline.config import Config
from pipeline.crawl.bridge import CrawlProgress, _page, _silent, _url_row, crawl_counts
from pipeline.crawl.leases import LEASE
from pipeline.records import Page
from pipeline.relay.stream import connect, send, url_state
from pipeline.run.process import process_page
from pipeline.urls import host_of
from spiders import settings as spider_settings

log = logging.getLogger(__name__)
ROUND_SECONDS = 24 * 3600  # a round's frontier and duplicate filter expire after this
ALIVE_MS = 15_000  # a crawler that said nothing for this long is gone
ROBOTS_SECONDS = 3600  # a host's robots.txt, fetched by one crawler, serves all for an hour
ROBOTS_WAIT_SECONDS = 30


def default_round() -> str:
    """The UTC hour: crawlers cron starts in the same hour share one crawl."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H")


def shared_settings(redis_url: str, round_name: str) -> dict[str, object]:
    """Scrapy settings that put the frontier in Redis and the pages on the writer's stream."""
    prefix = f"wirecopy:crawl:{round_name}"
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "pipeline.crawl.shared.RoundDupeFilter",
        "SCHEDULER_PERSIST": True,  # a crawler that ends must not clear what others still use
        "SCHEDULER_QUEUE_CLASS": "pipeline.crawl.leases.LeasedQueue",
        "SCHEDULER_SERIALIZER": "pipeline.crawl.frontier",  # JSON: never pickle
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:seen",
        "REDIS_URL": redis_url,
        "ITEM_PIPELINES": {"pipeline.crawl.shared.RelayPipeline": 300},
        "DOWNLOADER_MIDDLEWARES": {
            **spider_settings.DOWNLOADER_MIDDLEWARES,  # scope, Retry-After: as on one machine
            # last before the download: after robots.txt and retries have held a request
            "pipeline.crawl.shared.SharedDelayMiddleware": 950,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "pipeline.crawl.shared.SharedRobotsMiddleware": 100,
            "pipeline.crawl.leases.FailedLeaseMiddleware": 5,  # sees failures last
        },
        # the last to see what a response produced, next to the engine: see LeaseMiddleware
        "SPIDER_MIDDLEWARES": {"pipeline.crawl.leases.LeaseMiddleware": 10},
        "EXTENSIONS": {
            "pipeline.crawl.shared.RoundPresence": 500,
            "pipeline.crawl.leases.LeaseKeeper": 510,
        },
        # Scrapy's delays are per process and applied after our clock: the shared interval
        # replaces them (``SharedDelayMiddleware``)
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "WIRECOPY_SHARED_FRONTIER": True,
        "WIRECOPY_ROUND": round_name,
        "WIRECOPY_CRAWLER": uuid.uuid4().hex,  # this process: its leases, its runs row
    }


class RoundDupeFilter(RFPDupeFilter):
    """scrapy-redis's filter, expiring a day after its round's first request."""

    def request_seen(self, request: Any) -> bool:
        seen = super().request_seen(request)
        if not seen:
            self.server.expire(self.key, ROUND_SECONDS, nx=True)
        return seen


class SharedDelayMiddleware:
    """At most one request per host per interval, counted across every crawler."""

    def __init__(self, crawler: Any) -> None:
        self.interval_ms = int(1000 * crawler.settings.getfloat("AUTOTHROTTLE_START_DELAY"))
        self.client = connect(crawler.settings.get("REDIS_URL"))

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedDelayMiddleware:
        return cls(crawler)

    async def process_request(self, request: Any) -> None:
        if self.interval_ms <= 0:
            return
        key = f"wirecopy:host:{host_of(request.url)}"
        while not self.client.set(key, 1, px=self.interval_ms, nx=True):
            wait = self.client.pttl(key)
            await asyncio.sleep(max(wait, 5) / 1000)


class SharedRobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt rules, with each host's robots.txt fetched once for all crawlers:
    the first to need it fetches it (holding a short lock) and leaves the body in Redis for
    an hour; the others wait for that body instead of fetching it again."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.client = connect(crawler.settings.get("REDIS_URL"))

    async def robot_parser(self, request: Any) -> Any:
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            key = f"wirecopy:robots:{url.scheme}://{netloc}"
            deadline = time.monotonic() + ROBOTS_WAIT_SECONDS
            while time.monotonic() < deadline:
                body = self.client.get(key)
                if body is not None:
                    self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
                    break
                if self.client.set(f"{key}:lock", 1, px=ROBOTS_WAIT_SECONDS * 1000, nx=True):
                    break  # ours to fetch: Scrapy's own code below, then _parse_robots
                await asyncio.sleep(0.1)
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Any, netloc: str, request: Any) -> None:
        key = f"wirecopy:robots:{urlparse_cached(response).scheme}://{netloc}"
        self.client.set(key, response.body, ex=ROBOTS_SECONDS)
        await super()._parse_robots(response, netloc, request)


class RoundPresence:
    """A crawler whose queue is empty stays while another crawler of its round is working
    (that one may still add requests); each says it is alive in a key that expires soon
    after it stops, or is killed."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.client = connect(crawler.settings.get("REDIS_URL"))
        self.prefix = f"wirecopy:crawl:{crawler.settings.get('WIRECOPY_ROUND')}:alive:"
        self.key = self.prefix + uuid.uuid4().hex
        crawler.signals.connect(self.beat, signal=signals.request_scheduled)
        crawler.signals.connect(self.beat, signal=signals.response_received)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RoundPresence:
        return cls(crawler)

    def beat(self, *args: Any, **kwargs: Any) -> None:
        self.client.set(self.key, 1, px=ALIVE_MS)

    def idle(self) -> None:
        self.client.delete(self.key)  # idle: not working
        if next(self.client.scan_iter(match=self.prefix + "*", count=100), None) is not None:
            raise DontCloseSpider  # asked again in a few seconds

    def closed(self) -> None:
        self.client.delete(self.key)


class _MirroredUrls:
    """What the spider reads of earlier fetches, from the writer's mirror in Redis."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def url_state(self, url: str) -> dict | None:
        return url_state(self.client, url)


class RelayPipeline:
    """Processes every fetched page here and sends it, with its ``urls`` row, to the writer."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.client = connect(crawler.settings.get("REDIS_URL"))
        self.config = Config()
        self.crawl_id = crawler.settings.get("WIRECOPY_CRAWLER")
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> RelayPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        spider.store = _MirroredUrls(self.client)
        show = self.crawler.settings.getbool("WIRECOPY_PROGRESS")
        self.progress = CrawlProgress(show and sys.stderr.isatty())

    def process_item(self, item: dict) -> dict:
        pending = item.pop(LEASE, None)
        sent = self._send(item)
        if pending is not None:
            pending.sent(self.client)  # on the stream: the response's lease can go
        return sent

    def _send(self, item: dict) -> dict:
        if item["type"] == "fetch":
            send(self.client, None, {**_url_row(item, kind=item["kind"]), "outcome": "fetched"})
            self.progress.note(item["source"], stored=False)
            return {"url": item["url"], "type": "fetch"}
        result = process_page(_page(item), self.config)
        outcome = "stored" if isinstance(result, Page) else result.reason.value
        send(self.client, result, {**_url_row(item, kind="page"), "outcome": outcome})
        self.sent += 1
        self.progress.note(item["source"], stored=outcome == "stored")
        return {"url": item["url"], "type": "page", "outcome": outcome}

    def close_spider(self) -> None:
        spider = self.crawler.spider
        stats = self.crawler.stats.get_stats()
        clean = stats.get("finish_reason") in (None, "finished")
        if clean:
            for url, state in sorted(spider.validators.items()):
                stored = url_state(self.client, url)
                if stored is not None and state["source"] not in spider.truncated:
                    row = {**stored, "etag": state["etag"], "last_modified": state["last_modified"]}
                    send(self.client, None, row)
        self.counts = run_counts(spider, stats, self.sent, self.crawl_id, self.started, clean)
        send(self.client, None, None, self.counts)
        self.crawler.stats.set_value("wirecopy/run", json.dumps(self.counts))
        self.progress.close()


def run_counts(
    spider: Any, stats: dict, sent: int, crawl_id: str, started: str, clean: bool
) -> dict[str, Any]:
    """This crawler's ``runs`` row (the writer stores it once, by ``crawl_id``)."""
    return {
        "arguments": {
            "sources": str(spider.sources_path.resolve()),
            "since": spider.since,
            "round": spider.settings.get("WIRECOPY_ROUND"),
            "crawler": crawl_id,
        },
        "started": started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "status": "completed" if clean else "interrupted",
        "pages_seen": sent,
        **crawl_counts(spider, stats),
        "silent_sources": json.dumps(_failed(spider, stats), sort_keys=True),
    }


def _failed(spider: Any, stats: dict) -> dict[str, str]:
    """Sources this crawler could not reach. One that merely got no response here is not
    one: the other crawlers may have taken all of its requests from the shared queue."""
    return {
        name: problem
        for name, problem in _silent(spider, stats).items()
        if problem != "no response"
    }
