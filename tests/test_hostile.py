"""Over a thousand hostile inputs: zero crashes, a stored reason for each, good pages kept."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests import hostile
from tests.test_reliability import _unprivileged, command


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str], str]:
    folder = tmp_path_factory.mktemp("hostile") / "corpus"
    good = hostile.build(folder, seed=7, per_kind=70)
    db = folder.parent / "news.db"
    argv = _unprivileged(command(folder, db, "--batch-size", "200"))
    result = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder, db, good, result.stderr


def _outcomes(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select source, 'stored' from articles").fetchall()
        rows += conn.execute("select source, reason from rejected").fetchall()
    return dict(rows)


def _files(folder: Path) -> list[str]:
    """Every entry a user put there, as the walker names it (not inside unreadable folders)."""
    names = []
    for root, dirs, files in os.walk(folder):
        unreadable = [d for d in dirs if not os.stat(os.path.join(root, d)).st_mode & 0o444]
        files = files + unreadable
        dirs[:] = [d for d in dirs if d not in unreadable]
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            names.append(Path(root, name).relative_to(folder).as_posix())
    return names


def test_no_crash_and_every_input_has_an_outcome(hostile_run) -> None:
    folder, db, _, stderr = hostile_run
    assert "Traceback" not in stderr
    outcomes = _outcomes(db)
    files = _files(folder)
    assert len(files) >= 1000
    for name in files:
        assert name in outcomes or any(s.startswith(name + "#") for s in outcomes), name
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from rejected where detail = ''").fetchone()[0] == 0


def test_good_pages_among_them_are_stored(hostile_run) -> None:
    _, db, good, _ = hostile_run
    outcomes = _outcomes(db)
    assert all(outcomes.get(name) == "stored" for name in good)


def test_each_kind_gets_its_reason(hostile_run) -> None:
    _, db, _, _ = hostile_run
    outcomes = _outcomes(db)
    expected = {
        "special/huge.html": "too_large",
        "special/bomb.html.gz": "too_large",
        "special/no-permission.html": "unreadable",
        "special/no-permission-dir": "unreadable",
        "special/self-loop": "symlink_loop",
        "special/up-loop": "symlink_loop",
        "special/fifo.html": "not_a_page",
        "special/deep.html": "no_text",
    }
    assert {name: outcomes.get(name) for name in expected} == expected
    by_kind: dict[str, set[str]] = {}
    for source, outcome in outcomes.items():
        by_kind.setdefault(source.split("/")[0], set()).add(outcome)
    assert by_kind["truncated-gzip"] == {"bad_gzip"}
    assert by_kind["empty"] == {"empty"} and by_kind["whitespace"] == {"empty"}
    assert by_kind["scripts-only"] == {"no_text"}
    assert by_kind["not-a-page"] == {"not_a_page"}
    assert by_kind["bad-jsonl"] == {"bad_jsonl"}
    assert "bad_warc" in by_kind["truncated-warc"]
    assert by_kind["binary-as-html"] <= {"binary", "decode_error"}
    # Undeclared or mis-declared encodings are decoded, not rejected.
    assert by_kind["utf16-no-bom"] == {"stored"} and by_kind["cp1251-as-utf8"] == {"stored"}


def test_cp1251_declared_as_utf8_is_decoded(hostile_run) -> None:
    _, db, _, _ = hostile_run
    with sqlite3.connect(db) as conn:
        (text,) = conn.execute(
            "select text from articles where source like 'cp1251-as-utf8/%' limit 1"
        ).fetchone()
    assert "Путин" in text


def test_slow_page_is_cut_off_by_the_time_limit(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    paragraph = "<p>" + "The council met again to discuss the budget. " * 40 + "</p>"
    (folder / "slow.html").write_text("<html><body>" + paragraph * 6000 + "</body></html>")
    (folder / "good.txt").write_bytes(next(hostile.SEEDS.glob("*.txt")).read_bytes())
    db = tmp_path / "news.db"
    argv = command(folder, db, "--page-timeout", "0.2")
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    outcomes = _outcomes(db)
    assert outcomes == {"slow.html": "timeout", "good.txt": "stored"}
