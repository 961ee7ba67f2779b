"""The ``crawl`` job: run the Scrapy spiders under the writer lock, then summarise the run.

Politeness settings come from sources.toml's ``[settings]`` on top of ``spiders/settings.py``.
The lock is taken here, before Scrapy starts, so an overlapping cron run exits at once.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from pipeline.crawl.config import CrawlConfig, politeness


def scrapy_settings(config: CrawlConfig, log_file: Path | None, quiet: bool) -> Settings:
    """Scrapy's settings for our crawl. The log goes to ``log_file`` when given, else to
    stderr; at INFO it holds our own lines (what was stored, refused, failed), and Scrapy's
    start-up chatter (versions, middleware lists, the stats dict) only at WARNING."""
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.setdict(
        {
            **politeness(config),
            "WIRECOPY_LOCK_HELD": True,
            "WIRECOPY_PROGRESS": not quiet,
            "LOG_LEVEL": "WARNING",
            "LOG_FILE": str(log_file) if log_file else None,
            "LOG_FILE_APPEND": True,
            "LOG_INSTALL_ROOT_HANDLER": True,
        },
        priority="cmdline",
    )
    return settings


def run_crawl(
    config: CrawlConfig,
    sources: Path,
    db_path: Path,
    since: str,
    log_file: Path | None,
    quiet: bool,
) -> dict:
    """Crawl every source into the database; return the run's ``runs`` row."""
    from spiders.news import NewsSpider

    process = CrawlerProcess(scrapy_settings(config, log_file, quiet))
    _our_log(log_file, quiet)
    process.crawl(NewsSpider, sources=str(sources), db=str(db_path), since=since)
    for crawler in process.crawlers:  # Scrapy replaces its log handler as the crawl starts
        crawler.signals.connect(_filter_routine_failures, signal=signals.engine_started)
    process.start()
    return latest_run(db_path)


def run_shared_crawl(
    config: CrawlConfig,
    sources: Path,
    redis_url: str,
    round_name: str | None,
    since: str,
    log_file: Path | None,
    quiet: bool,
) -> dict:
    """Crawl as one of many crawlers sharing a frontier in Redis; pages go to the writer's
    stream. Returns this crawler's ``runs`` row (the writer stores it too)."""
    from pipeline.crawl.shared import default_round, shared_settings
    from pipeline.relay.stream import connect
    from spiders.news import NewsSpider

    connect(redis_url)  # one clear line now if Redis is out of reach
    settings = scrapy_settings(config, log_file, quiet)
    settings.setdict(shared_settings(redis_url, round_name or default_round()), priority="cmdline")
    process = CrawlerProcess(settings)
    _our_log(log_file, quiet)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, sources=str(sources), db="", since=since)
    crawler.signals.connect(_filter_routine_failures, signal=signals.engine_started)
    process.start()
    run = json.loads(crawler.stats.get_value("wirecopy/run") or "{}")
    return {**run, "sent": run.get("pages_seen", 0)}


def _our_log(log_file: Path | None, quiet: bool) -> None:
    """Our own INFO lines (stored, refused, failed) go where Scrapy's warnings go, which stay
    at WARNING: its start-up chatter is not what an operator reads."""
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler()
    )
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    for name in ("spiders", "pipeline"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.WARNING if quiet else logging.INFO)
        logger.propagate = False


_ROUTINE = (
    "ConnectionRefusedError",
    "ConnectionLost",
    "TimeoutError",
    "TCPTimedOutError",
    "DNSLookupError",
    "ResponseNeverReceived",
    "ConnectError",
    "CancelledError",
)


def _filter_routine_failures() -> None:
    for handler in logging.getLogger().handlers:
        if _routine_failures not in handler.filters:
            handler.addFilter(_routine_failures)


def _routine_failures(record: logging.LogRecord) -> bool:
    """A crawler meets refused connections, timeouts and oversize responses every day: Scrapy
    logs them with a traceback, which cron would mail; they keep their one line."""
    if record.exc_info and record.exc_info[1] is not None:
        chain, error = [], record.exc_info[1]
        while error is not None:
            chain.append(type(error).__name__)
            error = error.__cause__ or error.__context__
        if any(name in _ROUTINE for name in chain):
            record.exc_info, record.exc_text = None, None
    return True


def latest_run(db_path: Path) -> dict:
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("select * from runs where command = 'crawl' order by id desc").fetchone()
    return dict(row) if row else {}


def format_crawl(run: dict, db_path: Path | str) -> str:
    """The end-of-crawl summary a person reads in the cron mail or log."""
    statuses = json.loads(run.get("responses") or "{}")
    shown = ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))
    if "sent" in run:  # one of many crawlers: the writer stores and clusters
        round_name = run.get("arguments", {}).get("round")
        head = f"{run.get('status')}: crawl round {round_name} via {db_path}"
        pages = [f"  pages sent         {run['sent']:>8}"]
    else:
        head = f"{run.get('status')}: crawl run {run.get('id')} into {db_path}"
        pages = [
            f"  pages stored       {run.get('stored') or 0:>8}",
            f"  copies found       {run.get('joined_clusters') or 0:>8}",
        ]
    return "\n".join(
        [
            head,
            f"  requests           {run.get('requests') or 0:>8}",
            f"  responses          {shown or 'none'}",
            *pages,
            f"  rejected           {run.get('rejected') or 0:>8}",
            f"  fresh, not asked   {run.get('skipped_fresh') or 0:>8}",
            f"  older than --since {run.get('skipped_since') or 0:>8}",
            f"  errors             {run.get('errors') or 0:>8}",
            f"  refused (scope)    {run.get('refused') or 0:>8}",
            f"  refused (robots)   {run.get('robots_refused') or 0:>8}",
        ]
    )


def silent_sources(run: dict) -> dict[str, str]:
    """Sources that fetched nothing in the run, with the first error each met."""
    return json.loads(run.get("silent_sources") or "{}")
