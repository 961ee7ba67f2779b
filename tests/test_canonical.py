"""Credits and the choice of the canonical copy, on real pages."""

from __future__ import annotations

from pathlib import Path

from benchmarks import corpus
from tests.conftest import ingest, rows

SOURCE, TEMPLATES = "06e5123e", ("14cc2a0c", "1ace8c85")


def test_seed_credits(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    ingest(seeds_dir, db)
    credits = dict(rows(db, "select source, credit from articles"))
    assert credits["004_9d2138d442778ec7.txt"] == "BBC"  # "Source: BBC" beats "appeared first"
    assert credits["001_fb80b004c884d67f.txt"] == "SANA"  # "Damascus, SANA-President ..."
    assert credits["003_3a21dc28efb05b9a.txt"] is None  # "Source: <a headline>" is no outlet


def _cluster(tmp_path: Path, copy_lines: list[str], canonical_to: str | None = None) -> Path:
    article = corpus.load(corpus.page_id(SOURCE))
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "original.html").write_text(article.html, encoding="utf-8")
    for prefix in TEMPLATES:
        html = corpus.transplant(
            article, corpus.load(corpus.page_id(prefix)), [*article.paragraphs, *copy_lines]
        )
        if canonical_to:
            link = f'<link rel="canonical" href="{canonical_to}">'
            html = html.replace("<head>", "<head>" + link, 1)
        (folder / f"copy-{prefix}.html").write_text(html, encoding="utf-8")
    db = tmp_path / "news.db"
    ingest(folder, db)
    return db


def _canonical(db: Path) -> tuple[str, str]:
    return rows(
        db,
        "select a.source, c.canonical_reason from clusters c"
        " join articles a on a.id = c.canonical_article_id where c.size = 3",
    )[0]


def test_copy_credited_by_the_others_is_canonical(tmp_path: Path) -> None:
    db = _cluster(tmp_path, ["This article originally appeared on VentureBeat."])
    assert _canonical(db) == ("original.html", "credited_source")
    assert rows(db, "select count(*) from articles where credit = 'VentureBeat'") == [(2,)]


def test_copy_named_by_rel_canonical_is_canonical(tmp_path: Path) -> None:
    original_url = corpus.load(corpus.page_id(SOURCE)).url
    db = _cluster(tmp_path, [], canonical_to=original_url)
    source, reason = _canonical(db)
    assert (source, reason) == ("original.html", "canonical_link")
