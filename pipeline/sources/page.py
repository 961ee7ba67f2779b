"""Reader for single-page files: ``.html``, ``.htm``, ``.xhtml`` and ``.txt`` (gzipped or not)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.records import Page, Reason, Rejected, Rejection
from pipeline.sources.common import raw_hash, read_raw


def read_page_file(path: Path, source: str, kind: str, limit: int) -> Iterator[Page | Rejection]:
    """Yield the one page a file holds (still compressed if it was), or why it holds none."""
    try:
        body = read_raw(path, limit)
    except Rejected as exc:
        yield Rejection(source, exc.reason, exc.detail)
        return
    if not body.strip():
        yield Rejection(source, Reason.EMPTY, "the file is empty", raw_hash(body))
        return
    yield Page(source=source, body=body, kind=kind, raw_hash=raw_hash(body))
