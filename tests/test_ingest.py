"""End to end: folders of real pages through `python -m pipeline ingest` into real SQLite files."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from sqlite_utils import Database

from benchmarks import corpus
from db.migrations import migrations
from tests.conftest import SEEDS, ingest, rows

TEMPLATES = ("14cc2a0c", "1ace8c85", "264dc3ae")
OTHERS = ("0e014df6", "1ee91d1f", "20b2b649", "21486419")


_id = corpus.page_id


@pytest.fixture(scope="module")
def syndication_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real article on its own page and in three other sites' templates, plus 4 others."""
    folder = tmp_path_factory.mktemp("syndication")
    article = corpus.load(_id("06e5123e"))
    (folder / "original.html").write_text(article.html, encoding="utf-8")
    for prefix, paragraphs in zip(TEMPLATES, corpus.edited_copies(article), strict=True):
        template = corpus.load(_id(prefix))
        html = corpus.transplant(article, template, paragraphs)
        (folder / f"copy-{prefix}.html").write_text(html, encoding="utf-8")
    for prefix in (*TEMPLATES, *OTHERS):
        page = corpus.load(_id(prefix))
        (folder / f"other-{prefix}.html.gz").write_bytes(gzip.compress(page.html.encode()))
    return folder


def test_seeds_are_five_articles_not_duplicates(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    result = ingest(seeds_dir, db)
    assert "stored                    5" in result.output
    assert rows(db, "select count(*), count(distinct cluster_id) from articles") == [(5, 5)]
    assert rows(db, "select count(*) from pairs") == [(0,)]
    assert rows(db, "select count(*) from clusters where size = 1") == [(5,)]
    titles = dict(rows(db, "select source, title from articles"))
    assert (
        titles["002_27080cf69ea37d3a.txt"] == "Vladimir Putin Orders Military Withdrawl from Syria"
    )
    furniture = rows(db, "select line, rule from furniture where line = 'Share this post'")
    assert furniture == [("Share this post", "share_prompt")]


def test_copies_in_other_templates_form_one_cluster(syndication_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    ingest(syndication_dir, db)
    clusters = dict(rows(db, "select source, cluster_id from articles"))
    copies = {clusters["original.html"]} | {clusters[f"copy-{p}.html"] for p in TEMPLATES}
    assert len(copies) == 1, clusters
    others = [clusters[f"other-{p}.html.gz"] for p in (*TEMPLATES, *OTHERS)]
    assert len(set(others)) == len(others) and copies.isdisjoint(others)
    (cluster,) = copies
    size, canonical, reason = rows(
        db,
        "select size, canonical_article_id, canonical_reason from clusters where id = ?",
        (cluster,),
    )[0]
    assert size == 4 and reason in {"earliest_published", "most_complete", "first_seen"}
    assert rows(db, "select cluster_id from articles where id = ?", (canonical,)) == [(cluster,)]
    kinds = rows(db, "select kind, count(*) from pairs group by kind")
    assert sum(n for _, n in kinds) == 3


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    return {
        "articles": rows(db, "select id, source, raw_hash, content_hash, cluster_id from articles"),
        "clusters": rows(
            db, "select id, size, canonical_article_id, canonical_reason from clusters"
        ),
        "pairs": rows(db, "select * from pairs order by 1, 2"),
        "rejected": rows(db, "select source, reason from rejected order by 1"),
    }


def test_reingest_is_idempotent(syndication_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    ingest(syndication_dir, db)
    before = _snapshot(db)
    result = ingest(syndication_dir, db)
    assert "already stored           11" in result.output
    assert _snapshot(db) == before


def test_later_directory_joins_existing_clusters(syndication_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for path in syndication_dir.iterdir():
        target = second if path.name.startswith("copy-") else first
        shutil.copy(path, target / path.name)
    db = tmp_path / "news.db"
    ingest(first, db)
    result = ingest(second, db)
    assert "joined existing           3" in result.output
    clusters = dict(rows(db, "select source, cluster_id from articles"))
    assert {clusters[f"copy-{p}.html"] for p in TEMPLATES} == {clusters["original.html"]}


def test_bad_files_are_rejected_and_good_ones_stored(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SEEDS / "002_27080cf69ea37d3a.txt", folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    (folder / "binary.html").write_bytes(bytes(range(256)) * 8)
    (folder / "short.txt").write_text("Too short to be an article.", encoding="utf-8")
    (folder / "scripts.html").write_text("<html><script>var a = 1;</script></html>")
    (folder / "cut.html.gz").write_bytes(gzip.compress(b"<p>hello</p>" * 100)[:30])
    db = tmp_path / "news.db"
    result = ingest(folder, db)
    assert rows(db, "select source from articles") == [("good.txt",)]
    reasons = dict(rows(db, "select source, reason from rejected"))
    assert reasons == {
        "binary.html": "binary",
        "cut.html.gz": "bad_gzip",
        "empty.txt": "empty",
        "photo.jpg": "not_a_page",
        "scripts.html": "no_text",
        "short.txt": "too_short",
    }
    assert "rejected                  6" in result.output
    assert rows(db, "select status, stored, rejected from runs") == [("completed", 1, 6)]


def test_parallel_workers_give_the_same_rows(syndication_dir: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    ingest(syndication_dir, one)
    ingest(syndication_dir, two, "--workers", "2")
    assert _snapshot(one) == _snapshot(two)


def test_signatures_from_an_older_database_are_recomputed(seeds_dir: Path, tmp_path: Path) -> None:
    """Migration m007: stored signatures are rebuilt with the current hashing, once."""
    import sqlite3

    db = tmp_path / "old.db"
    ingest(seeds_dir, db)
    fresh = rows(db, "select id, signature from articles order by id")
    with sqlite3.connect(db) as conn:  # as an older version left it
        conn.execute("update articles set signature = zeroblob(512)")
        conn.execute("delete from _sqlite_migrations where name = 'm007_signatures_without_sha1'")
    empty = tmp_path / "nothing-new"
    empty.mkdir()
    ingest(empty, db)
    assert rows(db, "select id, signature from articles order by id") == fresh


def test_each_article_records_its_extraction_and_confidence(
    syndication_dir: Path, tmp_path: Path
) -> None:
    """m012: an older database gains the columns (NULL for what it stored before); new
    articles record how they were extracted and how far to trust it."""
    db = tmp_path / "old.db"
    old = Database(db)
    migrations.apply(old, stop_before="m012_extraction_method")
    old["articles"].insert({"id": 1, "title": "Old", "text": "Stored before."})
    old.close()
    ingest(syndication_dir, db)
    assert rows(db, "select extraction, confidence from articles where id = 1") == [(None, None)]
    found = rows(db, "select extraction, confidence from articles where id > 1")
    assert found and all(method == "trafilatura_fast" for method, _ in found)
    assert all(0.0 <= confidence <= 1.0 for _, confidence in found)
    assert rows(db, "select count(*) from articles where id > 1 and confidence >= 0.5")[0][0] > 0


def test_full_text_index_follows_text_not_other_columns(tmp_path: Path) -> None:
    """m013: moving an article to another cluster or story leaves its full-text entry as it
    is (a merge no longer re-indexes every text); a changed text is re-indexed, and the
    index stays consistent either way."""
    db = tmp_path / "old.db"
    old = Database(db)
    migrations.apply(old, stop_before="m013_fts_follows_only_text")
    old["articles"].insert({"id": 1, "title": "Bridge", "text": "The mayor opened the bridge."})
    old.close()
    new = Database(db)
    migrations.apply(new)
    trigger = new.execute("select sql from sqlite_master where name = 'articles_au'").fetchone()
    assert 'after update of "title", "text"' in trigger[0]
    before = new.conn.total_changes
    new.execute("update articles set story_id = 7, cluster_id = 3 where id = 1")
    assert new.conn.total_changes - before == 1  # the row; nothing in the full-text tables
    search = "select rowid from articles_fts where articles_fts match ?"
    assert new.execute(search, ["bridge"]).fetchall() == [(1,)]
    new.execute("update articles set text = 'The council closed the tunnel.' where id = 1")
    assert new.execute(search, ["tunnel"]).fetchall() == [(1,)]
    assert new.execute(search, ["mayor"]).fetchall() == []
    new.execute("insert into articles_fts (articles_fts) values ('integrity-check')")


def test_sources_stored_before_names_were_reversible_are_found_again(tmp_path: Path) -> None:
    """m014: a file whose name holds a literal ``%41`` keeps being recognised as stored: its
    old source is rewritten in today's escaped form; crawled URLs are left alone."""
    folder = tmp_path / "pages"
    folder.mkdir()
    text = " ".join(f"The council met on day {n} to discuss the harbour bridge." for n in range(9))
    (folder / "a%41.txt").write_text(f"Harbour bridge\n\n{text}", encoding="utf-8")
    db = tmp_path / "old.db"
    old = Database(db)
    migrations.apply(old, stop_before="m014_reversible_sources")
    old.close()
    ingest(folder, db)
    with Database(db).conn as conn:  # as an older version stored them
        conn.execute("update articles set source = 'a%41.txt'")
        conn.execute("insert into rejected (source, reason) values ('https://x.test/%41', 'empty')")
        conn.execute("delete from _sqlite_migrations where name = 'm014_reversible_sources'")
    ingest(folder, db)
    assert rows(db, "select source from articles") == [("a%2541.txt",)]
    assert rows(db, "select stored, skipped from runs order by id desc limit 1") == [(0, 1)]
    assert rows(db, "select source from rejected") == [("https://x.test/%41",)]


def test_articles_stored_before_derived_titles_get_them(tmp_path: Path) -> None:
    """m016: an article stored without a headline by an earlier version gets its derived
    title; one with a headline keeps none."""
    db = tmp_path / "old.db"
    old = Database(db)
    migrations.apply(old, stop_before="m016_derived_titles")
    old["articles"].insert_all(
        [
            {"id": 1, "title": None, "text": "The mayor opened the bridge. It took a year."},
            {"id": 2, "title": "Bridge opens", "text": "The mayor opened the bridge."},
        ]
    )
    old.close()
    new = Database(db)
    migrations.apply(new)
    found = new.execute("select id, derived_title from articles order by id").fetchall()
    assert found == [(1, "The mayor opened the bridge."), (2, None)]
