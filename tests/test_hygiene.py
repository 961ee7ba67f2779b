"""What a person meets at a terminal (issue 14): messages that say what to do, statuses the
README promises, help that is not cut off, and a progress display that tells the truth."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pipeline.crawl.config import ConfigError, load
from pipeline.run.lock import writer_lock
from pipeline.run.writer import Counts

WAIT_COMMAND = [sys.executable, "-m", "pipeline", "ingest", "--workers", "1"]


def python_m(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=timeout
    )


def test_an_empty_folder_warns_and_leaves_no_database(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = python_m("ingest", str(tmp_path / "empty"), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 0 and "no files" in result.stderr
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "x.db.lock").exists()


def test_one_file_can_be_ingested(seeds_dir: Path, tmp_path: Path) -> None:
    first = sorted(seeds_dir.iterdir())[0]
    result = python_m("ingest", str(first), "--db", str(tmp_path / "x.db"), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert "stored                    1" in result.stdout


def test_a_missing_database_folder_is_named(seeds_dir: Path, tmp_path: Path) -> None:
    """Regression: it said "cannot create the lock file ...x.db.lock"."""
    db = tmp_path / "nonexistent" / "dir" / "x.db"
    result = python_m("ingest", str(seeds_dir), "--db", str(db))
    assert result.returncode == 1 and "does not exist" in result.stderr
    assert "lock file" not in result.stderr


def test_a_refused_file_keeps_no_lock_beside_it(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(b"my notes, not a database " * 100)
    result = python_m("ingest", str(seeds_dir), "--db", str(db), "--workers", "1")
    assert result.returncode == 1 and "error:" in result.stderr
    assert not (tmp_path / "notes.db.lock").exists()


def test_waiting_behind_another_run_says_so(seeds_dir: Path, tmp_path: Path) -> None:
    """Regression: --wait behind another run was silent and looked hung."""
    db = tmp_path / "news.db"
    with writer_lock(db):
        waiting = subprocess.Popen(
            [*WAIT_COMMAND, str(seeds_dir), "--db", str(db), "--wait", "--quiet"],
            stderr=subprocess.PIPE,
            text=True,
        )
        line = waiting.stderr.readline()
        assert "waiting for" in line and "pid" in line
    assert waiting.wait(timeout=120) == 0


def test_serve_takes_the_database_as_an_argument_and_names_a_busy_port(
    seeds_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    python_m("ingest", str(seeds_dir), "--db", str(db), "--workers", "1", "--quiet")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = python_m("serve", str(db), "--port", str(port))
    assert result.returncode == 2
    assert f"port {port}" in result.stderr and "--port" in result.stderr


def _sources(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_seconds_take_decimals(tmp_path: Path) -> None:
    path = _sources(
        tmp_path,
        '[settings]\nuser_agent = "b/1 (+https://x.test/c)"\nstart_delay = 0.5\n'
        "autothrottle_target = 0.5\ndownload_timeout = 7.5\n"
        '[[source]]\nname = "s"\nfeeds = ["https://x.test/f"]\n',
    )
    settings = load(path).settings
    assert (settings.start_delay, settings.autothrottle_target, settings.download_timeout) == (
        0.5,
        0.5,
        7.5,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[source]]\nname = "s"\nfeeds = ["http://127.0.0.1:8765/f"]\n'
            'allowed_hosts = ["localhost"]\n',
            "whose host is not in allowed_hosts",
        ),
        ('[source]\nname = "s"\nfeeds = ["https://x.test/f"]\n', "write [[source]]"),
        (
            '[settings]\nuser_agnet = "x"\n[[source]]\nname = "s"\nfeeds = ["https://x.test/f"]\n',
            'did you mean "user_agent"',
        ),
    ],
)
def test_sources_mistakes_are_caught_when_read(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load(_sources(tmp_path, text))


def test_a_bad_since_date_is_bad_usage(tmp_path: Path) -> None:
    path = _sources(tmp_path, '[[source]]\nname = "s"\nfeeds = ["https://x.test/f"]\n')
    result = python_m("crawl", "--sources", str(path), "--since", "2026/11/01")
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr


def test_help_is_not_cut_off() -> None:
    result = python_m("--help")
    commands = result.stdout.split("Commands:")[1]
    assert "..." not in commands
    for name in ("clusters", "crawl", "ingest", "serve", "stats", "stories"):
        assert name in commands
    clusters = python_m("clusters", "--help").stdout
    assert "Clusters to show" in clusters and "at least this many copies" in clusters


def test_progress_counts_files_and_every_page() -> None:
    """Regression: the bar counted only pages sent to extraction (1 on a re-run of 228)."""
    from pipeline.run.ingest import _Progress

    class Bar:
        def __init__(self) -> None:
            self.n, self.postfix = 0, ""

        def update(self, count: int) -> None:
            self.n += count

        def set_postfix_str(self, text: str, refresh: bool = True) -> None:
            self.postfix = text

    bar, counts = Bar(), Counts()
    progress = _Progress(bar)
    for source in ("a.html", "b.jsonl#1", "b.jsonl#2", "c.warc#1"):
        counts.pages_seen += 1
        counts.skipped += 1
        progress(source, counts)
    counts.rejected = Counter({"empty": 1})
    progress("d.txt", counts)
    assert bar.n == 3  # a, b and c are done; d is in hand
    assert "already stored 4" in bar.postfix and "rejected 1" in bar.postfix


def test_the_readme_crontab_line_is_one_line_and_quiet() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if line.startswith("17 * * * *")]
    assert lines and all("--quiet" in line and "--log-file" in line for line in lines)


def test_crawl_progress_shows_each_source() -> None:
    from pipeline.crawl.bridge import CrawlProgress

    progress = CrawlProgress(show=False)
    for source, stored in (("site-a", True), ("site-a", False), ("site-b", True)):
        progress.note(source, stored)
    assert progress.line() == "site-a 2 fetched, 1 stored | site-b 1 fetched, 1 stored"
