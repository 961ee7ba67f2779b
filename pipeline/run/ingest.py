"""The ``ingest`` job: a folder of files through the stages into a database.

The worker processes are started before this process imports the writer's modules
(SQLite, the LSH index): their start-up and ours then overlap instead of adding up, which
is most of the fixed cost of a small cron run (``benchmarks/throughput.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.run.mapper import PageMapper

if TYPE_CHECKING:
    from pipeline.run.dask_map import DaskMapper
    from pipeline.run.runner import Outcome
    from pipeline.store import Store


def ingest_directory(
    directory: Path,
    db_path: Path,
    config: Config,
    *,
    workers: int,
    quiet: bool,
    dask: str | None = None,
) -> Outcome:
    """Ingest every page below ``directory``; print progress and a summary unless quiet.
    With ``dask`` (a scheduler address) the stages run on that cluster's workers."""
    if dask:
        from pipeline.run.dask_map import DaskMapper

        mapper: PageMapper | DaskMapper = DaskMapper(config, dask)
    else:
        mapper = PageMapper(config, workers)  # the workers start while we import and open
    try:
        from pipeline.run.summary import format_outcome
        from pipeline.store import Store

        store = Store(db_path)
        try:
            outcome = _ingest(directory, store, config, mapper, workers, quiet, dask)
        finally:
            store.close()
    finally:
        mapper.close()
    if not quiet:
        print(format_outcome(outcome, db_path))
    return outcome


def _ingest(
    directory: Path,
    store: Store,
    config: Config,
    mapper: PageMapper | DaskMapper,
    workers: int,
    quiet: bool,
    dask: str | None,
) -> Outcome:
    arguments = {
        "directory": str(directory.resolve()),
        "workers": mapper.workers if dask else workers,
        "min_words": config.min_words,
    }
    if dask:
        arguments["dask"] = dask
    from tqdm import tqdm

    from pipeline.run.runner import run
    from pipeline.sources import iter_directory
    from pipeline.sources.walk import count_files

    run_id = store.start_run("ingest", arguments)
    show = not quiet and sys.stderr.isatty()
    total = count_files(directory) if show else None
    with tqdm(total=total, unit=" files", disable=not show, file=sys.stderr, desc="ingest") as bar:
        items = iter_directory(directory, config.max_page_bytes, config.follow_links)
        progress = _Progress(bar)
        return run(store, items, config, run_id=run_id, mapper=mapper, on_result=progress)


class _Progress:
    """The bar: files done out of the files counted first, and pages stored, rejected and
    already stored so far (a JSONL or WARC file holds many pages)."""

    def __init__(self, bar) -> None:
        self.bar = bar
        self.file: str | None = None

    def __call__(self, source: str, counts) -> None:
        file = source.split("#", 1)[0]
        if file != self.file:
            if self.file is not None:
                self.bar.update(1)
            self.file = file
        rejected = sum(counts.rejected.values())
        self.bar.set_postfix_str(
            f"pages {counts.pages_seen}: stored {counts.stored}, rejected {rejected},"
            f" already stored {counts.skipped}",
            refresh=False,
        )
