"""Pages per second of ``ingest --dask`` with one and with two Dask workers, next to a local
``ingest`` and to bare ``trafilatura.extract`` (the floor of any extraction), in one run.

The same pages as ``benchmarks/throughput.py`` (the extraction benchmark's 181 real pages,
``--copies`` times). Each Dask configuration is a ``distributed.LocalCluster`` on 127.0.0.1
(worker processes, one thread each) started before its timed run; the run is the real
command with ``--dask ADDRESS``. Runs alternate within each repeat so machine noise hits all
alike; medians are printed. On this 2-core machine the writer and the workers share the
cores: the figures show the cost of the Dask path against the local pool, not a cluster's
speed (each extra machine adds its cores).

    python -m benchmarks.dask_map [--copies 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.throughput import _corpus, time_baseline, time_ingest


def time_dask(folder: Path, workers: int, db: Path) -> float:
    """Seconds of ``ingest --dask`` against a fresh local cluster of ``workers`` processes."""
    from distributed import LocalCluster

    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        command = [sys.executable, "-m", "pipeline", "ingest", str(folder), "--db", str(db)]
        started = time.perf_counter()
        subprocess.run([*command, "--dask", cluster.scheduler_address, "--quiet"], check=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        pages = len(_corpus(folder, args.copies))
        db = Path(tmp) / "bench.db"
        timed = {
            "bare trafilatura.extract, 2 processes": lambda: time_baseline(folder, 2),
            "ingest, 2 local worker processes": lambda: time_ingest(folder, 2, db),
            "ingest --dask, 1 Dask worker": lambda: time_dask(folder, 1, db),
            "ingest --dask, 2 Dask workers": lambda: time_dask(folder, 2, db),
        }
        for _ in range(args.repeats):
            for name, run in timed.items():
                runs.setdefault(name, []).append(run())
    print(f"dask map, {date.today()}, {os.cpu_count()} cores, {platform.python_version()};")
    print(f"{pages} pages, median of {args.repeats} alternated runs\n")
    print("| run | pages/s | vs bare extraction |\n|---|---:|---:|")
    bare = statistics.median(runs["bare trafilatura.extract, 2 processes"])
    for name, seconds in runs.items():
        median = statistics.median(seconds)
        print(f"| {name} | {pages / median:.1f} | {bare / median:.2f}x |")


if __name__ == "__main__":
    main()
