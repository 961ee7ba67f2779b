"""The map side: inflate, extract, clean, headline, fingerprint and count the story terms of
one page in a worker.

``process_page`` is a pure function of one page and the config, so it can run in any worker
in any order. It returns either the finished ``Page`` or a ``Rejection``; only the errors a
stage declares (``Rejected``) are turned into rejections. Anything else is a bug and is
raised. A per-page time limit (SIGALRM) keeps one pathological page from stalling a run.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from pipeline.clean.confidence import confidence, furniture_share
from pipeline.clean.credits import credit_of
from pipeline.clean.length import article_length
from pipeline.clean.lines import clean
from pipeline.clean.site import line_keys
from pipeline.config import Config
from pipeline.dedup.fingerprint import fingerprint
from pipeline.dedup.index import page_keys
from pipeline.extract.html import METHOD, extract, take_headline
from pipeline.records import Page, Reason, Rejected, Rejection, internal_error
from pipeline.sources.common import inflate
from pipeline.stories.terms import load_stop_lists, story_terms

# A fast extraction of which the cleaner removed more than this share gets a second look.
SECOND_LOOK_SHARE = 0.3

# This module is what the worker pool's fork server preloads: read the 100 stop lists once
# there (0.1 s), not in every worker on its first page.
load_stop_lists()


def process_page(page: Page, config: Config) -> Page | Rejection:
    """Run every per-page stage; the returned page carries no raw bytes (they are not needed)."""
    try:
        with _time_limit(config.page_timeout):
            page.body = inflate(page.body, config.max_page_bytes)
            if not page.body.strip():
                raise Rejected(Reason.EMPTY, "the page is empty")
            page = _extracted_and_cleaned(page)
            fingerprint(page, config.fingerprint)
            page.band_keys = page_keys(page, config)
        _check_length(page, config.min_words)
        page.terms = story_terms(page.text, page.language)
        page.line_keys = line_keys(page.text)
    except Rejected as exc:
        return Rejection(page.source, exc.reason, exc.detail, page.raw_hash)
    except Exception:  # a bug met on this page: recorded, and the run goes on
        rejection = internal_error(page.source, "processing")
        return Rejection(page.source, rejection.reason, rejection.detail, page.raw_hash)
    page.body = b""
    page.lines = []
    page.structure = None
    return page


def _extracted_and_cleaned(page: Page) -> Page:
    """Extract and clean; a fast extraction of which the cleaner removed more than
    ``SECOND_LOOK_SHARE`` took in much of the page around the article, so the page is
    extracted again in trafilatura's full mode and the cleaner's more confident result is
    kept. Measured on both development sets before it was made the default (README,
    *Extraction quality*); about one page in two hundred takes it."""
    raw = replace(page, lines=[], removed=[])
    extract(page)
    clean_page(page)
    if page.kind != "html" or page.method != METHOD or furniture_share(page) <= SECOND_LOOK_SHARE:
        return page
    try:
        extract(raw, full=True)
    except Rejected:
        return page
    clean_page(raw)
    return raw if (raw.confidence or 0) > (page.confidence or 0) else page


def clean_page(page: Page) -> None:
    """Furniture out, then the headline of a text file and the credited source (they read
    what the cleaner removed)."""
    clean(page)
    take_headline(page)
    page.credit = credit_of(page)
    page.confidence = confidence(page)


def _check_length(page: Page, min_words: int) -> None:
    if page.word_count == 0:
        raise Rejected(Reason.EMPTY, "no article text left after removing furniture")
    length = article_length(page.text)
    if length < min_words:
        raise Rejected(Reason.TOO_SHORT, f"{length} words; articles need at least {min_words}")


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so library code cannot swallow it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise _Timeout


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Abort the block after ``seconds`` with ``Rejected(timeout)`` (main thread only)."""
    try:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
    except ValueError:  # not the main thread: run without a limit
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Timeout:
        raise Rejected(Reason.TIMEOUT, f"extraction took longer than {seconds:g} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
