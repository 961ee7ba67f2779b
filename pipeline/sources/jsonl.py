"""Reader for ``.jsonl`` files: one page per line, with ``url`` and ``html`` or ``text``.

A line that is not a JSON object with those fields is a ``bad_jsonl`` rejection naming the
line number; the other lines are still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pipeline.records import Page, Reason, Rejected, Rejection
from pipeline.sources.common import inflate, raw_hash, read_raw

# A JSONL file is a container, so it may be far larger than one page.
CONTAINER_FACTOR = 50


def read_jsonl_file(path: Path, source: str, limit: int) -> Iterator[Page | Rejection]:
    """Yield one ``Page`` per usable line; sources are ``file.jsonl#LINE``."""
    try:
        data = inflate(read_raw(path, limit * CONTAINER_FACTOR), limit * CONTAINER_FACTOR)
    except Rejected as exc:
        yield Rejection(source, exc.reason, exc.detail)
        return
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield _page_from_line(line, f"{source}#{number}", limit)


def _page_from_line(line: bytes, source: str, limit: int) -> Page | Rejection:
    digest = raw_hash(line)
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return Rejection(source, Reason.BAD_JSONL, f"not valid JSON: {exc}", digest)
    if not isinstance(record, dict):
        return Rejection(source, Reason.BAD_JSONL, "line is not a JSON object", digest)
    html, text = record.get("html"), record.get("text")
    body, kind = (html, "html") if isinstance(html, str) and html else (text, "text")
    if not isinstance(body, str) or not body.strip():
        return Rejection(source, Reason.BAD_JSONL, 'no "html" or "text" field', digest)
    encoded = body.encode("utf-8", "replace")
    if len(encoded) > limit:
        return Rejection(source, Reason.TOO_LARGE, "page larger than the page limit", digest)
    url = record.get("url") if isinstance(record.get("url"), str) else None
    return Page(source=source, body=encoded, kind=kind, raw_hash=digest, url=url, charset="utf-8")
