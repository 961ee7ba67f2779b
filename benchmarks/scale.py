"""Scale: does the millionth article cost what the first did? Cron-like runs into one database.

Synthetic articles are real sentences (the extraction benchmark's reference bodies) recombined,
so words, names and lengths look like news; a share of them are syndicated copies of a recent
article (a sentence dropped, a credit line added, another site), so clustering has work, and
a share open with a recent article's lede, so partial-copy lookups have candidates. Dates
advance by ``--per-day`` articles a day, as a newsroom's archive would. Each chunk is one
JSONL file ingested by the real command in a run of its own (``python -m pipeline ingest``),
and per chunk the script prints: articles stored before the run, pages per second of the run,
the writer's milliseconds per page and story placement's per new cluster (from the run's
``runs`` row), the peak RSS of every process of the run (the largest, and all summed), the
database's bytes per article and those of the index tables alone (every tenth chunk and the
last: measuring them reads the whole index). Then a run with nothing new (the last chunk
again) is timed.

    python -m benchmarks.scale --articles 100000 --chunk 10000 --db /tmp/scale.db
    python -m benchmarks.scale --articles 1000000 --resume --db /tmp/scale.db   # go on
    python -m benchmarks.scale --side-by-side 3 --db /tmp/scale.db   # empty vs that database

Runs of a long table are hours apart on a shared machine; ``--side-by-side N`` measures the
ratio the issue asks for in one sitting: N times, a chunk into an empty database and the next
chunk into the large one, back to back, so both see the same machine.

Nothing here is a test: the README shows the table of the latest long run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks import corpus

INDEX_TABLES = ("index_bands", "index_ledes", "story_postings")
SITES = 400
COPY_SHARE, QUOTE_SHARE = 0.2, 0.03
FIRST_DAY = date(2025, 1, 1)


def sentences() -> list[str]:
    """Every sentence of the benchmark's reference bodies, long enough to carry meaning."""
    found = []
    for page in corpus.pages():
        for paragraph in page.paragraphs:
            found.extend(s for s in re.split(r"(?<=[.!?])\s+", paragraph) if len(s.split()) >= 6)
    return sorted(set(found))


