"""The map side's machinery: run the per-page stages in worker processes, in input order.

Workers come from a ``forkserver``, not ``fork``: they must not inherit the SQLite connection
or the writer lock's file descriptor (a worker outliving a killed parent would otherwise keep
the lock and refuse every later cron run). The forkserver preloads the stages once; the pool
starts in a background thread so that this start-up overlaps the parent's own (opening the
database, rebuilding the cluster index). The parent never imports trafilatura itself.

A page that keeps a worker busy in C code (libxml2 on a hostile page) cannot be stopped by
the worker's own alarm, which runs only between Python instructions. So each worker notes on
a board in shared memory which page of which chunk it is on and since when, and the parent,
while it waits for results, kills a worker whose page has run past the page time limit: that
page becomes a ``timeout`` rejection, the rest of its chunk is sent again, and the pool
starts a worker in its place. A stuck page costs its time limit once; the other workers keep
going meanwhile.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from multiprocessing.connection import Connection
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

from pipeline.config import Config
from pipeline.errors import MapError
from pipeline.records import Page, Reason, Rejection

STAGES = "pipeline.run.process"
# Pages travel to the workers in chunks: one round trip per page costs the parent (which
# shares the cores with the workers) about a millisecond of pickling and thread hand-offs.
CHUNK_PAGES = 4
CHUNK_BYTES = 4 * 1024 * 1024
# Chunks in flight per worker: enough that one slow page does not idle the other workers,
# few enough that memory stays flat.
WINDOW_PER_WORKER = 4
# Seconds a chunk may take beyond its pages' own time limits before its worker is presumed
# lost (the board below finds a stuck page long before: this is the last resort).
PAGE_GRACE, CHUNK_GRACE = 5.0, 30.0
# A page still running this long after its time limit is stuck where the alarm cannot reach
# it (the alarm fires at the limit itself); the parent looks at the board this often.
STUCK_AFTER, POLL_SECONDS = 0.5, 0.25
# The board: per chunk in flight, the worker's pid, the page it is on and when it began.
_PID, _PAGE, _SINCE = range(3)
_FIELDS = 3
_BOARD: Any = None  # the worker's view of the board (set by ``_worker_init``)
STOP_SECONDS = 20.0  # closing gives up waiting for the pool's threads after this


def process(pages: list[Page], config: Config, slot: int | None = None) -> list[Page | Rejection]:
    """Run the stages on a chunk of pages (imported on first use, so the parent need not),
    noting each page on the board's ``slot`` as it starts."""
    from pipeline.run.process import process_page

    if slot is None or _BOARD is None:
        return [process_page(page, config) for page in pages]
    base = slot * _FIELDS
    _BOARD[base + _PID] = os.getpid()
    done = []
    for number, page in enumerate(pages):
        _BOARD[base + _SINCE] = 0.0  # never a page number with another page's start
        _BOARD[base + _PAGE] = number
        _BOARD[base + _SINCE] = time.monotonic()
        done.append(process_page(page, config))
    _BOARD[base + _SINCE] = 0.0
    return done


def _worker_init(parent_alive: Connection, board: Any = None) -> None:
    """Workers leave Ctrl-C and SIGTERM to the parent, which stops cleanly and reports, and
    end with it. ``timeout``, systemd and ``kill -- -PGID`` signal the whole process group:
    a worker that died of it mid-chunk left the parent waiting for a result that would never
    come, then hanging in ``Pool.terminate``."""
    global _BOARD
    _BOARD = board
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_alive,), daemon=True).start()


def _exit_with_parent(parent_alive: Connection) -> None:
    """End this worker as soon as the parent is gone (kill -9, the OOM killer).

    Only the parent holds the other end of ``parent_alive``, so reading it returns at the
    parent's death. Without this, an orphaned worker finished its page and printed two
    BrokenPipeError tracebacks when it sent the result to nobody (cron mails those), or
    waited for work forever. Nothing is lost: the next run processes the page again.
    """
    with suppress(EOFError, OSError):
        parent_alive.recv_bytes()
    os._exit(0)


def _kill_workers(pool: Pool) -> None:
    workers = list(getattr(pool, "_pool", ()))
    for worker in workers:
        with suppress(OSError, ValueError, AttributeError):
            worker.kill()
    for worker in workers:
        with suppress(OSError, ValueError, AttributeError, AssertionError):
            worker.join(timeout=1)


def _free_queue_locks(pool: Pool) -> None:
    for queue, lock in (("_inqueue", "_rlock"), ("_outqueue", "_wlock")):
        with suppress(AttributeError, ValueError, OSError):
            getattr(getattr(pool, queue), lock).release()  # not held: ValueError


class _Done:
    """A result that is already known, kept in order with the pending ones."""

    slot = None

    def __init__(self, value: list[Page | Rejection]) -> None:
        self.value = value

    def get(self, timeout: float | None = None) -> list[Page | Rejection]:
        return self.value


