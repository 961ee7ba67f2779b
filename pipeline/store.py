"""Store: the only module that writes SQLite, and the index reads of the writer.

One ``Store`` per run, used only by the writer process. Every batch (articles, their index
entries, pairs and furniture, cluster and story changes, rejections and the run's counters)
is one transaction, so a kill at any moment leaves the database as it was after the last
whole batch, and the next run carries on from there. WAL mode lets Datasette and other
readers query during an ingest.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from db.migrations import migrations
from pipeline import wal
from pipeline.dedup.index import Facts, Member
from pipeline.errors import StoreError
from pipeline.records import Page, Rejection
from pipeline.titles import derived_title


def now() -> str:
    """UTC timestamp in ISO 8601 with seconds, the format of every time column."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class BatchEnd:
    """What the writer hands over when a batch closes: rows that summarise the batch's
    changes, written just before its transaction commits."""

    clusters: list[dict] = field(default_factory=list)
    stories: list[dict] = field(default_factory=list)
    story_terms: list[dict] = field(default_factory=list)
    postings_gone: list[tuple] = field(default_factory=list)
    postings_added: list[tuple] = field(default_factory=list)
    site_lines: list[dict] = field(default_factory=list)
    touched_stories: set[int] = field(default_factory=set)
    run_counts: dict = field(default_factory=dict)


