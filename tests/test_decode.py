"""The decoder against labels that lie (issue 26): each kind generated here, small and named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.extract.decode import decode
from pipeline.run.ingest import ingest_directory

FRENCH = "Le café où Sébastien a déjeuné ferme pour la transition écologique de la ville. " * 6
RUSSIAN = "Городской совет обсудил новый мост через гавань и его стоимость в понедельник. " * 6
GREEK = "Το δημοτικό συμβούλιο συζήτησε τη νέα γέφυρα του λιμανιού και το κόστος της. " * 6


def html(text: str, *labels: str) -> str:
    metas = "".join(f'<meta charset="{label}">' for label in labels)
    return f"<html><head>{metas}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("windows-1252", FRENCH),
        ("ISO-8859-1", FRENCH),
        ("windows-1251", RUSSIAN),
        ("koi8-r", RUSSIAN),
        ("iso-8859-7", GREEK),
    ],
)
def test_utf8_bytes_under_a_stale_single_byte_label_are_utf8(label: str, text: str) -> None:
    """Regression: a page re-saved as UTF-8 kept its old label and was stored as mojibake
    ("Ã©cologique", "Ð½Ð¾Ð²...")."""
    assert text in decode(html(text, label).encode("utf-8"))


def test_a_stale_label_in_the_http_header_loses_to_utf8_bytes() -> None:
    assert RUSSIAN in decode(html(RUSSIAN).encode("utf-8"), declared="windows-1251")


@pytest.mark.parametrize(
    ("label", "encoding"),
    [
        ("koi8-r", "cp1251"),
        ("windows-1251", "koi8-r"),
        ("iso-8859-5", "cp1251"),
        ("windows-1251", "cp866"),
    ],
)
def test_a_cyrillic_label_over_another_cyrillic_encoding(label: str, encoding: str) -> None:
    """Regression: a KOI8-R label over windows-1251 bytes decoded into plausible-looking but
    wrong letters; the bytes decide between the Cyrillic single-byte encodings."""
    assert RUSSIAN in decode(html(RUSSIAN, label).encode(encoding))


@pytest.mark.parametrize(
    "labels", [("windows-1252", "windows-1251"), ("utf-8", "windows-1251"), ("latin1", "cp1251")]
)
def test_two_meta_labels_that_disagree_let_the_bytes_decide(labels: tuple[str, str]) -> None:
    """Regression: the first of two disagreeing <meta> labels won, even when it was wrong."""
    assert RUSSIAN in decode(html(RUSSIAN, *labels).encode("cp1251"))


@pytest.mark.parametrize(
    ("label", "text", "encoding"),
    [
        ("windows-1252", FRENCH, "cp1252"),
        ("iso-8859-1", FRENCH, "latin-1"),
        ("windows-1251", RUSSIAN, "cp1251"),
        ("iso-8859-7", GREEK, "iso-8859-7"),
    ],
)
def test_a_true_label_still_decides(label: str, text: str, encoding: str) -> None:
    assert text in decode(html(text, label).encode(encoding))


def test_an_ascii_page_with_any_label_is_read_as_is() -> None:
    page = html("The council met on Monday.", "windows-1251").encode("ascii")
    assert "The council met on Monday." in decode(page)


def test_ingest_stores_a_resaved_page_without_mojibake(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "resaved.html").write_bytes(html(FRENCH, "windows-1252").encode("utf-8"))
    (folder / "koi8.html").write_bytes(html(RUSSIAN, "koi8-r").encode("cp1251"))
    db = tmp_path / "news.db"
    ingest_directory(folder, db, Config(), workers=1, quiet=True)
    with sqlite3.connect(db) as conn:
        texts = dict(conn.execute("select source, text from articles"))
    assert "écologique" in texts["resaved.html"] and "Ã" not in texts["resaved.html"]
    assert "Городской совет" in texts["koi8.html"]
