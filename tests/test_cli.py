"""The command line as a cron job sees it: exit statuses, one-line errors, the writer lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import cli
from pipeline.run.lock import EXIT_LOCKED, writer_lock
from tests.conftest import ingest, run_cli


def _python_m(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=timeout
    )


def test_missing_directory_is_one_line_and_status_1(tmp_path: Path) -> None:
    result = _python_m("ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "does not exist" in result.stderr


@pytest.mark.parametrize("make_db", ["missing_folder", "not_sqlite"])
def test_unusable_database_is_one_line_and_status_1(
    make_db: str, seeds_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "no-such-folder" / "news.db"
    if make_db == "not_sqlite":
        db = tmp_path / "news.db"
        db.write_bytes(b"this is not a database" * 100)
    result = _python_m("ingest", str(seeds_dir), "--db", str(db), "--workers", "1")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.strip().count("\n") == 0


def test_overlapping_run_is_refused_with_status_75(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with writer_lock(db):
        result = _python_m("ingest", str(seeds_dir), "--db", str(db), "--workers", "1")
    assert result.returncode == EXIT_LOCKED
    assert "another wirecopy run is writing" in result.stderr and "--wait" in result.stderr
    assert not db.exists()


def _hold_lock(db: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the writer lock for ``seconds``; returns once it holds it."""
    code = (
        "import time; from pathlib import Path; from pipeline.run.lock import writer_lock\n"
        f"with writer_lock(Path({str(db)!r})):\n"
        f" print('held', flush=True); time.sleep({seconds})"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_lock_is_released_when_the_holder_is_killed(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    holder = _hold_lock(db, seconds=60)
    holder.kill()
    holder.wait(timeout=10)
    ingest(seeds_dir, db)


def test_clusters_and_stats_commands(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    ingest(seeds_dir, db)
    result = run_cli("clusters", "--db", str(db), "--min-size", "1", "--limit", "2")
    assert result.exit_code == 0 and result.output.count("cluster ") == 2
    result = run_cli("stats", "--db", str(db))
    assert result.exit_code == 0 and "articles                        5" in result.output
    result = run_cli("stats", "--db", str(tmp_path / "missing.db"))
    assert result.exit_code == 1


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_help_has_an_example(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output


def test_wait_queues_behind_the_running_writer(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    holder = _hold_lock(db, seconds=1.5)
    started = time.monotonic()
    result = _python_m("ingest", str(seeds_dir), "--db", str(db), "--workers", "1", "--wait")
    holder.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started >= 1.0  # it waited for the holder
    assert "stored                    5" in result.stdout
