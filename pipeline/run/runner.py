"""The driver: owns the loop from raw pages to stored rows, its counters and interruption.

Map, then reduce: the ``PageMapper`` runs the per-page stages in worker processes and returns
results in input order (so ids and clusters are reproducible); the single ``Writer`` in this
process clusters and stores them. Ctrl-C or SIGTERM stops reading, writes the batch in hand,
and marks the run interrupted.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pipeline.config import Config
from pipeline.errors import StoreError
from pipeline.records import Page, Rejection
from pipeline.run.mapper import PageMapper
from pipeline.run.writer import Counts, Writer
from pipeline.store import Store


@dataclass(slots=True)
class Outcome:
    """How a run ended, for the summary and the exit status."""

    counts: Counts
    run_id: int
    status: str
    elapsed: float


class StopFlag:
    """Set by SIGINT/SIGTERM; the loop checks it between pages. A second Ctrl-C aborts."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopFlag:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True


def run(
    store: Store,
    items: Iterable[Page | Rejection],
    config: Config,
    *,
    run_id: int,
    mapper: PageMapper,
    on_result: Callable[[str, Counts], None] = lambda source, counts: None,
) -> Outcome:
    """Process and store every item; return the counts and how the run ended.

    ``on_result`` hears of every input as it ends (stored, rejected or already stored),
    with its source and the counts so far: the progress display."""
    started = time.monotonic()
    writer = Writer(store, config, run_id)
    status = "completed"
    try:
        with StopFlag() as stop:
            for result in mapper.map(_unseen(items, store, writer, on_result)):
                writer.accept(result)
                on_result(result.source, writer.counts)
                if stop.requested:
                    status = "interrupted"
                    break
        writer.flush()
    except StoreError:
        store.mark_failed(run_id)
        raise
    elapsed = time.monotonic() - started
    store.finish_run(run_id, {**writer.counts.as_row(), "elapsed_seconds": elapsed}, status)
    return Outcome(writer.counts, run_id, status, elapsed)


def _unseen(
    items: Iterable[Page | Rejection],
    store: Store,
    writer: Writer,
    on_result: Callable[[str, Counts], None],
) -> Iterator[Page | Rejection]:
    """Drop pages already stored (same source, same bytes): re-ingest is a no-op."""
    for item in items:
        if isinstance(item, Page) and store.is_stored(item.source, item.raw_hash):
            writer.skip()
            on_result(item.source, writer.counts)
            continue
        yield item
