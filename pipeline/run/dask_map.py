"""The map side on a Dask cluster: the per-page stages run on its workers, the one writer
stays here, next to the database.

Same contract as ``PageMapper``: one result per item, in input order (so ids, clusters and
stories are those of a local run), with a bounded number of chunks in flight (memory stays
flat whatever the folder's size). The files are read here, where each is checked against the
database before it is sent (re-ingest sends nothing); extraction, about ten milliseconds of
CPU a page, is what spreads. Dask runs a task again on another worker when its worker dies
(``allowed-failures``); a chunk that overruns its deadline is sent again page by page, so
only a page that hangs becomes a ``timeout`` rejection. The workers need wirecopy installed
(the same version): the task is ``pipeline.run.mapper.process``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from pipeline.config import Config
from pipeline.errors import MapError
from pipeline.records import Page, Reason, Rejection
from pipeline.run.mapper import PAGE_GRACE, WINDOW_PER_WORKER, in_order, in_place, process

CONNECT_SECONDS = 20


class DaskMapper:
    """``map`` runs the stages on the workers of the Dask scheduler at ``address``."""

    def __init__(self, config: Config, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise MapError(
                "--dask needs the distributed package: pip install 'wirecopy[dask]'"
            ) from None
        self.config = config
        try:
            self.client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except OSError as exc:
            raise MapError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        self.workers = max(1, sum(self.client.nthreads().values()))

    def close(self) -> None:
        """Cancel what is in flight (never stored) and leave the cluster running."""
        self.client.close()

    def map(self, items: Iterable[Page | Rejection]) -> Iterator[Page | Rejection]:
        """Yield one result per item, in input order, with a bounded window in flight."""
        yield from in_order(items, self._submit, self._results, self.workers * WINDOW_PER_WORKER)

    def _submit(self, chunk: list[Page | Rejection]) -> Any:
        pages = [item for item in chunk if isinstance(item, Page)]
        if not pages:
            return None
        return self.client.submit(process, pages, self.config, pure=False)

    def _results(
        self, window: deque[tuple[list[Page | Rejection], Any]]
    ) -> Iterator[Page | Rejection]:
        from distributed import TimeoutError as DaskTimeout

        chunk, future = window.popleft()
        pages = [item for item in chunk if isinstance(item, Page)]
        done: list[Page | Rejection] = []
        if future is not None:
            try:
                done = future.result(timeout=self._deadline(len(pages)))
            except (DaskTimeout, TimeoutError):
                future.cancel()
                done = [self._alone(page) for page in pages]
        yield from in_place(chunk, done)

    def _alone(self, page: Page) -> Page | Rejection:
        """One page of an overrun chunk, on its own; a timeout if it overruns again."""
        from distributed import TimeoutError as DaskTimeout

        future = self.client.submit(process, [page], self.config, pure=False)
        try:
            return future.result(timeout=self._deadline(1))[0]
        except (DaskTimeout, TimeoutError):
            future.cancel()
            detail = "processing this page did not end within its time limit on a Dask worker"
            return Rejection(page.source, Reason.TIMEOUT, detail, page.raw_hash)

    def _deadline(self, pages: int) -> float:
        """Generous: a task may wait behind others in the workers' queues."""
        return (self.config.page_timeout + PAGE_GRACE) * pages * 2 + 60
