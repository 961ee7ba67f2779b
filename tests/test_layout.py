"""Pages laid out with tables are read as blocks; tables of data stay tables."""

from __future__ import annotations

import pytest
from lxml.html import fromstring

from pipeline.extract.layout import unfold_layout_tables
from tests.test_structure import processed

PARAGRAPHS = [
    "The city council approved the harbour plan on Tuesday evening after a debate that ran "
    "past midnight and drew a crowd of residents to the town hall.",
    "Supporters said the project would bring jobs and visitors to the old quarter, where "
    "shops have closed one by one over the last ten years.",
    "Critics warned that the fishing fleet would lose its moorings and that the homes along "
    "the quay would be priced out within a few years.",
    "The mayor promised a second vote on the design once the engineers report on the sea "
    "wall, which is expected before the end of the summer.",
]


def old_site(body: str) -> str:
    """A page laid out the way sites were in 2008: a menu row, a column of links in a table
    of its own, the article in a cell, a footer row."""
    menu = " | ".join(f"<a href='/{name}'>{name.title()}</a>" for name in ("news", "sport", "jobs"))
    tools = "".join(
        f"<tr><td><a href='/{n}'>{text}</a></td></tr>"
        for n, text in enumerate(("Print this page", "E-mail a friend", "Story archive"))
    )
    return (
        "<html><head><title>Harbour plan approved</title></head><body>"
        f"<table width='100%' border='0'><tr><td colspan='2'>{menu}</td></tr>"
        f"<tr><td width='150' valign='top'><table>{tools}</table></td>"
        f"<td valign='top'><h1>Harbour plan approved</h1>{body}</td></tr>"
        "<tr><td colspan='2'><a href='/about'>About us</a> | <a href='/careers'>Careers</a>"
        " | © 2008 Example Media. All rights reserved.</td></tr></table></body></html>"
    )


@pytest.mark.parametrize(
    "body",
    ["".join(f"<p>{text}</p>" for text in PARAGRAPHS), "<br><br>".join(PARAGRAPHS)],
    ids=["paragraphs", "line-breaks"],
)
def test_an_article_in_a_layout_table_is_read_as_paragraphs_without_the_chrome(
    body: str,
) -> None:
    page = processed(old_site(body))
    assert page.text.split("\n\n") == PARAGRAPHS


def table_count(html: str) -> int:
    tree = fromstring(f"<html><body>{html}</body></html>")
    unfold_layout_tables(html, tree)
    return sum(1 for _ in tree.iter("table"))


PROSE = " ".join(PARAGRAPHS)


@pytest.mark.parametrize(
    ("html", "tables"),
    [
        # header cells: a table of data, even with a long cell
        (
            f"<table><tr><th>Team</th><th>Notes</th></tr><tr><td>Rovers</td><td>{PROSE}</td>"
            "</tr></table>",
            1,
        ),
        # an infobox: rows of a label and a value, and a quotation
        (
            "<table><tr><td>Born:</td><td>1950</td></tr><tr><td>Lives in:</td><td>Leeds</td></tr>"
            f"<tr><td>Party:</td><td>None</td></tr><tr><td colspan='2'>{PROSE}</td></tr></table>",
            1,
        ),
        # a catalogue: rows of several columns, some with long descriptions
        (
            "<table>"
            + "".join(f"<tr><td>{n}</td><td>Print</td><td>{PROSE}</td></tr>" for n in range(4))
            + "</table>",
            1,
        ),
        # short cells of data, no links
        ("<table><tr><td>Rovers</td><td>3</td></tr><tr><td>United</td><td>1</td></tr></table>", 1),
        # marked as presentation
        ("<table role='presentation'><tr><td>Rovers</td><td>3</td></tr></table>", 0),
        # a cell of prose, and a table of links inside it judged on its own
        (
            f"<table><tr><td>{PROSE}</td><td><table><tr><td><a href='/a'>Home</a></td>"
            "<td><a href='/b'>News</a></td></tr></table></td></tr></table>",
            0,
        ),
        # a table inside a table of data is left alone: its blocks would be lost
        (
            f"<table><tr><th>Quote</th></tr><tr><td><table><tr><td>{PROSE}</td></tr></table>"
            "</td></tr></table>",
            2,
        ),
    ],
    ids=["header", "infobox", "catalogue", "short", "presentation", "nested", "inside-data"],
)
def test_tables_of_data_stay_tables(html: str, tables: int) -> None:
    assert table_count(html) == tables
