"""``pipeline/extract/fast.py`` gives the text trafilatura's own fast mode gives, with fewer
copies of the page: checked on real pages, so a trafilatura upgrade that changes its sequence
fails here rather than silently changing what we store."""

from __future__ import annotations

from copy import deepcopy

import pytest
import trafilatura
from lxml import etree
from trafilatura.utils import load_html

from benchmarks import corpus
from pipeline.extract.fast import fast_text, options_for
from pipeline.extract.html import _TRAFILATURA_CONFIG


def _theirs(tree, url: str | None) -> str:
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=True,
        include_comments=False,
        deduplicate=False,
        with_metadata=False,
        include_tables=True,
        config=_TRAFILATURA_CONFIG,
    )
    return (document.text or "") if document is not None else ""


@pytest.mark.parametrize("number", range(0, 181, 6))
def test_the_text_is_trafilaturas_fast_mode_text(number: int) -> None:
    page = corpus.load(corpus.page_ids()[number])
    tree = load_html(page.html)
    before = etree.tostring(tree)
    ours, _ = fast_text(tree, options_for(_TRAFILATURA_CONFIG), page.url)
    assert etree.tostring(tree) == before  # our tree is left as it was
    assert ours == _theirs(deepcopy(tree), page.url)


def test_a_short_page_is_rescued_and_a_thin_one_retried_as_trafilatura_does() -> None:
    """The two later stages: the baseline rescue of a too-short extraction, and the recall
    retry of one that covers little of the page."""
    short = "<html><body><div><span>Only a few words here.</span></div></body></html>"
    paragraphs = "".join(
        f"<div class='c'><div>Paragraph {n} of a long story about the harbour bridge and what"
        " the council decided about its cost on Monday.</div></div>"
        for n in range(40)
    )
    teaser = "A short teaser of the story, which the page then tells at length below. " * 4
    thin = f"<html><body><article><p>{teaser}</p></article>{paragraphs}"
    for html in (short, thin + "</body></html>"):
        tree = load_html(html)
        assert fast_text(tree, options_for(_TRAFILATURA_CONFIG), None).text == _theirs(tree, None)
