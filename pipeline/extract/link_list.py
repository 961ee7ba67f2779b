"""Pages that are lists of links, not articles: a tag page, a site map, a page of headlines,
a section front of teasers.

trafilatura keeps list items, so a page of 5,000 links became a 35,000-word "article".
What gives such a page away is that its extracted lines are the texts of its links: each
line, once list markers and spaces are set aside, is the whole text of one ``<a>`` element.
An article may link a phrase or a headline or two, but its paragraphs are not link texts.

A section front is shorter and only half links: each teaser is a linked headline and an
unlinked sentence. It is told by the markup (``pipeline/extract/structure.py``): nearly every
line of the extracted text opens with a link or sits under a linked headline, which an
article's paragraphs do not.
"""

from __future__ import annotations

import math

from pipeline.records import Markup, Reason, Rejected

MIN_LINES = 20  # fewer lines: too little to judge (an article's "related" list)
TEASERS_MIN = 4  # a section front shows at least this many teasers
TEASER_SHARE = 0.8  # of the text's lines (and of its words) in teasers
HEADLINE_MIN_WORDS = 3  # a shorter opening link is a name, not a teaser's headline
HEADLINE_WORDS = 15  # a linked line this short can be a headline with its teaser below
# Only a text this short is searched for teasers whose headline was dropped (the page is
# parsed for it): a section front's extraction is a few sentences.
SHORT_TEXT_WORDS = 300
LINK_SHARE = 0.8  # of the text's words in lines that are whole link texts


def check_link_list(markup: Markup, lines: list[str]) -> None:
    """Raise ``Rejected(not_an_article)`` when the extracted lines are mostly link texts.

    >>> from pipeline.extract.structure import Structure
    >>> page = "".join(f'<li><a href="/{n}">Story number {n} today</a></li>' for n in range(30))
    >>> check_link_list(Structure(page), [f"- Story number {n} today" for n in range(30)])
    Traceback (most recent call last):
    ...
    pipeline.records.Rejected: not_an_article: 30 of 30 lines are link texts (a list of links)
    """
    text_lines = [line for line in lines if line.strip()]
    if len(text_lines) < MIN_LINES:
        return
    linked = [line for line in text_lines if markup.is_link(line)]
    words = sum(len(line.split()) for line in text_lines)
    if len(linked) >= MIN_LINES and sum(len(line.split()) for line in linked) >= LINK_SHARE * words:
        detail = f"{len(linked)} of {len(text_lines)} lines are link texts (a list of links)"
        raise Rejected(Reason.NOT_AN_ARTICLE, detail)


def check_teaser_list(markup: Markup, lines: list[str]) -> None:
    """Raise ``Rejected(not_an_article)`` when nearly every line is a teaser of another page
    (it opens with a linked headline, or sits under one): a section front or a tag page.

    >>> from pipeline.extract.structure import Structure
    >>> teasers = [f"Story {n} in the news today and what it means" for n in range(5)]
    >>> page = "".join(f'<p><a href="/{n}">Story {n} in the news</a> today and what it means</p>'
    ...                for n in range(5))
    >>> check_teaser_list(Structure(page), teasers)
    Traceback (most recent call last):
    ...
    pipeline.records.Rejected: not_an_article: 5 of 5 lines are teasers of other pages
    """
    text_lines = [line for line in lines if line.strip()]
    if len(text_lines) < TEASERS_MIN:
        return
    # More lines than this that are not teasers, and the page cannot be a section front:
    # most articles tell after a few lines, which spares asking the markup of the rest.
    misses = len(text_lines) - math.ceil(TEASER_SHARE * len(text_lines))
    teasers = _teaser_lines(markup, text_lines, misses)
    if teasers is None:
        return
    words = sum(len(line.split()) for line in text_lines)
    if (
        len(teasers) >= TEASERS_MIN
        and len(teasers) >= TEASER_SHARE * len(text_lines)
        and sum(len(line.split()) for line in teasers) >= TEASER_SHARE * words
    ):
        detail = f"{len(teasers)} of {len(text_lines)} lines are teasers of other pages"
        raise Rejected(Reason.NOT_AN_ARTICLE, detail)


def _teaser_lines(markup: Markup, lines: list[str], misses: int) -> list[str] | None:
    """Lines of teasers: lines that open with a linked headline, the unlinked line under a
    short linked headline (the teaser's sentence as its own paragraph), and, in a short
    text, a line whose element follows a linked headline the extractor dropped. None as
    soon as more than ``misses`` lines are not teasers."""
    short = sum(len(line.split()) for line in lines) <= SHORT_TEXT_WORDS
    teasers: list[str] = []
    headline = False
    for line in lines:
        if markup.opens_with_link(line, HEADLINE_MIN_WORDS):
            teasers.append(line)
            headline = len(line.split()) <= HEADLINE_WORDS
            continue
        if headline or (short and markup.under_linked_headline(line)):
            teasers.append(line)
        elif misses == 0:
            return None
        else:
            misses -= 1
        headline = False
    return teasers
