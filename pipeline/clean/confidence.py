"""How far to trust an article's extraction: one number a user can filter on.

Three signals, each known after cleaning, multiplied:

* length: an extraction shorter than ``FULL_WORDS`` words is often a teaser or a fragment
  of the page rather than its article;
* furniture share: when the cleaner had to remove much of what the extractor kept, the
  extractor took in the page around the article too, and more of it may be left;
* agreement: when a short extraction made trafilatura's full mode run as well
  (``pipeline/extract/html.py``), how much the two texts share.

``benchmarks/extraction.py`` prints the F1 of our pages below and above 0.5 on both
development sets, which is how the signals were checked (0.80 against 0.94 on the second).
A fast extraction with a large furniture share also gets a second look in trafilatura's
full mode (``pipeline/run/process.py``).
"""

from __future__ import annotations

from pipeline.clean.length import article_length
from pipeline.records import Page

FULL_WORDS = 100


def confidence(page: Page) -> float:
    """A number from 0 (doubtful) to 1 for the cleaned page.

    >>> page = Page("a", b"", "html", "h", text=" ".join(["word"] * 200))
    >>> confidence(page)
    1.0
    """
    score = min(1.0, article_length(page.text) / FULL_WORDS) * (1.0 - furniture_share(page))
    if page.agreement is not None:
        score *= page.agreement
    return round(score, 2)


def furniture_share(page: Page) -> float:
    """Share of the extracted words that the cleaner removed (1.0 when nothing was found).

    >>> from pipeline.records import Removed
    >>> page = Page("a", b"", "html", "h", text="one two three",
    ...             removed=[Removed("Share this", "share_prompt")])
    >>> furniture_share(page)
    0.4
    """
    kept = article_length(page.text)
    removed = sum(article_length(item.line) for item in page.removed)
    return removed / (kept + removed) if kept + removed else 1.0
