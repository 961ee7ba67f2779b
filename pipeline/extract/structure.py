"""What the page's HTML says about an extracted line: is it link text, or page furniture?

The cleaner's shape rules (a run of short lines is a menu, a closing list of teasers is a
list of other stories) guess from a flattened line. On pages they were not written for they
also took ingredient lists, rankings, spec sheets and Chinese prose. An HTML page therefore
answers for its lines: a shape rule removes a line only when the HTML confirms it is
navigation, that is when most of its words are link text, or when its text sits inside
``nav``, ``aside``, ``footer``, ``menu``, ``select`` or ``button`` elements, or elements
whose class or id names a menu, a sidebar, a share bar or a list of related stories.

Link texts, and the page's class and id values, are read from the tree when a line is first
asked about; containers are looked for only when a candidate line needs them, and a kind's
class patterns are tried only on pages whose values hold one of its hint words. The tree is
the one the extract stage parsed (parsed here only when there is none), read and never
changed. Plain text files have no markup and keep the text rules.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

# Share of a line's words that must be link text for the line to count as a link.
LINK_SHARE = 0.5
# A container whose text is more than this share of the page's text is the page's frame
# (``<body class="has-sidebar">``), not furniture inside it.
FRAME_SHARE = 0.3
_FURNITURE_NAME = re.compile(
    r"(?:^|[\s_-])(nav|navbar|navigation|menu|breadcrumbs?|footer|sidebar|share|sharing"
    r"|social|related|widget|pagination|tags|tagcloud|teasers?|promo)(?:$|[\s_-])",
    re.I,
)
# Video players and photo galleries: their controls and captions are widget text.
_PLAYER_NAME = re.compile(r"(?:^|[\s_-])(vjs|video-js|jwplayer|jw-[a-z-]+)(?:$|[\s_-])", re.I)
_GALLERY_NAME = re.compile(r"gallery|slideshow|carousel|lightbox|swiper", re.I)
_BOX_NAME = re.compile(r"disclosure|affiliate|author[-_]?(bio|box)|about[-_]?the[-_]?author", re.I)
_CAPTION_NAME = re.compile(r"caption|credit|copyright", re.I)
_CLASS_AND_ID = etree.XPath("//@class|//@id", smart_strings=False)
_ROLE = etree.XPath("//@role", smart_strings=False)
_MARKER = re.compile(r"^\s*(?:[-*•·|]|\d+[.)])\s+")
_WORD = re.compile(r"\w+")
# Finding a line's element: blocks of up to _MAX_BLOCK characters, keyed by their first
# _KEY_WORDS words.
_BLOCK_TAGS = ("p", "div", "span", "li", "td", "dd", "section", "article")
_MAX_BLOCK = 2000
_KEY_WORDS = 8
_HEADLINE_WORDS = 20
# At most this many class or id values per kind are looked for (a hostile page can have
# thousands; a real page's furniture is named by a few).
_MAX_VALUES = 200


def words(text: str) -> tuple[str, ...]:
    """Lower-case word tokens: how lines and link texts are compared."""
    return tuple(_WORD.findall(text.casefold()))


class Structure:
    """The link texts and furniture texts of one HTML page, read on first use."""

    def __init__(self, html: str, tree: HtmlElement | None = None) -> None:
        """``tree``: the page already parsed, if it was (it is read, never changed)."""
        self._html = html
        self._links: dict[str, list[tuple[str, ...]]] | None = None
        self._containers: dict[str, _Containers] = {}
        self._page_words: str | None = None
        self._tree: HtmlElement | None = tree
        self._values: tuple[set[str], str, frozenset[str]] | None = None
        self._by_start: dict[tuple[str, ...], HtmlElement] | None = None
        self._line_tokens: dict[str, tuple[str, ...]] = {}

    def _tokens(self, line: str) -> tuple[str, ...]:
        """The line's words, list marker aside; kept, since the cleaner asks several
        questions of each line (a millisecond a page when they were read again each time)."""
        tokens = self._line_tokens.get(line)
        if tokens is None:
            tokens = self._line_tokens[line] = words(_MARKER.sub("", line))
        return tokens

    def confirms(self, line: str) -> bool:
        """Whether the HTML says this line is navigation: mostly link text, or furniture.

        >>> page = Structure('<nav><a href="/">Home</a></nav><p>The mayor <a>spoke</a>.</p>')
        >>> page.confirms("Home"), page.confirms("The mayor spoke.")
        (True, False)
        """
        tokens = self._tokens(line)
        if not tokens:
            return False
        return self._covered(tokens) >= LINK_SHARE or self._inside("furniture", line)

    def link_share(self, line: str) -> float:
        """Share of the line's words covered by the text of some link on the page.

        >>> page = '<p>Sport</p><li><a href="/a">Spurs fire coach</a> He led them to a final</li>'
        >>> round(Structure(page).link_share("- Spurs fire coach He led them to a final"), 2)
        0.33
        """
        tokens = self._tokens(line)
        return self._covered(tokens) if tokens else 0.0

    def opens_with_link(self, line: str, min_words: int = 1) -> bool:
        """Whether the line starts with the text of a link of at least ``min_words`` words
        (a teaser's linked headline).

        >>> page = '<p>Sport</p><li><a href="/a">Spurs fire coach</a> He led them</li>'
        >>> Structure(page).opens_with_link("- Spurs fire coach He led them")
        True
        """
        tokens = self._tokens(line)
        links = self._link_texts().get(tokens[0], ()) if tokens else ()
        return any(len(link) >= min_words and tokens[: len(link)] == link for link in links)

    def only_linked(self, line: str) -> bool:
        """Whether the line's text stands on the page only as link text: not also as a
        heading or paragraph of its own that a table of contents links to.

        >>> page = Structure('<html><body><a href="#eggs">When do hens lay eggs?</a><h2>When '
        ...                  'do hens lay eggs?</h2><p>From about five months.</p></body></html>')
        >>> page.only_linked("When do hens lay eggs?")
        False
        """
        tokens = self._tokens(line)
        if not tokens:
            return False
        anchors = self._link_texts().get(tokens[0], ())
        as_link = sum(link == tokens for link in anchors)
        if not as_link:
            return True  # covered by links, not one link's text: a teaser with a label
        return _count(self._words_of_page(), tokens) <= as_link

    def is_link(self, line: str) -> bool:
        """Whether the line (list marker aside) is the whole text of one link."""
        tokens = self._tokens(line)
        return bool(tokens) and tokens in self._link_texts().get(tokens[0], ())

    def _covered(self, tokens: tuple[str, ...]) -> float:
        links = self._link_texts()
        covered = [False] * len(tokens)
        for start, token in enumerate(tokens):
            for link in links.get(token, ()):
                if tokens[start : start + len(link)] == link:
                    covered[start : start + len(link)] = [True] * len(link)
                    break
        return sum(covered) / len(tokens)

    def _link_texts(self) -> dict[str, list[tuple[str, ...]]]:
        """Every link's words, by first word, longest first (it covers most at a position).
        Read from the parsed page's ``<a>`` elements: a quarter of the cost of a regular
        expression over the HTML text, and entities and nested tags come out as the
        parser reads them."""
        if self._links is None:
            self._links = defaultdict(list)
            tree = self._parsed()
            for anchor in tree.iter("a") if tree is not None else ():
                if tokens := words(" ".join(anchor.itertext())):
                    self._links[tokens[0]].append(tokens)
            for found in self._links.values():
                found.sort(key=len, reverse=True)
        return self._links

    def under_linked_headline(self, line: str) -> bool:
        """Whether the line's element comes right after a short linked headline: the
        sentence of a teaser whose headline the extractor dropped.

        >>> page = Structure('<div><h2><a href="/a">Storm closes the road</a></h2>'
        ...                  '<p>Drivers are told to avoid it.</p></div>')
        >>> page.under_linked_headline("Drivers are told to avoid it.")
        True
        """
        tokens = self._tokens(line)
        element = self._blocks().get(tokens[:_KEY_WORDS]) if tokens else None
        # up through wrappers that hold this text alone, to the element with siblings
        while element is not None:
            before = element.getprevious()
            if before is not None and _linked_headline(before):
                return True
            parent = element.getparent()
            if parent is None or words(parent.text_content()) != words(element.text_content()):
                return False
            element = parent
        return False

    def in_caption(self, line: str) -> bool:
        """Whether the line is the text of (or inside) a figure caption.

        >>> story = "<p>The harbour reopened on Monday after a year of repairs.</p>" * 3
        >>> page = Structure('<figure><img src="a.jpg"><figcaption>The quay at dawn / '
        ...                  'Jane Roe</figcaption></figure>' + story)
        >>> page.in_caption("The quay at dawn / Jane Roe"), page.in_caption("The harbour")
        (True, False)
        """
        return self._inside("caption", line)

    def in_media_widget(self, line: str) -> bool:
        """Whether the line is text of a video player's controls ("This is a modal
        window.", "descriptions off, selected") and appears nowhere else on the page.

        Most pages have no player, which a scan of the HTML text tells without parsing it.
        """
        return self._only_inside("player", line)

    def in_gallery(self, line: str) -> bool:
        """Whether the line is text of a photo gallery or slideshow, and nowhere else."""
        return self._only_inside("gallery", line)

    def in_box(self, line: str) -> bool:
        """Whether the line is text of an affiliate disclosure or an author's biography box
        and nowhere else on the page. (Opinion disclaimers belong to the piece; paywall and
        newsletter classes also wrap whole articles, so neither counts.)"""
        return self._only_inside("box", line)

    def _inside(self, kind: str, line: str) -> bool:
        """Whether the line's words stand inside a container of this kind."""
        inside = self._of_kind(kind).words
        tokens = self._tokens(line) if inside else ()
        return bool(tokens) and f" {' '.join(tokens)} " in inside

    def _only_inside(self, kind: str, line: str) -> bool:
        """Whether the line's words stand inside a container of this kind and nowhere else."""
        if not self._inside(kind, line):
            return False
        tokens = self._tokens(line)
        return _count(self._words_of_page(), tokens) <= _count(self._of_kind(kind).words, tokens)

    def _words_of_page(self) -> str:
        if self._page_words is None:
            tree = self._parsed()
            self._page_words = _joined([tree]) if tree is not None else ""
        return self._page_words

    def _of_kind(self, kind: str) -> _Containers:
        """The page's containers of a kind: elements of its tags or roles, or whose class or
        id value names it. The values are matched against the kind's pattern only when the
        page's values hold one of its hint words (most pages have no player, no gallery)."""
        if kind not in self._containers:
            found = _KINDS[kind]
            tree = self._parsed()
            select = None
            if tree is not None:
                values, joined, present = self._attributes()
                hinted = not found.hints or any(hint in joined for hint in found.hints)
                names = sorted(v for v in values if found.names.search(v)) if hinted else []
                select = found.selector(names, present)
            self._containers[kind] = _Containers(tree if select else None, select)
        return self._containers[kind]

    def _attributes(self) -> tuple[set[str], str, frozenset[str]]:
        """Every distinct class and id value of the page, the same joined (for hint words),
        and which of the kinds' tags and ARIA roles the page has: read from the tree once."""
        if self._values is None:
            tree = self._parsed()
            values = set(_CLASS_AND_ID(tree)) - {""}
            present = {element.tag for element in tree.iter(*_KIND_TAGS)}
            present |= {f"role={role}" for role in _ROLE(tree)}
            self._values = (values, "\n".join(values), frozenset(present))
        return self._values

    def _blocks(self) -> dict[tuple[str, ...], HtmlElement]:
        """Text blocks of the page by their first words (the first block wins)."""
        if self._by_start is None:
            self._by_start = {}
            tree = self._parsed()
            for element in tree.iter(*_BLOCK_TAGS) if tree is not None else ():
                text = element.text_content()
                if len(text) <= _MAX_BLOCK and (tokens := words(text)):
                    self._by_start.setdefault(tokens[:_KEY_WORDS], element)
        return self._by_start

    def _parsed(self) -> HtmlElement | None:
        if self._tree is None:
            self._tree = load_html(self._html)
        return self._tree


class _Containers:
    """The words of a page's containers of one kind (furniture, captions, players,
    galleries, boxes): the outermost of each nest, less any as large as a share of the page
    that makes it the page's frame rather than something inside it."""

    def __init__(self, tree: HtmlElement | None, select: _Selector | None) -> None:
        self.words = ""
        found = select.find(tree) if tree is not None and select else []
        if not found:
            return
        body = tree.find("body")
        total = len((body if body is not None else tree).text_content()) or 1
        chosen: set[HtmlElement] = set()
        for element in found:  # document order: an outer container comes first
            if any(ancestor in chosen for ancestor in element.iterancestors()):
                continue
            if len(element.text_content()) <= FRAME_SHARE * total:
                chosen.add(element)
        self.words = _joined(chosen)


def _count(text: str, tokens: tuple[str, ...]) -> int:
    """How often the words occur in a space-delimited word string, overlaps included."""
    return len(re.findall(f"(?= {re.escape(' '.join(tokens))} )", text))


def _joined(elements: Iterable[HtmlElement]) -> str:
    """The elements' words, space-delimited, each element's apart from the next (text of
    adjacent elements is not run together: "Play" then "descriptions off" stay apart)."""
    return " | ".join(f" {' '.join(words(' '.join(e.itertext())))} " for e in elements)


def _linked_headline(element: HtmlElement) -> bool:
    """A short element whose text is nearly all one link's text (a teaser's headline)."""
    if not isinstance(element.tag, str):
        return False
    text = words(element.text_content())
    if not 3 <= len(text) <= _HEADLINE_WORDS:
        return False
    linked = max((len(words(a.text_content())) for a in element.iter("a")), default=0)
    return linked >= 0.8 * len(text)


@dataclass(frozen=True)
class _Kind:
    """A kind of container: its tags, its ARIA roles, a pattern for the class or id values
    that name it, and words one of which the page's class and id values must hold for them
    to be matched against the pattern at all."""

    tags: tuple[str, ...]
    roles: tuple[str, ...]
    names: re.Pattern[str]
    hints: tuple[str, ...] = ()

    def selector(self, values: list[str], present: frozenset[str]) -> _Selector | None:
        """How to find the page's elements of this kind, or None when it can have none:
        none of its tags and roles on the page (``present``), and no value that names it."""
        tags = frozenset(tag for tag in self.tags if tag in present)
        roles = frozenset(role for role in self.roles if f"role={role}" in present)
        names = frozenset(values[:_MAX_VALUES])
        return _Selector(tags, roles, names) if tags or roles or names else None


@dataclass(frozen=True)
class _Selector:
    """Elements by tag, ARIA role, or a class or id value among ``names``.

    One XPath with a predicate per value was evaluated on every element: 40-66 ms on pages
    naming 100-270 menu, share and widget classes. Here the XPath only gathers the elements
    that have a class or id (or a tag or role of the kind), in document order, and the
    values are looked up in a set."""

    tags: frozenset[str]
    roles: frozenset[str]
    names: frozenset[str]

    def find(self, tree: HtmlElement) -> list[HtmlElement]:
        tests = [f"self::{tag}" for tag in sorted(self.tags)]
        tests += [f"@role='{role}'" for role in sorted(self.roles)]
        tests += ["@class", "@id"] if self.names else []
        return [
            element for element in tree.xpath(f"//*[{' or '.join(tests)}]") if self._is(element)
        ]

    def _is(self, element: HtmlElement) -> bool:
        return (
            element.tag in self.tags
            or element.get("role") in self.roles
            or element.get("class") in self.names
            or element.get("id") in self.names
        )


_KINDS: dict[str, _Kind] = {
    "furniture": _Kind(
        ("nav", "aside", "footer", "menu", "select", "button"), ("navigation",), _FURNITURE_NAME
    ),
    "caption": _Kind(("figure", "figcaption", "caption"), (), _CAPTION_NAME),
    "player": _Kind(
        ("video", "audio"),
        ("menuitemradio", "slider"),
        _PLAYER_NAME,
        ("vjs", "video-js", "jwplayer", "jw-"),
    ),
    "gallery": _Kind(
        (), (), _GALLERY_NAME, ("gallery", "slideshow", "carousel", "lightbox", "swiper")
    ),
    "box": _Kind(
        (),
        (),
        _BOX_NAME,
        ("isclosure", "ffiliate", "uthorbox", "uthorBox", "uthor-b", "uthor_b", "bout-the-author"),
    ),
}
_KIND_TAGS = tuple(sorted({tag for kind in _KINDS.values() for tag in kind.tags}))
