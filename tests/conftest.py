"""Shared fixtures: real folders of pages, real SQLite files, and a helper to run the CLI."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

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


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()
