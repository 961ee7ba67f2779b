"""Where the writer's time grows with the archive: its steps timed, one chunk at three sizes.

``benchmarks/scale.py`` shows that a run into a database of a million articles is slower than
the first run into an empty one; this says by how much each of the writer's steps grew. The
same kind of chunk (``--articles`` synthetic articles, the scale benchmark's corpus) is
ingested three times, back to back: into an empty database (the scale benchmark's first
chunk), into a small database whose story window is already full (``--fill`` articles, filled
untimed first: 20,000 is four days at 5,000 a day, the window being three), and into the large
database given with ``--db`` (built by ``benchmarks/scale.py``; it keeps the new articles).
The small database separates what grows with the story window from what grows with the
archive.

The command runs in this process (workers are its usual worker processes) with a timer
around each of the writer's steps below; the wall time per article is that of the command.
The timers cost a few microseconds a call, alike on every side.

    python -m benchmarks.writer_steps [--db /tmp/scale.db] [--articles 5000] [--fill 20000]
"""

from __future__ import annotations

import argparse
import functools
import platform
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from benchmarks.scale import _stored, sentences, write_chunk
from pipeline.cli import cli
from pipeline.dedup.index import ClusterIndex
from pipeline.run.writer import Writer
from pipeline.store import Store

# (class, method, what the row says). A step marked · is part of the one above it.
STEPS: list[tuple[type, str, str]] = [
    (Writer, "_add_article", "one article (all below but the batch close)"),
    (ClusterIndex, "add", "· clustering: exact, near and partial lookups"),
    (Store, "band_candidates", "· · band-key lookups (near and lede tables)"),
    (Writer, "_place_story", "· story placement of a new cluster"),
    (Store, "recent_postings", "· · story postings read"),
    (Store, "add_article", "· article row, full text, band keys, pairs"),
    (Writer, "flush", "closing a batch (summary rows, commit)"),
    (Store, "finish_batch", "· summary rows written, commit"),
]


@contextmanager
def timed_steps() -> Iterator[Counter[str]]:
    """Seconds spent in each step while the block runs (the methods are put back after)."""
    spent: Counter[str] = Counter()
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in STEPS]
    for (owner, name, method), (_, _, label) in zip(originals, STEPS, strict=True):
        setattr(owner, name, _timer(method, label, spent))
    try:
        yield spent
    finally:
        for owner, name, method in originals:
            setattr(owner, name, method)


def _timer(method: Callable, label: str, spent: Counter[str]) -> Callable:
    @functools.wraps(method)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started

    return timed


def ingest(db: Path, folder: Path) -> None:
    """The real ``ingest`` command, in this process."""
    args = ["ingest", str(folder), "--db", str(db), "--quiet"]
    cli.main(args=args, prog_name="python -m pipeline", standalone_mode=False)


def chunk_into(db: Path, count: int, pool: list[str], per_day: int) -> tuple[float, Counter]:
    """Ingest the next ``count`` articles into ``db``: wall ms per article, step seconds.
    A run that did not store them all is not a measurement: it stops the benchmark."""
    before = _stored(db)
    with tempfile.TemporaryDirectory() as tmp:
        write_chunk(Path(tmp) / "chunk.jsonl", before, count, pool, per_day)
        with timed_steps() as spent:
            started = time.perf_counter()
            ingest(db, Path(tmp))
            wall = time.perf_counter() - started
    if (stored := _stored(db) - before) != count:
        raise SystemExit(f"{db}: the run stored {stored:,} of {count:,} articles")
    return wall * 1000 / count, spent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: python -m benchmarks.writer_steps --db /tmp/scale.db --articles 5000",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=Path(tempfile.gettempdir()) / "scale.db",
        help="a large database built by benchmarks/scale.py (its default place by default)",
    )
    parser.add_argument("--articles", type=int, default=5_000, help="articles per timed chunk")
    parser.add_argument("--fill", type=int, default=20_000, help="articles in the small database")
    parser.add_argument("--per-day", type=int, default=5_000, help="articles a day (dates)")
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} does not exist: build it with benchmarks/scale.py")
    pool = sentences()
    with tempfile.TemporaryDirectory() as tmp:
        empty, small = Path(tmp) / "empty.db", Path(tmp) / "small.db"
        print(f"filling a small database with {args.fill:,} articles (not timed)", flush=True)
        fill_folder = Path(tmp) / "fill"
        fill_folder.mkdir()
        write_chunk(fill_folder / "fill.jsonl", 0, args.fill, pool, args.per_day)
        ingest(small, fill_folder)
        sides = [("empty", empty), (f"{args.fill:,} stored", small)]
        sides.append((f"{_stored(args.db):,} stored", args.db))
        results = [(name, *chunk_into(db, args.articles, pool, args.per_day)) for name, db in sides]
    _report(results, args.articles)


def _report(results: list[tuple[str, float, Counter]], count: int) -> None:
    print(f"\nwriter steps, {date.today()}, {platform.machine()}, {count:,}-article chunks")
    print("| ms per article | " + " | ".join(name for name, _, _ in results) + " |")
    print("|---|" + "---:|" * len(results))
    walls = " | ".join(f"{wall:.2f}" for _, wall, _ in results)
    print(f"| **whole command (wall)** | {walls} |")
    for _, _, label in STEPS:
        cells = " | ".join(f"{spent[label] * 1000 / count:.2f}" for _, _, spent in results)
        print(f"| {label} | {cells} |")
    first = results[0][1]
    print("| speed against empty | " + " | ".join(f"{first / w:.2f}" for _, w, _ in results) + " |")


if __name__ == "__main__":
    main()
