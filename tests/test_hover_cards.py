"""Hover cards inside a sentence are not article text (pipeline/extract/hover_cards.py)."""

from __future__ import annotations

import lxml.html

from pipeline.extract.hover_cards import drop_hover_cards
from tests.conftest import extract_benchmark_page

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
    _, result = extract_benchmark_page(THE_HILL_OMAR)
    assert "threatened to kill Rep. Ilhan Omar (D-Minn.)" in result.text
    assert "Hillicon Valley" not in result.text
