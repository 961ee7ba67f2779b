"""Leases on the shared frontier (``pipeline.crawl.leases``), against a real redis-server: a
popped request is held by its crawler until done, and a silent crawler's requests are queued
again once, in the round that takes them."""

from __future__ import annotations

import scrapy
from scrapy.utils.test import get_crawler

from pipeline.crawl.leases import (
    LEASE,
    ROUND_FIELD,
    LeasedQueue,
    LeaseKeeper,
    beat_key,
    lease_key,
    release,
)
from pipeline.crawl.shared import RoundDupeFilter, shared_settings
from pipeline.relay.stream import connect
from tests.test_relay import redis_url  # noqa: F401 - shared fixture


class _Spider(scrapy.Spider):
    name = "leases"


def _crawler(url: str, round_name: str):
    crawler = get_crawler(_Spider, shared_settings(url, round_name))
    crawler.spider = _Spider.from_crawler(crawler)
    return crawler


def _queue(crawler) -> LeasedQueue:
    key = crawler.settings.get("SCHEDULER_QUEUE_KEY")
    return LeasedQueue(connect(crawler.settings.get("REDIS_URL")), crawler.spider, key)


def _held(client, crawler) -> list[bytes]:
    owned = client.hgetall(lease_key(crawler.settings.get("WIRECOPY_CRAWLER")))
    return [field for field in owned if field != ROUND_FIELD]


def test_a_popped_request_is_held_until_released_or_pushed_back(redis_url: str) -> None:  # noqa: F811
    client = connect(redis_url)
    crawler = _crawler(redis_url, "r1")
    queue = _queue(crawler)
    queue.push(scrapy.Request("http://127.0.0.1/a.html"))
    queue.push(scrapy.Request("http://127.0.0.1/b.html", priority=5))
    first = queue.pop()
    assert first.url.endswith("/b.html")  # the priority queue's order is kept
    assert first.meta[LEASE][0] == crawler.settings.get("WIRECOPY_CRAWLER")
    assert len(queue) == 1 and len(_held(client, crawler)) == 1
    queue.push(first)  # a retry: queued again, and the lease goes with the push
    assert len(queue) == 2 and _held(client, crawler) == []
    second = queue.pop()
    release(client, second.meta[LEASE])
    assert _held(client, crawler) == []
    assert queue.pop().url.endswith("/a.html") and queue.pop() is None


def _taken(crawler, *paths: str) -> None:
    """``crawler`` queues and pops these pages, and is killed (it never beats)."""
    queue = _queue(crawler)
    for path in paths:
        queue.push(scrapy.Request(f"http://127.0.0.1/{path}.html"))
    for _ in paths:
        queue.pop()


def test_a_silent_crawlers_requests_are_queued_again_once(redis_url: str) -> None:  # noqa: F811
    client = connect(redis_url)
    dead, busy, alive = (_crawler(redis_url, "r1") for _ in range(3))
    _taken(dead, "a", "b")
    _taken(busy, "c")
    client.set(beat_key(busy.settings.get("WIRECOPY_CRAWLER")), 1, px=60_000)  # it beats
    keeper = LeaseKeeper(alive)
    keeper.opened(alive.spider)  # same round: its filter has a and b, queued all the same
    try:
        assert sorted(r.url for r in (_queue(alive).pop(), _queue(alive).pop())) == [
            "http://127.0.0.1/a.html",
            "http://127.0.0.1/b.html",
        ]
        assert _held(client, dead) == [] and len(_held(client, busy)) == 1
        assert keeper.reclaim() == 0  # nothing twice
    finally:
        keeper.closed("finished")
    assert not list(client.scan_iter(match=lease_key(alive.settings.get("WIRECOPY_CRAWLER"))))


def test_a_later_round_that_has_seen_the_url_does_not_queue_it_again(redis_url: str) -> None:  # noqa: F811
    client = connect(redis_url)
    earlier, later = _crawler(redis_url, "r1"), _crawler(redis_url, "r2")
    _taken(earlier, "a", "b")
    seen = RoundDupeFilter(client, later.settings.get("SCHEDULER_DUPEFILTER_KEY"))
    seen.request_seen(scrapy.Request("http://127.0.0.1/a.html"))  # r2 has queued it itself
    keeper = LeaseKeeper(later)
    keeper.opened(later.spider)
    try:
        assert _queue(later).pop().url == "http://127.0.0.1/b.html"
        assert _queue(later).pop() is None
    finally:
        keeper.closed("finished")


class _Opens:
    """Unpickling this opens (so creates) a file: what a hostile frontier entry could do."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_an_entry_that_is_not_our_json_is_refused_never_unpickled(
    redis_url: str,  # noqa: F811
    tmp_path,
) -> None:
    """Issue 26: the frontier was kept with pickle, so one entry written into the shared Redis
    could run code on every crawler. Entries are JSON now; a pickle is dropped and counted."""
    import pickle

    client = connect(redis_url)
    crawler = _crawler(redis_url, "r9")
    queue = _queue(crawler)
    marker = tmp_path / "pwned"
    client.zadd(queue.key, {pickle.dumps(_Opens(str(marker)), protocol=4): -10})
    client.zadd(queue.key, {b'{"not": "ours"}': -9})
    queue.push(scrapy.Request("http://127.0.0.1/a.html", headers={"If-None-Match": "x"}))
    request = queue.pop()
    assert request.url == "http://127.0.0.1/a.html"
    assert request.headers.get("If-None-Match") == b"x"
    assert not marker.exists()
    assert crawler.stats.get_value("wirecopy/frontier_refused") == 2
    assert len(_held(client, crawler)) == 1  # only the real request's lease
    assert queue.pop() is None
