"""The index in the database (issue 11): one run or many give the same rows, an earlier
database is migrated, nothing of the archive is loaded at start, and JSONL files stream."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from benchmarks import scale
from pipeline.config import Config
from pipeline.records import Page, Rejection
from pipeline.run.ingest import ingest_directory
from pipeline.sources.jsonl import read_jsonl_file
from pipeline.store import Store
from tests.test_reliability import assert_consistent, snapshot

INDEX = ("index_bands", "index_ledes", "story_postings")
SMALL_BATCHES = Config(batch_size=37)  # flushes fall in the middle of clusters and stories


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three JSONL files of the scale benchmark's articles (copies and quotes included)."""
    folder = tmp_path_factory.mktemp("synthetic")
    pool = scale.sentences()
    paths = []
    for part in range(3):
        path = folder / f"part{part}.jsonl"
        scale.write_chunk(path, part * 150, 150, pool, per_day=120)
        paths.append(path)
    return paths


def _ingest(folder: Path, db: Path, config: Config = SMALL_BATCHES) -> None:
    outcome = ingest_directory(folder, db, config, workers=1, quiet=True)
    assert outcome.status == "completed"


def _index_rows(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        return {
            table: conn.execute(f"select * from {table} order by 1, 2, 3").fetchall()
            if table == "story_postings"
            else conn.execute(f"select * from {table} order by 1, 2").fetchall()
            for table in INDEX
        }


def test_one_run_equals_many_runs(synthetic: list[Path], tmp_path: Path) -> None:
    """The same articles in one run, or in three cron runs, give the same rows and index."""
    whole, growing = tmp_path / "whole", tmp_path / "growing"
    whole.mkdir()
    growing.mkdir()
    for path in synthetic:
        shutil.copy(path, whole / path.name)
    _ingest(whole, tmp_path / "one.db")
    for path in synthetic:
        shutil.copy(path, growing / path.name)
        _ingest(growing, tmp_path / "many.db")
    one, many = tmp_path / "one.db", tmp_path / "many.db"
    assert snapshot(one) == snapshot(many)
    assert _index_rows(one) == _index_rows(many)
    assert_consistent(many)
    with sqlite3.connect(one) as conn:
        joined, stories = conn.execute(
            "select count(*) - count(distinct cluster_id), count(distinct story_id) from articles"
        ).fetchone()
    assert joined > 30 and stories > 100  # copies were found, stories were placed


def test_batch_size_does_not_change_the_result(synthetic: list[Path], tmp_path: Path) -> None:
    """Rows written inside the open transaction are found by the next page's queries."""
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(synthetic[0], folder)
    _ingest(folder, tmp_path / "small.db", Config(batch_size=5))
    _ingest(folder, tmp_path / "large.db", Config(batch_size=1000))
    assert snapshot(tmp_path / "small.db") == snapshot(tmp_path / "large.db")


def _make_it_old(db: Path) -> None:
    """Turn a database back into what the version before the index in the database wrote."""
    with sqlite3.connect(db) as conn:
        for table in INDEX:
            conn.execute(f"drop table {table}")
        for column in ("writer_seconds", "story_seconds"):
            conn.execute(f"alter table runs drop column {column}")
        conn.execute("delete from _sqlite_migrations where name = 'm008_index_in_the_database'")


def test_an_earlier_database_is_migrated_then_behaves_as_new(
    synthetic: list[Path], tmp_path: Path
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(synthetic[0], folder)
    shutil.copy(synthetic[1], folder)
    _ingest(folder, tmp_path / "new.db")
    built = _index_rows(tmp_path / "new.db")
    shutil.copy(tmp_path / "new.db", tmp_path / "old.db")
    _make_it_old(tmp_path / "old.db")
    Store(tmp_path / "old.db").close()  # opening migrates
    assert _index_rows(tmp_path / "old.db") == built
    shutil.copy(synthetic[2], folder)
    _ingest(folder, tmp_path / "new.db")
    _ingest(folder, tmp_path / "old.db")
    assert snapshot(tmp_path / "old.db") == snapshot(tmp_path / "new.db")
    assert _index_rows(tmp_path / "old.db") == _index_rows(tmp_path / "new.db")


def test_nothing_is_loaded_at_start(synthetic: list[Path], tmp_path: Path) -> None:
    """A run's start reads no stored article, signature or story (the old writer read all)."""
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(synthetic[0], folder)
    _ingest(folder, tmp_path / "news.db")
    store = Store(tmp_path / "news.db")
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    from pipeline.run.writer import Writer

    Writer(store, Config(), run_id=1)
    store.close()
    assert not [s for s in statements if "from articles" in s and "max(id)" not in s]
    assert not [s for s in statements if "from stories" in s or "from site_lines" in s]


def test_jsonl_larger_than_the_old_limit_streams(tmp_path: Path) -> None:
    """The reader held a whole file up to 50 x the page limit; now only one line at a time."""
    limit = 2_000
    line = json.dumps({"url": "https://example.org/a", "text": "word " * 300})
    count = 50 * limit // len(line) * 3  # three times what the old reader could hold
    path = tmp_path / "big.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for number in range(count):
            handle.write(line.replace("/a", f"/{number}") + "\n")
        handle.write(json.dumps({"text": "x" * (2 * limit)}) + "\n")  # one line over the limit
        handle.write(line + "\n")
    items = list(read_jsonl_file(path, "big.jsonl.gz", limit))
    assert len(items) == count + 2
    assert all(isinstance(item, Page) for item in items[:count])
    assert isinstance(items[count], Rejection) and items[count].reason.value == "too_large"
    assert isinstance(items[-1], Page) and items[-1].source == f"big.jsonl.gz#{count + 2}"


def test_jsonl_carries_dates_for_text(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    record = {"text": "Some words here.", "published": "2024-05-01", "fetched_at": "2024-05-02"}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (page,) = read_jsonl_file(path, "d.jsonl", 10_000)
    assert (page.published, page.fetched_at) == ("2024-05-01", "2024-05-02")
