"""Never lose or duplicate a page: kill -9, Ctrl-C, concurrent readers, disk trouble.

Every test here runs the real command in a subprocess against a real SQLite file.
"""

from __future__ import annotations

import gzip
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import corpus

DROP_ROOT_POWERS = [
    "setpriv",
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
]


def command(folder: Path, db: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pipeline",
        "ingest",
        str(folder),
        "--db",
        str(db),
        "--workers",
        "2",
        "--batch-size",
        "10",
        *extra,
    ]


@pytest.fixture(scope="module")
def pages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few hundred real pages: the 181 benchmark pages, 60 re-published copies, the seeds."""
    folder = tmp_path_factory.mktemp("pages")
    ids = corpus.page_ids()
    for page_id in ids:
        shutil.copy(corpus.BENCHMARK / "html" / f"{page_id}.html.gz", folder / f"{page_id}.html.gz")
    for index in range(20):
        article = corpus.load(ids[index])
        for offset, paragraphs in enumerate(corpus.edited_copies(article)):
            template = corpus.load(ids[(index * 7 + offset * 31 + 50) % len(ids)])
            try:
                html = corpus.transplant(article, template, paragraphs)
            except ValueError:
                continue
            (folder / f"copy-{index}-{offset}.html").write_text(html, encoding="utf-8")
    shutil.copytree(Path(__file__).parent / "fixtures" / "seeds", folder / "seeds")
    (folder / "broken.html.gz").write_bytes(gzip.compress(b"<p>x</p>" * 99)[:20])
    return folder


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Everything a run produces, without ids of rejected rows or timestamps."""
    with sqlite3.connect(db) as conn:
        return {
            "articles": conn.execute(
                "select id, source, raw_hash, content_hash, cluster_id, story_id, title, text,"
                " signature from articles order by id"
            ).fetchall(),
            "clusters": conn.execute(
                "select id, size, canonical_article_id, canonical_reason, story_id from clusters"
                " order by id"
            ).fetchall(),
            "stories": conn.execute("select * from stories order by id").fetchall(),
            "story_terms": conn.execute("select * from story_terms order by term").fetchall(),
            "story_merges": conn.execute(
                "select story_id, merged_story_id, cluster_id, reason, score from story_merges"
                " order by id"
            ).fetchall(),
            "pairs": conn.execute("select * from pairs order by 1, 2").fetchall(),
            "furniture": conn.execute("select * from furniture order by 1, 2").fetchall(),
            "rejected": conn.execute(
                "select source, raw_hash, reason, detail from rejected order by 1, 3"
            ).fetchall(),
        }


def assert_consistent(db: Path) -> None:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        articles, sizes, orphans = conn.execute(
            "select (select count(*) from articles), (select coalesce(sum(size), 0) from clusters),"
            " (select count(*) from articles where cluster_id not in (select id from clusters))"
        ).fetchone()
        assert articles == sizes and orphans == 0
        counted, storyless = conn.execute(
            "select (select coalesce(sum(articles), 0) from stories),"
            " (select count(*) from articles where story_id not in (select id from stories))"
        ).fetchone()
        assert counted == articles and storyless == 0


@pytest.fixture(scope="module")
def reference(pages_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """An uninterrupted run, and how long it took."""
    db = tmp_path_factory.mktemp("reference") / "news.db"
    started = time.monotonic()
    subprocess.run(command(pages_dir, db, "--quiet"), check=True, timeout=600)
    return db, time.monotonic() - started


def test_kill_9_at_twenty_random_moments_then_rerun(
    pages_dir: Path, reference: tuple[Path, float], tmp_path: Path
) -> None:
    """Kill points are seeded positions in the work (stored-article counts, 0 = during
    start-up), each with a random extra delay so kills also land inside a batch."""
    reference_db = reference[0]
    total = len(snapshot(reference_db)["articles"])
    rng = random.Random(20261122)
    targets = sorted(rng.sample(range(total - 20), 20))
    db = tmp_path / "news.db"
    kills = 0
    for target in targets:
        process = subprocess.Popen(command(pages_dir, db, "--quiet"), stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while _stored(db) < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.3))
        if process.poll() is None:
            process.kill()
            kills += 1
        process.wait(timeout=60)
        if db.exists():
            assert_consistent(db)
    assert kills == 20
    finished = subprocess.run(command(pages_dir, db, "--quiet"), timeout=600)
    assert finished.returncode == 0
    assert snapshot(db) == snapshot(reference_db)
    assert_consistent(db)


