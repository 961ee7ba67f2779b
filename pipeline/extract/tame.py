"""Bound the markup before the parser sees it: an element with thousands of attributes.

libxml2 checks each attribute of an element against all the earlier ones, so its time grows
with the square of their number: 10,000 distinct attributes cost 0.2 s, 20,000 cost 0.8 s,
100,000 keep it busy for minutes, inside one C call that no alarm can interrupt. No real
element has a thousand attributes, and attributes carry no article text, so an element's
attributes beyond ``MAX_ATTRIBUTES`` are dropped from the HTML text before it is parsed.

The check costs next to nothing: a tag of ``2 * WINDOW`` characters or more covers a whole
aligned window of the text with neither ``<`` nor ``>`` in it, which two ``str.find`` calls
per window tell (a few microseconds a page); only such a tag is read and its attributes
counted. A shorter tag holds too few attributes to matter. A hostile page that hides its
attributes from this scan (a ``>`` inside each quoted value) is still bounded, by the page
time limit (``pipeline/run/mapper.py``).
"""

from __future__ import annotations

import re

MAX_ATTRIBUTES = 1000
WINDOW = 4096
_TAG = re.compile(r"<[A-Za-z][^<>]*")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_NAME = re.compile(r"\s+[^\s=\"'<>/]+")


def tame(html: str) -> str:
    """The HTML with every element's attributes beyond ``MAX_ATTRIBUTES`` dropped.

    >>> page = "<p>x</p><div " + " ".join(f"a{n}=1" for n in range(3000)) + ">Text</div>"
    >>> tamed = tame(page)
    >>> tamed.count("="), tamed.endswith(">Text</div>"), tamed.startswith("<p>x</p><div a0=1")
    (1000, True, True)
    >>> tame("<p>short</p>") == "<p>short</p>"
    True
    """
    starts = sorted(_long_tag_starts(html))
    if not starts:
        return html
    pieces, done = [], 0
    for start in starts:
        match = _TAG.match(html, start)
        if match is None or start < done:
            continue
        pieces += [html[done:start], _fewer_attributes(match.group())]
        done = match.end()
    return "".join([*pieces, html[done:]])


def _long_tag_starts(html: str) -> set[int]:
    """Where the tags that may be ``2 * WINDOW`` characters or longer start: before each
    aligned window holding neither ``<`` nor ``>``."""
    starts = set()
    for offset in range(0, len(html) - WINDOW + 1, WINDOW):
        end = offset + WINDOW
        if html.find(">", offset, end) < 0 and html.find("<", offset, end) < 0:
            starts.add(html.rfind("<", 0, offset))
    starts.discard(-1)
    return starts


def _fewer_attributes(tag: str) -> str:
    """A long tag cut before its attribute number ``MAX_ATTRIBUTES`` + 1 (quoted values are
    blanked first, so what they hold is never counted as attributes)."""
    blanked = _QUOTED.sub(lambda quoted: "x" * len(quoted.group()), tag)
    for number, name in enumerate(_NAME.finditer(blanked)):
        if number == MAX_ATTRIBUTES:
            return tag[: name.start()]
    return tag
