"""A title for an article that has none: its first sentence, shortened.

Text files and JSONL lines often carry no headline (the seed articles do not), and a page
that shows a file path where a title belongs reads like a directory listing. The derived
title is stored apart from the title (``articles.derived_title``), so the data says which
titles are the page's own; pages, reports and exports show the title, else the derived one.
"""

from __future__ import annotations

import re

MAX_CHARS = 90
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")


def derived_title(text: str) -> str | None:
    """The text's first sentence, cut at a word boundary to at most ``MAX_CHARS``.

    >>> derived_title("Mr Putin flew to Syria on Monday. He met Mr Assad.")
    'Mr Putin flew to Syria on Monday.'
    >>> derived_title("The council " + "met again and again " * 9 + "on Monday.")
    'The council met again and again met again and again met again and again met again and…'
    """
    first = text.strip().split("\n", 1)[0]
    sentence = _SENTENCE_END.split(first, 1)[0].strip()
    if len(sentence) <= MAX_CHARS:
        return sentence or None
    cut = sentence[: MAX_CHARS + 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-–— ") + "…"
