"""Drop hover cards from the page before extraction: text that only shows on mouse-over.

Some sites put a card inside the sentence that names a person or a company, shown when the
reader points at the name: The Hill follows "Rep. Ilhan Omar" with her photo, her name again
and the headlines of three other stories, all inside the paragraph. The extractor cannot
tell the card from the sentence, so the paragraph read "Rep. Ilhan OmarIlhan OmarHillicon
Valley: Progressives oppose funding bill ...", and a line rule cannot cut the middle of a
paragraph. Such cards (tooltips, popovers, hover cards, rollovers) are never article text.

Only the card's own box goes (a class naming a tooltip, popover, hover card or rollover
*and* its block, card, content, body, inner part, text or popup): the wrapper around the
name and the card holds the name itself, which stays.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

_CARD_CLASS = re.compile(
    r"(tooltip|popover|hover-?card|rollover)[-_a-z]*?(block|card|content|body|inner|text|popup)\b",
    re.I,
)
_HINTS = ("tooltip", "popover", "hover", "rollover")


def drop_hover_cards(tree: HtmlElement) -> int:
    """Remove every hover card's box (keeping the text after it); return how many."""
    cards = [
        element
        for element in tree.iter("span", "div", "aside")
        if is_card((element.get("class") or "").lower())
    ]
    for card in cards:
        card.drop_tree()
    return len(cards)


def is_card(name: str) -> bool:
    """Whether a class attribute (in lower case) names a hover card's box."""
    # plain substring tests first: this runs on every class attribute of a page
    return any(hint in name for hint in _HINTS) and _CARD_CLASS.search(name) is not None
