"""Read-only views of a database for the ``clusters`` and ``stats`` commands.

These open the file with ``mode=ro`` so they can run while an ingest is writing (WAL) and can
never change anything.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from pipeline.errors import ReportError


def count(number: int, noun: str) -> str:
    """A count with its noun in the singular or the plural (pages and reports say "1
    article", never "1 articles").

    >>> count(1, "article"), count(3, "article"), count(2, "copy")
    ('1 article', '3 articles', '2 copies')
    """
    if number == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number:,} {plural}"


def open_readonly(path: Path) -> Database:
    if not path.exists():
        raise ReportError(
            f"no database at {path} (run `python -m pipeline ingest DIR --db {path}`)"
        )
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        conn.execute("pragma busy_timeout = 10000")
        db = Database(conn)
        if not db["articles"].exists():
            raise ReportError(f"{path} is not a wirecopy database (no articles table)")
    except sqlite3.DatabaseError as exc:
        raise ReportError(f"cannot read {path}: {exc}") from exc
    return db


def largest_clusters(db: Database, limit: int, min_size: int) -> list[dict]:
    """The biggest groups of copies, each with its members (canonical first)."""
    clusters = list(
        db.query(
            "select * from clusters where size >= ? order by size desc, id limit ?",
            [min_size, limit],
        )
    )
    for cluster in clusters:
        cluster["members"] = list(
            db.query(
                "select id, site, coalesce(title, derived_title) as title, source, published,"
                " word_count from articles"
                " where cluster_id = ? order by id = ? desc, id",
                [cluster["id"], cluster["canonical_article_id"]],
            )
        )
    return clusters


def largest_stories(db: Database, limit: int, min_clusters: int) -> list[dict]:
    """The stories with the most different articles, each with its clusters' canonical copy."""
    if not db["stories"].exists():
        raise ReportError("this database predates stories; run ingest or crawl on it once")
    stories = list(
        db.query(
            "select id, title, key_names, clusters, articles, first_day, last_day from stories"
            " where clusters >= ? order by clusters desc, articles desc, id limit ?",
            [min_clusters, limit],
        )
    )
    for story in stories:
        story["clusters_in_story"] = list(
            db.query(
                "select c.id, c.size, a.id as article_id, a.site,"
                " coalesce(a.title, a.derived_title) as title, a.published,"
                " a.source from clusters c join articles a on a.id = c.canonical_article_id"
                " where c.story_id = ? order by c.id",
                [story["id"]],
            )
        )
    return stories


def _scalar(db: Database, sql: str) -> int:
    return db.execute(sql).fetchone()[0] or 0


def stats(db: Database) -> dict:
    """Totals for the whole database and the latest run."""
    return {
        "articles": _scalar(db, "select count(*) from articles"),
        "clusters": _scalar(db, "select count(*) from clusters"),
        "clusters_with_copies": _scalar(db, "select count(*) from clusters where size > 1"),
        "articles_in_copy_clusters": _scalar(
            db, "select coalesce(sum(size), 0) from clusters where size > 1"
        ),
        "largest_cluster": _scalar(db, "select max(size) from clusters"),
        "stories": _scalar(db, "select count(*) from stories") if db["stories"].exists() else 0,
        "stories_with_several_clusters": (
            _scalar(db, "select count(*) from stories where clusters > 1")
            if db["stories"].exists()
            else 0
        ),
        "sites": _scalar(db, "select count(distinct site) from articles"),
        "pairs": dict(db.execute("select kind, count(*) from pairs group by kind").fetchall()),
        "furniture_lines": _scalar(db, "select count(*) from furniture"),
        "rejected": dict(
            db.execute(
                "select reason, count(*) from rejected group by reason order by 2 desc"
            ).fetchall()
        ),
        "runs": list(db.query("select * from runs order by id desc limit 5")),
    }
