"""Scrapy item pipeline → the same stages and the same writer as ``ingest``.

Spiders yield raw responses. Each becomes a ``Page`` exactly as a file would (source is the
URL, the raw hash is the hash of the body bytes), goes through ``process_page`` and is
clustered and stored by the ``Writer``. So a page gives the same row whether it came from
disk or from the web. The page's ``urls`` row travels in the same transaction as its
article, so a killed crawl never records a URL as fetched without its article.

Run by ``python -m pipeline crawl`` (which holds the writer lock) or by
``scrapy crawl news -a sources=... -a db=...`` (then this pipeline takes the lock itself).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextlib import ExitStack
from pathlib import Path

from scrapy.exceptions import CloseSpider
from tqdm import tqdm

from pipeline.config import Config
from pipeline.records import Page
from pipeline.run.lock import LockedError, writer_lock
from pipeline.run.process import process_page
from pipeline.run.writer import Writer
from pipeline.sources.common import raw_hash
from pipeline.store import Store
from pipeline.urls import canonical

log = logging.getLogger(__name__)
_CHARSET = re.compile(r"charset=([\w.:-]+)", re.I)


class StorePipeline:
    """Opens the database when the spider opens, stores every page item, closes the run."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stack = ExitStack()
        self.writer: Writer | None = None
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        db_path = Path(spider.db_path)
        if not self.crawler.settings.getbool("WIRECOPY_LOCK_HELD"):
            try:
                self.stack.enter_context(writer_lock(db_path))
            except LockedError as exc:
                log.error("%s", exc)
                raise CloseSpider("locked") from exc
        self.store = self.stack.enter_context(_closing(Store(db_path)))
        arguments = {"sources": str(spider.sources_path.resolve()), "since": spider.since}
        run_id = self.store.start_run("crawl", arguments)
        self.writer = Writer(self.store, Config(), run_id)
        spider.store = self.store
        show = self.crawler.settings.getbool("WIRECOPY_PROGRESS") and sys.stderr.isatty()
        self.progress = CrawlProgress(show)
        spider.run_id = run_id

    def process_item(self, item: dict) -> dict:
        if item["type"] == "fetch":
            self.writer.note_url({**_url_row(item, kind=item["kind"]), "outcome": "fetched"})
            self.progress.note(item["source"], stored=False)
            return {"url": item["url"], "type": "fetch"}
        result = process_page(_page(item), Config())
        outcome = "stored" if isinstance(result, Page) else result.reason.value
        self.writer.accept(result, {**_url_row(item, kind="page"), "outcome": outcome})
        self.progress.note(item["source"], stored=outcome == "stored")
        return {"url": item["url"], "type": "page", "outcome": outcome}

    def close_spider(self) -> None:
        if self.writer is None:
            return
        spider = self.crawler.spider
        try:
            stats = self.crawler.stats.get_stats()
            if stats.get("finish_reason") in (None, "finished"):
                self._save_validators(spider)
            self.writer.flush()
            counts = {**self.writer.counts.as_row(), **crawl_counts(spider, stats)}
            status = (
                "completed" if stats.get("finish_reason") in (None, "finished") else "interrupted"
            )
            self.store.finish_run(spider.run_id, counts, status)
        finally:
            self.progress.close()
            self.stack.close()

    def _save_validators(self, spider) -> None:
        """ETag and Last-Modified of the feeds and sitemaps whose entries were all scheduled
        and fetched in a run that ended cleanly (a killed run never gets here)."""
        for url, state in sorted(spider.validators.items()):
            stored = self.store.url_state(url)
            if stored is None or state["source"] in spider.truncated:
                continue
            self.writer.note_url(
                {
                    **stored,
                    "etag": state["etag"],
                    "last_modified": state["last_modified"],
                }
            )


class CrawlProgress:
    """At a terminal: pages fetched and stored per source, on one line that updates."""

    def __init__(self, show: bool) -> None:
        self.counts: dict[str, list[int]] = {}
        self.bar = tqdm(unit=" fetched", file=sys.stderr, desc="crawl", disable=not show)

    def note(self, source: str, stored: bool) -> None:
        fetched_stored = self.counts.setdefault(source, [0, 0])
        fetched_stored[0] += 1
        fetched_stored[1] += int(stored)
        self.bar.update(1)
        self.bar.set_postfix_str(self.line(), refresh=False)

    def line(self) -> str:
        """``site-a 12 fetched, 9 stored | site-b ...``"""
        return " | ".join(
            f"{name} {fetched} fetched, {stored} stored"
            for name, (fetched, stored) in sorted(self.counts.items())
        )

    def close(self) -> None:
        self.bar.close()


def crawl_counts(spider, stats: dict) -> dict[str, object]:
    """The crawl's own columns of its ``runs`` row, from Scrapy's stats."""
    return {
        "requests": stats.get("downloader/request_count", 0),
        "responses": json.dumps(_by_status(stats), sort_keys=True),
        "errors": stats.get("wirecopy/errors", 0) + stats.get("spider_exceptions/count", 0),
        "refused": stats.get("wirecopy/refused", 0),
        "robots_refused": stats.get("robotstxt/forbidden", 0),
        "skipped_fresh": stats.get("wirecopy/skipped_fresh", 0),
        "skipped_since": stats.get("wirecopy/skipped_since", 0),
        "silent_sources": json.dumps(_silent(spider, stats), sort_keys=True),
    }


def _silent(spider, stats: dict) -> dict[str, str]:
    """Sources that received no response at all, with the first problem each met."""
    silent = {}
    for source in spider.sources:
        if spider.fetched[source.name]:
            continue
        refused = stats.get(f"wirecopy/refused/{source.name}", 0)
        if source.name in spider.failures:
            silent[source.name] = spider.failures[source.name]
        elif refused:
            silent[source.name] = f"{refused} requests refused by the scope rules (see the log)"
        else:
            silent[source.name] = "no response"
    return silent


def _page(item: dict) -> Page:
    headers = item.get("headers", {})
    content_type = headers.get("content-type", "")
    match = _CHARSET.search(content_type)
    return Page(
        source=item["url"],
        body=item["body"],
        kind="text" if content_type.startswith("text/plain") else "html",
        raw_hash=raw_hash(item["body"]),
        url=item["url"],
        charset=match.group(1).lower() if match else None,
        fetched_at=item["fetched_at"],
        found_by=item["found_by"],
    )


def _url_row(item: dict, kind: str) -> dict:
    return {
        "url": canonical(item["url"]),
        "source_name": item["source"],
        "kind": kind,
        "found_by": item.get("found_by"),
        "first_seen": item["fetched_at"],
        "last_fetched": item["fetched_at"],
        "status": item["status"],
        "etag": item.get("etag"),
        "last_modified": item.get("last_modified"),
    }


def _by_status(stats: dict) -> dict[str, int]:
    prefix = "downloader/response_status_count/"
    return {key[len(prefix) :]: value for key, value in stats.items() if key.startswith(prefix)}


class _closing:
    """Close the store when the stack unwinds."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Store:
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()
