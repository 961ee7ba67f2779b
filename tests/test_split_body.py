"""A story split into several body containers is extracted whole (extract/split_body.py)."""

from __future__ import annotations

import lxml.html

from benchmarks.extraction import page_scores
from pipeline.config import Config
from pipeline.extract.split_body import join_split_bodies
from pipeline.records import Page
from pipeline.run.process import process_page
from pipeline.sources.common import raw_hash
from tests.conftest import extract_benchmark_page

WIRED_INSTAGRAM = "d48aeb9cf2f2"  # the benchmark page whose body Wired cuts into chunks
PARAGRAPH = "A sentence long enough to count as the text of a story, written for this test. " * 3


def _page(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


def _paragraphs(tree: lxml.html.HtmlElement) -> list[str]:
    return [p.text_content().split()[0] for p in tree.iter("p")]


def test_chunks_in_separate_wrappers_are_joined_in_page_order() -> None:
    tree = _page(
        f"""<html><body><div class="chunks">
        <div class="grid"><div class="article__body"><p>One {PARAGRAPH}</p></div></div>
        <div class="ad"><p>Advert</p></div>
        <div class="grid"><div class="article__body"><p>Two {PARAGRAPH}</p></div></div>
        </div></body></html>"""
    )
    assert join_split_bodies(tree) == 1
    bodies = tree.find_class("article__body")
    assert len(bodies) == 1
    assert _paragraphs(bodies[0]) == ["One", "Two"]
    assert tree.find_class("ad"), "what stood between the chunks stays in the page"


def test_sibling_chunks_keep_a_pull_quote_between_them() -> None:
    tree = _page(
        f"""<html><body><main>
        <section class="article__content"><p>One {PARAGRAPH}</p></section>
        <section class="article__content quote"><p>Quote {PARAGRAPH}</p></section>
        <section class="article__content"><p>Two {PARAGRAPH}</p></section>
        </main></body></html>"""
    )
    assert join_split_bodies(tree) == 1
    assert _paragraphs(tree.find_class("article__content")[0]) == ["One", "Quote", "Two"]


def test_teasers_comments_and_empty_boxes_are_not_joined() -> None:
    html = f"""<html><body>
        <div class="content"><p>Teaser {PARAGRAPH}</p></div>
        <div class="content"><p>Teaser {PARAGRAPH}</p></div>
        <div class="comment-body"><p>Comment {PARAGRAPH}</p></div>
        <div class="comment-body"><p>Comment {PARAGRAPH}</p></div>
        <div class="story-body"><p>Story {PARAGRAPH}</p></div>
        <div class="story-body"><p>Share</p></div>
        </body></html>"""
    tree = _page(html)
    assert join_split_bodies(tree) == 0
    assert lxml.html.tostring(tree) == lxml.html.tostring(_page(html))


def test_wired_story_split_by_adverts_is_extracted_whole() -> None:
    page, result = extract_benchmark_page(WIRED_INSTAGRAM)
    precision, recall, _ = page_scores(result.text, page.body)
    assert recall > 0.9, "trafilatura alone keeps the first chunk: recall 0.35"
    assert precision > 0.95


def test_a_review_keeps_its_pros_cons_and_summary() -> None:
    """Joining the chunks of a review left out the verdict box between them and the summary
    after them, which the extractor had found on the page as it was: the extraction that
    finds more is kept."""
    verdict = (
        '<div class="verdict"><h3>Pros</h3><ul><li>Quiet and smooth motor assistance</li>'
        "<li>Battery lasts four days of commuting</li></ul><h3>Cons</h3><ul>"
        "<li>Heavy to carry up stairs</li><li>The app needs an account</li></ul></div>"
    )
    summary = (
        '<div class="summary"><h3>Our verdict</h3><p>A comfortable and well made e-bike for '
        "town riders who do not need to carry it upstairs.</p></div>"
    )
    html = (
        "<html><head><title>Harbour X2 review</title></head><body><article>"
        f'<div class="review-top"><div class="article-body"><p>{PARAGRAPH}</p></div></div>'
        f'{verdict}<div class="review-rest"><div class="article-body"><p>{PARAGRAPH}</p>'
        f"</div></div>{summary}</article></body></html>"
    ).encode()
    page = process_page(Page("r.html", html, "html", raw_hash(html)), Config(min_words=1))
    assert isinstance(page, Page)
    assert "Heavy to carry up stairs" in page.text
    assert "well made e-bike for town riders" in page.text
    assert page.text.count("A sentence long enough") == 6
