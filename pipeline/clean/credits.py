"""Syndication credits: who a copy says the article came from.

A credit is read from the furniture lines the cleaner removed ("Source: BBC", "This article
originally appeared on Wired", "The post ... appeared first on Caasimada Online") and from a
wire dateline at the start of the body ("WASHINGTON (AP) —"). Lines that name the origin
win over "appeared first on", which names the site the copy was taken from.
"""

from __future__ import annotations

import re

from pipeline.records import Page

_WIRE = re.compile(
    r"^[A-Z][\w .,'’-]{0,40}?\(?\b(AP|Reuters|AFP|Bloomberg|UPI|dpa|PA|Xinhua|TASS|SANA)\b\)?"
    r"\s*[-—–]",
)
_PATTERNS = (
    ("source_credit", re.compile(r"^source\s*:\s*(?P<name>.+?)\.?$", re.I)),
    (
        "originally_appeared",
        re.compile(r"originally (?:appeared|published) (?:on|in|at) (?P<name>.+?)\.?$", re.I),
    ),
    ("appeared_first", re.compile(r"appeared first on (?P<name>.+?)\.?$", re.I)),
)
MAX_CREDIT_WORDS = 5


def credit_of(page: Page) -> str | None:
    """The outlet a copy credits, or None.

    >>> from pipeline.records import Page, Removed
    >>> page = Page("x", b"", "text", "h", text="LONDON (Reuters) - Shares fell.")
    >>> credit_of(page)
    'Reuters'
    >>> page.removed = [Removed("Source: BBC", "source_credit")]
    >>> credit_of(page)
    'BBC'
    """
    found = {}
    for item in page.removed:
        for rule, pattern in _PATTERNS:
            match = pattern.search(item.line) if item.rule == rule else None
            name = match.group("name").strip() if match else ""
            if name and len(name.split()) <= MAX_CREDIT_WORDS:
                found.setdefault(rule, name)
    wire = _WIRE.match(page.text[:80])
    if wire:
        found.setdefault("wire", wire.group(1))
    for rule in ("source_credit", "originally_appeared", "wire", "appeared_first"):
        if rule in found:
            return found[rule]
    return None
