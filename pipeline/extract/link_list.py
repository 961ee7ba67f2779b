"""Pages that are lists of links, not articles: a tag page, a site map, a page of headlines.

trafilatura keeps list items, so a page of 5,000 links became a 35,000-word "article".
What gives such a page away is that its extracted lines are the texts of its links: each
line, once list markers and spaces are set aside, is the whole text of one ``<a>`` element.
An article may link a phrase or a headline or two, but its paragraphs are not link texts.
"""

from __future__ import annotations

import re

from pipeline.records import Reason, Rejected

MIN_LINES = 20  # fewer lines: too little to judge (an article's "related" list)
LINK_SHARE = 0.8  # of the text's words in lines that are whole link texts

_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_MARKER = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")


def _key(text: str) -> str:
    return " ".join(_TAG.sub(" ", text).split()).casefold()


def check_link_list(html: str, lines: list[str]) -> None:
    """Raise ``Rejected(not_an_article)`` when the extracted lines are mostly link texts.

    >>> page = "".join(f'<li><a href="/{n}">Story number {n} today</a></li>' for n in range(30))
    >>> check_link_list(page, [f"- Story number {n} today" for n in range(30)])
    Traceback (most recent call last):
    ...
    pipeline.records.Rejected: not_an_article: 30 of 30 lines are link texts (a list of links)
    """
    text_lines = [line for line in lines if line.strip()]
    if len(text_lines) < MIN_LINES:
        return
    anchors = {_key(match) for match in _ANCHOR.findall(html)}
    linked = [line for line in text_lines if _key(_MARKER.sub("", line)) in anchors]
    words = sum(len(line.split()) for line in text_lines)
    if len(linked) >= MIN_LINES and sum(len(line.split()) for line in linked) >= LINK_SHARE * words:
        detail = f"{len(linked)} of {len(text_lines)} lines are link texts (a list of links)"
        raise Rejected(Reason.NOT_AN_ARTICLE, detail)
