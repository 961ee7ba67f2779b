"""Shared fixtures: real folders of pages, real SQLite files, and a helper to run the CLI."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks import corpus
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.records import Page
from pipeline.run.process import process_page
from pipeline.sources.common import raw_hash

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


def run_cli(*args: str) -> object:
    """Run a CLI command in-process (one worker) and return click's result."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def ingest(folder: Path, db: Path, *extra: str) -> object:
    result = run_cli("ingest", str(folder), "--db", str(db), "--workers", "1", *extra)
    assert result.exit_code == 0, result.output
    return result


def extract_benchmark_page(id_prefix: str) -> tuple[corpus.BenchPage, Page]:
    """One page of the extraction benchmark through every per-page stage."""
    page = next(p for p in corpus.pages() if p.id.startswith(id_prefix))
    body = page.html.encode("utf-8")
    result = process_page(
        Page(page.id, body, "html", raw_hash(body), url=page.url), Config(min_words=1)
    )
    assert isinstance(result, Page), result
    return page, result


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """The real `serve` command on a free localhost port; yields its base URL once it answers
    (within 30 s), and stops it afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        answers(lambda: urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).close(), 30)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def mixed_folder(syndication: Path, tmp_path: Path) -> Path:
    """The syndication fixture's pages and the seeds in one folder (copies, stories, junk)."""
    folder = tmp_path / "pages"
    shutil.copytree(syndication, folder)
    shutil.copytree(SEEDS, folder / "seeds")
    return folder


def answers(attempt: Callable[[], object], seconds: float) -> None:
    """Try ``attempt`` until it does not raise (a server starting), for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            attempt()
            return
        except Exception:
            assert time.monotonic() < deadline, f"no answer within {seconds:g} s"
            time.sleep(0.1)
