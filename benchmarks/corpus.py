"""Real pages for tests and benchmarks: the article-extraction benchmark, and re-publishing.

``benchmarks/data/article-extraction-benchmark`` holds 181 real pages and their reference
article bodies (MIT, Scrapinghub). ``transplant`` puts one article's paragraphs into another
page's template (its header, menus, sidebars and footer stay), which is what a syndicated
copy of a wire story on another site looks like to an extractor.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import html as lxml_html

BENCHMARK = Path(__file__).parent / "data" / "article-extraction-benchmark"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class BenchPage:
    """One benchmark page: raw HTML, the reference body and the original URL."""

    id: str
    html: str
    body: str
    url: str

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n") if p.strip()]


@lru_cache(maxsize=1)
def _truth() -> dict:
    return json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))


def page_ids() -> list[str]:
    return sorted(_truth())


def load(page_id: str) -> BenchPage:
    with gzip.open(BENCHMARK / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
        html = f.read()
    record = _truth()[page_id]
    return BenchPage(page_id, html, record["articleBody"], record["url"])


def pages() -> Iterator[BenchPage]:
    for page_id in page_ids():
        yield load(page_id)


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _body_elements(tree, reference: str) -> list:
    """Elements of the template whose text is a paragraph of its own reference body."""
    wanted = _squash(reference)
    found = []
    for element in tree.iter("p", "h2", "h3", "blockquote", "li"):
        text = _squash(element.text_content())
        if len(text) > 30 and text in wanted:
            found.append(element)
    return found


def transplant(
    article: BenchPage,
    template: BenchPage,
    paragraphs: list[str] | None = None,
    title: str | None = None,
) -> str:
    """Return the template page's HTML with its article replaced by ``article``'s paragraphs."""
    tree = lxml_html.fromstring(template.html)
    old = _body_elements(tree, template.body)
    if len(old) < 0.9 * len([p for p in template.paragraphs if len(p) > 30]):
        raise ValueError(f"template {template.id[:12]}: its own article could not be removed")
    anchor = old[0]
    parent = anchor.getparent()
    position = parent.index(anchor)
    for element in old:
        if element.getparent() is not None:
            element.getparent().remove(element)
    for offset, text in enumerate(paragraphs or article.paragraphs):
        new = lxml_html.Element("p")
        new.text = text
        parent.insert(position + offset, new)
    _retitle(tree, title or title_of(article))
    return lxml_html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def title_of(page: BenchPage) -> str:
    """The page's headline: og:title, else <title>."""
    tree = lxml_html.fromstring(page.html)
    for meta in tree.iter("meta"):
        if meta.get("property") == "og:title" and meta.get("content"):
            return _squash(meta.get("content"))
    found = tree.find(".//title")
    return _squash(found.text_content()) if found is not None else page.id[:12]


def page_id(prefix: str) -> str:
    """The full benchmark id for a unique prefix."""
    return next(i for i in page_ids() if i.startswith(prefix))


def edited_copies(article: BenchPage) -> list[list[str]]:
    """Three re-publications with small edits: a wire dateline, a trimmed ending, a typo."""
    paragraphs = article.paragraphs
    dateline = ["NEW YORK (AP) — " + paragraphs[0], *paragraphs[1:]]
    trimmed = paragraphs[:-1]
    typo = [p.replace(" the ", " teh ", 1) for p in paragraphs]
    return [dateline, trimmed, typo]


def _retitle(tree, title: str) -> None:
    for element in tree.iter("title", "h1"):
        for child in list(element):
            element.remove(child)
        element.text = title
    for meta in tree.iter("meta"):
        if meta.get("property") in ("og:title", "twitter:title") or meta.get("name") in (
            "twitter:title",
            "title",
        ):
            meta.set("content", title)
