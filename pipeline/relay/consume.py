"""The ``write`` command: the one writer, storing what crawlers send through Redis.

Same ``Writer``, same database rules as ``ingest``: pages already stored are skipped, each
batch is one transaction. Entries are acknowledged after their batch commits, so a writer
killed at any point loses nothing (it reads its unacknowledged entries again) and stores
nothing twice. Stops on Ctrl-C or SIGTERM after the current batch, or when ``idle_exit``
seconds pass with nothing to store (for cron; by default it waits for more).
"""

from __future__ import annotations

import time

from redis.exceptions import RedisError

from pipeline.config import Config
from pipeline.errors import MapError
from pipeline.records import Page, Reason, Rejection
from pipeline.relay.codec import CodecError, Entry, decode_entry
from pipeline.relay.stream import PageStream, connect, shown
from pipeline.run.runner import Outcome, StopFlag
from pipeline.run.writer import Writer
from pipeline.store import Store

BLOCK_MS = 1000


def write_from_redis(store: Store, url: str, config: Config, idle_exit: float | None) -> Outcome:
    """Store every page the stream at ``url`` carries, until stopped or idle."""
    stream = PageStream(connect(url))
    run_id = store.start_run("write", {"redis": shown(url), "idle_exit": idle_exit})
    writer = Writer(store, config, run_id)
    started = last = time.monotonic()
    status = "completed"
    with StopFlag() as stop:
        try:
            while not stop.requested and (idle_exit is None or time.monotonic() - last < idle_exit):
                if _batch(store, writer, stream, config):
                    last = time.monotonic()
        except RedisError as exc:  # what is committed stays; its entries come again
            store.mark_failed(run_id)
            raise MapError(f"lost the Redis server at {shown(url)}: {exc}") from exc
        if stop.requested:
            status = "interrupted"
    elapsed = time.monotonic() - started
    store.finish_run(run_id, {**writer.counts.as_row(), "elapsed_seconds": elapsed}, status)
    return Outcome(writer.counts, run_id, status, elapsed)


def _batch(store: Store, writer: Writer, stream: PageStream, config: Config) -> bool:
    """Store one batch of entries, then acknowledge them; False when none came."""
    entries = stream.read(config.batch_size, BLOCK_MS)
    if not entries:
        return False
    taken = [_take(store, writer, entry_id, text) for entry_id, text in entries]
    writer.flush()  # committed: only now are the entries done
    for entry in taken:
        if entry is not None and entry.run is not None:
            store.add_crawl_run(entry.run)
    rows = [e.url_row for e in taken if e is not None and e.url_row is not None]
    stream.done([entry_id for entry_id, _ in entries], rows)
    return True


def _take(store: Store, writer: Writer, entry_id: str, text: bytes) -> Entry | None:
    """Store one entry with the batch; the entry, for what is done after the commit."""
    try:
        entry = decode_entry(text)
    except CodecError as exc:
        writer.accept(Rejection(f"redis:{entry_id}", Reason.BAD_ENTRY, str(exc)))
        return None
    item, url_row = entry.item, entry.url_row
    if item is None:
        if url_row is not None:
            writer.note_url(url_row)
        return entry
    stored = store.article_of(item.source, item.raw_hash) if isinstance(item, Page) else None
    if stored is None:
        writer.accept(item, url_row)
        return entry
    writer.skip()  # sent twice (two crawlers), or stored before a crash: once is enough
    if url_row is not None:
        writer.note_url({**url_row, "article_id": stored})
    return entry
