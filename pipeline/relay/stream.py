"""The Redis Stream that carries processed pages to the one writer.

Senders ``XADD`` one JSON entry per page. The writer reads through a consumer group with a
fixed consumer name, so after a crash it first reads again the entries it had taken and not
acknowledged (its pending list), then new ones; it acknowledges and deletes an entry only
after the transaction that stored it committed. An entry is therefore stored at least once
per delivery, and exactly once in the database, since a page already stored (same source,
same bytes) is skipped.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pipeline.errors import MapError
from pipeline.records import Page, Rejection
from pipeline.relay.codec import Entry, encode_entry

STREAM = "wirecopy:pages"
URLS = "wirecopy:urls"  # canonical URL -> its ``urls`` row as stored, for the crawlers
GROUP = "writer"
CONSUMER = "writer"  # one writer: after a restart it is the same consumer


def connect(url: str) -> Any:
    """A Redis client for ``url`` (redis://host:6379/0, redis://:PASSWORD@host:6379/0,
    rediss:// for TLS), checked at once."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise MapError(f"cannot reach Redis at {shown(url)}: {exc}") from exc
    return client


def shown(url: str) -> str:
    """A Redis URL as it may be printed or stored: its password masked (cron mails what a
    command prints, and the ``runs`` table is served by Datasette).

    >>> shown("rediss://crawler:s3cret@queue:6380/0"), shown("redis://queue:6379/0")
    ('rediss://crawler:***@queue:6380/0', 'redis://queue:6379/0')
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username}:" if parts.username else ":"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}***@{host}"))


def send(
    client: Any,
    item: Page | Rejection | None,
    url_row: dict | None = None,
    run: dict | None = None,
    stream: str = STREAM,
) -> str:
    """Queue one processed page or rejection (with its fetch's ``urls`` row), a fetch alone,
    or a crawler's run counts for the writer; returns the entry id."""
    entry = client.xadd(stream, {"item": encode_entry(Entry(item, url_row, run))})
    return entry.decode() if isinstance(entry, bytes) else entry


def url_state(client: Any, url: str) -> dict | None:
    """What the writer stored of a canonical URL (its last fetch, validators), as crawlers on
    other machines see it: the writer mirrors each committed ``urls`` row here."""
    found = client.hget(URLS, url)
    return json.loads(found) if found else None


class PageStream:
    """The writer's side of the stream."""

    def __init__(self, client: Any, stream: str = STREAM) -> None:
        import redis

        self.client, self.stream = client, stream
        try:
            client.xgroup_create(stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):  # the group exists: an earlier writer made it
                raise
        self._pending_first = True

    def read(self, count: int, block_ms: int) -> list[tuple[str, bytes]]:
        """Up to ``count`` entries: those taken before and not acknowledged first (a writer
        killed mid-batch), then new ones, waiting up to ``block_ms`` for them."""
        if self._pending_first:
            entries = self._read("0", count, None)
            if entries:
                return entries
            self._pending_first = False
        return self._read(">", count, block_ms)

    def _read(self, start: str, count: int, block_ms: int | None) -> list[tuple[str, bytes]]:
        reply = self.client.xreadgroup(
            GROUP, CONSUMER, {self.stream: start}, count=count, block=block_ms
        )
        found = []
        for _, entries in reply or []:
            for entry_id, fields in entries:
                key = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                found.append((key, fields.get(b"item", fields.get("item", b""))))
        return found

    def done(self, entry_ids: list[str], url_rows: list[dict]) -> None:
        """Acknowledge and delete entries whose pages are committed, and show the crawlers
        the ``urls`` rows they committed (never before: a crawler must not skip a URL whose
        page the database does not hold)."""
        if not entry_ids:
            return
        pipe = self.client.pipeline(transaction=True)
        if url_rows:
            pipe.hset(URLS, mapping={row["url"]: json.dumps(row) for row in url_rows})
        pipe.xack(self.stream, GROUP, *entry_ids)
        pipe.xdel(self.stream, *entry_ids)
        pipe.execute()

    def waiting(self) -> int:
        """Entries not yet acknowledged (sent and not stored)."""
        return int(self.client.xlen(self.stream))
