"""Requests a crawler took from the shared frontier and has not finished: kept in Redis, so a
crawler killed mid-crawl loses none of them.

scrapy-redis pops a request from the round's queue and forgets it. A crawler killed between
that pop and sending the page loses the URL for the round (the duplicate filter has it), and
for good when only a page already stored links to it: the next round skips fresh pages, so
it never reads that link again. Here a pop moves the request, in one Lua call, into the
crawler's *lease* hash; the lease is dropped once what the response produced is in Redis
(the requests it found pushed to the queue, its page or fetch on the writer's stream), or
when the request is pushed back (a retry). Each crawler beats in a key that expires
``BEAT_TTL_MS`` after it stops; the next crawler that starts or waits idle, in any round,
puts a silent crawler's leases back in its own queue.

A request that failed for good gives its lease back too. What a killed crawler leaves is
what it had in flight; those pages may be fetched twice, never lost, and the writer stores
the same bytes once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import PriorityQueue

from pipeline.crawl import frontier
from pipeline.relay.stream import connect

log = logging.getLogger(__name__)
BEAT_TTL_MS = 10_000  # a crawler that has not beaten for this long is gone
BEAT_EVERY = 2.0  # seconds; from a thread, so a page being processed does not delay it
LEASE = "wirecopy_lease"  # request.meta key: (crawler, lease id)
REFUSED = "wirecopy/frontier_refused"  # the stat: queued entries that were not our requests
ROUND_FIELD = b"round"  # the lease hash's field naming the round its requests came from

# Take the best request of the queue and lease it, in one step: ZPOPMIN, then HSET.
_POP = """
local top = redis.call('ZPOPMIN', KEYS[1])
if #top == 0 then return false end
redis.call('HSET', KEYS[2], ARGV[1], top[1], 'round', ARGV[2])
return top[1]
"""


def lease_key(crawler_id: str) -> str:
    return f"wirecopy:leases:{crawler_id}"


def beat_key(crawler_id: str) -> str:
    return f"wirecopy:crawler:{crawler_id}"


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue, with each popped request leased to this crawler, and
    its requests kept as JSON (``pipeline/crawl/frontier.py``) whatever serializer is set:
    an entry that is not one of ours is dropped and counted, never unpickled."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, frontier)
        settings = spider.crawler.settings
        self.owner = settings.get("WIRECOPY_CRAWLER")
        self.round = settings.get("WIRECOPY_ROUND")
        self._pop = server.register_script(_POP)

    def push(self, request: Any) -> None:
        """Queue a request; a retry of one this crawler holds gives its lease back."""
        held = request.meta.pop(LEASE, None)
        pipe = self.server.pipeline(transaction=True)
        pipe.execute_command("ZADD", self.key, -request.priority, self._encode_request(request))
        if held is not None and held[0] == self.owner:
            pipe.hdel(lease_key(self.owner), held[1])
        pipe.execute()

    def _encode_request(self, request: Any) -> bytes:
        return frontier.dumps(request.to_dict(spider=self.spider))

    def _decode_request(self, encoded_request: bytes) -> Any:
        found = frontier.loads(encoded_request, getattr(self.spider, "sources", ()))
        return request_from_dict(found, spider=self.spider)

    def pop(self, timeout: int = 0) -> Any:
        """The best request of the queue, leased; entries that are not our requests are
        dropped (with their lease) and counted on the way."""
        while True:
            lease = uuid.uuid4().hex
            data = self._pop(keys=[self.key, lease_key(self.owner)], args=[lease, self.round])
            if not data:
                return None
            try:
                request = self._decode_request(data)
            except frontier.NotOurs as exc:
                refused(self.spider, exc)
                self.server.hdel(lease_key(self.owner), lease)
                continue
            request.meta[LEASE] = (self.owner, lease)
            return request


def refused(spider: Any, problem: Exception) -> None:
    """An entry of the shared frontier that is not one of our requests: a warning and a count
    (the crawl's ``errors``), so someone looks at who writes into that Redis."""
    spider.crawler.stats.inc_value(REFUSED)
    spider.crawler.stats.inc_value("wirecopy/errors")
    log.warning("an entry of the shared frontier was refused, not run: %s", problem)


def release(client: Any, lease: tuple[str, str] | None) -> None:
    """Drop a lease: what its response produced is safely in Redis."""
    if lease is not None:
        client.hdel(lease_key(lease[0]), lease[1])


class _Pending:
    """The lease of one response, released when the last of its items has been sent."""

    def __init__(self, lease: tuple[str, str], items: int) -> None:
        self.lease, self.items = lease, items

    def sent(self, client: Any) -> None:
        self.items -= 1
        if self.items == 0:
            release(client, self.lease)


class LeaseMiddleware:
    """Last spider middleware before the engine: pushes each request a response produced
    to the queue at once, and passes its items on only after them, each carrying the
    response's lease (``_Pending``) for ``RelayPipeline`` to release once sent. Scrapy would
    schedule and send them concurrently; here nothing can release the lease before every
    request found is in the queue."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.client = connect(crawler.settings.get("REDIS_URL"))

    @classmethod
    def from_crawler(cls, crawler: Any) -> LeaseMiddleware:
        return cls(crawler)

    def process_spider_output(self, response: Any, result: Iterable[Any]) -> Iterator[Any]:
        items: list[Any] = []
        try:
            for output in result:
                if not self._scheduled(output):
                    items.append(output)
        finally:  # a callback that fails half-way still hands on what it produced
            yield from self._tagged(response, items)

    async def process_spider_output_async(
        self, response: Any, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        items: list[Any] = []
        try:
            async for output in result:
                if not self._scheduled(output):
                    items.append(output)
        finally:
            for item in self._tagged(response, items):
                yield item

    def _scheduled(self, output: Any) -> bool:
        if isinstance(output, Request):
            self.crawler.engine.crawl(output)  # into Redis now, as Scrapy itself would
            return True
        return False

    def _tagged(self, response: Any, items: list[Any]) -> list[Any]:
        lease = response.meta.get(LEASE) if response is not None else None
        if lease is None:
            return items
        carriers = sum(isinstance(item, dict) for item in items)  # what RelayPipeline sends
        if not carriers:
            release(self.client, lease)
            return items
        pending = _Pending(lease, carriers)
        return [{**item, LEASE: pending} if isinstance(item, dict) else item for item in items]


class FailedLeaseMiddleware:
    """Downloader middleware, next to the engine: a request that failed for good (retries
    spent, refused by robots.txt or the scope rules) gives its lease back, since fetching
    it again after a crash would fail again. A retry is pushed instead, which does the same."""

    def __init__(self, crawler: Any) -> None:
        self.client = connect(crawler.settings.get("REDIS_URL"))

    @classmethod
    def from_crawler(cls, crawler: Any) -> FailedLeaseMiddleware:
        return cls(crawler)

    def process_exception(self, request: Any, exception: Exception) -> None:
        release(self.client, request.meta.get(LEASE))


class LeaseKeeper:
    """Beats while the crawler lives, puts silent crawlers' leases back in the queue when
    it starts and while it waits idle, and drops its own leases when it ends cleanly."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.owner = settings.get("WIRECOPY_CRAWLER")
        self.round = settings.get("WIRECOPY_ROUND")
        self.client = connect(settings.get("REDIS_URL"))
        self.stop = threading.Event()
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> LeaseKeeper:
        return cls(crawler)

    def opened(self, spider: Any) -> None:
        self.client.set(beat_key(self.owner), 1, px=BEAT_TTL_MS)
        threading.Thread(target=self._beat, name="wirecopy-beat", daemon=True).start()
        settings = self.crawler.settings
        self.queue = LeasedQueue(self.client, spider, settings.get("SCHEDULER_QUEUE_KEY"))
        from pipeline.crawl.shared import RoundDupeFilter  # shared.py imports this module

        self.seen = RoundDupeFilter(self.client, key=settings.get("SCHEDULER_DUPEFILTER_KEY"))
        self.reclaim()

    def _beat(self) -> None:
        import redis

        client = connect(self.crawler.settings.get("REDIS_URL"))
        while not self.stop.wait(BEAT_EVERY):
            try:
                client.set(beat_key(self.owner), 1, px=BEAT_TTL_MS)
            except redis.RedisError as exc:  # the crawl itself reports a lost server
                log.warning("could not beat in Redis: %s", exc)

    def idle(self) -> None:
        if self.reclaim():
            raise DontCloseSpider  # requests to fetch again

    def closed(self, reason: str) -> None:
        self.stop.set()
        if reason == "finished":  # every request it took was answered
            self.client.delete(lease_key(self.owner))
        self.client.delete(beat_key(self.owner))

    def reclaim(self) -> int:
        """Put the leases of every crawler that stopped beating back in this round's
        queue; returns how many requests were queued again."""
        queued = 0
        for key in self.client.scan_iter(match=lease_key("*"), count=100):
            name = key.decode() if isinstance(key, bytes) else key
            holder = name.split(":")[2]
            if holder == self.owner or self.client.exists(beat_key(holder)):
                continue
            claimed = f"{lease_key(self.owner)}:{uuid.uuid4().hex}"
            if not self._claim(name, claimed):
                continue  # another crawler took them first
            queued += self._requeue(claimed)
        return queued

    def _claim(self, key: str, claimed: str) -> bool:
        import redis

        try:
            self.client.rename(key, claimed)
        except redis.ResponseError:  # gone: renamed by another crawler
            return False
        return True

    def _requeue(self, claimed: str) -> int:
        """Queue a claimed lease hash's requests, then delete it (a crawler killed on the
        way leaves it under its own name, for the next one to claim)."""
        leases = self.client.hgetall(claimed)
        origin = leases.pop(ROUND_FIELD, b"").decode()
        queued = 0
        for data in leases.values():
            try:
                request = self.queue._decode_request(data)
            except frontier.NotOurs as exc:  # written by another program or version
                refused(self.queue.spider, exc)
                continue
            if origin != self.round and self.seen.request_seen(request):
                continue  # this round has it already
            self.queue.push(request)
            queued += 1
        self.client.delete(claimed)
        if queued:
            log.warning("%d requests of a crawler that stopped queued again", queued)
        return queued
