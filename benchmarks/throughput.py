"""Pages per second of ``ingest`` next to bare ``trafilatura.extract``, measured in one run.

Both sides get the same pages (the 181 real pages of the extraction benchmark, repeated
``--copies`` times under different names so a run lasts long enough to time) and the same
number of processes, and both are timed as commands. The baseline
(``benchmarks/bare_extract.py``) reads each file, gunzips it and calls
``trafilatura.extract`` in a process pool: the least any extraction pipeline must do. The
ingest side is the real command, ``python -m pipeline ingest``, into a fresh database: reading,
extraction with metadata, cleaning, fingerprinting, clustering and SQLite writes. Runs
alternate (baseline, ingest, baseline, ingest, ...) so machine noise hits both alike; the
median of each is reported with their ratio. Then ``benchmarks/stages.py`` times each
per-page stage on its own.

    python -m benchmarks.throughput [--workers 2] [--copies 2] [--repeats 3]
    python -m benchmarks.throughput --into /tmp/scale.db   # into a copy of a large database

With ``--into DB``, each ingest run goes into a fresh copy of that database (the copy is made
before the clock starts): the ratio a user with a grown archive sees, where every page's
index rows are inserted into large B-trees.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks import stages
from benchmarks.corpus import BENCHMARK


def _corpus(folder: Path, copies: int) -> list[Path]:
    paths = []
    for copy in range(copies):
        target = folder / f"copy{copy}"
        target.mkdir()
        for source in sorted((BENCHMARK / "html").glob("*.html.gz")):
            paths.append(Path(shutil.copy(source, target / source.name)))
    return paths


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def time_baseline(folder: Path, workers: int, fast: bool = False) -> float:
    command = [sys.executable, "-m", "benchmarks.bare_extract", str(folder)]
    return _timed([*command, "--workers", str(workers), *(["--fast"] if fast else [])])


def writer_ms(db: Path) -> float:
    """The writer's milliseconds per page in that run, from its ``runs`` row."""
    with sqlite3.connect(db) as conn:
        seconds, pages = conn.execute(
            "select writer_seconds, pages_seen from runs order by id desc limit 1"
        ).fetchone()
    return 1000 * seconds / max(pages, 1)


def time_ingest(folder: Path, workers: int, db: Path, into: Path | None = None) -> float:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if into is not None:
        with sqlite3.connect(into) as source, sqlite3.connect(db) as target:
            source.backup(target)
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "ingest",
        str(folder),
        "--db",
        str(db),
        "--workers",
        str(workers),
        "--quiet",
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def _stored(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from articles").fetchone()[0]


def per_page_ms(paths: list[Path]) -> tuple[float, float]:
    """Milliseconds per page in one process: bare extract (fast mode), and all our stages.

    Both run once over a few pages first, so lazy initialisation is not timed for either.
    """
    import trafilatura

    from pipeline.config import Config
    from pipeline.records import Page
    from pipeline.run.process import process_page

    raw = [path.read_bytes() for path in paths]

    def bare(body: bytes) -> None:
        html = gzip.decompress(body).decode("utf-8")
        trafilatura.extract(html, include_comments=False, deduplicate=False, fast=True)

    def ours(body: bytes) -> None:
        process_page(Page("x", body, "html", "x"), Config())

    timings = []
    for run in (bare, ours):
        for body in raw[:5]:
            run(body)
        started = time.perf_counter()
        for body in raw:
            run(body)
        timings.append((time.perf_counter() - started) * 1000 / len(raw))
    return timings[0], timings[1]


def startup_seconds(folder: Path, workers: int, db: Path) -> tuple[float, float]:
    """Fixed cost: a pool extracting one page, and ingest of a folder with one page."""
    one = folder / "one"
    one.mkdir()
    first = next(iter(sorted((BENCHMARK / "html").glob("*.html.gz"))))
    shutil.copy(first, one / first.name)
    return time_baseline(one, workers), time_ingest(one, workers, db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--into", type=Path, help="ingest into a copy of this database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wirecopy-bench-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        paths = _corpus(folder, args.copies)
        baseline, fast, ingest, writer = [], [], [], []
        for _ in range(args.repeats):
            baseline.append(time_baseline(folder, args.workers))
            fast.append(time_baseline(folder, args.workers, fast=True))
            ingest.append(time_ingest(folder, args.workers, Path(tmp) / "bench.db", args.into))
            writer.append(writer_ms(Path(tmp) / "bench.db"))
        bare_ms, ours_ms = per_page_ms(paths[:181])
        start_bare, start_ours = startup_seconds(Path(tmp), args.workers, Path(tmp) / "one.db")
    n = len(paths)
    base_rate, ingest_rate = n / statistics.median(baseline), n / statistics.median(ingest)
    fast_rate = n / statistics.median(fast)
    print(
        f"throughput, {date.today()}, {os.cpu_count()} cores, {platform.python_version()}, "
        f"{n} pages, {args.workers} processes, median of {args.repeats} alternating runs"
        + (f", into a copy of {args.into} ({_stored(args.into):,} stored)" if args.into else "")
    )
    print("| pipeline | pages/s | ratio |")
    print("|---|---:|---:|")
    print(f"| bare trafilatura.extract (pool) | {base_rate:.1f} | 1.00 |")
    print(
        f"| bare trafilatura.extract, fast=True (pool) | {fast_rate:.1f} "
        f"| {fast_rate / base_rate:.2f} |"
    )
    print(f"| wirecopy ingest (end to end) | {ingest_rate:.1f} | {ingest_rate / base_rate:.2f} |")
    print()
    print("| where the time goes | bare | wirecopy |")
    print("|---|---:|---:|")
    print(
        f"| one process, ms per page (181 pages; bare in fast mode) | {bare_ms:.1f} "
        f"| {ours_ms:.1f} |"
    )
    print(f"| start-up, s (a run with one page) | {start_bare:.2f} | {start_ours:.2f} |")
    print(f"| the writer, ms per page (its runs row) | - | {statistics.median(writer):.1f} |")
    print()
    stages.print_table(stages.stage_ms())
    print()
    stages.print_preparation(stages.preparation_figures())


if __name__ == "__main__":
    main()
