"""`python -m pipeline export`: the corpus out as JSONL, CSV and Parquet, from a real
database, written atomically, with clear errors for bad arguments."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ingest, rows, run_cli
from tests.test_ingest import syndication_dir  # noqa: F401 - shared fixture


@pytest.fixture(scope="module")
def news_db(syndication_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    db = tmp_path_factory.mktemp("export") / "news.db"
    ingest(syndication_dir, db)
    return db


def _jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_every_article_as_jsonl_on_standard_output(news_db: Path) -> None:
    result = run_cli("export", "--db", str(news_db))
    assert result.exit_code == 0, result.output
    found = _jsonl(result.output)
    assert [r["id"] for r in found] == [
        i for (i,) in rows(news_db, "select id from articles order by id")
    ]
    first = found[0]
    for field in ("id", "url", "canonical_url", "site", "title", "author", "published"):
        assert field in first
    for field in ("language", "text", "cluster_id", "story_id", "extraction", "confidence"):
        assert field in first
    assert (
        first["text"]
        == rows(news_db, "select text from articles where id = ?", (first["id"],))[0][0]
    )


def test_one_record_per_cluster_with_its_copies(news_db: Path) -> None:
    result = run_cli("export", "--db", str(news_db), "--canonical-only")
    found = _jsonl(result.output)
    clusters = rows(
        news_db, "select canonical_article_id, size from clusters order by canonical_article_id"
    )
    assert [(r["id"], r["cluster_size"]) for r in found] == clusters
    (copied,) = [r for r in found if r["cluster_size"] == 4]
    assert len(copied["copies"]) == 3 and all(set(c) == {"url", "site"} for c in copied["copies"])
    assert copied["id"] not in {c["url"] for c in copied["copies"]}


def test_filters_by_site_day_and_story(news_db: Path) -> None:
    (site, count) = rows(
        news_db, "select site, count(*) from articles group by site order by 2 desc"
    )[0]
    found = _jsonl(run_cli("export", "--db", str(news_db), "--site", site).output)
    assert len(found) == count and {r["site"] for r in found} == {site}
    assert _jsonl(run_cli("export", "--db", str(news_db), "--since", "2999-01-01").output) == []
    (story,) = rows(news_db, "select story_id from articles order by id")[0]
    found = _jsonl(run_cli("export", "--db", str(news_db), "--story", str(story)).output)
    assert found and {r["story_id"] for r in found} == {story}


def test_csv_and_parquet_hold_the_same_records(news_db: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    expected = _jsonl(run_cli("export", "--db", str(news_db), "--canonical-only").output)
    csv_out = run_cli("export", "--db", str(news_db), "--canonical-only", "--format", "csv").output
    table = list(csv.DictReader(io.StringIO(csv_out)))
    assert [int(r["id"]) for r in table] == [r["id"] for r in expected]
    assert [json.loads(r["copies"]) for r in table] == [r["copies"] for r in expected]
    path = tmp_path / "news.parquet"
    result = run_cli(
        "export",
        "--db",
        str(news_db),
        "--canonical-only",
        "--format",
        "parquet",
        "--out",
        str(path),
    )
    assert result.exit_code == 0, result.output
    assert pq.read_table(path).to_pylist() == expected
    assert not list(tmp_path.glob(".*partial"))  # the temporary file was renamed
    assert path.stat().st_mode & 0o044  # readable by others, as a file open() makes


def test_a_cut_export_never_looks_complete(news_db: Path, tmp_path: Path) -> None:
    """Killed mid-way (here: a record that cannot be written), --out leaves no file under
    its name, and no temporary file either."""
    from pipeline import export

    out = tmp_path / "cut.jsonl"

    def broken(conn, selection):
        yield {"id": 1}
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError), export.atomic(out, binary=False) as handle:
        export.write(broken(None, None), "jsonl", handle, export.FIELDS)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bad_arguments_say_why_and_exit_2(news_db: Path, tmp_path: Path) -> None:
    for arguments, message in (
        (["--since", "last week"], "YYYY-MM-DD"),
        (["--format", "xml"], "xml"),
        (["--format", "parquet"], "--out"),
        (["--story", "zero"], "zero"),
    ):
        result = run_cli("export", "--db", str(news_db), *arguments)
        assert result.exit_code == 2 and message in result.output, (arguments, result.output)
    missing = run_cli("export", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code == 1 and "no database" in missing.output


def test_an_unknown_story_is_an_empty_export_and_a_warning(news_db: Path) -> None:
    command = [sys.executable, "-m", "pipeline", "export", "--db", str(news_db), "--story", "99999"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == ""
    assert "no story 99999" in done.stderr and "Traceback" not in done.stderr


def test_parquet_without_pyarrow_says_which_command_installs_it(
    news_db: Path, tmp_path: Path
) -> None:
    script = (
        "import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None\n"
        "from pipeline.cli import main; main()\n"
    )
    out = str(tmp_path / "x.parquet")
    arguments = ["export", "--db", str(news_db), "--format", "parquet", "--out", out]
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments], capture_output=True, text=True
    )
    assert done.returncode == 1 and "pip install 'wirecopy[parquet]'" in done.stderr
