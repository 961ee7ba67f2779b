"""The shared frontier's serializer: requests in Redis as JSON, never pickle.

scrapy-redis keeps queued requests with pickle by default, and unpickling runs code: anyone
who can write one entry into the Redis that crawlers share could run a program on every
crawler. Here a request is Scrapy's plain ``Request.to_dict`` (url, method, headers, body,
meta, callback *names*), written as JSON with a version marker. Bytes (headers, body) travel
as base64, and the ``Source`` a request belongs to as its name, looked up again in the
crawler's own sources.toml. ``loads`` refuses anything that is not an entry of this form: a
pickle, another program's JSON, a request for a source this crawler does not know. The queue
then drops that entry with a warning and a count (``pipeline/crawl/leases.py``); it is never
executed.

scrapy-redis takes a serializer module with ``loads`` and ``dumps``; this is one
(``SCHEDULER_SERIALIZER``), with the sources to resolve names as an optional argument.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any

from pipeline.crawl.config import Source

VERSION = 1
_BYTES, _SOURCE = "$bytes", "$source"
# What Request.to_dict gives, and what each field may hold once read back.
_FIELDS = {
    "url": str,
    "callback": (str, type(None)),
    "errback": (str, type(None)),
    "headers": dict,
    "body": bytes,
    "cookies": (dict, list),
    "meta": dict,
    "encoding": str,
    "flags": list,
    "cb_kwargs": dict,
    "dont_filter": bool,
    "method": str,
    "priority": int,
}


class NotOurs(ValueError):
    """An entry that is not a request this version of wirecopy wrote."""


def dumps(request: dict[str, Any]) -> bytes:
    """A ``Request.to_dict`` as JSON bytes.

    >>> dumps({"url": "https://a.test/", "body": b"", "meta": {"depth": 1}})[:40]
    b'{"wirecopy": 1, "request": {"url": "http'
    """
    return json.dumps({"wirecopy": VERSION, "request": _plain(request)}).encode()


def loads(data: bytes | str, sources: Iterable[Source] = ()) -> dict[str, Any]:
    """The request dict again; ``NotOurs`` for anything else (never evaluated).

    >>> loads(dumps({"url": "https://a.test/", "body": b"x", "method": "GET"}))["body"]
    b'x'
    >>> loads(b"\\x80\\x04\\x95 a pickle")
    Traceback (most recent call last):
    ...
    pipeline.crawl.frontier.NotOurs: not a wirecopy request: not JSON
    """
    try:
        entry = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise NotOurs("not a wirecopy request: not JSON") from None
    if not isinstance(entry, dict) or entry.get("wirecopy") != VERSION:
        raise NotOurs("not a wirecopy request: no version marker of this version")
    request = entry.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        raise NotOurs("not a wirecopy request: no URL")
    found = _restored(request, {source.name: source for source in sources})
    for name, value in found.items():
        wanted = _FIELDS.get(name)
        if wanted is None or not isinstance(value, wanted):
            raise NotOurs(f"not a wirecopy request: unexpected field {name!r}")
    if not found["url"].startswith(("http://", "https://")):
        raise NotOurs("not a wirecopy request: not an http(s) URL")
    return found


def _plain(value: Any) -> Any:
    """JSON-able form: bytes and sources tagged, tuples as lists."""
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, Source):
        return {_SOURCE: value.name}
    if isinstance(value, dict):
        return {_key(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a request's {type(value).__name__} cannot go into the shared frontier")


def _key(key: Any) -> str:
    """Header names are bytes: keys are written as their text (latin-1, as HTTP has it)."""
    return key.decode("latin-1") if isinstance(key, bytes) else str(key)


def _restored(value: Any, sources: dict[str, Source]) -> Any:
    if isinstance(value, list):
        return [_restored(item, sources) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {_BYTES}:
        try:
            return base64.b64decode(value[_BYTES], validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise NotOurs("not a wirecopy request: damaged bytes") from None
    if set(value) == {_SOURCE}:
        if value[_SOURCE] not in sources:
            raise NotOurs(f"a request of source {value[_SOURCE]!r}, not in this sources.toml")
        return sources[value[_SOURCE]]
    return {key: _restored(item, sources) for key, item in value.items()}
