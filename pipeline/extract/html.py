"""Extract: page bytes to body lines and metadata.

HTML goes through trafilatura with comments off and its own ``deduplicate`` off: its cache is
process-wide, so output would depend on which worker saw which page first. Deduplication is
the cluster stage's job. trafilatura runs in ``fast`` mode (no fallback extractors): on the
article-extraction benchmark it scores higher than the default with our cleaning (F1 0.9824
against 0.9779, ``benchmarks/extraction.py --modes``, 2026-12-03) and costs less. Only a doubtful
extraction runs the full mode too: one under 100 words or one rejected as a list of teasers
on a page that holds more (here), or one the cleaner found full of furniture
(``pipeline/run/process.py``). Tables that lay out the page are read as blocks first
(``pipeline/extract/layout.py``). Text files are split into lines; their
headline is picked after the cleaner has removed furniture above it (``take_headline``).
"""

from __future__ import annotations

import re
import unicodedata
from configparser import ConfigParser
from contextlib import suppress
from copy import deepcopy
from urllib.parse import urlsplit

import trafilatura
from htmldate import find_date
from lxml.etree import LxmlError
from lxml.html import Element, HtmlElement
from trafilatura.metadata import (
    examine_meta,
    examine_title_element,
    extract_meta_json,
    extract_url,
)
from trafilatura.settings import use_config
from trafilatura.utils import load_html

from pipeline.clean.length import article_length
from pipeline.extract.decode import decode
from pipeline.extract.fast import fast_text, options_for
from pipeline.extract.layout import unfold_layout_tables
from pipeline.extract.link_list import check_link_list, check_teaser_list
from pipeline.extract.prepare import needs_preparation, prepare
from pipeline.extract.structure import Structure
from pipeline.extract.tame import tame
from pipeline.records import Page, Reason, Rejected

