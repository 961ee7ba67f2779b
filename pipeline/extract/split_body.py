"""Join an article body that the page splits into several containers, before extraction.

Some sites cut the story into chunks with advertising or "most popular" boxes between them:
Wired, for one, repeats ``<div class="... article__body ...">`` once per chunk. trafilatura
takes the first container that looks like the article body, so it kept a third of such a
story (recall 0.35 and 0.45 on the two Wired pages of the extraction benchmark). When two or
more elements carry the same class naming an article body and each holds paragraph text,
their contents are moved, in page order, into the first one. When the chunks are siblings,
what stands between them moves along in its place (a pull quote stays between the two
paragraphs around it); otherwise it stays where it was and the extractor judges it as before.

The class must name a story's body (``article__body``, ``story-body``, ``post-content``,
``entry-text``, ``body__container`` ...). Broader names such as ``content`` or ``text``
also mark teasers, comments and widgets, and joining those spoiled good pages in the
benchmark (``benchmarks/extraction.py`` measures both).
"""

from __future__ import annotations

import re
from collections import defaultdict

from lxml.html import HtmlElement

_BODY_CLASS = re.compile(
    r"(article|story|post|entry)[-_]{0,2}(body|content|text)"
    r"|articlebody|storybody|body[-_]{0,2}(container|copy|text)",
    re.I,
)
_MIN_TEXT = 150  # characters of paragraph text that make a container a chunk of the story
# More elements with one body class than this is a listing of teasers (or a hostile page,
# where checking each one's ancestors would cost depth times count), not one story's chunks.
_MAX_CHUNKS = 64


def join_split_bodies(tree: HtmlElement) -> int:
    """Move each split body's later chunks into its first one; return how many were joined."""
    joined = 0
    for chunks in _body_groups(tree):
        first, members = chunks[0], set(chunks)
        holders = set(first.iterancestors())  # a node never moves into its own descendant
        for node in _following(chunks):
            if node in holders:
                continue
            if node in members:
                first.extend(list(node))
                node.drop_tree()  # keeps the text that follows it in the page
            else:
                first.append(node)
        joined += 1
    return joined


def _following(chunks: list[HtmlElement]) -> list[HtmlElement]:
    """What joins the first chunk, in page order: when the chunks are siblings, everything
    from the first to the last (a pull quote between two chunks stays between them); else
    the later chunks alone (what lies between them sits elsewhere in the page)."""
    first, last = chunks[0], chunks[-1]
    if any(chunk.getparent() is not first.getparent() for chunk in chunks):
        return chunks[1:]
    nodes = []
    node = first.getnext()
    while node is not None and (not nodes or nodes[-1] is not last):
        nodes.append(node)
        node = node.getnext()
    return nodes


def _body_groups(tree: HtmlElement) -> list[list[HtmlElement]]:
    """Elements sharing one body-naming class, outermost only, each holding story text."""
    groups: dict[tuple[str, str], list[HtmlElement]] = defaultdict(list)
    for element in tree.iter("div", "section", "article"):
        name = (element.get("class") or "").lower()
        if names_body(name):
            groups[(element.tag, " ".join(name.split()))].append(element)
    found = []
    for elements in groups.values():
        if not 2 <= len(elements) <= _MAX_CHUNKS:
            continue
        members = set(elements)
        outer = [e for e in elements if not any(a in members for a in e.iterancestors())]
        chunks = [e for e in outer if _paragraph_text(e) >= _MIN_TEXT]
        if len(chunks) >= 2:
            found.append(chunks)
    return found


def names_body(name: str) -> bool:
    """Whether a class attribute (in lower case) names a story's body."""
    # plain substring tests first: this runs on every class attribute of a page
    if "body" not in name and "content" not in name and "text" not in name:
        return False
    return "comment" not in name and _BODY_CLASS.search(name) is not None


def _paragraph_text(element: HtmlElement) -> int:
    return sum(len(p.text_content()) for p in element.iter("p"))
