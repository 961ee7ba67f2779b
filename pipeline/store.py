"""Store: the only module that writes SQLite.

One ``Store`` per run, used only by the writer process. Every batch (articles, their pairs and
furniture, cluster changes, rejections and the run's counters) is one transaction, so a kill
at any moment leaves the database as it was after the last whole batch, and the next run
carries on from there. WAL mode lets Datasette and other readers query during an ingest.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from db.migrations import migrations
from pipeline.errors import StoreError
from pipeline.records import Page, Rejection


def now() -> str:
    """UTC timestamp in ISO 8601 with seconds, the format of every time column."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class Batch:
    """Everything one transaction writes."""

    articles: list[dict] = field(default_factory=list)
    furniture: list[dict] = field(default_factory=list)
    pairs: list[dict] = field(default_factory=list)
    merges: list[tuple[int, int]] = field(default_factory=list)
    clusters: list[dict] = field(default_factory=list)
    rejections: list[dict] = field(default_factory=list)
    urls: list[dict] = field(default_factory=list)
    site_lines: list[dict] = field(default_factory=list)
    stories: list[dict] = field(default_factory=list)
    story_terms: list[dict] = field(default_factory=list)
    story_merges: list[tuple[int, int]] = field(default_factory=list)
    story_backfill: list[tuple[int, int]] = field(default_factory=list)
    run_counts: dict = field(default_factory=dict)

    def __len__(self) -> int:
        sizes = (self.articles, self.rejections, self.urls, self.story_backfill)
        return sum(len(items) for items in sizes)


class Store:
    """Open (creating and migrating if needed) a wirecopy database for writing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = _connect(path)

    def close(self) -> None:
        self.db.close()

    def is_stored(self, source: str, raw_hash: str) -> bool:
        """Whether this exact page (same source, same bytes) is already an article."""
        row = self.db.execute(
            "select 1 from articles where source = ? and raw_hash = ?", [source, raw_hash]
        ).fetchone()
        return row is not None

    def url_state(self, url: str) -> dict | None:
        """What we know of a canonical URL: last fetch, validators, the article it gave."""
        rows = list(self.db.query("select * from urls where url = ?", [url]))
        return rows[0] if rows else None

    def iter_site_lines(self) -> Iterator[tuple]:
        yield from self.db.execute("select site, line_hash, clusters, learned from site_lines")

    def article_text(self, article_id: int) -> str:
        row = self.db.execute("select text from articles where id = ?", [article_id]).fetchone()
        return row[0] if row else ""

    def next_article_id(self) -> int:
        return (self.db.execute("select max(id) from articles").fetchone()[0] or 0) + 1

    def iter_index_rows(self) -> Iterator[tuple]:
        """Rows that rebuild the cluster index, oldest first."""
        yield from self.db.execute(
            "select id, published, word_count, ingested_at, url, canonical_url, site, credit,"
            " content_hash, signature, cluster_id, excerpt, lede_signatures"
            " from articles order by id"
        )

    def iter_cluster_stories(self) -> Iterator[tuple[int, int]]:
        """(cluster id, story id) for every stored cluster."""
        yield from self.db.execute("select id, story_id from clusters where story_id is not null")

    def iter_clusters_without_story(self) -> Iterator[tuple]:
        """Clusters stored before stories existed, with their first article, oldest first."""
        yield from self.db.execute(
            "select c.id, a.published, a.fetched_at, a.ingested_at, a.title, a.text, a.language"
            " from clusters c join articles a on a.id = c.id where c.story_id is null"
            " order by c.id"
        )

    def stories_between(self, first_day: str, last_day: str) -> Iterator[dict]:
        """Stored stories with a cluster between the two days (ISO dates, inclusive)."""
        yield from self.db.query(
            "select * from stories where first_day <= ? and last_day >= ?", [last_day, first_day]
        )

    def story(self, story_id: int) -> dict | None:
        rows = list(self.db.query("select * from stories where id = ?", [story_id]))
        return rows[0] if rows else None

    def term_frequencies(self, terms: list[str]) -> dict[str, int]:
        """Stored story-term document frequencies (the empty term holds the count)."""
        found: dict[str, int] = {}
        for start in range(0, len(terms), 500):
            chunk = terms[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f"select term, df from story_terms where term in ({marks})"
            found.update(self.db.execute(sql, chunk).fetchall())
        return found

    def start_run(self, command: str, arguments: dict) -> int:
        """Insert the run's row (committed at once, so a killed run still shows)."""
        with self.db.atomic():
            table = self.db["runs"].insert(
                {
                    "command": command,
                    "arguments": json.dumps(arguments, sort_keys=True),
                    "started": now(),
                    "status": "running",
                }
            )
        return int(table.last_pk)

    def finish_run(self, run_id: int, counts: dict, status: str) -> None:
        with self.db.atomic():
            self.db["runs"].update(run_id, {**counts, "status": status, "finished": now()})

    def mark_failed(self, run_id: int) -> None:
        """Best effort: record that a run stopped on an error (the disk may be full)."""
        with contextlib.suppress(sqlite3.DatabaseError):
            self.finish_run(run_id, {}, "failed")

    def write(self, batch: Batch, run_id: int) -> None:
        """Write one batch atomically; a failure leaves every earlier batch intact."""
        try:
            self._write(batch, run_id)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"could not write to {self.path}: {exc}; everything stored before this batch "
                "is intact, run the same command again once this is fixed"
            ) from exc

    def _write(self, batch: Batch, run_id: int) -> None:
        with self.db.atomic():
            for old, new in batch.merges:
                self.db.execute(
                    "update articles set cluster_id = ? where cluster_id = ?", [new, old]
                )
                self.db.execute("delete from clusters where id = ?", [old])
            self.db["articles"].insert_all(batch.articles, batch_size=100)
            self.db["pairs"].insert_all(batch.pairs, ignore=True)
            self.db["furniture"].insert_all(batch.furniture)
            self.db["clusters"].upsert_all(batch.clusters, pk="id")
            self.db["rejected"].insert_all(batch.rejections, ignore=True)
            self.db.conn.executemany(_UPSERT_URL, [_url_values(row) for row in batch.urls])
            self.db["site_lines"].upsert_all(batch.site_lines, pk=("site", "line_hash"))
            self._write_stories(batch)
            if batch.run_counts:
                self.db["runs"].update(run_id, batch.run_counts)

    def _write_stories(self, batch: Batch) -> None:
        for cluster, story in batch.story_backfill:
            for table, column in (("clusters", "id"), ("articles", "cluster_id")):
                sql = f"update {table} set story_id = ? where {column} = ?"
                self.db.execute(sql, [story, cluster])
        for old, new in batch.story_merges:
            for table in ("articles", "clusters"):
                self.db.execute(f"update {table} set story_id = ? where story_id = ?", [new, old])
            self.db.execute("delete from stories where id = ?", [old])
        self.db.conn.executemany(
            "insert into story_terms (term, df) values (:term, :df)"
            " on conflict(term) do update set df = excluded.df",
            batch.story_terms,
        )
        self.db["stories"].upsert_all(batch.stories, pk="id")
        touched = {row["story_id"] for row in batch.articles + batch.clusters}
        touched.update(kept for _, kept in batch.story_merges)
        touched.update(story for _, story in batch.story_backfill)
        self.db.conn.executemany(
            "update stories set"
            " clusters = (select count(*) from clusters where story_id = :story),"
            " articles = (select count(*) from articles where story_id = :story)"
            " where id = :story",
            [{"story": story} for story in sorted(touched)],
        )


