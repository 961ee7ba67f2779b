"""A processed page or a rejection as JSON, and back, field by field.

Only what the writer reads travels: the raw bytes and the extracted lines were dropped by the
worker already. Bytes (signatures) are base64; band keys, removed lines and the reason are
rebuilt as their types. Unknown fields are refused, so a crawler of another version is
caught, not misread.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from pipeline.dedup.index import Keys
from pipeline.records import Page, Reason, Rejection, Removed

VERSION = 1
_PAGE_FIELDS = {f.name for f in fields(Page)}


class CodecError(ValueError):
    """An entry that is not a page or rejection of this version."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One stream entry: a processed page or rejection, with the ``urls`` row of the fetch
    that gave it (crawls); or a fetch alone (a feed, a sitemap); or a crawler's run counts."""

    item: Page | Rejection | None = None
    url_row: dict[str, Any] | None = None
    run: dict[str, Any] | None = None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _bytes(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def encode_entry(entry: Entry) -> str:
    """JSON for one stream entry (``decode_entry`` reads it back).

    >>> from pipeline.records import Reason, Rejection
    >>> rejection = Rejection("a.html", Reason.EMPTY, "no text", "f00")
    >>> decode_entry(encode_entry(Entry(rejection, {"url": "u"}))) == Entry(rejection, {"url": "u"})
    True
    """
    data: dict[str, Any] = {"v": VERSION, **(_item_data(entry.item) if entry.item else {})}
    if entry.url_row is not None:
        data["url"] = entry.url_row
    if entry.run is not None:
        data["run"] = entry.run
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode_entry(text: str | bytes) -> Entry:
    """The entry ``encode_entry`` gave; ``CodecError`` for anything else."""
    try:
        data = json.loads(text)
        if data.get("v") != VERSION:
            raise CodecError(f"an entry of format {data.get('v')!r}; this writer reads {VERSION}")
        url_row, run = data.get("url"), data.get("run")
        if not isinstance(url_row, dict | None) or not isinstance(run, dict | None):
            raise CodecError("an entry whose url or run is not an object")
        item = _item(data) if "page" in data or "rejection" in data else None
    except CodecError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CodecError(f"an entry that is not a page: {exc!r}") from exc
    if item is None and url_row is None and run is None:
        raise CodecError("an entry with nothing in it")
    return Entry(item, url_row, run)


def _item_data(item: Page | Rejection) -> dict[str, Any]:
    if isinstance(item, Rejection):
        return {"rejection": {**asdict(item), "reason": item.reason.value}}
    page = {f.name: getattr(item, f.name) for f in fields(Page)}
    page["body"] = b""
    page["lines"] = []
    for name in ("body", "signature", "lede_signature"):
        page[name] = _b64(page[name])
    page["window_signatures"] = [_b64(s) for s in item.window_signatures]
    page["removed"] = [asdict(r) for r in item.removed]
    keys = item.band_keys
    page["band_keys"] = None if keys is None else [keys.near, keys.ledes, keys.probes]
    return {"page": page}


def _item(data: dict[str, Any]) -> Page | Rejection:
    if "rejection" in data:
        r = data["rejection"]
        return Rejection(r["source"], Reason(r["reason"]), r["detail"], r["raw_hash"])
    page = data["page"]
    unknown = set(page) - _PAGE_FIELDS
    if unknown:
        raise CodecError(f"a page with fields this writer does not know: {sorted(unknown)}")
    return _page(page)


def _page(data: dict[str, Any]) -> Page:
    for name in ("body", "signature", "lede_signature"):
        data[name] = _bytes(data[name])
    data["window_signatures"] = [_bytes(s) for s in data["window_signatures"]]
    data["removed"] = [Removed(**r) for r in data["removed"]]
    keys = data["band_keys"]
    data["band_keys"] = None if keys is None else Keys(*(tuple(k) for k in keys))
    return Page(**data)
