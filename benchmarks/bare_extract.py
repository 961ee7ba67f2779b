"""The baseline: the least an extraction pipeline must do, as a user's own script would.

Reads every ``*.html.gz`` below a folder, gunzips it and runs ``trafilatura.extract`` in a
process pool, printing nothing; ``--fast`` uses trafilatura's fast mode, as ingest does.
``benchmarks/throughput.py`` times it as a command, exactly as it times
``python -m pipeline ingest``.

    python -m benchmarks.bare_extract FOLDER --workers 2
"""

from __future__ import annotations

import argparse
import functools
import gzip
import multiprocessing
import os
from pathlib import Path


def extract_file(path: str, fast: bool = False) -> int:
    import trafilatura

    with gzip.open(path, "rt", encoding="utf-8") as handle:
        text = trafilatura.extract(
            handle.read(), include_comments=False, deduplicate=False, fast=fast
        )
    return len(text or "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--fast", action="store_true", help="trafilatura's fast mode")
    args = parser.parse_args()
    paths = sorted(str(path) for path in args.folder.rglob("*.html.gz"))
    work = functools.partial(extract_file, fast=args.fast)
    with multiprocessing.get_context("forkserver").Pool(args.workers) as pool:
        for _ in pool.imap(work, paths, chunksize=1):
            pass


if __name__ == "__main__":
    main()
