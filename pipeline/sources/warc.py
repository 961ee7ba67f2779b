"""Reader for ``.warc`` and ``.warc.gz``: each HTML response record is one page.

The page URL comes from ``WARC-Target-URI`` and the charset from the HTTP ``Content-Type``.
Request, metadata and warcinfo records are not pages and are passed over; a non-HTML response
is a ``not_a_page`` rejection. A truncated archive keeps the records read before the damage
and adds one ``bad_warc`` rejection for the rest.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import brotli
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader

from pipeline.records import Page, Reason, Rejected, Rejection
from pipeline.sources.common import GZIP_MAGIC, open_regular, raw_hash

MAX_LINE = 64 << 20
logging.getLogger("warcio").setLevel(logging.ERROR)  # "Replacing spaces in ..." per record
_CHARSET = re.compile(r"charset=([\w.:-]+)", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc_file(path: Path, source: str, limit: int) -> Iterator[Page | Rejection]:
    """Yield one ``Page`` per HTML response; sources are ``file.warc.gz#RECORD``.

    warcio reads damaged archives leniently and may simply stop early, so truncation is
    checked explicitly: the file must start like a WARC, each record must be as long as its
    Content-Length says, and a gzipped archive must decompress to its end.
    """
    number = 0
    try:
        problem = _not_a_warc(path)
        truncated, longest = _scan(path) if problem is None else (False, 0)
        if longest > MAX_LINE:
            problem = f"a line of {longest >> 20} MiB: no WARC header is that long"
        if problem:
            yield Rejection(source, Reason.BAD_WARC, problem)
            return
        damaged, kinds = False, Counter()
        with open_regular(path) as stream:
            for number, record in enumerate(_records(stream), start=1):
                if record.rec_type is None:
                    yield Rejection(
                        f"{source}#{number}", Reason.BAD_WARC, "record has no WARC-Type"
                    )
                    return
                kinds[record.rec_type] += 1
                if record.rec_type in ("response", "resource"):
                    item = _page_from_record(record, f"{source}#{number}", limit)
                    damaged = damaged or getattr(item, "reason", None) is Reason.BAD_WARC
                    yield item
        if not damaged and truncated:
            detail = f"archive ends in the middle of a record after record {number}"
            yield Rejection(f"{source}#{number + 1}", Reason.BAD_WARC, detail)
        elif not kinds["response"] + kinds["resource"]:
            held = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
            detail = f"the archive holds no response or resource records ({held or 'none'})"
            yield Rejection(source, Reason.NOT_A_PAGE, detail)
    except Rejected as exc:
        yield Rejection(source, exc.reason, exc.detail)
    except PermissionError as exc:
        yield Rejection(source, Reason.UNREADABLE, f"permission denied: {exc.strerror}")
    except OSError as exc:  # it vanished or cannot be read part-way through
        detail = f"cannot read the archive after record {number}: {exc.strerror or exc}"
        yield Rejection(source, Reason.UNREADABLE, detail)
    except _Damaged as exc:
        detail = f"archive damaged after record {number}: {str(exc)[:200]}"
        yield Rejection(f"{source}#{number + 1}", Reason.BAD_WARC, detail)


def _content(record, limit: int) -> bytes:
    """The record's payload, its transfer and content encodings undone, at most ``limit`` + 1
    bytes. warcio inflates gzip and deflate itself; its brotli reader does not work with the
    brotli module we pin (it sets an attribute the decompressor no longer has), so a
    ``Content-Encoding: br`` payload is inflated here, within the same limit."""
    encoding = ""
    if record.http_headers is not None:
        encoding = (record.http_headers.get_header("Content-Encoding") or "").strip().lower()
    if encoding != "br":
        return record.content_stream().read(limit + 1)
    chunked = (record.http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked"
    stream = ChunkedDataReader(record.raw_stream) if chunked else record.raw_stream
    return unbrotli(stream, limit)


def unbrotli(stream, limit: int) -> bytes:
    """Inflate a brotli stream to at most ``limit`` + 1 bytes (a larger page is refused by
    its size, like a gzip bomb); a stream that is damaged or cut raises ``ValueError``.

    A payload that is plain markup under the header (an archiver that stored the body
    decoded and kept the header) is taken as it is, as warcio takes a ``gzip`` one: its
    first bytes do not inflate, and they read as HTML.

    >>> import io
    >>> unbrotli(io.BytesIO(brotli.compress(b"<p>hi</p>" * 3)), 100)
    b'<p>hi</p><p>hi</p><p>hi</p>'
    >>> unbrotli(io.BytesIO(b"<!DOCTYPE html><p>hi</p>"), 100)
    b'<!DOCTYPE html><p>hi</p>'
    """
    inflater = brotli.Decompressor()
    out: list[bytes] = []
    size = 0
    try:
        while size <= limit and (block := stream.read(1 << 16)):
            if not out and _not_brotli(block):
                return (block + stream.read(max(0, limit + 1 - len(block))))[: limit + 1]
            out.append(inflater.process(block, output_buffer_limit=limit + 1 - size))
            size += len(out[-1])
            while size <= limit and not inflater.can_accept_more_data():
                out.append(inflater.process(b"", output_buffer_limit=limit + 1 - size))
                size += len(out[-1])
                if not out[-1]:
                    break
    except brotli.error as exc:
        raise ValueError(f"the brotli data does not inflate: {exc}") from exc
    if size <= limit and not inflater.is_finished():
        raise ValueError("the brotli data ends early")
    return b"".join(out)


def _not_brotli(block: bytes) -> bool:
    """Whether a payload's first block is markup that brotli cannot read (tried on a
    decompressor of its own, so the real one starts clean either way)."""
    if block.lstrip()[:1] != b"<":
        return False
    try:
        brotli.Decompressor().process(block, output_buffer_limit=1 << 16)
    except brotli.error:
        return True
    return False


class _Damaged(Exception):
    """warcio failed on the archive's bytes."""


