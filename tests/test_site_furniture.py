"""Site-learned furniture: a line on three different articles of a site is removed later."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import corpus
from tests.conftest import ingest, rows

BOILERPLATE = [
    "Follow our live coverage in the Daily Example app",
    "Our overnight desk keeps the Daily Example going while you sleep",
]


def _jsonl(path: Path, bodies: list[tuple[str, str]]) -> None:
    lines = [json.dumps({"url": url, "text": text}) for url, text in bodies]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _article(index: int) -> str:
    page = list(corpus.pages())[index * 7]
    return "\n\n".join([*page.paragraphs[:6], *BOILERPLATE])


def test_line_on_three_articles_is_learned_and_removed_later(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    _jsonl(
        folder / "daily.jsonl",
        [(f"https://www.daily.example/story-{i}", _article(i)) for i in range(5)],
    )
    db = tmp_path / "news.db"
    ingest(folder, db)
    texts = [text for (text,) in rows(db, "select text from articles order by id")]
    assert all(BOILERPLATE[0] in text for text in texts[:3])
    assert not any(line in text for text in texts[3:] for line in BOILERPLATE)
    removed = rows(db, "select article_id, line from furniture where rule = 'site_furniture'")
    assert {line for _, line in removed} == set(BOILERPLATE)
    assert {article for article, _ in removed} == {4, 5}
    learned = rows(db, "select site, line from site_lines where learned = 1 order by line")
    assert learned == [("daily.example", line) for line in sorted(BOILERPLATE)]


def test_a_story_republished_on_one_site_teaches_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    story = _article(0)
    _jsonl(
        folder / "daily.jsonl",
        [(f"https://daily.example/v{i}", story + f"\n\nUpdate {i}.") for i in range(4)],
    )
    db = tmp_path / "news.db"
    ingest(folder, db)
    assert rows(db, "select count(*) from site_lines where learned = 1") == [(0,)]
    assert rows(db, "select count(*) from furniture where rule = 'site_furniture'") == [(0,)]


def test_removed_lines_keep_their_place_in_the_text(tmp_path: Path) -> None:
    """Every removed line records the paragraph it stood before (the article page shows it
    there), also when the site's learned lines are taken out after the rule-removed ones."""
    folder = tmp_path / "pages"
    folder.mkdir()

    sentences = [
        paragraph
        for page in corpus.pages()
        for paragraph in page.paragraphs
        if paragraph.endswith(".") and len(paragraph.split()) >= 12
    ]

    def body(index: int) -> str:
        paragraphs = sentences[index * 6 : index * 6 + 6]
        lines = [paragraphs[0], BOILERPLATE[0], paragraphs[1], "Share this post", *paragraphs[2:]]
        return "\n\n".join([*lines, BOILERPLATE[1]])

    _jsonl(folder / "d.jsonl", [(f"https://daily.example/s{i}", body(i)) for i in range(5)])
    db = tmp_path / "news.db"
    ingest(folder, db)
    first = rows(db, "select line, paragraph from furniture where article_id = 1 order by 2")
    assert first == [("Share this post", 3)]  # the boilerplate is still text here
    last = rows(db, "select line, paragraph from furniture where article_id = 5 order by 2, 1")
    assert last == [(BOILERPLATE[0], 1), ("Share this post", 2), (BOILERPLATE[1], 6)]
    (text,) = rows(db, "select text from articles where id = 5")[0]
    assert text.split("\n\n")[2] == sentences[4 * 6 + 2]
