"""What happens to a page before trafilatura: repairs when needed, a date from the whole page."""

from __future__ import annotations

from trafilatura.utils import load_html

from pipeline.extract import html as extract
from pipeline.extract.prepare import needs_preparation
from tests.conftest import extract_benchmark_page

SCIENCEALERT_EUROPA = "14cc2a0c"  # its head has no date; the page shows one in the body


def test_a_page_without_a_date_in_its_head_is_dated_from_the_whole_page() -> None:
    page, result = extract_benchmark_page(SCIENCEALERT_EUROPA)
    head = extract._head_document(load_html(page.html))
    assert extract._find_date(head, None) is None
    assert result.published == "2019-11-18"


def test_only_pages_that_may_need_a_repair_are_parsed_before_trafilatura() -> None:
    dated = '<html><head><meta property="article:published_time" content="2019-11-18">'
    plain = f'{dated}</head><body><div class="article-body"><p>Text.</p></div></body></html>'
    split = plain.replace("</body>", '<div class="article-body"><p>More.</p></div></body>')
    assert not needs_preparation(plain)
    assert needs_preparation(split)
    assert needs_preparation('<span class="rollover-people-block">Card</span>')
    assert not needs_preparation('<span class="tooltip-wrapper">Term</span>')