class _Task:
    """A chunk sent to the pool, and the board slot its worker writes to."""

    def __init__(self, result: AsyncResult, slot: int) -> None:
        self.result, self.slot = result, slot

    def get(self, timeout: float | None = None) -> list[Page | Rejection]:
        return self.result.get(timeout)


class _Board:
    """The parent's side of the board: a slot for each chunk in flight."""

    def __init__(self, context: Any, slots: int) -> None:
        self.values = context.RawArray("d", slots * _FIELDS)
        self.free = deque(range(slots))

    def take(self) -> int | None:
        if not self.free:
            return None
        slot = self.free.popleft()
        self.values[slot * _FIELDS + _SINCE] = 0.0
        return slot

    def give_back(self, slot: int | None) -> None:
        if slot is not None:
            self.free.append(slot)

    def stuck(self, slot: int | None, limit: float) -> tuple[int, int] | None:
        """(pid, page number) when that chunk's current page has run past ``limit``."""
        if slot is None:
            return None
        base = slot * _FIELDS
        since = self.values[base + _SINCE]
        if not since or time.monotonic() - since < limit:
            return None
        pid, number = int(self.values[base + _PID]), int(self.values[base + _PAGE])
        return (pid, number) if self.values[base + _SINCE] == since else None


class PageMapper:
    """``map`` runs the stages over pages in ``workers`` processes (1 = in this process)."""

    def __init__(self, config: Config, workers: int) -> None:
        self.config = config
        self.workers = max(1, workers)
        self._pool: Pool | None = None
        self._alive: tuple[Connection, Connection] | None = None
        self._starting: threading.Thread | None = None
        self._board: _Board | None = None
        self._start_error: BaseException | None = None
        if self.workers > 1:
            self._starting = threading.Thread(target=self._start, daemon=True)
            self._starting.start()

    def _start(self) -> None:
        """Start the pool; a failure is kept for whoever needs the pool, so that a run
        which ends before it does (the database cannot be opened) reports its own error
        as one line, not the thread's traceback."""
        try:
            self._start_pool()
        except Exception as exc:  # reported by _ready_pool, when the pool is needed
            self._start_error = exc

    def _start_pool(self) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([STAGES])
        # the parent keeps both ends open for as long as the pool may start workers
        self._alive = context.Pipe(duplex=False)
        self._board = _Board(context, self.workers * WINDOW_PER_WORKER + 1)
        self._pool = self._new_pool()

    def _new_pool(self) -> Pool:
        context = multiprocessing.get_context("forkserver")
        board = self._board.values if self._board else None
        return context.Pool(
            self.workers, initializer=_worker_init, initargs=(self._alive[0], board)
        )

    def _ready_pool(self) -> Pool | None:
        self._join_start()
        if self.workers > 1 and self._pool is None:
            reason = f": {self._start_error}" if self._start_error else ""
            raise MapError(f"the worker processes could not be started{reason}")
        return self._pool

    def _join_start(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None

    def close(self) -> None:
        """Stop the workers (pages in flight are dropped; they were never stored)."""
        self._stop_pool()
        for end in self._alive or ():
            end.close()

    def _stop_pool(self) -> None:
        """Workers ignore SIGTERM, so ``Pool.terminate`` (which sends it) runs in a thread
        while every worker it still has, including any it started in place of a dead one,
        is killed outright; a worker killed while it held the task or result queue's lock
        would leave it waiting forever, so those locks are released on its behalf. A pool
        that never started has nothing to stop."""
        self._join_start()
        pool = self._pool
        if pool is not None:
            stopper = threading.Thread(target=pool.terminate, daemon=True)
            _kill_workers(pool)
            _free_queue_locks(pool)  # once, before terminate takes them itself
            stopper.start()
            deadline = time.monotonic() + STOP_SECONDS
            while stopper.is_alive() and time.monotonic() < deadline:
                _kill_workers(pool)
                stopper.join(0.1)
        self._pool = None

    def _restart(self) -> None:
        """New workers in place of stuck ones (the fork server and the parent's pipe stay)."""
        self._stop_pool()
        self._pool = self._new_pool()

    def map(self, items: Iterable[Page | Rejection]) -> Iterator[Page | Rejection]:
        """Yield one result per item, in input order, with a bounded window in flight."""
        if self.workers > 1:
            self._ready_pool()
        yield from in_order(items, self._submit, self._results, self.workers * WINDOW_PER_WORKER)

    def _submit(self, chunk: list[Page | Rejection]) -> _Task | _Done:
        pages = [item for item in chunk if isinstance(item, Page)]
        if self._pool is None or not pages:
            return _Done(process(pages, self.config))
        slot = self._board.take() if self._board else None
        return _Task(self._pool.apply_async(process, (pages, self.config, slot)), slot)

    def _results(
        self, window: deque[tuple[list[Page | Rejection], Any]]
    ) -> Iterator[Page | Rejection]:
        """The first chunk's items in order: read-time rejections as they were, pages
        processed. While it waits, a page stuck past its time limit in any chunk in flight
        is rejected and its worker replaced (``_rescue``). A chunk that still overruns its
        deadline is retried page by page on fresh workers, so only the page that hangs is a
        ``timeout``, never its good neighbours."""
        deadline = time.monotonic() + self._deadline(len(_pages(window[0][0])))
        while True:
            chunk, pending = window[0]
            try:
                done = pending.get(timeout=POLL_SECONDS if self._board else None)
                window.popleft()
                break
            except multiprocessing.TimeoutError:
                pass
            if self._rescue(window):  # the first chunk may have been sent again
                deadline = time.monotonic() + self._deadline(len(_pages(window[0][0])))
            elif time.monotonic() > deadline:
                window.popleft()
                done = self._one_by_one(_pages(chunk), window)
                break
        if self._board:
            self._board.give_back(pending.slot)
        yield from in_place(chunk, done)

    def _rescue(self, window: deque[tuple[list[Page | Rejection], Any]]) -> bool:
        """Kill the worker of each page stuck past its time limit; that page becomes a
        ``timeout`` rejection and the rest of its chunk is sent again. True if any was."""
        limit = self.config.page_timeout + STUCK_AFTER
        rescued = False
        for index, (chunk, pending) in list(enumerate(window)):
            stuck = self._board.stuck(pending.slot, limit) if self._board else None
            if stuck is None:
                continue
            pid, number = stuck
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            page = _pages(chunk)[number]
            detail = (
                f"processing this page did not end within its {self.config.page_timeout:g} s"
                " time limit (stuck where the limit cannot interrupt it, such as the HTML"
                " parser); its worker was replaced"
            )
            timed_out = Rejection(page.source, Reason.TIMEOUT, detail, page.raw_hash)
            chunk = [timed_out if item is page else item for item in chunk]
            self._board.give_back(pending.slot)
            window[index] = (chunk, self._submit(chunk))
            rescued = True
        return rescued

    def _deadline(self, pages: int) -> float:  # the last resort: see ``_rescue``
        return (self.config.page_timeout + PAGE_GRACE) * pages + CHUNK_GRACE

    def _one_by_one(
        self, pages: list[Page], window: deque[tuple[list[Page | Rejection], Any]]
    ) -> list[Page | Rejection]:
        done: list[Page | Rejection] = []
        self._fresh_workers(window)
        for page in pages:
            task = self._submit([page])
            try:
                done.extend(task.get(timeout=self._deadline(1)))
            except multiprocessing.TimeoutError:
                detail = "processing this page did not end within its time limit (a worker stuck)"
                done.append(Rejection(page.source, Reason.TIMEOUT, detail, page.raw_hash))
                self._fresh_workers(window)
            if self._board:
                self._board.give_back(task.slot)
        return done

    def _fresh_workers(self, window: deque[tuple[list[Page | Rejection], Any]]) -> None:
        """Stuck workers go; the chunks they held in flight are submitted again."""
        self._restart()
        for index, (chunk, pending) in enumerate(window):
            if self._board:
                self._board.give_back(pending.slot)
            window[index] = (chunk, self._submit(chunk))


def in_order(
    items: Iterable[Page | Rejection],
    submit: Callable[[list[Page | Rejection]], Any],
    results: Callable[[deque], Iterator[Page | Rejection]],
    size: int,
) -> Iterator[Page | Rejection]:
    """Chunks submitted as they are read, results taken oldest first once ``size`` chunks
    are in flight: input order, bounded memory (the local pool's and Dask's ``map``)."""
    window: deque[tuple[list[Page | Rejection], Any]] = deque()
    for chunk in _chunks(items):
        window.append((chunk, submit(chunk)))
        if len(window) >= size:
            yield from results(window)
    while window:
        yield from results(window)


def _pages(chunk: list[Page | Rejection]) -> list[Page]:
    return [item for item in chunk if isinstance(item, Page)]


def in_place(
    chunk: list[Page | Rejection], done: list[Page | Rejection]
) -> Iterator[Page | Rejection]:
    """The chunk's items in order: read-time rejections as they were, its pages processed."""
    results = iter(done)
    for item in chunk:
        yield item if isinstance(item, Rejection) else next(results)


def _chunks(items: Iterable[Page | Rejection]) -> Iterator[list[Page | Rejection]]:
    """Group items into chunks of a few pages (rejections ride along, keeping their place)."""
    chunk: list[Page | Rejection] = []
    pages = size = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, Page):
            pages += 1
            size += len(item.body)
        if pages >= CHUNK_PAGES or size >= CHUNK_BYTES:
            yield chunk
            chunk, pages, size = [], 0, 0
    if chunk:
        yield chunk
