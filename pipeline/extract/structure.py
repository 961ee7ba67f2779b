"""What the page's HTML says about an extracted line: is it link text, or page furniture?

The cleaner's shape rules (a run of short lines is a menu, a closing list of teasers is a
list of other stories) guess from a flattened line. On pages they were not written for they
also took ingredient lists, rankings, spec sheets and Chinese prose. An HTML page therefore
answers for its lines: a shape rule removes a line only when the HTML confirms it is
navigation, that is when most of its words are link text, or when its text sits inside
``nav``, ``aside``, ``footer``, ``menu``, ``select`` or ``button`` elements, or elements
whose class or id names a menu, a sidebar, a share bar or a list of related stories.

The page is parsed only when a rule first asks (most pages have no candidate lines), and
never for plain text files, which keep the text rules.
"""

from __future__ import annotations

import re
from collections import defaultdict

from lxml.html import HtmlElement
from trafilatura.utils import load_html

# Share of a line's words that must be link text for the line to count as a link.
LINK_SHARE = 0.5
# A container whose text is more than this share of the page's text is the page's frame
# (``<body class="has-sidebar">``), not furniture inside it.
FRAME_SHARE = 0.3
_FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "menu", "select", "button"})
_FURNITURE_NAME = re.compile(
    r"(?:^|[\s_-])(nav|navbar|navigation|menu|breadcrumbs?|footer|sidebar|share|sharing"
    r"|social|related|widget|pagination|tags|tagcloud|teasers?|promo)(?:$|[\s_-])",
    re.I,
)
_MARKER = re.compile(r"^\s*(?:[-*•·|]|\d+[.)])\s+")
_WORD = re.compile(r"\w+")
_MAX_ITEM = 300  # characters: longer texts inside furniture are not single entries


def words(text: str) -> tuple[str, ...]:
    """Lower-case word tokens: how lines and link texts are compared."""
    return tuple(_WORD.findall(text.casefold()))


class Structure:
    """The link texts and furniture texts of one HTML page, read on first use."""

    def __init__(self, html: str) -> None:
        self._html = html
        self._links: dict[str, list[tuple[str, ...]]] | None = None
        self._furniture: set[tuple[str, ...]] = set()

    def confirms(self, line: str) -> bool:
        """Whether the HTML says this line is navigation: mostly link text, or furniture.

        >>> page = Structure('<nav><a href="/">Home</a></nav><p>The mayor <a>spoke</a>.</p>')
        >>> page.confirms("Home"), page.confirms("The mayor spoke.")
        (True, False)
        """
        self._read()
        tokens = words(_MARKER.sub("", line))
        if not tokens:
            return False
        return tokens in self._furniture or self._covered(tokens) >= LINK_SHARE

    def link_share(self, line: str) -> float:
        """Share of the line's words covered by the text of some link on the page.

        >>> page = '<p>Sport</p><li><a href="/a">Spurs fire coach</a> He led them to a final</li>'
        >>> round(Structure(page).link_share("- Spurs fire coach He led them to a final"), 2)
        0.33
        """
        self._read()
        tokens = words(_MARKER.sub("", line))
        return self._covered(tokens) if tokens else 0.0

    def opens_with_link(self, line: str) -> bool:
        """Whether the line starts with the text of a link (a teaser's linked headline).

        >>> page = '<p>Sport</p><li><a href="/a">Spurs fire coach</a> He led them</li>'
        >>> Structure(page).opens_with_link("- Spurs fire coach He led them")
        True
        """
        self._read()
        assert self._links is not None
        tokens = words(_MARKER.sub("", line))
        links = self._links.get(tokens[0], ()) if tokens else ()
        return any(tokens[: len(link)] == link for link in links)

    def _covered(self, tokens: tuple[str, ...]) -> float:
        assert self._links is not None
        covered = [False] * len(tokens)
        for start, token in enumerate(tokens):
            for link in self._links.get(token, ()):
                if tokens[start : start + len(link)] == link:
                    covered[start : start + len(link)] = [True] * len(link)
                    break
        return sum(covered) / len(tokens)

    def _read(self) -> None:
        if self._links is not None:
            return
        self._links = defaultdict(list)
        tree = load_html(self._html)
        if tree is None:
            return
        for anchor in tree.iter("a"):
            tokens = words(anchor.text_content())
            if tokens:
                self._links[tokens[0]].append(tokens)
        for found in self._links.values():
            found.sort(key=len, reverse=True)  # the longest link at a position covers most
        self._furniture = _furniture_texts(tree)


def _furniture_texts(tree: HtmlElement) -> set[tuple[str, ...]]:
    """Word tuples of every short text inside a furniture container."""
    body = tree.find("body")
    total = len((body if body is not None else tree).text_content()) or 1
    found: set[tuple[str, ...]] = set()
    for element in tree.iter():
        if not isinstance(element.tag, str) or not _is_furniture(element):
            continue
        if len(element.text_content()) > FRAME_SHARE * total:
            continue
        for inner in element.iter():
            if isinstance(inner.tag, str):
                text = inner.text_content()
                if len(text) <= _MAX_ITEM and (tokens := words(text)):
                    found.add(tokens)
    return found


def _is_furniture(element: HtmlElement) -> bool:
    if element.tag in _FURNITURE_TAGS or element.get("role") == "navigation":
        return True
    names = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(names.strip()) and bool(_FURNITURE_NAME.search(names))