class Store:
    """Open (creating and migrating if needed) a wirecopy database for writing.

    The writer keeps one transaction open per batch: rows are written as pages arrive (so
    the next page's index queries see them) and committed together by ``finish_batch``; a
    kill at any moment leaves the database as it was after the last whole batch.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = _connect(path)
        self.conn = self.db.conn
        self.conn.execute(f"pragma wal_autocheckpoint = {wal.SAFETY_PAGES}")
        self.checkpointer = wal.Checkpointer(path)

    def close(self) -> None:
        self.checkpointer.close()
        self.db.close()

    # -- reads: what a page touches ------------------------------------------------------

    def is_stored(self, source: str, raw_hash: str) -> bool:
        """Whether this exact page (same source, same bytes) is already an article."""
        return self.article_of(source, raw_hash) is not None

    def article_of(self, source: str, raw_hash: str) -> int | None:
        """The article stored for this exact page (same source, same bytes), if any: one
        lookup in the unique (source, raw_hash) index, which holds the id too."""
        row = self.conn.execute(
            "select id from articles where source = ? and raw_hash = ?", [source, raw_hash]
        ).fetchone()
        return row[0] if row else None

    def add_crawl_run(self, run: dict) -> None:
        """A ``runs`` row a crawler on another machine sent (once: it carries its own id)."""
        arguments = json.dumps(run.get("arguments", {}), sort_keys=True)
        with self.db.atomic():
            seen = self.conn.execute(
                "select 1 from runs where command = 'crawl' and arguments = ?", [arguments]
            ).fetchone()
            if seen is None:
                columns = {key: value for key, value in run.items() if key != "arguments"}
                self.db["runs"].insert({"command": "crawl", "arguments": arguments, **columns})

    def url_state(self, url: str) -> dict | None:
        """What we know of a canonical URL: last fetch, validators, the article it gave."""
        rows = list(self.db.query("select * from urls where url = ?", [url]))
        return rows[0] if rows else None

    def article_text(self, article_id: int) -> str:
        row = self.conn.execute("select text from articles where id = ?", [article_id]).fetchone()
        return row[0] if row else ""

    def next_article_id(self) -> int:
        return (self.conn.execute("select max(id) from articles").fetchone()[0] or 0) + 1

    def first_with_hash(self, content_hash: str) -> int | None:
        sql = "select min(id) from articles where content_hash = ?"
        return self.conn.execute(sql, [content_hash]).fetchone()[0]

    def band_candidates(self, table: str, keys: list[int]) -> set[int]:
        if table not in ("index_bands", "index_ledes"):
            raise ValueError(f"no band table {table!r}")
        found: set[int] = set()
        for chunk in _chunked(sorted(set(keys))):
            sql = f"select article_id from {table} where key in ({_marks(chunk)})"
            found.update(row[0] for row in self.conn.execute(sql, chunk))
        return found

    def facts(self, ids: list[int]) -> dict[int, Facts]:
        found = {}
        for chunk in _chunked(ids):
            sql = (
                "select id, cluster_id, word_count, excerpt, signature from articles"
                f" where id in ({_marks(chunk)})"
            )
            for article_id, *rest in self.conn.execute(sql, chunk):
                cluster, words, excerpt, signature = rest
                found[article_id] = Facts(cluster, words, bool(excerpt), signature)
        return found

    def cluster_members(self, cluster_id: int) -> list[Member]:
        sql = (
            "select id, published, word_count, ingested_at, url, canonical_url, site, credit"
            " from articles where cluster_id = ? order by id"
        )
        return [Member(*row) for row in self.conn.execute(sql, [cluster_id])]

    def story_of_cluster(self, cluster_id: int) -> int:
        sql = "select story_id from clusters where id = ?"
        return self.conn.execute(sql, [cluster_id]).fetchone()[0]

    def story_of_article(self, article_id: int) -> int:
        sql = (
            "select c.story_id from articles a join clusters c on c.id = a.cluster_id"
            " where a.id = ?"
        )
        return self.conn.execute(sql, [article_id]).fetchone()[0]

    def iter_clusters_without_story(self) -> Iterator[tuple]:
        """Clusters stored before stories existed, with their first article, oldest first."""
        yield from self.conn.execute(
            "select c.id, a.published, a.fetched_at, a.ingested_at, a.title, a.text, a.language"
            " from clusters c join articles a on a.id = c.id where c.story_id is null"
            " order by c.id"
        ).fetchall()

    def site_lines(self, site: str, keys: list[str]) -> list[tuple]:
        """(line hash, clusters, learned) of these lines of a site."""
        found = []
        for chunk in _chunked(sorted(set(keys))):
            sql = (
                "select line_hash, clusters, learned from site_lines"
                f" where site = ? and line_hash in ({_marks(chunk)})"
            )
            found.extend(self.conn.execute(sql, [site, *chunk]))
        return found

    def recent_postings(
        self, key: int, first_day: int, last_day: int, exclude: Iterable[int], limit: int
    ) -> list[tuple[int, int]]:
        skip = sorted(exclude)
        sql = (
            "select last_day, story_id from story_postings"
            " where term_key = ? and last_day >= ? and first_day <= ?"
            f" and story_id not in ({_marks(skip)})"
            " order by last_day desc, story_id desc limit ?"
        )
        return self.conn.execute(sql, [key, first_day, last_day, *skip, limit]).fetchall()

    def story(self, story_id: int) -> dict | None:
        rows = list(self.db.query("select * from stories where id = ?", [story_id]))
        return rows[0] if rows else None

    def term_frequencies(self, terms: list[str]) -> dict[str, int]:
        """Stored story-term occurrence counts (the empty term holds the clusters counted)."""
        found: dict[str, int] = {}
        for chunk in _chunked(terms):
            sql = f"select term, occurrences from story_terms where term in ({_marks(chunk)})"
            found.update(self.conn.execute(sql, chunk).fetchall())
        return found

    # -- the run's row ---------------------------------------------------------------------

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
            self.db.rollback()
            self.finish_run(run_id, {}, "failed")

    # -- writes inside the batch's transaction ---------------------------------------------

    def add_article(self, row: dict, near: list[int], ledes: list[int], extra: Extra) -> None:
        """An article, its index entries, removed lines and pairs."""
        with self._writing():
            columns = ", ".join(row)
            sql = f"insert into articles ({columns}) values ({_marks(row)})"
            self.conn.execute(sql, list(row.values()))
            article_id = row["id"]
            # an earlier run may have rejected this page (a timeout); it is stored now
            self.conn.execute(
                "delete from rejected where source = ? and raw_hash = ?",
                [row["source"], row["raw_hash"]],
            )
            self.conn.executemany(
                "insert or ignore into index_bands values (?, ?)", [(k, article_id) for k in near]
            )
            self.conn.executemany(
                "insert or ignore into index_ledes values (?, ?)",
                [(k, article_id) for k in ledes],
            )
            self.conn.executemany(
                "insert into furniture (article_id, position, line, rule, paragraph)"
                " values (?, ?, ?, ?, ?)",
                extra.furniture,
            )
            self.conn.executemany(
                "insert or ignore into pairs (article_id, other_id, kind, score)"
                " values (?, ?, ?, ?)",
                extra.pairs,
            )

    def add_rejection(self, row: dict) -> None:
        with self._writing():
            sql = f"insert or ignore into rejected ({', '.join(row)}) values ({_marks(row)})"
            self.conn.execute(sql, list(row.values()))

    def add_url(self, row: dict) -> None:
        with self._writing():
            self.conn.execute(_UPSERT_URL, _url_values(row))

    def add_cluster(self, cluster_id: int, story_id: int, ingested_at: str) -> None:
        """A new cluster of one article (its summary is rewritten when the batch ends)."""
        with self._writing():
            self.conn.execute(
                "insert into clusters (id, size, canonical_article_id, canonical_reason,"
                " first_seen, last_seen, story_id) values (?, 1, ?, 'only_copy', ?, ?, ?)",
                [cluster_id, cluster_id, ingested_at, ingested_at, story_id],
            )

    def move_cluster(self, source: int, target: int) -> None:
        """Cluster ``source`` joins ``target`` (its row goes with ``drop_cluster``)."""
        with self._writing():
            sql = "update articles set cluster_id = ? where cluster_id = ?"
            self.conn.execute(sql, [target, source])

    def drop_cluster(self, cluster_id: int) -> None:
        with self._writing():
            self.conn.execute("delete from clusters where id = ?", [cluster_id])

    def set_cluster_story(self, cluster_id: int, story_id: int) -> None:
        with self._writing():
            for table, column in (("clusters", "id"), ("articles", "cluster_id")):
                sql = f"update {table} set story_id = ? where {column} = ?"
                self.conn.execute(sql, [story_id, cluster_id])

    def move_story(self, source: int, target: int, merge: dict) -> None:
        """Story ``source`` merges into ``target``: its clusters and articles follow, and the
        merge is recorded in ``story_merges`` (``merge``: cluster_id, reason, score, run_id)."""
        with self._writing():
            for table in ("articles", "clusters"):
                sql = f"update {table} set story_id = ? where story_id = ?"
                self.conn.execute(sql, [target, source])
            self.conn.execute("delete from stories where id = ?", [source])
            row = {"story_id": target, "merged_story_id": source, **merge, "merged_at": now()}
            sql = f"insert into story_merges ({', '.join(row)}) values ({_marks(row)})"
            self.conn.execute(sql, list(row.values()))

    def finish_batch(self, end: BatchEnd, run_id: int) -> None:
        """Write the batch's summary rows and commit: the batch is now durable."""
        with self._writing():
            self._write_end(end, run_id)
            self.db.commit()
        self.checkpointer.nudge()

    def _write_end(self, end: BatchEnd, run_id: int) -> None:
        self.conn.executemany(
            "update clusters set size = :size, canonical_article_id = :canonical_article_id,"
            " canonical_reason = :canonical_reason, first_seen = :first_seen,"
            " last_seen = :last_seen where id = :id",
            end.clusters,
        )
        self.db["site_lines"].upsert_all(end.site_lines, pk=("site", "line_hash"))
        self.conn.executemany(
            "insert into story_terms (term, occurrences) values (:term, :occurrences)"
            " on conflict(term) do update set occurrences = excluded.occurrences",
            end.story_terms,
        )
        self.db["stories"].upsert_all(end.stories, pk="id")
        self.conn.executemany(
            "delete from story_postings where term_key = ? and last_day = ? and story_id = ?",
            [entry[:3] for entry in end.postings_gone],
        )
        self.conn.executemany(
            "insert or replace into story_postings values (?, ?, ?, ?)", end.postings_added
        )
        self.conn.executemany(
            "update stories set"
            " clusters = (select count(*) from clusters where story_id = :story),"
            " articles = (select count(*) from articles where story_id = :story)"
            " where id = :story",
            [{"story": story} for story in sorted(end.touched_stories)],
        )
        if end.run_counts:
            self.db["runs"].update(run_id, end.run_counts)

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """One page's writes: undone together if handling the page fails, the batch kept."""
        with self._writing():
            self.conn.execute("savepoint page")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:  # a StoreError has already rolled the batch back
                self.conn.execute("rollback to page")
                self.conn.execute("release page")
            raise
        self.conn.execute("release page")

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Open the batch's transaction if needed; turn a failure into a ``StoreError`` and
        roll the batch back (every earlier batch is intact)."""
        try:
            if not self.conn.in_transaction:
                self.conn.execute("begin immediate")
            yield
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(sqlite3.DatabaseError):
                self.db.rollback()
            raise StoreError(
                f"could not write to {self.path}: {exc}; everything stored before this batch "
                "is intact, run the same command again once this is fixed"
            ) from exc


@dataclass(slots=True)
class Extra:
    """An article's rows besides itself: removed lines and pairs, as value tuples."""

    furniture: list[tuple] = field(default_factory=list)
    pairs: list[tuple] = field(default_factory=list)


