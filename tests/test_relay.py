"""`write --redis`: the one writer stores what senders put on a Redis stream, with a real
`redis-server` on 127.0.0.1 (installed by `make test`, started here on a free port)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.records import Page
from pipeline.relay.stream import PageStream, connect, send
from pipeline.run.process import process_page
from pipeline.sources import iter_directory
from tests.conftest import answers, free_port, ingest, mixed_folder, rows
from tests.test_ingest import syndication_dir  # noqa: F401 - shared fixture
from tests.test_reliability import assert_consistent, snapshot

REDIS = shutil.which("redis-server")


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    if REDIS is None:
        pytest.fail("redis-server is not installed: `make test` installs it (apt-get)")
    port = free_port()
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        answers(lambda: connect(url), 20)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def processed(folder: Path) -> list:
    """What a crawler would send: each input processed where it was read."""
    config = Config()
    return [
        process_page(item, config) if isinstance(item, Page) else item
        for item in iter_directory(folder, config.max_page_bytes, False)
    ]


def write(db: Path, url: str, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipeline", "write", "--redis", url, "--db", str(db)]
    return subprocess.Popen([*command, *extra], stdout=subprocess.PIPE, text=True)


def test_the_writer_stores_each_page_once_as_ingest_would(
    redis_url: str,
    syndication_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    folder = mixed_folder(syndication_dir, tmp_path)
    local = tmp_path / "local.db"
    ingest(folder, local)
    client = connect(redis_url)
    items = processed(folder)
    for item in items + items:  # two crawlers fetched every page
        send(client, item)
    client.xadd("wirecopy:pages", {"item": b"not json"})  # a sender of another kind
    db = tmp_path / "remote.db"
    done = write(db, redis_url, "--idle-exit", "2")
    output, _ = done.communicate(timeout=120)
    assert done.returncode == 0, output
    stored = snapshot(db)
    bad = [r for r in stored["rejected"] if r[2] == "bad_entry"]
    assert len(bad) == 1 and bad[0][0].startswith("redis:")
    stored["rejected"] = [r for r in stored["rejected"] if r[2] != "bad_entry"]
    assert stored == snapshot(local)
    assert PageStream(client).waiting() == 0  # every entry acknowledged and deleted
    (status, seen, skipped) = rows(db, "select status, pages_seen, skipped from runs")[0]
    assert status == "completed" and seen == 2 * len(items) + 1 and skipped > 0


def test_a_writer_killed_mid_batch_loses_nothing_and_stores_nothing_twice(
    redis_url: str, tmp_path: Path
) -> None:
    from benchmarks import corpus

    folder = tmp_path / "pages"
    folder.mkdir()
    for source in sorted((corpus.BENCHMARK / "html").glob("*.html.gz"))[:120]:
        shutil.copy(source, folder / source.name)
    local = tmp_path / "local.db"
    ingest(folder, local)
    client = connect(redis_url)
    for item in processed(folder):
        send(client, item)
    db = tmp_path / "remote.db"
    writer = write(db, redis_url, "--batch-size", "20", "--idle-exit", "2")
    deadline = time.monotonic() + 120
    while not _stored_some(db):
        assert time.monotonic() < deadline and writer.poll() is None, "nothing stored"
        time.sleep(0.02)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    assert_consistent(db)
    again = write(db, redis_url, "--idle-exit", "2")
    output, _ = again.communicate(timeout=180)
    assert again.returncode == 0, output
    assert snapshot(db) == snapshot(local)
    assert PageStream(client).waiting() == 0


def test_an_unreachable_redis_is_one_clear_line(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    command = [sys.executable, "-m", "pipeline", "write", "--redis", url, "--db"]
    done = subprocess.run(
        [*command, str(tmp_path / "n.db")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert f"cannot reach Redis at {url}" in done.stderr and "Traceback" not in done.stderr


def _stored_some(db: Path) -> bool:
    try:
        return rows(db, "select count(*) from articles")[0][0] >= 30
    except Exception:
        return False


def test_a_redis_with_a_password_from_the_environment(tmp_path: Path) -> None:
    """A Redis shared by many machines should need a password: the URL may come from
    WIRECOPY_REDIS_URL (not the crontab or `ps`), and the password is never printed or
    stored in the runs row, not even when it is wrong."""
    import os

    if REDIS is None:
        pytest.fail("redis-server is not installed: `make test` installs it (apt-get)")
    port = free_port()
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path), "--requirepass", "s3cret-word"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    command = [sys.executable, "-m", "pipeline", "write", "--db", str(tmp_path / "n.db")]
    try:
        answers(lambda: connect(f"redis://:s3cret-word@127.0.0.1:{port}/0"), 20)
        for password, status in (("wrong-word", 1), ("s3cret-word", 0)):
            env = {**os.environ, "WIRECOPY_REDIS_URL": f"redis://:{password}@127.0.0.1:{port}/0"}
            done = subprocess.run(
                [*command, "--idle-exit", "0.5"], env=env, capture_output=True, text=True,
                timeout=120,
            )  # fmt: skip
            assert done.returncode == status, done.stderr
            assert password not in done.stdout + done.stderr
        assert "***" in rows(tmp_path / "n.db", "select arguments from runs")[0][0]
        assert "s3cret" not in rows(tmp_path / "n.db", "select arguments from runs")[0][0]
    finally:
        server.terminate()
        server.wait(timeout=10)