_HTML_LANG = re.compile(r"<html[^>]*\slang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
_SENTENCE_END = ".!?…:;,\"'”’)"
_MAX_TREE_SIZE = 200_000


def _trafilatura_config() -> ConfigParser:
    """trafilatura's settings with a bound on the DOM size, so a giant page cannot stall us."""
    config = use_config()
    config["DEFAULT"]["MAX_TREE_SIZE"] = str(_MAX_TREE_SIZE)
    return config


_TRAFILATURA_CONFIG = _trafilatura_config()
_FAST_OPTIONS = options_for(_TRAFILATURA_CONFIG)
# trafilatura's mode, chosen with ``python -m benchmarks.extraction --modes``.
EXTRACTION_MODE: dict[str, bool] = {"fast": True}
METHOD = "trafilatura_fast"
FALLBACK_METHOD = "trafilatura_full"
# An extraction shorter than this many words, and than this share of the page's cleaned
# text, runs trafilatura's full mode as well (``_doubtful``).
FALLBACK_BELOW_WORDS = 100
FALLBACK_PAGE_SHARE = 0.1
# A fast extraction rejected as a list of teasers, on a page whose cleaned text is this many
# times longer, gets a second look in full mode: fast mode may have taken a sidebar.
SECOND_LOOK_PAGE_TIMES = 3


def extract(page: Page, full: bool = False) -> Page:
    """Fill ``lines`` and metadata from the raw body; raise ``Rejected`` for unusable pages.
    ``full``: use trafilatura's full mode from the start (a second look at a page whose
    fast extraction the cleaner found full of furniture, ``pipeline/run/process.py``).

    Text is put in Unicode's canonical composed form (NFC): one letter written as one code
    point or as a base and a combining mark is the same text, and a search for it must find
    it either way (Bengali pages mix both spellings of য়)."""
    text = decode(page.body, page.charset)
    page.replacement_chars = text.count("\ufffd")  # bytes decoded leniently, counted
    if page.kind == "html":
        _extract_html(page, text, full)
    else:
        page.lines = unicodedata.normalize("NFC", text).splitlines()
    return page


def _extract_html(page: Page, html: str, full: bool = False) -> None:
    if not re.search(r"<[a-zA-Z!]", html[:100_000]):
        raise Rejected(Reason.NOT_A_PAGE, "no HTML markup in an .html file")
    html = tame(html)
    source, unjoined = _extraction_input(page, html)
    mode = {} if full else EXTRACTION_MODE
    text, page_chars = _trafilatura(page, source, mode)
    if unjoined is not None:
        other, _ = _trafilatura(page, unjoined, mode)
        text = max(text, other, key=article_length)
    page.method = FALLBACK_METHOD if full else METHOD
    if not full and _doubtful(text, page_chars):
        text = _fall_back(page, source, text)
    if not text.strip():
        raise Rejected(Reason.NO_TEXT, "no article text found in the HTML")
    page.lines = _paragraph_lines(unicodedata.normalize("NFC", text))
    page.structure = Structure(html, source if isinstance(source, HtmlElement) else None)
    try:
        _check_article(page)
    except Rejected:
        if page.method == FALLBACK_METHOD or not _may_hold_more(text, page_chars):
            raise
        if not _second_look(page, source, text):
            raise


def _check_article(page: Page) -> None:
    """Raise ``Rejected(not_an_article)`` for a list of links or of teasers."""
    check_link_list(page.structure, page.lines)
    check_teaser_list(page.structure, page.lines)


def _may_hold_more(text: str, page_chars: int | None) -> bool:
    """Whether the page's cleaned text is much longer than what fast mode took."""
    return page_chars is not None and page_chars >= SECOND_LOOK_PAGE_TIMES * len(text)


def _second_look(page: Page, source: str | HtmlElement, text: str) -> bool:
    """Fast mode took a list of teasers from a page that holds more: a sidebar of headlines
    beside an article it passed over. Full mode's text is taken when it is longer (and is
    checked in turn); False when it is not, and the page stays rejected."""
    full, _ = _trafilatura(page, source, {})
    if article_length(full) <= article_length(text):
        return False
    page.lines = _paragraph_lines(unicodedata.normalize("NFC", full))
    page.method = FALLBACK_METHOD
    _check_article(page)
    return True


def _doubtful(text: str, page_chars: int | None) -> bool:
    """Whether a fast extraction is short enough to doubt: under ``FALLBACK_BELOW_WORDS``
    and, when the page's cleaned text is known, under ``FALLBACK_PAGE_SHARE`` of it. A short
    extraction of a page that holds little more is what the page has: full mode found more
    on 23 of the 24 development pages where it won with fast text under a tenth of the page,
    and on none of 35 pages above it but one (``python -m benchmarks.extraction``)."""
    if article_length(text) >= FALLBACK_BELOW_WORDS:
        return False
    return page_chars is None or len(text) < FALLBACK_PAGE_SHARE * page_chars


def _trafilatura(
    page: Page, source: str | HtmlElement, mode: dict[str, bool]
) -> tuple[str, int | None]:
    """The body text trafilatura finds in ``source`` (text or parsed tree) in ``mode``, and
    the page's cleaned characters when known; in fast mode on a parsed tree, with one copy
    of it (``pipeline/extract/fast.py``)."""
    if mode == EXTRACTION_MODE and isinstance(source, HtmlElement):
        try:
            return fast_text(source, _FAST_OPTIONS, page.url)
        except (ValueError, TypeError):  # what bare_extraction turns into "no text"
            return "", None
        except (RecursionError, LxmlError) as exc:
            raise Rejected(Reason.EXTRACT_ERROR, f"HTML could not be parsed: {exc}") from exc
    try:
        doc = trafilatura.bare_extraction(
            source,
            url=page.url,
            **mode,
            include_comments=False,
            deduplicate=False,
            with_metadata=False,
            include_tables=True,
            config=_TRAFILATURA_CONFIG,
        )
    except (ValueError, TypeError, RecursionError, LxmlError) as exc:
        raise Rejected(Reason.EXTRACT_ERROR, f"HTML could not be parsed: {exc}") from exc
    return ((doc.text or "") if doc is not None else ""), None


def _fall_back(page: Page, source: str | HtmlElement, text: str) -> str:
    """A short extraction is doubtful: trafilatura's full mode runs too (its own extraction
    checked against readability and jusText), and its text is taken when it finds more.

    Measured on both development sets (``benchmarks/extraction.py``): below 100 words the
    full mode's text is better more often than not; above, it more often adds other posts'
    teasers or comments, which is why the fast mode stays the first choice.
    """
    full, _ = _trafilatura(page, source, {})
    page.agreement = agreement(text, full)
    if article_length(full) > article_length(text):
        page.method = FALLBACK_METHOD
        return full
    return text


def agreement(first: str, second: str) -> float:
    """Share of words the two texts have in common (Jaccard on word sets): 1.0 when two
    extractors found the same text, near 0 when they found different parts of the page.

    >>> agreement("the mayor opened the bridge", "the mayor opened the new bridge")
    0.8
    """
    a, b = set(first.casefold().split()), set(second.casefold().split())
    return len(a & b) / len(a | b) if a | b else 1.0


def _extraction_input(page: Page, html: str) -> tuple[str | HtmlElement, HtmlElement | None]:
    """Parse the page once, read its metadata, and say what trafilatura reads: the parsed
    page, repaired when it needs it (``pipeline/extract/prepare.py``); and, when a split body
    was joined, the page before the join (the extraction that finds more is kept).

    The one parse serves the metadata, the repairs, trafilatura (which works on a copy,
    ``pipeline/extract/fast.py``) and the cleaner's structure checks
    (``pipeline/extract/structure.py``)."""
    tree = load_html(html)
    if tree is None:
        page.site = _host(page.url)
        page.language = _html_lang(html)
        return html, None  # trafilatura parses it again and says what is wrong
    _read_metadata(page, html, tree)
    unfold_layout_tables(html, tree)
    unjoined = prepare(tree) if needs_preparation(html) else None
    return tree, unjoined


def _read_metadata(page: Page, html: str, tree: HtmlElement) -> None:
    """Title, author, date, site, canonical URL and language, read before any repair.

    trafilatura's own ``extract_metadata`` scans the whole body for bylines, categories, tags
    and licences; with trafilatura's extraction that made ingest 0.8x as fast as bare
    extraction (``benchmarks/throughput.py``). We keep its meta-tag and JSON-LD readers and
    its URL rules, and take the title from the head (``_head_title``): authors therefore come
    from meta tags and JSON-LD only. htmldate's quick search reads the head's meta tags first
    and, on a page whose head has no date (26 of the benchmark's 181), the page's ``<time>``
    elements, date classes and URL, which date most of them.
    """
    meta = examine_meta(tree)
    with suppress(Exception):  # trafilatura guards its JSON-LD reader the same way
        meta = extract_meta_json(tree, meta)
    page.title = (meta.title or _head_title(tree) or "").strip() or None
    page.author = meta.author if meta.author and " " in meta.author else None
    # The page's own URL is the one it was fetched from, else what it says it is (og:url);
    # its canonical URL is where it points (rel=canonical), which a syndicated copy sets to
    # the original's address.
    page.url = page.url or meta.url or None
    page.canonical_url = _rel_canonical(tree) or meta.url or extract_url(tree, page.url) or None
    page.published = _find_date(_head_document(tree), page.canonical_url) or _find_date(
        tree, page.canonical_url
    )
    page.language = _html_lang(html)
    page.site = (meta.sitename or "").lstrip("@") or _host(page.canonical_url or page.url)


def _head_document(tree: HtmlElement) -> HtmlElement:
    """A document of the page's head and its JSON-LD blocks alone (copies: a few dozen
    elements). htmldate's quick search also reads the body's dates (``<time>``, date
    classes), which on a page that states its date in the head can be a comment's or a
    related story's: the head is asked first, the whole page only when it has none."""
    document = Element("html")
    head = tree.find("head")
    if head is not None:
        document.append(deepcopy(head))
    body = Element("body")
    document.append(body)
    page_body = tree.find("body")
    for block in page_body.iter("script") if page_body is not None else ():
        if block.get("type") == "application/ld+json":
            body.append(deepcopy(block))
    return document


def _head_title(tree: HtmlElement) -> str | None:
    """The ``<title>``, or its part before or after a separator ("Story - Site") when that
    part holds no full stop: trafilatura's title rules as they read the head alone (the
    body's headings are not consulted, so a page's title is what it names itself)."""
    title, first, second = examine_title_element(tree)
    return next((part for part in (first, second) if part and "." not in part), title) or None


def _find_date(tree, url: str | None) -> str | None:
    """htmldate's quick search (no extensive scan of every text node), oldest date first:
    a republished copy's update stamp should not hide when the story first ran."""
    return find_date(tree, extensive_search=False, original_date=True, url=url)


def _rel_canonical(tree) -> str | None:
    """``<link rel="canonical">``: what the page itself names as its original URL (the
    first absolute one; read by walking the ``link`` elements, a tenth of an XPath's cost,
    which was compiled at every call)."""
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical":
            href = (link.get("href") or "").strip()
            if href.startswith(("http://", "https://")):
                return href
    return None


def _paragraph_lines(text: str) -> list[str]:
    """trafilatura puts one paragraph per line; a blank line between them marks paragraphs."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip():
            lines.extend((line, ""))
    return lines[:-1]


def _html_lang(html: str) -> str | None:
    match = _HTML_LANG.search(html[:5000])
    return match.group(1).lower() if match else None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def looks_like_headline(line: str) -> bool:
    """A headline is short and does not end like a sentence.

    >>> looks_like_headline("Vladimir Putin Orders Military Withdrawl from Syria")
    True
    >>> looks_like_headline("Mr Putin was met by Syrian President Bashar al-Assad.")
    False
    """
    words = line.split()
    return 3 <= len(words) <= 30 and not line.rstrip().endswith(tuple(_SENTENCE_END))


def take_headline(page: Page) -> Page:
    """For a text file without a title, a first body line that reads as a headline is the title.

    It runs after cleaning, so furniture above the headline ("Sign in to follow this", a
    forum user name) no longer hides it. The headline leaves the body: it is not article text.
    """
    if page.kind != "text" or page.title:
        return page
    first, _, rest = page.text.partition("\n")
    if looks_like_headline(first):
        page.title = first.strip()
        page.text = rest.strip()
        for item in page.removed:  # one paragraph fewer above those below the headline
            if item.paragraph:
                item.paragraph -= 1
    return page
