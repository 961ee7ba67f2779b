"""The driver: owns the loop from raw pages to stored rows, the worker pool and interruption.

Map, then reduce: ``process_page`` runs in worker processes, results come back in input order
(so ids and clusters are reproducible) through a bounded window (so memory stays flat however
large the folder), and the single ``Writer`` in this process clusters and stores them.
Ctrl-C or SIGTERM stops reading, writes the batch in hand, and marks the run interrupted.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool

from pipeline.config import Config
from pipeline.process import process_page
from pipeline.records import Page, Reason, Rejection
from pipeline.store import Store
from pipeline.writer import Counts, Writer


@dataclass(slots=True)
class Outcome:
    """How a run ended, for the summary and the exit status."""

    counts: Counts
    run_id: int
    status: str
    elapsed: float


class _Done:
    """A result that is already known (a read-time rejection), kept in order with the rest."""

    def __init__(self, value: Page | Rejection) -> None:
        self.value = value

    def get(self, timeout: float | None = None) -> Page | Rejection:
        return self.value


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops cleanly and reports."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class PageMapper:
    """Run ``process_page`` over pages in order, in ``workers`` processes (1 = in-process)."""

    def __init__(self, config: Config, workers: int) -> None:
        self.config = config
        self.workers = max(1, workers)
        self.pool: Pool | None = None
        if self.workers > 1:
            # forkserver, not fork: workers must not inherit the SQLite connection or the
            # writer lock's file descriptor (a worker outliving a killed parent would keep
            # the lock). Preloading keeps trafilatura's import cost to once per run.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["pipeline.process"])
            self.pool = context.Pool(self.workers, initializer=_ignore_sigint)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def map(self, items: Iterable[Page | Rejection]) -> Iterator[Page | Rejection]:
        """Yield one result per item, in input order, with at most a few pages in flight."""
        window: deque[tuple[Page | Rejection, AsyncResult | _Done]] = deque()
        limit = self.workers * 4
        for item in items:
            window.append((item, self._submit(item)))
            if len(window) >= limit:
                yield self._result(*window.popleft())
        while window:
            yield self._result(*window.popleft())

    def _submit(self, item: Page | Rejection) -> AsyncResult | _Done:
        if isinstance(item, Rejection):
            return _Done(item)
        if self.pool is None:
            return _Done(process_page(item, self.config))
        return self.pool.apply_async(process_page, (item, self.config))

    def _result(self, item: Page | Rejection, pending: AsyncResult | _Done) -> Page | Rejection:
        try:
            return pending.get(timeout=self.config.page_timeout * 2 + 30)
        except multiprocessing.TimeoutError:
            assert isinstance(item, Page)
            detail = "the worker processing this page stopped answering"
            return Rejection(item.source, Reason.TIMEOUT, detail, item.raw_hash)


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
    workers: int,
    on_result: Callable[[], None] = lambda: None,
) -> Outcome:
    """Process and store every item; return the counts and how the run ended."""
    started = time.monotonic()
    writer = Writer(store, config, run_id)
    mapper = PageMapper(config, workers)
    status = "completed"
    try:
        with StopFlag() as stop:
            for result in mapper.map(_unseen(items, store, writer)):
                writer.accept(result)
                on_result()
                if stop.requested:
                    status = "interrupted"
                    break
        writer.flush()
    finally:
        mapper.close()
    elapsed = time.monotonic() - started
    store.finish_run(run_id, {**writer.counts.as_row(), "elapsed_seconds": elapsed}, status)
    return Outcome(writer.counts, run_id, status, elapsed)


def _unseen(
    items: Iterable[Page | Rejection], store: Store, writer: Writer
) -> Iterator[Page | Rejection]:
    """Drop pages already stored (same source, same bytes): re-ingest is a no-op."""
    for item in items:
        if isinstance(item, Page) and store.is_stored(item.source, item.raw_hash):
            writer.skip()
            continue
        yield item
