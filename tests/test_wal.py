"""WAL checkpoints run beside the writer: committed pages reach the database file while the
writer's connection stays open, and the writer checkpoints itself only as a safety valve."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from pipeline import wal
from pipeline.store import Store


def _rows_in_main_file(db: Path, tmp_path: Path) -> int:
    """Rows of ``t`` in the database file alone, without what is still only in the WAL."""
    copy = tmp_path / "main-only.db"
    shutil.copyfile(db, copy)
    with sqlite3.connect(copy) as conn:
        found = conn.execute("select name from sqlite_master where name = 't'").fetchone()
        return conn.execute("select count(*) from t").fetchone()[0] if found else 0


def test_a_nudge_copies_committed_pages_into_the_database_file(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("pragma journal_mode = wal")
    writer.execute("pragma wal_autocheckpoint = 0")  # only the thread checkpoints
    writer.execute("create table t (x text)")
    writer.execute("begin")
    writer.executemany("insert into t values (?)", [("x" * 100,)] * 2000)
    writer.execute("commit")
    assert _rows_in_main_file(db, tmp_path) == 0  # still only in the WAL

    checkpointer = wal.Checkpointer(db)
    checkpointer.nudge()
    checkpointer.close()  # finishes the checkpoint in hand
    assert checkpointer.error is None
    assert checkpointer.checkpoints == 1
    assert _rows_in_main_file(db, tmp_path) == 2000
    writer.close()


def test_a_closed_checkpointer_does_nothing_more(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    sqlite3.connect(db).execute("pragma journal_mode = wal").close()
    checkpointer = wal.Checkpointer(db)
    checkpointer.close()
    checkpointer.nudge()  # after close: harmless
    assert checkpointer.checkpoints == 0


def test_the_store_checkpoints_beside_its_writer(tmp_path: Path) -> None:
    store = Store(tmp_path / "news.db")
    try:
        pages = store.conn.execute("pragma wal_autocheckpoint").fetchone()[0]
        assert pages == wal.SAFETY_PAGES
        assert store.checkpointer.error is None
    finally:
        store.close()
    assert not store.checkpointer.running