def _records(stream) -> Iterator:
    """warcio's records; any error it raises on damaged bytes becomes ``_Damaged``.

    warcio is a parser of untrusted input and signals damage with whatever its code trips
    over (AttributeError on a cut header, zlib.error, EOFError ...), so here, and only
    here, every exception means "the archive is damaged".
    """
    records = iter(ArchiveIterator(stream))
    while True:
        try:
            # warcio writes its own warnings about damaged records to stderr, with fragments
            # of the page; the damage is ours to report (as a rejection), not cron's to mail
            with contextlib.redirect_stderr(io.StringIO()):
                record = next(records)
        except StopIteration:
            return
        except Exception as exc:
            raise _Damaged(f"{type(exc).__name__}: {exc}") from exc
        yield record


def _not_a_warc(path: Path) -> str | None:
    with open_regular(path) as handle:
        head = handle.read(2)
        handle.seek(0)
        if head == GZIP_MAGIC:
            try:
                head = gzip.GzipFile(fileobj=handle).read(5)
            except (EOFError, OSError, zlib.error):
                return "not a WARC file: the gzip data is damaged at the start"
        else:
            head = handle.read(5)
    return None if head == b"WARC/" else "not a WARC file (it does not start with WARC/1.x)"


def _scan(path: Path) -> tuple[bool, int]:
    """One pass over the archive's bytes (decompressed) before warcio reads it: whether a
    gzipped archive is truncated (the last member raises EOFError), and the longest run of
    bytes without a newline (up to ``MAX_LINE`` + 1). warcio holds a whole header line in
    memory, so a 600 MiB "line" would cost 600 MiB; record bodies are read in bounded
    pieces, and real ones, even binary, hold a newline every few hundred bytes."""
    with open_regular(path) as handle:
        compressed = handle.read(2) == GZIP_MAGIC
        handle.seek(0)
        stream = gzip.GzipFile(fileobj=handle) if compressed else handle
        run = longest = 0
        try:
            while block := stream.read(1 << 20):
                last = block.rfind(b"\n")
                if last < 0:
                    run += len(block)
                else:
                    longest = max(longest, run + block.find(b"\n"))
                    run = len(block) - last - 1
                if max(longest, run) > MAX_LINE:
                    return False, max(longest, run)
        except (EOFError, OSError, zlib.error):
            return compressed, max(longest, run)
    return False, max(longest, run)


def _page_from_record(record, source: str, limit: int) -> Page | Rejection:
    url = record.rec_headers.get_header("WARC-Target-URI")
    content_type = ""
    if record.http_headers is not None:
        content_type = record.http_headers.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    try:
        body = _content(record, limit)
    except Exception as exc:  # this record's content cannot be decoded (a damaged gzip body)
        detail = f"cannot decode the record's content ({type(exc).__name__}: {exc}): {url}"
        return Rejection(source, Reason.BAD_WARC, detail[:500])
    digest = raw_hash(body, (url or "").encode())
    if len(body) <= limit and getattr(record.raw_stream, "limit", 0) > 0:
        return Rejection(source, Reason.BAD_WARC, f"record cut short (archive truncated): {url}")
    status = record.http_headers.get_statuscode() if record.http_headers is not None else "200"
    if not str(status).startswith("2"):  # the crawler drops error pages; so do we
        return Rejection(source, Reason.NOT_A_PAGE, f"HTTP {status} response for {url}", digest)
    if not content_type.lower().startswith(_HTML_TYPES):
        shown = content_type.split(";")[0] or "no content type"
        return Rejection(source, Reason.NOT_A_PAGE, f"{shown} response for {url}", digest)
    if len(body) > limit:
        return Rejection(source, Reason.TOO_LARGE, f"response larger than the limit: {url}", digest)
    if not body.strip():
        return Rejection(source, Reason.EMPTY, f"empty response for {url}", digest)
    match = _CHARSET.search(content_type)
    return Page(
        source=source,
        body=body,
        kind="html",
        raw_hash=digest,
        url=url,
        charset=match.group(1).lower() if match else None,
        fetched_at=record.rec_headers.get_header("WARC-Date"),
    )
