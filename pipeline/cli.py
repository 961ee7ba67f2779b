"""Command line: thin commands that parse options, build the stages, run, and print a summary.

Exit statuses: 0 the run completed (rejected files are normal); 1 a fatal error, printed as
one line; 2 bad usage (and a busy port for ``serve``); 69 a crawl in which no source could
fetch anything; 75 another run holds the database (cron overlap); 130 interrupted.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pipeline import __version__
from pipeline.config import Config
from pipeline.errors import MapError, ReportError, StoreError
from pipeline.run.lock import EXIT_LOCKED, LockedError, writer_lock

EXIT_FATAL = 1
EXIT_USAGE = 2
EXIT_NOTHING_FETCHED = 69  # EX_UNAVAILABLE: no source could fetch anything
EXIT_INTERRUPTED = 130
# --redis may come from the environment, so a password stays out of crontabs and `ps`.
REDIS_ENV = "WIRECOPY_REDIS_URL"
BATCH_OPTION = click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=Config().batch_size,
    show_default=True,
    help="Pages per transaction; smaller batches commit more often.",
)
DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("wirecopy.db"),
    show_default=True,
    help="SQLite database file.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wirecopy")
def cli() -> None:
    """wirecopy: ingest news pages, remove furniture, group syndicated copies in SQLite.

    \b
    Example:
        python -m pipeline ingest ~/saved-pages/ --db news.db
        python -m pipeline clusters --db news.db
        python -m pipeline serve --db news.db
    """


def _fail(message: str, status: int = EXIT_FATAL) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


def _say(message: str) -> None:
    click.echo(message, err=True)


@cli.command(short_help="Ingest a folder (or one file) of saved pages.")
@click.argument("directory", type=click.Path(path_type=Path))
@DB_OPTION
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=os.cpu_count() or 1,
    show_default="number of cores",
    help="Processes for extraction.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option("--wait", is_flag=True, help="If another run holds the database, wait for it.")
@click.option(
    "--min-words",
    type=click.IntRange(1),
    default=Config().min_words,
    show_default=True,
    help="Shorter pages are rejected as too_short.",
)
@click.option(
    "--page-timeout",
    type=click.FloatRange(0.1),
    default=Config().page_timeout,
    show_default=True,
    help="Seconds one page may take before it is rejected.",
)
@BATCH_OPTION
@click.option(
    "--follow-links",
    is_flag=True,
    help="Also read files whose symbolic links lead outside DIRECTORY (refused by default).",
)
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Run extraction on the workers of this Dask scheduler (tcp://host:8786); "
    "this process stays the one writer. Needs wirecopy[dask].",
)
def ingest(
    directory: Path,
    db_path: Path,
    workers: int,
    quiet: bool,
    wait: bool,
    min_words: int,
    page_timeout: float,
    batch_size: int,
    follow_links: bool,
    dask: str | None,
) -> None:
    """Ingest a folder of saved pages (or one file) into the database, clustering copies.

    Reads .html/.htm/.xhtml, .txt, .warc, .jsonl (url + html or text per line), and any of
    them gzipped, recursively. Files that are not pages are recorded in the rejected table.

    \b
    Example:
        python -m pipeline ingest ~/saved-pages/ --db news.db
        python -m pipeline ingest /data/cc-news/ --db news.db --dask tcp://scheduler:8786
    """
    from pipeline.run.ingest import ingest_directory
    from pipeline.sources.walk import has_files

    if not directory.exists():
        _fail(f"{directory} does not exist")
    if not has_files(directory):
        click.echo(f"warning: no files in {directory}; nothing to ingest", err=True)
        if not db_path.exists():
            return  # and no empty database left behind
    config = Config(
        min_words=min_words,
        page_timeout=page_timeout,
        batch_size=batch_size,
        follow_links=follow_links,
    )
    try:
        with writer_lock(db_path, wait=wait, say=_say):
            outcome = ingest_directory(
                directory, db_path, config, workers=workers, quiet=quiet, dask=dask
            )
    except LockedError as exc:
        _fail(str(exc), EXIT_LOCKED)
    except (StoreError, MapError, OSError) as exc:
        _fail(str(exc))
    if outcome.status == "interrupted":
        sys.exit(EXIT_INTERRUPTED)


@cli.command(short_help="Store what crawlers send through Redis (the one writer).")
@DB_OPTION
@click.option(
    "--redis",
    "redis_url",
    required=True,
    metavar="URL",
    envvar=REDIS_ENV,
    show_envvar=True,
    help="The Redis server the crawlers send processed pages to (redis://host:6379/0; "
    "redis://:PASSWORD@host:6379/0; rediss:// for TLS).",
)
@click.option(
    "--idle-exit",
    type=click.FloatRange(0.1),
    default=None,
    metavar="SECONDS",
    help="Stop after this many seconds with nothing to store (default: wait for more).",
)
@BATCH_OPTION
@click.option("--quiet", "-q", is_flag=True, help="No summary.")
@click.option("--wait", is_flag=True, help="If another run holds the database, wait for it.")
def write(
    db_path: Path, redis_url: str, idle_exit: float | None, batch_size: int, quiet: bool, wait: bool
) -> None:
    """Store the pages crawlers send through Redis: the one writer of a database.

    Entries are acknowledged only after the transaction that stored them commits, so a
    writer killed at any point loses nothing and stores nothing twice when run again.

    \b
    Example:
        python -m pipeline write --redis redis://queue:6379/0 --db news.db
    """
    from pipeline.relay.consume import write_from_redis
    from pipeline.run.summary import format_outcome
    from pipeline.store import Store

    config = Config(batch_size=batch_size)
    try:
        with writer_lock(db_path, wait=wait, say=_say):
            store = Store(db_path)
            try:
                outcome = write_from_redis(store, redis_url, config, idle_exit)
            finally:
                store.close()
    except LockedError as exc:
        _fail(str(exc), EXIT_LOCKED)
    except (StoreError, MapError, OSError) as exc:
        _fail(str(exc))
    if not quiet:
        click.echo(format_outcome(outcome, db_path))
    if outcome.status == "interrupted":
        sys.exit(EXIT_INTERRUPTED)


@cli.command(short_help="Crawl the sites of a sources file (what cron runs).")
@click.option(
    "--sources",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("sources.toml"),
    show_default=True,
    help="The sources file (see sources.example.toml).",
)
@DB_OPTION
@click.option("--since", default="", help="Skip sitemap entries last modified before YYYY-MM-DD.")
@click.option("--wait", is_flag=True, help="If another run holds the database, wait for it.")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also append the log to this file.",
)
@click.option("--quiet", "-q", is_flag=True, help="Log warnings and errors only; no summary.")
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    envvar=REDIS_ENV,
    show_envvar=True,
    help="Crawl as one of many crawlers sharing a frontier in this Redis, sending pages to "
    "`write --redis` (no --db here).",
)
@click.option(
    "--round",
    "round_name",
    metavar="NAME",
    help="With --redis: crawlers of the same round share one crawl [default: the UTC hour].",
)
def crawl(
    sources: Path,
    db_path: Path,
    since: str,
    wait: bool,
    log_file: Path | None,
    quiet: bool,
    redis_url: str | None,
    round_name: str | None,
) -> None:
    """Crawl the sites in a sources file into the database (what cron runs).

    \b
    Example:
        python -m pipeline crawl --sources sources.toml --db news.db
    \b
    crontab, every hour at :17 (one line; prints nothing when all is well):
        17 * * * * cd /srv/wirecopy && .venv/bin/python -m pipeline crawl --sources sources.toml --db news.db --quiet --log-file crawl.log
    \b
    One of many crawler machines (`write --redis` stores what they send):
        python -m pipeline crawl --sources sources.toml --redis redis://queue:6379/0
    """  # noqa: E501
    from pipeline.crawl.command import format_crawl, run_crawl, silent_sources
    from pipeline.crawl.config import ConfigError, load

    if since and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        _fail(f"--since takes a date as YYYY-MM-DD, not {since!r}", EXIT_USAGE)
    if round_name and not redis_url:
        _fail("--round goes with --redis (crawlers sharing a frontier)", EXIT_USAGE)
    try:
        config = load(sources)
        if redis_url:
            from pipeline.crawl.command import run_shared_crawl

            run = run_shared_crawl(config, sources, redis_url, round_name, since, log_file, quiet)
        else:
            with writer_lock(db_path, wait=wait, say=_say):
                from pipeline.store import Store

                Store(db_path).close()  # migrate, and fail now with one line if we cannot write
                run = run_crawl(config, sources, db_path, since, log_file, quiet)
    except ConfigError as exc:
        _fail(str(exc))
    except LockedError as exc:
        _fail(str(exc), EXIT_LOCKED)
    except (StoreError, MapError, OSError) as exc:
        _fail(str(exc))
    if not quiet:
        from pipeline.relay.stream import shown

        click.echo(format_crawl(run, shown(redis_url) if redis_url else db_path))
    silent = silent_sources(run)
    for name, problem in sorted(silent.items()):  # even with --quiet: cron must mail this
        click.echo(f'warning: source "{name}" fetched nothing ({problem})', err=True)
    if run.get("status") != "completed":
        sys.exit(EXIT_INTERRUPTED if run.get("status") == "interrupted" else EXIT_FATAL)
    if silent and len(silent) == len(config.sources):
        sys.exit(EXIT_NOTHING_FETCHED)


def _report(db_path: Path, fetch: Callable[[Any], list], as_json: bool) -> list | None:
    """Run a read-only report; print it as JSON (and return None) when asked to."""
    from pipeline.web.reports import open_readonly

    try:
        found = fetch(open_readonly(db_path))
    except ReportError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return None
    return found


@cli.command(short_help="Show the largest groups of copies.")
@DB_OPTION
@click.option(
    "--limit", type=click.IntRange(1), default=10, show_default=True, help="Clusters to show."
)
@click.option(
    "--min-size",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Only clusters with at least this many copies.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def clusters(db_path: Path, limit: int, min_size: int, as_json: bool) -> None:
    """Show the largest groups of copies, canonical copy first.

    \b
    Example:
        python -m pipeline clusters --db news.db --limit 5
    """
    from pipeline.web.reports import count, largest_clusters

    found = _report(db_path, lambda db: largest_clusters(db, limit, min_size), as_json)
    if found is None:
        return
    if not found:
        click.echo(f"no clusters with {min_size} or more articles")
    for cluster in found:
        click.echo(
            f"cluster {cluster['id']}: {count(cluster['size'], 'copy')} "
            f"(canonical {cluster['canonical_article_id']}: {cluster['canonical_reason']})"
        )
        for member in cluster["members"]:
            mark = "*" if member["id"] == cluster["canonical_article_id"] else " "
            click.echo(
                f"  {mark} {member['id']:>6}  {(member['site'] or '-')[:24]:<24} "
                f"{(member['title'] or member['source'])[:70]}"
            )


@cli.command(short_help="Show the stories covered by the most articles.")
@DB_OPTION
@click.option(
    "--limit", type=click.IntRange(1), default=10, show_default=True, help="Stories to show."
)
@click.option(
    "--min-articles",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Only stories with at least this many different articles (clusters).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def stories(db_path: Path, limit: int, min_articles: int, as_json: bool) -> None:
    """Show the stories covered by the most different articles (one line per cluster).

    A story groups different write-ups of one event within a few days; a cluster groups
    copies of one write-up.

    \b
    Example:
        python -m pipeline stories --db news.db --limit 5
    """
    from pipeline.web.reports import count, largest_stories

    found = _report(db_path, lambda db: largest_stories(db, limit, min_articles), as_json)
    if found is None:
        return
    if not found:
        click.echo(f"no stories with {min_articles} or more different articles")
    for story in found:
        click.echo(
            f"story {story['id']}: {count(story['clusters'], 'different article')} on "
            f"{count(story['articles'], 'page')}, "
            f"{story['first_day']} to {story['last_day']}  [{story['key_names']}]"
        )
        for cluster in story["clusters_in_story"]:
            click.echo(
                f"  {cluster['article_id']:>6}  x{cluster['size']:<3} "
                f"{(cluster['site'] or '-')[:24]:<24} "
                f"{(cluster['title'] or cluster['source'])[:64]}"
            )


@cli.command(name="stats", short_help="Totals, rejected files by reason, recent runs.")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def stats_command(db_path: Path, as_json: bool) -> None:
    """Totals: articles, clusters, pairs, rejected files by reason, recent runs.

    \b
    Example:
        python -m pipeline stats --db news.db
    """
    from pipeline.web.reports import open_readonly, stats

    try:
        totals = stats(open_readonly(db_path))
    except ReportError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(totals, indent=2))
        return
    from pipeline.run.summary import format_stats

    click.echo(format_stats(totals))


@cli.command(short_help="Write the articles out as JSONL, CSV or Parquet.")
@DB_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="jsonl",
    show_default=True,
    help="JSONL (one object per line), CSV with a header row, or Parquet (needs --out).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (renamed into place when complete) [default: standard output].",
)
@click.option(
    "--canonical-only",
    is_flag=True,
    help="One record per cluster: its canonical copy, with the cluster's size and copies.",
)
@click.option(
    "--since",
    metavar="YYYY-MM-DD",
    help="Articles published on or after this day (undated ones: stored on or after).",
)
@click.option("--site", help="Articles of this site only (as in the site column).")
@click.option("--story", type=click.IntRange(1), help="Articles of this story only.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def export(
    db_path: Path,
    fmt: str,
    out: Path | None,
    canonical_only: bool,
    since: str | None,
    site: str | None,
    story: int | None,
    quiet: bool,
) -> None:
    """Write the deduplicated corpus out: one record per article (id, url, canonical url,
    site, title, author, published, language, text, cluster, story, extraction method and
    confidence), or one per cluster with --canonical-only. Streams, so an archive of any size
    exports in constant memory; reads only, so it can run beside an ingest.

    \b
    Example:
        python -m pipeline export --db news.db --canonical-only > corpus.jsonl
        python -m pipeline export --db news.db --format parquet --out news.parquet
        python -m pipeline export --db news.db --format csv --since 2026-11-01 --site bbc.com
    """
    from pipeline import export as exporting

    if since and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        _fail(f"--since takes a date as YYYY-MM-DD, not {since!r}", EXIT_USAGE)
    if fmt == "parquet" and out is None:
        _fail("Parquet is a binary file: give it a name with --out FILE", EXIT_USAGE)
    if fmt == "parquet" and not exporting.parquet_available():
        _fail(f"--format parquet needs pyarrow; install it with: {exporting.PARQUET_EXTRA}")
    selection = exporting.Selection(canonical_only, since, site, story)
    conn = _export_connection(db_path)
    if story is not None and not exporting.story_exists(conn, story):
        click.echo(f"warning: {db_path} has no story {story}; the export is empty", err=True)
    _write_export(conn, selection, fmt, out, quiet)


def _export_connection(db_path: Path) -> Any:
    """A read-only connection to a wirecopy database, or one line and exit 1."""
    from pipeline import export as exporting
    from pipeline.web.reports import open_readonly

    try:
        open_readonly(db_path).conn.close()
        return exporting.connect(db_path)
    except ReportError as exc:
        _fail(str(exc))


def _write_export(conn: Any, selection: Any, fmt: str, out: Path | None, quiet: bool) -> None:
    """Stream the records to the file (atomically) or to standard output, with a progress
    bar on a terminal."""
    from tqdm import tqdm

    from pipeline import export as exporting

    show = not quiet and sys.stderr.isatty()
    total = exporting.count(conn, selection) if show else None
    with tqdm(total=total, unit=" records", disable=not show, file=sys.stderr) as bar:
        found = (bar.update(1) or record for record in exporting.records(conn, selection))
        try:
            if out is None:
                exporting.write(found, fmt, sys.stdout, selection.fields())
                return
            with exporting.atomic(out, binary=fmt == "parquet") as handle:
                exporting.write(found, fmt, handle, selection.fields())
        except OSError as exc:
            _fail(f"could not write the export: {exc}")


@cli.command(short_help="Browse the database in Datasette (read-only).")
@click.argument("database", required=False, type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on. Keep 127.0.0.1 unless you mean to publish.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
def serve(database: Path | None, db_path: Path, host: str, port: int) -> None:
    """Browse the database in Datasette (read-only) with wirecopy's metadata and queries.

    The database may be given as an argument, as with datasette itself.

    \b
    Example:
        python -m pipeline serve --db news.db --port 8001
        python -m pipeline serve news.db
    """
    from pipeline.web.reports import open_readonly
    from pipeline.web.serve import serve as run_datasette

    db_path = database or db_path
    try:
        open_readonly(db_path).close()
    except ReportError as exc:
        _fail(str(exc))
    if port and not _port_free(host, port):
        _fail(f"port {port} on {host} is already in use; choose another with --port", EXIT_USAGE)
    run_datasette(db_path, host, port)


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def main() -> None:
    cli(prog_name="python -m pipeline")
