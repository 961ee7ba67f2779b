"""The database schema, owned here and changed only by adding migrations.

Never edit an applied migration: a database that has run it will not run it again. Add a new
function below instead. sqlite-utils records applied migrations in ``_sqlite_migrations``.
"""

from __future__ import annotations

import re
import sys

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("wirecopy")


@migrations()
def m001_initial(db: Database) -> None:
    """Runs, articles (with FTS), clusters, pairs, removed furniture and rejected inputs."""
    db["runs"].create(
        {
            "id": int,
            "command": str,
            "arguments": str,
            "started": str,
            "finished": str,
            "status": str,
            "pages_seen": int,
            "stored": int,
            "skipped": int,
            "rejected": int,
            "new_clusters": int,
            "joined_clusters": int,
            "elapsed_seconds": float,
        },
        pk="id",
    )
    db["articles"].create(
        {
            "id": int,
            "source": str,
            "raw_hash": str,
            "url": str,
            "canonical_url": str,
            "title": str,
            "author": str,
            "published": str,
            "site": str,
            "language": str,
            "text": str,
            "word_count": int,
            "content_hash": str,
            "signature": bytes,
            "cluster_id": int,
            "found_by": str,
            "fetched_at": str,
            "run_id": int,
            "ingested_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["articles"].create_index(["source", "raw_hash"], unique=True)
    for column in ("content_hash", "cluster_id", "url", "site"):
        db["articles"].create_index([column])
    db["articles"].enable_fts(["title", "text"], create_triggers=True)
    db["clusters"].create(
        {
            "id": int,
            "size": int,
            "canonical_article_id": int,
            "canonical_reason": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk="id",
    )
    db["clusters"].create_index(["size"])
    db["pairs"].create(
        {"article_id": int, "other_id": int, "kind": str, "score": float},
        pk=("article_id", "other_id"),
    )
    db["pairs"].create_index(["other_id"])
    db["furniture"].create(
        {"article_id": int, "position": int, "line": str, "rule": str},
        pk=("article_id", "position"),
    )
    db["furniture"].create_index(["rule"])
    db["rejected"].create(
        {
            "id": int,
            "source": str,
            "raw_hash": str,
            "reason": str,
            "detail": str,
            "run_id": int,
            "rejected_at": str,
        },
        pk="id",
    )
    db["rejected"].create_index(["source", "raw_hash", "reason"], unique=True)
    db["rejected"].create_index(["reason"])


@migrations()
def m002_crawl(db: Database) -> None:
    """Crawl state: every fetched URL (canonical), with conditional-GET validators; crawl
    counters on runs."""
    db["urls"].create(
        {
            "url": str,
            "source_name": str,
            "kind": str,
            "found_by": str,
            "first_seen": str,
            "last_fetched": str,
            "status": int,
            "article_id": int,
            "outcome": str,
            "etag": str,
            "last_modified": str,
        },
        pk="url",
    )
    db["urls"].create_index(["source_name"])
    db["urls"].create_index(["article_id"])
    for column in ("requests", "errors", "refused"):
        db["runs"].add_column(column, int)
    db["runs"].add_column("responses", str)


@migrations()
def m003_partial_copies(db: Database) -> None:
    """Excerpts and lede signatures, for linking partial copies."""
    db["articles"].add_column("excerpt", int)
    db["articles"].add_column("lede_signatures", bytes)


@migrations()
def m004_credit(db: Database) -> None:
    """The outlet a copy credits as its source."""
    db["articles"].add_column("credit", str)


@migrations()
def m005_site_lines(db: Database) -> None:
    """Per-site line counts for site-learned furniture."""
    db["site_lines"].create(
        {"site": str, "line_hash": str, "line": str, "clusters": str, "learned": int},
        pk=("site", "line_hash"),
    )
    db["site_lines"].create_index(["learned"])


@migrations()
def m006_stories(db: Database) -> None:
    """Stories: clusters about one event. Their term counts and the document frequencies are
    the story index's saved state."""
    db["stories"].create(
        {
            "id": int,
            "title": str,
            "key_names": str,
            "clusters": int,
            "articles": int,
            "first_day": str,
            "last_day": str,
            "terms": str,
        },
        pk="id",
    )
    db["stories"].create_index(["first_day"])
    db["stories"].create_index(["last_day"])
    db["stories"].create_index(["clusters"])
    db["story_terms"].create({"term": str, "df": int}, pk="term")
    for table in ("articles", "clusters"):
        db[table].add_column("story_id", int)
        db[table].create_index(["story_id"])


@migrations()
def m007_signatures_without_sha1(db: Database) -> None:
    """Signatures hash the shingle hashes with the identity, not SHA-1 (faster); recompute the
    stored ones from the text, so old and new articles stay comparable. About a millisecond
    per stored article, once."""
    from pipeline.config import FingerprintConfig
    from pipeline.dedup.fingerprint import normalise, shingle_hashes, signature, words

    config = FingerprintConfig()
    last = 0
    while rows := db.execute(
        "select id, text from articles where id > ? order by id limit 500", [last]
    ).fetchall():
        updates = []
        for article_id, text in rows:
            shingles = shingle_hashes(words(normalise(text)), config.shingle_size)
            updates.append((signature(shingles, config).tobytes(), article_id))
        db.conn.executemany("update articles set signature = ? where id = ?", updates)
        last = rows[-1][0]


@migrations()
def m008_index_in_the_database(db: Database) -> None:
    """The dedup index and the story postings live in the database, next to what they index:
    LSH band keys of each article (near-duplicates) and of its lede and excerpt windows
    (partial copies), and each story's leading names. Built once here from the stored
    signatures and stories, with progress on stderr for a large archive; afterwards the writer
    adds to them in the same transaction as the rows they index. Runs record the seconds the
    writer spent (all of it, and on story placement), the figure that must stay flat."""
    for table in ("index_bands", "index_ledes"):
        db.execute(
            f"create table {table} (key integer not null, article_id integer not null,"
            " primary key (key, article_id)) without rowid"
        )
    db.execute(
        "create table story_postings (term_key integer not null, last_day integer not null,"
        " story_id integer not null, first_day integer not null,"
        " primary key (term_key, last_day, story_id)) without rowid"
    )
    for column in ("writer_seconds", "story_seconds"):
        db["runs"].add_column(column, float)
    _index_stored_articles(db)
    _post_stored_stories(db)


def _index_stored_articles(db: Database) -> None:
    """Band keys for every stored article that is the first with its text (as the writer)."""
    from pipeline.config import Config
    from pipeline.dedup.index import index_entries

    config, last = Config(), 0
    total = db.execute("select max(id) from articles").fetchone()[0] or 0
    first_of_its_text = (
        "select id, signature, lede_signatures, excerpt from articles a where id > ?"
        " and id = (select min(id) from articles b where b.content_hash = a.content_hash)"
        " order by id limit 2000"
    )
    while rows := db.execute(first_of_its_text, [last]).fetchall():
        bands, ledes = [], []
        for article_id, signature, stored_ledes, excerpt in rows:
            near, lede = index_entries(signature, stored_ledes or b"", bool(excerpt), config)
            bands.extend((key, article_id) for key in near)
            ledes.extend((key, article_id) for key in lede)
        db.conn.executemany("insert or ignore into index_bands values (?, ?)", bands)
        db.conn.executemany("insert or ignore into index_ledes values (?, ?)", ledes)
        _progress("indexing stored articles, by id", last, rows[-1][0], total)
        last = rows[-1][0]


def _post_stored_stories(db: Database) -> None:
    from pipeline.stories.placement import Story

    last = 0
    while rows := list(
        db.query("select * from stories where id > ? order by id limit 2000", [last])
    ):
        postings = [entry for row in rows for entry in Story.from_row(row).postings()]
        db.conn.executemany("insert or ignore into story_postings values (?, ?, ?, ?)", postings)
        last = rows[-1]["id"]


def _progress(what: str, before: int, done: int, total: int) -> None:
    """A line on stderr each time 100,000 more rows are done, for a large archive only."""
    if total >= 100_000 and (done // 100_000 > before // 100_000 or done == total):
        print(f"wirecopy: {what}: {done:,} of {total:,}", file=sys.stderr, flush=True)


@migrations()
def m009_crawl_counters(db: Database) -> None:
    """Crawl runs count robots.txt refusals apart from errors and scope refusals, pages not
    asked for because they are fresh or older than --since, and name the sources that
    fetched nothing (JSON: source -> first error)."""
    for column in ("robots_refused", "skipped_fresh", "skipped_since"):
        db["runs"].add_column(column, int)
    db["runs"].add_column("silent_sources", str)


@migrations()
def m010_replacement_chars(db: Database) -> None:
    """How many characters of a page were undecodable bytes kept as U+FFFD (a truncated
    download, a stray latin-1 byte in UTF-8), so a user can find and filter them."""
    db["articles"].add_column("replacement_chars", int)


# Columns that hold another row's id: (table, column, referenced table). Declared as foreign
# keys so Datasette links them (it reads ``pragma foreign_key_list``); SQLite does not enforce
# them here (``pragma foreign_keys`` stays off), so the writer's order of inserts is unchanged.
REFERENCES = (
    ("articles", "cluster_id", "clusters"),
    ("articles", "story_id", "stories"),
    ("clusters", "canonical_article_id", "articles"),
    ("clusters", "story_id", "stories"),
    ("pairs", "article_id", "articles"),
    ("pairs", "other_id", "articles"),
    ("furniture", "article_id", "articles"),
    ("rejected", "run_id", "runs"),
    ("urls", "article_id", "articles"),
)


@migrations()
def m011_links_and_furniture_places(db: Database) -> None:
    """Every id column becomes a foreign key, so Datasette links it; removed furniture lines
    record the paragraph they stood before, so an article can be shown with them in place.

    SQLite cannot add a constraint to a table without copying it (sqlite-utils' transform
    does, which rewrites a large archive's articles and full-text index). A REFERENCES clause
    changes nothing on disk, so it is written into the stored schema instead, the way SQLite's
    documentation describes for constraint-only changes, and the schema version is bumped."""
    db["furniture"].add_column("paragraph", int)
    version = db.execute("pragma schema_version").fetchone()[0]
    db.execute("pragma writable_schema = on")
    try:
        for table in {table for table, _, _ in REFERENCES}:
            (sql,) = db.execute(
                "select sql from sqlite_master where type = 'table' and name = ?", [table]
            ).fetchone()
            new = _with_references(table, sql)
            if new != sql:
                db.execute(
                    "update sqlite_master set sql = ? where type = 'table' and name = ?",
                    [new, table],
                )
        db.execute(f"pragma schema_version = {version + 1}")
    finally:
        db.execute("pragma writable_schema = off")


@migrations()
def m012_extraction_method(db: Database) -> None:
    """Which extraction produced an article's text and how far to trust it, so a user can
    filter doubtful extractions (``pipeline/clean/confidence.py``). Articles stored before
    this migration keep NULL in both: the page is not at hand to judge it again."""
    db["articles"].add_column("extraction", str)
    db["articles"].add_column("confidence", float)


@migrations()
def m013_fts_follows_only_text(db: Database) -> None:
    """The full-text index is rewritten on an update of ``title`` or ``text`` only.

    sqlite-utils' update trigger fires on any column: setting ``cluster_id`` or ``story_id``
    (a cluster or story merge moves every article of it) deleted and re-added each
    article's whole text in the full-text index, re-tokenising what had not changed. The
    index holds only those two columns, so it stays exactly in step."""
    db.execute('drop trigger if exists "articles_au"')
    db.execute(
        'create trigger "articles_au" after update of "title", "text" on "articles" begin\n'
        '  insert into "articles_fts" ("articles_fts", rowid, "title", "text")'
        ' values(\'delete\', old.rowid, old."title", old."text");\n'
        '  insert into "articles_fts" (rowid, "title", "text")'
        ' values (new.rowid, new."title", new."text");\n'
        "end"
    )


@migrations()
def m014_reversible_sources(db: Database) -> None:
    """File sources in the reversible form of ``pipeline/sources/names.py``: a ``%`` that
    could be read as an escape is escaped itself, so a re-ingest of the same folder finds
    them stored. Crawled pages (sources that are URLs) are left as they are. Two passes, so
    that no row meets another's old source under the unique index on the way."""
    from pipeline.sources.names import escape_literal_percent

    db.conn.create_function("wc_escaped", 1, escape_literal_percent, deterministic=True)
    chosen = "source like '%\\%%' escape '\\' and source not like 'http%://%'"
    for table in ("articles", "rejected"):
        db.execute(f"update {table} set source = char(1) || wc_escaped(source) where {chosen}")
        db.execute(
            f"update {table} set source = substr(source, 2) where source like char(1) || '%'"
        )


@migrations()
def m015_story_merges(db: Database) -> None:
    """Stories that became one, and why: a new article that reached both (``similar``, with
    the two stories' average-link score) or copies that joined their clusters (``copies``).
    The kept story is the older; the other's clusters and articles moved to it.

    ``story_terms.df`` becomes ``occurrences``: the story index now counts how often a term
    occurs in the clusters' first articles, not in how many (``pipeline/stories/
    placement.py``). Counts stored before are kept as they are (each at least one per
    article) and new ones are added to them."""
    db.execute('alter table story_terms rename column "df" to "occurrences"')
    db["story_merges"].create(
        {
            "id": int,
            "story_id": int,
            "merged_story_id": int,
            "cluster_id": int,
            "reason": str,
            "score": float,
            "run_id": int,
            "merged_at": str,
        },
        pk="id",
        foreign_keys=[
            ("story_id", "stories", "id"),
            ("cluster_id", "clusters", "id"),
            ("run_id", "runs", "id"),
        ],
    )
    db["story_merges"].create_index(["story_id"])
    db["story_merges"].create_index(["merged_story_id"])


@migrations()
def m016_derived_titles(db: Database) -> None:
    """Articles without a headline get a derived title (their first sentence, shortened:
    ``pipeline/titles.py``) in a column of its own, so pages and reports need not show a
    file path where a title belongs, and the data still says the page had none."""
    from pipeline.titles import derived_title

    db["articles"].add_column("derived_title", str)
    last = 0
    sql = "select id, text from articles where title is null and id > ? order by id limit 5000"
    while rows := db.execute(sql, [last]).fetchall():
        updates = [(derived_title(text or ""), article_id) for article_id, text in rows]
        db.conn.executemany("update articles set derived_title = ? where id = ?", updates)
        last = rows[-1][0]


def _with_references(table: str, sql: str) -> str:
    r"""``sql`` (a CREATE TABLE) with a REFERENCES clause after each of the table's id columns.

    >>> print(_with_references("furniture", 'CREATE TABLE "furniture" ("article_id" INTEGER)'))
    CREATE TABLE "furniture" ("article_id" INTEGER REFERENCES "articles"("id"))
    """
    for name, column, other in REFERENCES:
        if name == table:
            declaration = re.compile(rf'(["\[]?{column}["\]]?\s+INTEGER)(?!\s+REFERENCES)', re.I)
            sql = declaration.sub(rf'\1 REFERENCES "{other}"("id")', sql, count=1)
    return sql
