"""Reader for ``.warc`` and ``.warc.gz``: each HTML response record is one page.

The page URL comes from ``WARC-Target-URI`` and the charset from the HTTP ``Content-Type``.
Request, metadata and warcinfo records are not pages and are passed over; a non-HTML response
is a ``not_a_page`` rejection. A truncated archive keeps the records read before the damage
and adds one ``bad_warc`` rejection for the rest.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from pipeline.records import Page, Reason, Rejection
from pipeline.sources.common import raw_hash

_CHARSET = re.compile(r"charset=([\w.:-]+)", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc_file(path: Path, source: str, limit: int) -> Iterator[Page | Rejection]:
    """Yield one ``Page`` per HTML response; sources are ``file.warc.gz#RECORD``."""
    number = 0
    try:
        with path.open("rb") as stream:
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                if record.rec_type == "response":
                    yield _page_from_record(record, f"{source}#{number}", limit)
    except PermissionError as exc:
        yield Rejection(source, Reason.UNREADABLE, f"permission denied: {exc.strerror}")
    except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error) as exc:
        detail = f"archive damaged after record {number}: {str(exc)[:200]}"
        yield Rejection(f"{source}#{number + 1}", Reason.BAD_WARC, detail)


def _page_from_record(record, source: str, limit: int) -> Page | Rejection:
    url = record.rec_headers.get_header("WARC-Target-URI")
    content_type = ""
    if record.http_headers is not None:
        content_type = record.http_headers.get_header("Content-Type") or ""
    body = record.content_stream().read(limit + 1)
    digest = raw_hash(body, (url or "").encode())
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