_URL_COLUMNS = (
    "url",
    "source_name",
    "kind",
    "found_by",
    "first_seen",
    "last_fetched",
    "status",
    "article_id",
    "outcome",
    "etag",
    "last_modified",
)
# A URL keeps its first_seen, and its last article and validators when a fetch has none.
_UPSERT_URL = f"""
insert into urls ({", ".join(_URL_COLUMNS)}) values ({", ".join("?" * len(_URL_COLUMNS))})
on conflict(url) do update set
  source_name = excluded.source_name, kind = excluded.kind, found_by = excluded.found_by,
  last_fetched = excluded.last_fetched, status = excluded.status, outcome = excluded.outcome,
  article_id = coalesce(excluded.article_id, urls.article_id),
  etag = coalesce(excluded.etag, urls.etag),
  last_modified = coalesce(excluded.last_modified, urls.last_modified)
"""


def _url_values(row: dict) -> tuple:
    return tuple(row.get(column) for column in _URL_COLUMNS)


def article_row(page: Page, article_id: int, run_id: int, ingested_at: str) -> dict:
    """The ``articles`` row for a processed page (cluster id is filled at write time)."""
    return {
        "id": article_id,
        "source": page.source,
        "raw_hash": page.raw_hash,
        "url": page.url or page.canonical_url,
        "canonical_url": page.canonical_url,
        "title": page.title,
        "author": page.author,
        "published": page.published,
        "site": page.site,
        "credit": page.credit,
        "language": page.language,
        "text": page.text,
        "word_count": page.word_count,
        "content_hash": page.content_hash,
        "signature": page.signature,
        "lede_signatures": page.lede_signature
        + (b"".join(page.window_signatures) if page.excerpt else b""),
        "excerpt": int(page.excerpt),
        "found_by": page.found_by,
        "fetched_at": page.fetched_at,
        "run_id": run_id,
        "ingested_at": ingested_at,
    }


def rejection_row(rejection: Rejection, run_id: int) -> dict:
    return {
        "source": rejection.source,
        "raw_hash": rejection.raw_hash,
        "reason": rejection.reason.value,
        "detail": rejection.detail,
        "run_id": run_id,
        "rejected_at": now(),
    }


def _connect(path: Path) -> Database:
    """Open the database for writing, turning the usual failures into one-line reasons."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise StoreError(f"cannot create database {path}: folder {folder} does not exist")
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreError(f"database {path} is not writable (check its permissions)")
    if not path.exists() and not os.access(folder, os.W_OK):
        raise StoreError(f"cannot create database {path}: folder {folder} is not writable")
    try:
        db = Database(path)
        db.execute("pragma busy_timeout = 10000")
        db.enable_wal()
        db.execute("pragma synchronous = normal")
        migrations.apply(db)
        db.execute("begin immediate")  # fails now, not mid-run, if we cannot write
        db.execute("rollback")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot use database {path}: {exc}") from exc
    return db
