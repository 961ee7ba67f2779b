"""Reader for ``.jsonl`` files: one page per line, with ``url`` and ``html`` or ``text``, and
optionally ``published`` (for text) and ``fetched_at`` (ISO dates).

A line that is not a JSON object with those fields is a ``bad_jsonl`` rejection naming the
line number; the other lines are still read.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pipeline.records import Page, Reason, Rejected, Rejection
from pipeline.sources.common import GZIP_MAGIC, open_regular, raw_hash


def read_jsonl_file(path: Path, source: str, limit: int) -> Iterator[Page | Rejection]:
    """Yield one ``Page`` per usable line; sources are ``file.jsonl#LINE``.

    The file is read line by line (gzip inflated as it is read), so its size does not
    matter, only each line's: a line over the page limit is a ``too_large`` rejection and
    the reader skips to the next line without holding it.
    """
    try:
        with _open(path) as handle:
            yield from _lines(handle, source, limit)
    except Rejected as exc:
        yield Rejection(source, exc.reason, exc.detail)
    except PermissionError as exc:
        yield Rejection(source, Reason.UNREADABLE, f"permission denied: {exc.strerror}")
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield Rejection(source, Reason.BAD_GZIP, f"corrupt or truncated gzip data: {exc}")
    except OSError as exc:
        yield Rejection(source, Reason.UNREADABLE, f"cannot read file: {exc.strerror or exc}")


def _open(path: Path) -> IO[bytes]:
    """The file's bytes, inflated as they are read when it is gzip."""
    handle = open_regular(path)
    if handle.read(2) == GZIP_MAGIC:
        handle.seek(0)
        return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
    handle.seek(0)
    return handle


BLOCK = 1 << 20


def _lines(handle: IO[bytes], source: str, limit: int) -> Iterator[Page | Rejection]:
    """Records of the file, read in blocks: memory stays at a block and one line, and a
    block of blank lines (a gzip of a gigabyte of newlines) is counted, not looped over."""
    number = records = 0
    pending, skipping = b"", False
    while block := handle.read(BLOCK):
        if not pending and not skipping and not block.strip():
            number += block.count(b"\n")
            continue
        lines = (pending + block).split(b"\n")
        pending = lines.pop()
        for line in lines:
            if skipping:  # the end of a line already refused as too large
                skipping = False
                continue
            number += 1
            if line.strip():
                records += 1
                yield _record(line, f"{source}#{number}", limit)
        if len(pending) > limit and not skipping:
            number += 1
            records += 1
            yield _too_large(pending, f"{source}#{number}")
            pending, skipping = b"", True
        elif skipping:
            pending = b""
    if pending.strip() and not skipping:
        records += 1
        yield _record(pending, f"{source}#{number + 1}", limit)
    if not records:
        yield Rejection(source, Reason.EMPTY, "the file holds no records (empty or blank lines)")


def _record(line: bytes, source: str, limit: int) -> Page | Rejection:
    if len(line) > limit:
        return _too_large(line, source)
    return _page_from_line(line, source, limit)


def _too_large(line: bytes, source: str) -> Rejection:
    return Rejection(source, Reason.TOO_LARGE, "line larger than the page limit", raw_hash(line))


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
    url, published, fetched_at = (_text(record, key) for key in ("url", "published", "fetched_at"))
    page = Page(source=source, body=encoded, kind=kind, raw_hash=digest, url=url, charset="utf-8")
    page.fetched_at = fetched_at
    if kind == "text":
        page.published = published  # an HTML page's date comes from its head
    return page


def _text(record: dict, key: str) -> str | None:
    """A string field, with lone surrogates (``"\\udc80"`` is valid JSON, not valid UTF-8)
    replaced, so the row can be written."""
    value = record.get(key)
    if not isinstance(value, str) or not value:
        return None
    return value.encode("utf-8", "replace").decode("utf-8")