def _processes_tagged(tag: str) -> list[int]:
    """Processes (the run, its fork server, workers, resource tracker) carrying ``tag``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if tag.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_after_kill_9_the_workers_end_quietly(pages_dir: Path, tmp_path: Path) -> None:
    """Orphaned workers neither print tracebacks (cron would mail them) nor linger."""
    tag = f"WIRECOPY_TEST_RUN={os.getpid()}-{time.monotonic_ns()}"
    environment = {**os.environ, tag.split("=")[0]: tag.split("=")[1]}
    db, errors = tmp_path / "news.db", tmp_path / "stderr.txt"
    with errors.open("wb") as stderr:
        process = subprocess.Popen(
            command(pages_dir, db, "--quiet", "--workers", "2"), stderr=stderr, env=environment
        )
        deadline = time.monotonic() + 120
        while _stored(db) < 20 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.poll() is None, "the run ended before it could be killed"
        process.kill()
        process.wait(timeout=60)
    deadline = time.monotonic() + 20
    while _processes_tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_tagged(tag) == []
    assert "Traceback" not in errors.read_text(errors="replace")


def test_ctrl_c_prints_what_was_stored_and_rerun_completes(
    pages_dir: Path, reference: tuple[Path, float], tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    process = subprocess.Popen(command(pages_dir, db), stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not _stored(db) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted" in output and "stored" in output and "run the same command" in output
    with sqlite3.connect(db) as conn:
        status, stored = conn.execute("select status, stored from runs").fetchone()
        assert status == "interrupted"
        assert stored == conn.execute("select count(*) from articles").fetchone()[0] > 0
    subprocess.run(command(pages_dir, db, "--quiet"), check=True, timeout=600)
    assert snapshot(db) == snapshot(reference[0])


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_second_run_is_refused_while_one_is_writing(pages_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    first = subprocess.Popen(command(pages_dir, db, "--quiet"))
    try:
        deadline = time.monotonic() + 60
        while not _stored(db) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = subprocess.run(command(pages_dir, db), capture_output=True, text=True, timeout=60)
        assert second.returncode == 75
        assert second.stderr.count("\n") == 1 and "another wirecopy run" in second.stderr
    finally:
        first.kill()
        first.wait(timeout=60)


def test_readers_never_see_a_lock_or_a_half_written_batch(pages_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    writer = subprocess.Popen(command(pages_dir, db, "--quiet", "--batch-size", "3"))
    reads = 0
    deadline = time.monotonic() + 300
    try:
        while writer.poll() is None and time.monotonic() < deadline:
            if not db.exists():
                time.sleep(0.01)
                continue
            reads += _check_reader_view(db)
    finally:
        writer.wait(timeout=300)
    assert writer.returncode == 0 and reads > 20


def _check_reader_view(db: Path) -> int:
    """One read transaction: the run's counters match its rows (whole batches only)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.5)
    try:
        conn.execute("begin")
        tables = {row[0] for row in conn.execute("select name from sqlite_master")}
        if "runs" not in tables:
            return 0
        row = conn.execute("select id, stored from runs order by id desc limit 1").fetchone()
        if row is None:
            return 0
        run_id, stored = row
        articles = conn.execute(
            "select count(*) from articles where run_id = ?", [run_id]
        ).fetchone()[0]
        sizes = conn.execute("select coalesce(sum(size), 0) from clusters").fetchone()[0]
        total = conn.execute("select count(*) from articles").fetchone()[0]
        assert (stored or 0) == articles and sizes == total
        return 1
    finally:
        conn.close()


def test_full_disk_at_start_is_one_line(pages_dir: Path, tmp_path: Path) -> None:
    result = _limited(pages_dir, tmp_path / "news.db", file_limit=16 * 1024)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "full" in result.stderr or "disk" in result.stderr


WORKERS_UNDER_NO_FILE_ROOM = """
from pipeline.config import Config
from pipeline.errors import MapError
from pipeline.run.mapper import PageMapper

PageMapper(Config(), 2).close()  # a run that ends before it needs the workers
mapper = PageMapper(Config(), 2)
try:
    list(mapper.map([]))
except MapError as exc:
    print(exc)
mapper.close()
"""


def test_workers_that_cannot_start_are_one_reason_not_a_thread_traceback() -> None:
    """The pool starts in a thread while the database opens; when that start fails (here no
    file may grow, as on a full disk), closing stays quiet and the run's error is one line."""

    def no_file_room() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    result = subprocess.run(
        [sys.executable, "-c", WORKERS_UNDER_NO_FILE_ROOM],
        preexec_fn=no_file_room,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stderr == ""
    assert result.stdout.startswith("the worker processes could not be started: ")


def test_full_disk_mid_run_keeps_earlier_batches(pages_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    result = _limited(pages_dir, db, file_limit=3 * 1024 * 1024)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: could not write") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert _stored(db) > 0
    assert_consistent(db)


def _limited(folder: Path, db: Path, file_limit: int) -> subprocess.CompletedProcess:
    """Run ingest with a file size limit: writes past it fail as on a full disk."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        command(folder, db, "--quiet"),
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_read_only_location_is_one_line(seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    existing = tmp_path / "existing"
    existing.mkdir()
    subprocess.run(command(seeds_dir, existing / "news.db", "--quiet"), check=True)
    (existing / "news.db").chmod(0o444)
    folder.chmod(0o555)
    try:
        for db in (folder / "news.db", existing / "news.db"):
            result = subprocess.run(
                _unprivileged(command(seeds_dir, db)), capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 1, result.stderr
            assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    finally:
        folder.chmod(0o755)


def _unprivileged(argv: list[str]) -> list[str]:
    """As root, drop the powers that bypass file permissions, so permissions apply."""
    return [*DROP_ROOT_POWERS, *argv] if os.geteuid() == 0 else argv


@pytest.mark.parametrize("delay", [0.0, 0.7, 1.5])
def test_sigterm_to_the_process_group_ends_the_run_cleanly(
    pages_dir: Path, reference: tuple[Path, float], tmp_path: Path, delay: float
) -> None:
    """Regression: SIGTERM to the whole group (GNU timeout, systemd, kill -- -PGID) killed the
    workers at once and the parent hung, over 60 s in 4 of 6 trials, in Pool.terminate."""
    db = tmp_path / "news.db"
    process = subprocess.Popen(
        command(pages_dir, db), stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while not _stored(db) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 130, output
    with sqlite3.connect(db) as conn:
        status, stored = conn.execute("select status, stored from runs").fetchone()
        assert status == "interrupted"
        assert stored == conn.execute("select count(*) from articles").fetchone()[0] > 0
    assert_consistent(db)
    subprocess.run(command(pages_dir, db, "--quiet"), check=True, timeout=600)
    assert snapshot(db) == snapshot(reference[0])
