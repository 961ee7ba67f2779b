"""`ingest --dask`: the stages run on the workers of a real Dask cluster (a
``distributed.LocalCluster`` of two worker processes on 127.0.0.1), the writer here; the
database holds exactly the rows of a local ingest of the same folder."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import distributed
import pytest

from benchmarks import corpus
from tests.conftest import SEEDS, ingest, mixed_folder, rows
from tests.test_ingest import syndication_dir  # noqa: F401 - shared fixture
from tests.test_reliability import command

# What a run stores, without what differs between two runs by design (times, run ids).
TABLES = {
    "articles": "id, source, raw_hash, url, title, published, site, text, word_count,"
    " content_hash, signature, lede_signatures, excerpt, credit, cluster_id, story_id",
    "clusters": "id, size, canonical_article_id, canonical_reason, story_id",
    "pairs": "article_id, other_id, kind, score",
    "furniture": "article_id, position, line, rule, paragraph",
    "stories": "id, title, key_names, clusters, articles, first_day, last_day, terms",
    "rejected": "source, raw_hash, reason",
    "index_bands": "key, article_id",
    "index_ledes": "key, article_id",
}


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    return {
        table: rows(db, f"select {columns} from {table} order by 1, 2")
        for table, columns in TABLES.items()
    }


def test_dask_ingest_stores_exactly_the_rows_of_a_local_ingest(
    scheduler: str,
    syndication_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    folder = mixed_folder(syndication_dir, tmp_path)
    (folder / "empty.html").write_text("")
    local, remote = tmp_path / "local.db", tmp_path / "dask.db"
    ingest(folder, local)
    result = ingest(folder, remote, "--dask", scheduler)
    assert result.exit_code == 0, result.output
    assert _snapshot(remote) == _snapshot(local)
    (arguments,) = rows(remote, "select arguments from runs")[0]
    assert scheduler in arguments and '"workers": 2' in arguments
    again = ingest(folder, remote, "--dask", scheduler)  # nothing new: nothing sent
    assert "stored                    0" in again.output


def test_an_unreachable_scheduler_is_one_clear_line(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    shutil.copytree(SEEDS, folder)
    argv = [*command(folder, tmp_path / "n.db"), "--dask", "tcp://127.0.0.1:9"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_dask_worker_killed_mid_run_loses_nothing(scheduler: str, tmp_path: Path) -> None:
    """kill -9 a worker while the ingest runs: Dask runs its tasks again on the other worker
    (and the nanny starts a new one); every page is stored once, as in a local run."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for source in sorted((corpus.BENCHMARK / "html").glob("*.html.gz"))[:80]:
        shutil.copy(source, folder / source.name)
    local, remote = tmp_path / "local.db", tmp_path / "dask.db"
    ingest(folder, local)
    run = subprocess.Popen([*command(folder, remote), "--dask", scheduler, "--quiet"])
    try:
        with distributed.Client(scheduler, set_as_default=False) as client:
            pids = client.run(os.getpid)
            deadline = time.monotonic() + 120
            while not _stored_some(remote):
                assert time.monotonic() < deadline and run.poll() is None, "no page stored"
                time.sleep(0.1)
            os.kill(next(iter(pids.values())), signal.SIGKILL)
        assert run.wait(timeout=300) == 0
    finally:
        run.kill()
    assert _snapshot(remote) == _snapshot(local)


def _stored_some(db: Path) -> bool:
    try:
        return rows(db, "select count(*) from articles")[0][0] >= 5
    except sqlite3.Error:
        return False
