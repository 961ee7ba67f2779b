"""Where a page's time goes: each per-page stage timed alone, in one process.

The 181 pages of the extraction benchmark go through the same calls ``process_page`` makes
(extract; clean, headline and credit; fingerprint; story terms; site-furniture line keys),
each stage timed on its own, after a warm-up pass so lazy set-up is not timed. Story placement
(the writer's work for each new cluster) is timed by replaying the pages into an empty story
index. A second table splits out what the extract stage spends before trafilatura runs:
checking class attributes for repairs (every page), parsing every page (the one parse serves
the metadata, trafilatura and the cleaner's structure checks), reading the metadata and the
head's date, repairing the pages that may need it, the one copy trafilatura works on, and the
whole-page date search of undated heads. ``benchmarks/throughput.py`` prints both tables
under its own.

    python -m benchmarks.stages
"""

from __future__ import annotations

import time
from collections.abc import Callable
from copy import copy
from datetime import date

from trafilatura.utils import load_html

from benchmarks.corpus import BENCHMARK
from pipeline.clean.site import line_keys
from pipeline.config import Config
from pipeline.dedup.fingerprint import fingerprint
from pipeline.extract import html as extract_module
from pipeline.extract.decode import decode
from pipeline.extract.html import extract
from pipeline.extract.prepare import needs_preparation, prepare
from pipeline.records import Page
from pipeline.run.process import clean_page
from pipeline.sources.common import inflate
from pipeline.stories.placement import Founder, NothingStored, StoryIndex, day_of
from pipeline.stories.terms import story_terms


def stage_ms() -> dict[str, float]:
    """Milliseconds per page for each stage, and per new cluster for story placement."""
    config = Config()
    bodies = [inflate(p.read_bytes(), 1 << 30) for p in _paths()]
    stages: list[tuple[str, Callable[[Page], object]]] = [
        ("extract (trafilatura, metadata)", extract),
        ("clean, headline, credit", clean_page),
        ("fingerprint (signature, ledes, windows)", lambda p: fingerprint(p, config.fingerprint)),
        ("story terms", lambda p: story_terms(p.text, p.language)),
        ("site-furniture line keys", lambda p: line_keys(p.text)),
    ]
    totals = dict.fromkeys([name for name, _ in stages], 0.0)
    for timed in (False, True):
        pages = [Page(str(i), body, "html", str(i)) for i, body in enumerate(bodies)]
        for name, stage in stages:
            started = time.perf_counter()
            for page in pages:
                stage(page)
            if timed:
                totals[name] = (time.perf_counter() - started) * 1000 / len(pages)
    totals["story placement (writer, per new cluster)"] = _placement_ms(pages, config)
    return totals


def preparation_figures() -> list[tuple[str, int, float]]:
    """(step, pages it runs on, ms per such page) for the work before trafilatura."""
    htmls = [decode(inflate(path.read_bytes(), 1 << 30), None) for path in _paths()]
    check_ms, flagged = _timed_each(htmls, needs_preparation)
    parse_ms, trees = _timed_each(htmls, load_html)
    meta_ms, _ = _timed_each(list(zip(htmls, trees, strict=True)), _metadata)
    heads = [extract_module._head_document(tree) for tree in trees]
    undated = [extract_module._find_date(head, None) is None for head in heads]
    repair_ms, _ = _timed_each([t for t, f in zip(trees, flagged, strict=True) if f], prepare)
    copy_ms, _ = _timed_each(trees, copy)
    undated_trees = [tree for tree, late in zip(trees, undated, strict=True) if late]
    date_ms, dates = _timed_each(undated_trees, lambda tree: extract_module._find_date(tree, None))
    found = sum(value is not None for value in dates)
    return [
        ("check class attributes for repairs", len(htmls), check_ms),
        (
            "parse (every page; metadata, trafilatura and the structure checks read it)",
            len(trees),
            parse_ms,
        ),
        ("metadata and the head's date, from the tree", len(trees), meta_ms),
        ("repair (pages whose classes flag it)", sum(flagged), repair_ms),
        ("the one copy trafilatura works on (pipeline/extract/fast.py)", len(trees), copy_ms),
        (f"whole-page date search (undated heads; {found} dated)", len(undated_trees), date_ms),
    ]


def _metadata(item: tuple[str, object]) -> None:
    html, tree = item
    extract_module._read_metadata(Page("x", b"", "html", ""), html, tree)


def _timed_each(items: list, call: Callable) -> tuple[float, list]:
    started = time.perf_counter()
    results = [call(item) for item in items]
    return (time.perf_counter() - started) * 1000 / max(len(items), 1), results


def _paths() -> list:
    return sorted((BENCHMARK / "html").glob("*.gz"))


def _placement_ms(pages: list[Page], config: Config) -> float:
    founders = [
        Founder(
            i,
            page.title,
            day_of(page.published, None, "2026-01-01"),
            story_terms(page.text, page.language),
            page.text,
        )
        for i, page in enumerate(pages, start=1)
    ]
    index = StoryIndex(config.story, NothingStored())
    started = time.perf_counter()
    for founder in founders:
        index.place(founder)
    return (time.perf_counter() - started) * 1000 / len(founders)


def print_table(totals: dict[str, float]) -> None:
    print("| stage (one process, 181 pages) | ms |")
    print("|---|---:|")
    for name, ms in totals.items():
        print(f"| {name} | {ms:.2f} |")


def print_preparation(rows: list[tuple[str, int, float]]) -> None:
    print("| inside extract, before trafilatura (one process) | pages | ms per such page |")
    print("|---|---:|---:|")
    for name, pages, ms in rows:
        print(f"| {name} | {pages} | {ms:.2f} |")


def main() -> None:
    print(f"stages, {date.today()}")
    print_table(stage_ms())
    print()
    print_preparation(preparation_figures())


if __name__ == "__main__":
    main()
