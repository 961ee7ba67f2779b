"""Hover cards inside a sentence are not article text (pipeline/hover_cards.py)."""

from __future__ import annotations

import lxml.html

from benchmarks import corpus
from pipeline.config import Config
from pipeline.hover_cards import drop_hover_cards
from pipeline.process import process_page
from pipeline.records import Page
from pipeline.sources.common import raw_hash

THE_HILL_OMAR = "6ebac05f637e"  # a benchmark page with a card after each member's name


def test_the_card_goes_and_the_name_stays() -> None:
    tree = lxml.html.fromstring(
        '<html><body><p>He threatened Rep. <span class="rollover-people">'
        '<a href="/people/omar">Ilhan Omar</a><span class="rollover-people-block">'
        '<a href="/people/omar">Ilhan Omar</a><a href="/x">Hillicon Valley: a headline</a>'
        "</span></span> in 2019.</p><p>A tooltip-wrapper is kept: "
        '<span class="tooltip-wrapper">term<span class="tooltiptext">a definition</span>'
        "</span>.</p></body></html>"
    )
    assert drop_hover_cards(tree) == 2
    first, second = (p.text_content() for p in tree.iter("p"))
    assert first == "He threatened Rep. Ilhan Omar in 2019."
    assert second == "A tooltip-wrapper is kept: term."


def test_the_hill_paragraphs_read_without_the_cards() -> None:
    page = next(p for p in corpus.pages() if p.id.startswith(THE_HILL_OMAR))
    body = page.html.encode("utf-8")
    result = process_page(
        Page(page.id, body, "html", raw_hash(body), url=page.url), Config(min_words=1)
    )
    assert isinstance(result, Page)
    assert "threatened to kill Rep. Ilhan Omar (D-Minn.)" in result.text
    assert "Hillicon Valley" not in result.text