def _marks(values: object) -> str:
    return ", ".join("?" * len(values))  # type: ignore[arg-type]


def _chunked(values: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


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


def storable(row: dict) -> dict:
    """The row with text SQLite can store: lone surrogates (from file names, JSON escapes or
    archive headers) replaced.

    >>> storable({"url": "https://example.org/\\udc80", "id": 1})
    {'url': 'https://example.org/?', 'id': 1}
    """
    for key, value in row.items():
        if isinstance(value, str) and not value.isascii():
            row[key] = value.encode("utf-8", "replace").decode("utf-8")
    return row


def article_row(page: Page, article_id: int, run_id: int, ingested_at: str) -> dict:
    """The ``articles`` row for a processed page (cluster id is filled at write time)."""
    return storable(
        {
            "id": article_id,
            "source": page.source,
            "raw_hash": page.raw_hash,
            "url": page.url or page.canonical_url,
            "canonical_url": page.canonical_url,
            "title": page.title,
            "derived_title": None if page.title else derived_title(page.text),
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
            "replacement_chars": page.replacement_chars,
            "extraction": page.method,
            "confidence": page.confidence,
            "found_by": page.found_by,
            "fetched_at": page.fetched_at,
            "run_id": run_id,
            "ingested_at": ingested_at,
        }
    )


def rejection_row(rejection: Rejection, run_id: int) -> dict:
    return storable(
        {
            "source": rejection.source,
            "raw_hash": rejection.raw_hash,
            "reason": rejection.reason.value,
            "detail": rejection.detail,
            "run_id": run_id,
            "rejected_at": now(),
        }
    )


CACHE_KIB = 64 * 1024


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
        # The writer looks up random keys (band keys, hashes) in indexes far larger than
        # SQLite's default 2 MB page cache; 64 MB keeps their upper levels in memory.
        db.execute(f"pragma cache_size = -{CACHE_KIB}")
        migrations.apply(db)
        db.execute("begin immediate")  # fails now, not mid-run, if we cannot write
        db.execute("rollback")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot use database {path}: {exc}") from exc
    return db
