"""The ``crawl`` job: run the Scrapy spiders under the writer lock, then summarise the run.

Politeness settings come from sources.toml's ``[settings]`` on top of ``spiders/settings.py``.
The lock is taken here, before Scrapy starts, so an overlapping cron run exits at once.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from pipeline.crawl.config import CrawlConfig


def scrapy_settings(config: CrawlConfig, log_file: Path | None, quiet: bool) -> Settings:
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    politeness = config.settings
    settings.setdict(
        {
            "USER_AGENT": politeness.user_agent,
            "DOWNLOAD_TIMEOUT": politeness.download_timeout,
            "DOWNLOAD_MAXSIZE": politeness.max_response_bytes,
            "CONCURRENT_REQUESTS_PER_DOMAIN": politeness.per_host_concurrency,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": politeness.autothrottle_target,
            "AUTOTHROTTLE_START_DELAY": politeness.start_delay,
            "WIRECOPY_LOCK_HELD": True,
            "LOG_LEVEL": "WARNING" if quiet else "INFO",
            "LOG_FILE": str(log_file) if log_file else None,
            "LOG_FILE_APPEND": True,
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

    process = CrawlerProcess(scrapy_settings(config, log_file, quiet), install_root_handler=True)
    process.crawl(NewsSpider, sources=str(sources), db=str(db_path), since=since)
    process.start()
    return latest_run(db_path)


def latest_run(db_path: Path) -> dict:
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("select * from runs where command = 'crawl' order by id desc").fetchone()
    return dict(row) if row else {}


def format_crawl(run: dict, db_path: Path) -> str:
    """The end-of-crawl summary a person reads in the cron mail or log."""
    return "\n".join(
        [
            f"{run.get('status')}: crawl run {run.get('id')} into {db_path}",
            f"  requests           {run.get('requests') or 0:>8}",
            f"  responses          {run.get('responses') or '{}'}",
            f"  pages stored       {run.get('stored') or 0:>8}",
            f"  copies found       {run.get('joined_clusters') or 0:>8}",
            f"  rejected           {run.get('rejected') or 0:>8}",
            f"  errors             {run.get('errors') or 0:>8}",
            f"  refused (scope)    {run.get('refused') or 0:>8}",
        ]
    )
