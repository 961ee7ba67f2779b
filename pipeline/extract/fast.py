"""trafilatura's fast extraction on the tree we parsed, with one copy of it instead of four.

``trafilatura.bare_extraction`` copies a tree it is given (so the caller's stays whole), then
copies it again to keep the raw page for its later stages, and a third time as a backup for
the comparison with other extractors, which fast mode never runs; measured on the 181
benchmark pages the copies cost 0.9 ms a page. Its last stage, the recall retry for a short
extraction that covers little of the page, measures the page's text with ``html2txt`` (a copy
and a cleaning of the whole page, 3.5 ms) on every extraction under 3,000 characters: half
the pages, for a retry that runs on one page in ten.

Here the page is copied once (our tree stays whole for the structure checks, which read it
later) and that copy is pruned, cleaned, converted and extracted in place, by trafilatura's
own functions in its own order, with its settings. The raw page is copied again only for the
few pages that need it: an extraction too short for trafilatura (its baseline rescue), or one
short enough that the retry may apply. Whether it may is first judged from the text the
cleaning left in the copy, which costs nothing; only then is the page measured as trafilatura
measures it, and its rule applied. ``tests/test_extract.py`` checks the texts against
``bare_extraction`` on real pages.
"""

from __future__ import annotations

from copy import copy
from typing import Any, NamedTuple

from lxml.etree import strip_tags
from lxml.html import HtmlElement
from trafilatura.baseline import baseline, html2txt
from trafilatura.core import (
    ESCALATION_ACCEPT_RATIO,
    ESCALATION_MAX_LENGTH,
    ESCALATION_PAGE_SHARE,
    _forum_thread_page,
)
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

# The cleaned copy's text is at least this share of what ``html2txt`` measures on 98% of the
# development sets' 1,171 pages (median 1.12, 1st percentile 0.39): a page whose cleaned
# text shows the extraction covers ESCALATION_PAGE_SHARE / SLACK of it or more is not
# measured again. With 0.5, html2txt runs on 301 of the pages instead of 597, and every
# extraction is the one trafilatura's own sequence gives (1.0 also gave the same texts).
SLACK = 0.5


def options_for(config: Any) -> Extractor:
    """The settings ``bare_extraction`` builds for fast mode, comments off, tables on."""
    return Extractor(config=config, fast=True, comments=False, tables=True, dedup=False)


class Extraction(NamedTuple):
    """What fast mode found, and how many characters of text the page had once cleaned
    (menus, scripts, forms and footers gone): how much it could have found."""

    text: str
    page_chars: int


def fast_text(tree: HtmlElement, options: Extractor, url: str | None) -> Extraction:
    """The text trafilatura's fast mode extracts from ``tree`` (left unchanged), or ""."""
    work = tree_cleaning(_pruned(copy(tree)), options)
    cleaned_length = len(work.text_content())
    body, text = extract_content(convert_tags(work, options, url), options)
    if len(text) < options.min_extracted_size:
        body, text = _rescued(body, text, _pruned(copy(tree)))
    elif len(text) < ESCALATION_MAX_LENGTH and len(text) < ESCALATION_PAGE_SHARE * (
        cleaned_length / SLACK
    ):
        body, text = _retried(body, text, _pruned(copy(tree)), options, url)
    if options.max_tree_size and len(body) > options.max_tree_size:
        strip_tags(body, "hi")  # as bare_extraction bounds what it returns
        if len(body) > options.max_tree_size:
            return Extraction("", cleaned_length)
    if len(text) < options.min_output_size:
        return Extraction("", cleaned_length)
    return Extraction(xmltotxt(body, options.formatting), cleaned_length)


def _pruned(tree: HtmlElement) -> HtmlElement:
    """What trafilatura removes from the raw page before anything else (comments are off)."""
    tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
    if not _forum_thread_page(tree):
        tree = prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
    return tree


def _rescued(body: Any, text: str, raw: HtmlElement) -> tuple[Any, str]:
    """trafilatura's rescue of a too-short extraction: its baseline over the raw page,
    taken when it finds more."""
    b_body, b_text, b_length = baseline(raw)
    return (b_body, b_text) if b_length > len(text) else (body, text)


def _retried(
    body: Any, text: str, raw: HtmlElement, options: Extractor, url: str | None
) -> tuple[Any, str]:
    """trafilatura's recall retry: when the extraction covers less than its share of the
    page's text, extract again in recall mode and keep that when clearly longer."""
    if not 0 < len(text) < ESCALATION_PAGE_SHARE * len(html2txt(raw)):
        return body, text
    recall = copy(options)
    recall.focus = "recall"
    work = convert_tags(tree_cleaning(copy(raw), recall), recall, url)
    r_body, r_text = extract_content(work, recall)
    if len(r_text) >= options.min_extracted_size and len(r_text) > ESCALATION_ACCEPT_RATIO * len(
        text
    ):
        return r_body, r_text
    return body, text
