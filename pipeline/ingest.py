"""The ``ingest`` job: a folder of files through the stages into a database."""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from pipeline.config import Config
from pipeline.runner import Outcome, run
from pipeline.sources import iter_directory
from pipeline.store import Store
from pipeline.summary import format_outcome


def ingest_directory(
    directory: Path, db_path: Path, config: Config, *, workers: int, quiet: bool
) -> Outcome:
    """Ingest every page below ``directory``; print progress and a summary unless quiet."""
    store = Store(db_path)
    try:
        arguments = {
            "directory": str(directory.resolve()),
            "workers": workers,
            "min_words": config.min_words,
        }
        run_id = store.start_run("ingest", arguments)
        show = not quiet and sys.stderr.isatty()
        with tqdm(unit=" pages", disable=not show, file=sys.stderr, desc="ingest") as bar:
            items = iter_directory(directory, config.max_page_bytes)
            outcome = run(
                store, items, config, run_id=run_id, workers=workers, on_result=lambda: bar.update()
            )
    finally:
        store.close()
    if not quiet:
        print(format_outcome(outcome, db_path))
    return outcome