def article(number: int, pool: list[str], per_day: int) -> dict:
    """Article ``number``: deterministic in its number, whatever the chunking."""
    rng = random.Random(number)
    day = FIRST_DAY + timedelta(days=number // per_day)
    kind = rng.random()
    if number > 50 and kind < COPY_SHARE + QUOTE_SHARE:
        source = rng.randrange(max(0, number - 2000), number)
        body = _body(source, pool)
        if kind < COPY_SHARE:  # a syndicated copy, lightly edited
            body.pop(rng.randrange(1, len(body)))
            body.append(f"This article first appeared on site{source % SITES}.example.")
        else:  # a post quoting the other's opening, with its own text
            body = body[:2] + _body(number, pool)[2:]
    else:
        body = _body(number, pool)
    return {
        "url": f"https://site{rng.randrange(SITES)}.example/news/{number}",
        "text": "\n\n".join(body),
        "published": day.isoformat(),
    }


def _body(number: int, pool: list[str]) -> list[str]:
    """A lede of its own (words drawn from the pool, so unrelated articles do not share
    openings the way recombined sentences would), then paragraphs of real sentences."""
    rng = random.Random(number * 7919 + 1)
    vocabulary = rng.choice(pool).split() + rng.choice(pool).split() + rng.choice(pool).split()
    lede = " ".join(rng.choice(vocabulary) for _ in range(30)).capitalize() + "."
    paragraphs = [" ".join(rng.sample(pool, rng.randint(2, 4))) for _ in range(rng.randint(5, 10))]
    return [lede, *paragraphs]


def write_chunk(path: Path, first: int, count: int, pool: list[str], per_day: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for number in range(first, first + count):
            handle.write(json.dumps(article(number, pool, per_day)) + "\n")


def run_ingest(folder: Path, db: Path) -> tuple[float, int, int]:
    """Wall seconds, and the largest and summed peak RSS (KiB) of the run's processes."""
    command = [sys.executable, "-m", "pipeline", "ingest", str(folder), "--db", str(db)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peaks: dict[int, int] = {}
    while process.poll() is None:
        for pid in _tree(process.pid):
            peaks[pid] = max(peaks.get(pid, 0), _peak_kib(pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"ingest exited with {process.returncode}")
    return elapsed, max(peaks.values(), default=0), sum(peaks.values())


def _tree(root: int) -> list[int]:
    """The process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _peak_kib(pid: int) -> int:
    """The process's peak resident set (VmHWM), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(db: Path, index_size: bool) -> dict:
    """The last run's counters and the database's size, per article (the index tables' size
    only when asked: dbstat reads every page of them)."""
    with sqlite3.connect(db) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
        run = conn.execute(
            "select stored, new_clusters, writer_seconds, story_seconds, pages_seen"
            " from runs order by id desc limit 1"
        ).fetchone()
        articles = conn.execute("select count(*) from articles").fetchone()[0]
        marks = ", ".join("?" * len(INDEX_TABLES))
        index = None
        if index_size:
            index = conn.execute(
                f"select sum(pgsize) from dbstat where name in ({marks})"
                f" or name in (select name from sqlite_master where tbl_name in ({marks}))",
                [*INDEX_TABLES, *INDEX_TABLES],
            ).fetchone()[0]
    _, clusters, writer, story, seen = run
    return {
        "articles": articles,
        "writer_ms": 1000 * (writer or 0) / max(seen, 1),
        "story_ms": 1000 * (story or 0) / max(clusters, 1),
        "db_bytes": db.stat().st_size / max(articles, 1),
        "index_bytes": None if index is None else index / max(articles, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--per-day", type=int, default=5_000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "scale.db")
    parser.add_argument("--resume", action="store_true", help="go on from the stored articles")
    parser.add_argument(
        "--side-by-side", type=int, default=0, metavar="N", help="N empty-vs-DB pairs of runs"
    )
    args = parser.parse_args()
    if args.side_by_side:
        print(f"scale, {date.today()}, {os.cpu_count()} cores, {platform.python_version()}")
        side_by_side(args.db, args.side_by_side, args.chunk, sentences(), args.per_day)
        return
    if not args.resume:
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    pool = sentences()
    print(f"scale, {date.today()}, {os.cpu_count()} cores, {platform.python_version()};")
    print(f"{len(pool)} sentences, {args.chunk:,} articles a run, {args.per_day:,} a day")
    print(
        "| stored before | pages/s | writer ms/page | story ms/cluster | peak RSS MB"
        " (largest / all) | DB bytes/article | index bytes/article |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "chunk"
        folder.mkdir()
        first = _stored(args.db) if args.resume else 0
        while first < args.articles:
            count = min(args.chunk, args.articles - first)
            write_chunk(folder / "chunk.jsonl", first, count, pool, args.per_day)
            elapsed, largest, total = run_ingest(folder, args.db)
            last = first + count >= args.articles
            m = measure(args.db, index_size=last or first % (10 * args.chunk) == 0)
            index = "" if m["index_bytes"] is None else f"{m['index_bytes']:,.0f}"
            print(
                f"| {first:,} | {count / elapsed:.0f} | {m['writer_ms']:.2f} |"
                f" {m['story_ms']:.2f} | {largest / 1024:.0f} / {total / 1024:.0f} |"
                f" {m['db_bytes']:,.0f} | {index} |",
                flush=True,
            )
            first += count
        elapsed, largest, _ = run_ingest(folder, args.db)
        print(
            f"\nrun with nothing new at {_stored(args.db):,} stored: {elapsed:.2f} s,"
            f" peak RSS {largest / 1024:.0f} MB"
        )


def side_by_side(db: Path, trials: int, chunk: int, pool: list[str], per_day: int) -> None:
    """Pages/s of a run into an empty database and of the next run into ``db``, back to back."""
    first = _stored(db)
    print(f"side by side: {chunk:,}-article runs, empty database vs {first:,} stored")
    print("| trial | empty: pages/s | large: pages/s | ratio |\n|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "chunk"
        folder.mkdir()
        for trial in range(trials):
            write_chunk(folder / "chunk.jsonl", 0, chunk, pool, per_day)
            empty, _, _ = run_ingest(folder, Path(tmp) / f"empty-{trial}.db")
            write_chunk(folder / "chunk.jsonl", first, chunk, pool, per_day)
            large, _, _ = run_ingest(folder, db)
            first += chunk
            rates = f"{chunk / empty:.0f} | {chunk / large:.0f} | {empty / large:.2f}"
            print(f"| {trial + 1} | {rates} |", flush=True)


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from articles").fetchone()[0]


if __name__ == "__main__":
    main()
