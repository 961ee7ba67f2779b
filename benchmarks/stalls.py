"""What pages that stall the HTML parser cost a run: wall time with and without them.

The good pages are the 181 real pages of the extraction benchmark. Three folders are
ingested by the real command, two processes, each into a fresh database: the good pages
alone; with two pages whose one element has 100,000 attributes (libxml2 spends minutes on
one; ``pipeline/extract/tame.py`` drops attributes beyond a thousand before parsing); and
with two pages whose 60,000 attributes each hold a ``>`` (hidden from that scan: about 30 s
each in libxml2, beyond the 30 s page limit, so the parent's board finds them stuck and
replaces their workers, ``pipeline/run/mapper.py``). A stalling page should cost at most one
page limit of wall time.

    python -m benchmarks.stalls [--workers 2] [--page-timeout 30]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.corpus import BENCHMARK


def _stalling(attributes: int, value: str) -> str:
    names = " ".join(f'a{n}="{value}"' for n in range(attributes))
    return f"<html><body><div {names}><p>Nothing here.</p></div></body></html>"


def _folder(root: Path, name: str, extra: dict[str, str]) -> Path:
    folder = root / name
    folder.mkdir()
    for source in sorted((BENCHMARK / "html").glob("*.html.gz")):
        shutil.copy(source, folder / source.name)
    for file_name, html in extra.items():
        (folder / file_name).write_text(html, encoding="utf-8")
    return folder


def _run(folder: Path, db: Path, workers: int, page_timeout: float) -> tuple[float, int, dict]:
    command = [sys.executable, "-m", "pipeline", "ingest", str(folder), "--db", str(db)]
    command += ["--workers", str(workers), "--page-timeout", str(page_timeout), "--quiet"]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    elapsed = time.perf_counter() - started
    with sqlite3.connect(db) as conn:
        stored = conn.execute("select count(*) from articles").fetchone()[0]
        reasons = dict(conn.execute("select source, reason from rejected where source like 's%'"))
    return elapsed, stored, reasons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--page-timeout", type=float, default=30.0)
    args = parser.parse_args()
    cases = {
        "181 good pages": {},
        "+ 2 pages of 100,000 attributes": {
            f"stall-{n}.html": _stalling(100_000, "x") for n in (1, 2)
        },
        "+ 2 pages of 60,000 hidden attributes": {
            f"stall-{n}.html": _stalling(60_000, ">") for n in (1, 2)
        },
    }
    print(
        f"stalls, {date.today()}, {os.cpu_count()} cores, {platform.python_version()}, "
        f"{args.workers} processes, page limit {args.page_timeout:g} s"
    )
    print("| folder | wall s | more than good pages alone | stored | the stalling pages |")
    print("|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory(prefix="wirecopy-stalls-") as tmp:
        alone = None
        for number, (name, extra) in enumerate(cases.items()):
            folder = _folder(Path(tmp), f"case{number}", extra)
            elapsed, stored, reasons = _run(
                folder, Path(tmp) / f"case{number}.db", args.workers, args.page_timeout
            )
            alone = elapsed if alone is None else alone
            shown = ", ".join(sorted(set(reasons.values()))) or "-"
            print(f"| {name} | {elapsed:.1f} | {elapsed - alone:+.1f} | {stored} | {shown} |")


if __name__ == "__main__":
    main()
