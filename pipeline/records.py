"""The record types that flow through the stages.

One page travels as one ``Page``: a source fills the raw fields, and each stage adds its own
fields without re-parsing what an earlier stage made (the idea of datatrove's ``Document``).
A page a stage refuses becomes a ``Rejection`` with a named reason, never a silent ``None``.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pipeline.dedup.index import Keys


class Reason(StrEnum):
    """Why a file or page was not stored. The value is what the ``rejected`` table shows."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    NOT_A_PAGE = "not_a_page"
    BINARY = "binary"
    DECODE_ERROR = "decode_error"
    UNREADABLE = "unreadable"
    SYMLINK_LOOP = "symlink_loop"
    BAD_GZIP = "bad_gzip"
    BAD_WARC = "bad_warc"
    BAD_JSONL = "bad_jsonl"
    TOO_LARGE = "too_large"
    NO_TEXT = "no_text"
    TIMEOUT = "timeout"
    EXTRACT_ERROR = "extract_error"
    NOT_AN_ARTICLE = "not_an_article"
    OUTSIDE_FOLDER = "outside_folder"
    INTERNAL_ERROR = "internal_error"
    BAD_ENTRY = "bad_entry"  # a Redis stream entry that is not a page of this version


class Rejected(Exception):
    """Raised by a stage for a page it declares unusable; the driver counts and stores it."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Rejection:
    """A file or page that was not stored, and the reason a person can read."""

    source: str
    reason: Reason
    detail: str = ""
    raw_hash: str = ""


class Markup(Protocol):
    """What an HTML page's markup says about one of its extracted lines."""

    def confirms(self, line: str) -> bool:
        """Whether the line is navigation: mostly link text, or inside furniture."""
        ...

    def link_share(self, line: str) -> float:
        """Share of the line's words that are link text."""
        ...

    def opens_with_link(self, line: str, min_words: int = 1) -> bool:
        """Whether the line starts with the text of a link of ``min_words`` or more."""
        ...

    def is_link(self, line: str) -> bool:
        """Whether the line is the whole text of one link."""
        ...

    def only_linked(self, line: str) -> bool:
        """Whether the line's text stands on the page only as link text."""
        ...

    def under_linked_headline(self, line: str) -> bool:
        """Whether the line's element follows a short linked headline."""
        ...

    def in_caption(self, line: str) -> bool:
        """Whether the line is text inside a figure caption."""
        ...

    def in_media_widget(self, line: str) -> bool:
        """Whether the line is a video player's text."""
        ...

    def in_gallery(self, line: str) -> bool:
        """Whether the line is a photo gallery's text."""
        ...

    def in_box(self, line: str) -> bool:
        """Whether the line is an affiliate disclosure's or an author box's text."""
        ...


@dataclass(slots=True)
class Removed:
    """One line the cleaner took out of the body, the named rule that took it, and where it
    stood: before paragraph ``paragraph`` of the cleaned text (0 = before the first; equal to
    the number of paragraphs = after the last), so a reader can see it in place."""

    line: str
    rule: str
    paragraph: int | None = None


@dataclass(slots=True)
class Page:
    """A page on its way from a source to the database.

    Raw fields come from the source. ``kind`` is ``"html"`` or ``"text"``; ``body`` holds the
    bytes as read (decoding is the extract stage's job, so it runs in a worker process).
    """

    source: str
    body: bytes
    kind: str
    raw_hash: str
    url: str | None = None
    charset: str | None = None
    fetched_at: str | None = None
    found_by: str | None = None
    # Filled by extract
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    lines: list[str] = field(default_factory=list)
    method: str = "text"  # which extraction produced the lines (``pipeline/extract/html.py``)
    agreement: float | None = None  # of the two extractions, when a fallback ran
    # What the HTML says about a line (``pipeline/extract/structure.py``); None for text
    # files. Used by the cleaner in the worker, never sent to the writer.
    structure: Markup | None = None
    # Filled by clean
    text: str = ""
    removed: list[Removed] = field(default_factory=list)
    excerpt: bool = False
    credit: str | None = None
    confidence: float | None = None  # of the extraction, 0 to 1 (``pipeline/clean/confidence.py``)
    replacement_chars: int = 0  # U+FFFD in the decoded page: stray bytes kept leniently
    # Filled by fingerprint
    word_count: int = 0
    content_hash: str = ""
    signature: bytes = b""
    lede_signature: bytes = b""
    window_signatures: list[bytes] = field(default_factory=list)
    # Filled last in the worker: story terms, and each text line's site-furniture key
    terms: dict[str, int] = field(default_factory=dict)
    line_keys: list[str | None] = field(default_factory=list)
    band_keys: Keys | None = None  # computed in the worker, so the writer does not hash


def internal_error(source: str, stage: str) -> Rejection:
    """The exception being handled, met on one input, as that input's rejection: a bug is
    recorded with its traceback and one line on stderr (cron mails it), and the run goes on
    with the next input, tonight and every night after."""
    trace = traceback.format_exc()
    last = trace.strip().splitlines()[-1]
    print(f"wirecopy: internal error while {stage} {source}: {last}", file=sys.stderr)
    return Rejection(source, Reason.INTERNAL_ERROR, trace[-4000:])
