"""Decide whether a page needs work on its parsed tree before extraction, and do that work.

Two repairs need the tree: joining an article body split into chunks
(``split_body.py``) and dropping hover cards (``hover_cards.py``). A page
we parse and repair costs more than one trafilatura parses itself: trafilatura copies a tree
it is given (0.6 ms) and the repairs walk the page (``python -m benchmarks.stages`` prints
both). Few pages need either repair, and both are recognised by a class attribute, so
``needs_preparation`` reads the class attributes from the HTML text (0.4 ms) and only the
pages that may need it are parsed here; the others go to trafilatura as text, as before.

The text scan reads ``class="..."`` as most pages write it; a page that spells it otherwise
(upper case, single quotes, no quotes) is extracted as trafilatura alone would, which is
what happened to every page before these repairs existed.
"""

from __future__ import annotations

import re
from collections import Counter
from copy import deepcopy

from lxml.html import HtmlElement

from pipeline.extract.hover_cards import drop_hover_cards, is_card
from pipeline.extract.split_body import join_split_bodies, names_body

_CLASS = re.compile(r'class="([^"]*)"')


def needs_preparation(html: str) -> bool:
    """Whether the page has a hover card, or two elements with one body-naming class.

    >>> needs_preparation('<div class="article__body">1</div><div class="article__body">2')
    True
    >>> needs_preparation('<div class="article__body">1</div><div class="sidebar">2</div>')
    False
    """
    bodies: set[str] = set()
    # each distinct attribute once: a page repeats its classes hundreds of times
    for name, count in Counter(_CLASS.findall(html)).items():
        name = name.lower()
        if is_card(name):
            return True
        if names_body(name):
            key = " ".join(name.split())
            if count > 1 or key in bodies:
                return True
            bodies.add(key)
    return False


def prepare(tree: HtmlElement) -> HtmlElement | None:
    """Drop hover cards and join a split article body, in place. When a body was joined,
    return the page as it was before the join (cards dropped): the join can also leave out
    what stood beside the chunks (a review's pros and cons, its summary), and the extract
    stage keeps whichever of the two extractions finds more."""
    drop_hover_cards(tree)
    before = deepcopy(tree)
    return before if join_split_bodies(tree) else None
