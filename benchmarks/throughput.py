"""Pages per second of ``ingest`` next to bare ``trafilatura.extract``, measured in one run.

Both sides get the same pages (the 181 real pages of the extraction benchmark, repeated
``--copies`` times under different names so a run lasts long enough to time) and the same
number of processes. The baseline reads each file, gunzips it and calls
``trafilatura.extract`` in a process pool: the least any extraction pipeline must do. The
ingest side is the real command, ``python -m pipeline ingest``, into a fresh database: reading,
extraction with metadata, cleaning, fingerprinting, clustering and SQLite writes. Runs
alternate (baseline, ingest, baseline, ingest, ...) so machine noise hits both alike; the
median of each is reported with their ratio.

    python -m benchmarks.throughput [--workers 2] [--copies 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.corpus import BENCHMARK


def _extract_file(path: str) -> int:
    import trafilatura

    with gzip.open(path, "rt", encoding="utf-8") as handle:
        text = trafilatura.extract(handle.read(), include_comments=False, deduplicate=False)
    return len(text or "")


def _corpus(folder: Path, copies: int) -> list[Path]:
    paths = []
    for copy in range(copies):
        target = folder / f"copy{copy}"
        target.mkdir()
        for source in sorted((BENCHMARK / "html").glob("*.html.gz")):
            paths.append(Path(shutil.copy(source, target / source.name)))
    return paths


def time_baseline(paths: list[Path], workers: int) -> float:
    started = time.perf_counter()
    context = multiprocessing.get_context("forkserver")
    with context.Pool(workers) as pool:
        for _ in pool.imap(_extract_file, [str(p) for p in paths], chunksize=1):
            pass
    return time.perf_counter() - started


def time_ingest(folder: Path, workers: int, db: Path) -> float:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wirecopy-bench-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        paths = _corpus(folder, args.copies)
        baseline, ingest = [], []
        for _ in range(args.repeats):
            baseline.append(time_baseline(paths, args.workers))
            ingest.append(time_ingest(folder, args.workers, Path(tmp) / "bench.db"))
    n = len(paths)
    base_rate, ingest_rate = n / statistics.median(baseline), n / statistics.median(ingest)
    print(
        f"throughput, {date.today()}, {os.cpu_count()} cores, {platform.python_version()}, "
        f"{n} pages, {args.workers} processes, median of {args.repeats} alternating runs"
    )
    print("| pipeline | pages/s | ratio |")
    print("|---|---:|---:|")
    print(f"| bare trafilatura.extract (pool) | {base_rate:.1f} | 1.00 |")
    print(f"| wirecopy ingest (end to end) | {ingest_rate:.1f} | {ingest_rate / base_rate:.2f} |")


if __name__ == "__main__":
    main()
