"""Read tables that lay out a page as blocks, not as data.

Older sites lay whole pages out with ``<table>``: the article is a cell, the menu a row, the
footer another. trafilatura reads a table as data, row by row, so such a page came out as
``| | First paragraph… |`` rows with only part of the article, while the chrome around it
stayed as rows (``| Print | E-mail a friend |``) that no line rule recognises, since a table
row is kept as content.

A table is layout when it is marked as presentation, or has no header cells and either holds
another table, or has a cell of prose (``LAYOUT_CELL_WORDS`` words or more, or paragraphs;
tables inside it are judged on their own), or holds nothing but links. Two shapes of data
are kept as tables even then: an infobox (rows of "Born: | 1950") and a catalogue (rows of
three cells or more). A layout table's parts become ``<div>``s, and a cell of prose a
``<p>``, so the article is read as paragraphs and the chrome as the short linked blocks it
is. A table inside a table that stays a table is left alone: its cells' blocks would be lost.

Most pages have no table at all, which the HTML text tells before the tree is walked.
"""

from __future__ import annotations

import re

from lxml.html import Element, HtmlElement

# A cell of this many words or more is a passage of prose, not a datum.
LAYOUT_CELL_WORDS = 60
# A cell with this many paragraphs or more, and half those words, holds running text.
LAYOUT_CELL_PARAGRAPHS = 2
# A table with this many rows of a label ("Born:", at most LABEL_WORDS words) and a value
# is data: an infobox.
LABELLED_ROWS = 3
LABEL_WORDS = 4
# A table with this many rows of GRID_CELLS cells or more is data: a page is laid out in
# two or three columns and a few rows.
GRID_ROWS = 4
GRID_CELLS = 3
# A table of at least this many cells whose words are this share link text is a menu.
NAVIGATION_CELLS = 2
NAVIGATION_LINKED = 0.9
_BLOCKS = frozenset(
    "address article aside blockquote dd div dl dt fieldset figure footer form h1 h2 h3 h4 h5 "
    "h6 header hr li main nav ol p pre section table ul".split()
)
_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")
_CELLS = ("td", "th")
_TABLE = re.compile(r"<table", re.IGNORECASE)


def unfold_layout_tables(html: str, tree: HtmlElement) -> int:
    """Turn the page's layout tables into blocks, in place; return how many.

    >>> from lxml.html import fromstring
    >>> prose = "The harbour reopened on Monday after a year of repairs. " * 8
    >>> page = fromstring(f"<html><body><table><tr><td><a href='/'>Home</a></td></tr>"
    ...                   f"<tr><td>{prose}</td></tr></table></body></html>")
    >>> unfold_layout_tables("<table>", page), [e.tag for e in page.body.iter()]
    (1, ['body', 'div', 'div', 'div', 'a', 'div', 'p'])
    """
    if not _TABLE.search(html):
        return 0
    parts = _parts_by_table(tree)  # read before any part is renamed
    layout: set[HtmlElement] = set()
    for table in parts:  # outer tables first
        outer = _owner(table)
        if (outer is None or outer in layout) and _is_layout(table, parts[table]):
            layout.add(table)
    for table in layout:
        table.tag = "div"
        for part in parts[table]:
            _unfold(part)
    return len(layout)


def _unfold(part: HtmlElement) -> None:
    """A row or section becomes a ``<div>``; a cell of prose a ``<p>``, or, when it also
    holds blocks (a heading, a list), a ``<div>`` whose loose runs of text are paragraphs:
    the extractor reads running text in paragraphs and may pass over a bare ``<div>``'s.
    Cells of links stay blocks, which it reads as navigation."""
    prose = part.tag in _CELLS and len(part.text_content().split()) >= LAYOUT_CELL_WORDS // 2
    blocks = prose and any(child.tag in _BLOCKS for child in part.iterdescendants())
    part.tag = "p" if prose and not blocks else "div"
    if blocks:
        _wrap_loose_text(part)


