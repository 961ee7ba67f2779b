"""Partial copies: excerpts and quoted articles are linked to their source, never merged."""

from __future__ import annotations

from pathlib import Path

from benchmarks import corpus
from tests.conftest import ingest, rows

SOURCE, TEMPLATE = "06e5123e", "14cc2a0c"
# The quoting post: these three articles around the quoted one (548 words of 1,700).
COMMENTARY = ("0e014df6", "14cc2a0c", "21486419")


def _write(folder: Path, name: str, html: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(html, encoding="utf-8")


def _excerpt_html() -> str:
    article = corpus.load(corpus.page_id(SOURCE))
    paragraphs = [*article.paragraphs[:2], "Continue reading at venturebeat.com"]
    return corpus.transplant(article, corpus.load(corpus.page_id(TEMPLATE)), paragraphs)


def _partial_pairs(db: Path) -> set[tuple[str, str]]:
    found = rows(
        db,
        "select a.source, b.source from pairs p join articles a on a.id = p.article_id"
        " join articles b on b.id = p.other_id where p.kind = 'partial'",
    )
    return {tuple(sorted(pair)) for pair in found}


def test_excerpt_is_linked_not_merged(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    _write(folder, "a-source.html", corpus.load(corpus.page_id(SOURCE)).html)
    _write(folder, "b-excerpt.html", _excerpt_html())
    db = tmp_path / "news.db"
    ingest(folder, db)
    clusters = dict(rows(db, "select source, cluster_id from articles"))
    assert clusters["a-source.html"] != clusters["b-excerpt.html"]
    assert _partial_pairs(db) == {("a-source.html", "b-excerpt.html")}
    assert rows(db, "select excerpt from articles where source = 'b-excerpt.html'") == [(1,)]
    removed = rows(db, "select rule from furniture where line like 'Continue reading%'")
    assert removed == [("continue_reading",)]


def test_excerpt_stored_first_is_found_by_its_source_later(tmp_path: Path) -> None:
    _write(tmp_path / "first", "excerpt.html", _excerpt_html())
    _write(tmp_path / "later", "source.html", corpus.load(corpus.page_id(SOURCE)).html)
    db = tmp_path / "news.db"
    ingest(tmp_path / "first", db)
    ingest(tmp_path / "later", db)
    assert _partial_pairs(db) == {("excerpt.html", "source.html")}


def test_post_quoting_a_whole_article_is_linked(tmp_path: Path) -> None:
    quoted = corpus.load(corpus.page_id(SOURCE))
    first, *rest = (corpus.load(corpus.page_id(prefix)) for prefix in COMMENTARY)
    post = [*first.paragraphs, *quoted.paragraphs, *(p for page in rest for p in page.paragraphs)]
    folder = tmp_path / "pages"
    _write(folder, "a-quoted.html", quoted.html)
    _write(folder, "b-post.html", corpus.transplant(first, first, post, title="Our take"))
    db = tmp_path / "news.db"
    ingest(folder, db)
    clusters = dict(rows(db, "select source, cluster_id from articles"))
    assert clusters["a-quoted.html"] != clusters["b-post.html"]
    assert _partial_pairs(db) == {("a-quoted.html", "b-post.html")}
    (score,) = rows(db, "select score from pairs where kind = 'partial'")[0]
    assert score >= 0.8
