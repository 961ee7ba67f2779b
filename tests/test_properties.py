"""Property tests (hypothesis): no exception escapes; cleaning never adds text; normalising twice
changes nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.clean.lines import clean_lines
from pipeline.config import Config, StoryConfig
from pipeline.dedup.fingerprint import normalise, shingle_hashes, words
from pipeline.extract.decode import decode
from pipeline.records import Page, Rejected, Rejection
from pipeline.run.process import process_page
from pipeline.sources import iter_directory
from pipeline.sources.common import raw_hash
from pipeline.stories.placement import Founder, NothingStored, StoryIndex
from pipeline.stories.terms import story_terms

# CI machines are shared: time is measured in benchmarks, not by hypothesis's deadline.
settings.register_profile("wirecopy", deadline=None)
settings.load_profile("wirecopy")

FURNITURE_WORDS = st.sampled_from(
    [
        "Share this post",
        "Check Also",
        "Previous article",
        "Leave a comment",
        "©",
        "Source: AP",
        "»READ ALSO - x",
        "Deeq A.",
        "Sign in to follow this",
        "Photo: AP",
        " / SANA",
        "",
    ]
)
LINES = st.lists(st.one_of(st.text(max_size=80), FURNITURE_WORDS), max_size=40)
FORMATS = st.sampled_from(["a.html", "a.txt", "a.jsonl", "a.warc", "a.warc.gz", "a.html.gz"])


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(st.text(), st.integers(1, 8))
def test_shingles_never_fail(text: str, size: int) -> None:
    tokens = words(normalise(text))
    assert len(shingle_hashes(tokens, size)) == (max(len(tokens) - size + 1, 1) if tokens else 0)


@given(LINES, st.one_of(st.none(), st.text(max_size=40)))
def test_cleaning_only_removes_whole_lines(lines: list[str], title: str | None) -> None:
    kept, removed = clean_lines(lines, title=title)
    position = 0
    for line in kept:  # kept lines are the input lines, in order, untouched
        position = lines.index(line, position) + 1
    assert len(kept) + len(removed) <= len(lines)
    assert all(item.line in {line.strip() for line in lines} for item in removed)


@given(
    st.binary(max_size=3000), st.one_of(st.none(), st.sampled_from(["utf-8", "x-bogus", "cp1251"]))
)
def test_decode_returns_text_or_a_rejection(body: bytes, declared: str | None) -> None:
    try:
        assert isinstance(decode(body, declared), str)
    except Rejected as exc:
        assert exc.detail


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4000), st.sampled_from(["html", "text"]))
def test_stages_return_a_page_or_a_rejection(body: bytes, kind: str) -> None:
    result = process_page(Page("x", body, kind, raw_hash(body)), Config(min_words=1))
    assert isinstance(result, Page | Rejection)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), FORMATS)
def test_readers_never_raise(body: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / name).write_bytes(body)
        items = list(iter_directory(Path(folder), 1024 * 1024))
    assert all(isinstance(item, Page | Rejection) for item in items)


@given(st.text(), st.one_of(st.none(), st.text(max_size=12)))
def test_story_terms_are_counted_words_and_names(text: str, language: str | None) -> None:
    terms = story_terms(text, language)
    assert all(count > 0 for count in terms.values())
    assert all(term.strip("@") and term == term.casefold() for term in terms)


@given(st.lists(st.dictionaries(st.text(min_size=1, max_size=8), st.integers(1, 9)), max_size=8))
def test_story_placement_never_fails_and_ids_are_cluster_ids(bags: list[dict[str, int]]) -> None:
    index = StoryIndex(StoryConfig(), NothingStored())
    for cluster, bag in enumerate(bags, start=1):
        story, score, _ = index.place(Founder(cluster, None, 738000, bag))
        assert 1 <= story <= cluster and 0.0 <= score <= 1.0001