def _wrap_loose_text(element: HtmlElement) -> None:
    """Put each run of text and inline elements between the element's blocks in a ``<p>``."""
    children = list(element)
    run = Element("p")
    run.text, element.text = element.text, None
    kept: list[HtmlElement] = []
    for child in children:
        element.remove(child)  # its tail goes with it
        if isinstance(child.tag, str) and child.tag in _BLOCKS:
            kept += [run, child] if _has_text(run) else [child]
            run = Element("p")
            run.text, child.tail = child.tail, None
        else:
            run.append(child)
    kept += [run] if _has_text(run) else []
    element.extend(kept)


def _has_text(element: HtmlElement) -> bool:
    return bool("".join(element.itertext()).strip())


def _parts_by_table(tree: HtmlElement) -> dict[HtmlElement, list[HtmlElement]]:
    """Each table with its own rows, cells and sections (not those of tables inside it),
    in document order."""
    parts: dict[HtmlElement, list[HtmlElement]] = {}
    for part in tree.iter(*_PARTS):
        if part.tag == "table":
            parts[part] = []
        elif (table := _owner(part)) is not None:
            parts[table].append(part)
    return parts


def _owner(part: HtmlElement) -> HtmlElement | None:
    """The table a part belongs to (the nearest one above it)."""
    return next(part.iterancestors("table"), None)


def _is_layout(table: HtmlElement, parts: list[HtmlElement]) -> bool:
    """Whether the table places parts of the page rather than holding data."""
    if table.get("role", "").lower() in ("presentation", "none"):
        return True
    cells = [part for part in parts if part.tag in _CELLS]
    rows = [[cell for cell in part if cell.tag in _CELLS] for part in parts if part.tag == "tr"]
    if any(cell.tag == "th" for cell in cells) or table.find("caption") is not None:
        return False
    if sum(_labelled(row) for row in rows) >= LABELLED_ROWS:
        return False  # "Born: | 1950", "Lives in: | Leeds": an infobox
    if sum(len(row) >= GRID_CELLS for row in rows) >= GRID_ROWS:
        return False  # a catalogue: rows of several columns, some long descriptions
    if next(table.iterdescendants("table"), None) is not None:
        return True  # tables in a table: the page's parts placed in a grid
    counts = [_own_words(cell) for cell in cells]
    if any(_holds_prose(cell, words, table) for cell, words in zip(cells, counts, strict=True)):
        return True
    return len(cells) >= NAVIGATION_CELLS and _all_links(table, sum(counts))


def _labelled(row: list[HtmlElement]) -> bool:
    """Whether the row is a short label ending with a colon and a value."""
    if len(row) != 2:
        return False
    label = row[0].text_content().strip()
    return label.endswith(":") and len(label.split()) <= LABEL_WORDS


def _own_words(element: HtmlElement) -> int:
    """How many words the element holds outside the tables inside it (judged on their own).
    Counted by subtraction, not by walking the element: a deep nest must not recurse."""
    table = _owner(element)
    inner = [nested for nested in element.iterdescendants("table") if _owner(nested) is table]
    return len(element.text_content().split()) - sum(
        len(nested.text_content().split()) for nested in inner
    )


def _holds_prose(cell: HtmlElement, words: int, table: HtmlElement) -> bool:
    """Whether the cell (``words`` of its own) holds running text: a long passage, or
    paragraphs of some length (an infobox's "Friends:" cell holds one short paragraph per
    name)."""
    if words >= LAYOUT_CELL_WORDS:
        return True
    if words < LAYOUT_CELL_WORDS // 2:
        return False
    paragraphs = [p for p in cell.iter("p") if _owner(p) is table]
    return len(paragraphs) >= LAYOUT_CELL_PARAGRAPHS


def _all_links(table: HtmlElement, words: int) -> bool:
    """Whether the table's own ``words`` are nearly all link text: a menu laid out in cells."""
    linked = sum(
        len(anchor.text_content().split()) for anchor in table.iter("a") if _owner(anchor) is table
    )
    return words > 0 and linked >= NAVIGATION_LINKED * words
