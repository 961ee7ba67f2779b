"""Where a page's time goes: each per-page stage timed alone, in one process.

The 181 pages of the extraction benchmark go through the same calls ``process_page`` makes
(extract; clean, headline and credit; fingerprint; story terms; site-furniture line keys),
each stage timed on its own, after a warm-up pass so lazy set-up is not timed. Story placement
(the writer's work for each new cluster) is timed by replaying the pages into an empty story
index. ``benchmarks/throughput.py`` prints this table under its own.

    python -m benchmarks.stages
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from benchmarks.corpus import BENCHMARK
from pipeline.config import Config
from pipeline.extract import extract
from pipeline.fingerprint import fingerprint
from pipeline.process import clean_page
from pipeline.records import Page
from pipeline.site_furniture import line_keys
from pipeline.sources.common import inflate
from pipeline.stories import Founder, NothingStored, StoryIndex, day_of
from pipeline.terms import story_terms


def stage_ms() -> dict[str, float]:
    """Milliseconds per page for each stage, and per new cluster for story placement."""
    config = Config()
    bodies = [inflate(p.read_bytes(), 1 << 30) for p in sorted((BENCHMARK / "html").glob("*.gz"))]
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


def _placement_ms(pages: list[Page], config: Config) -> float:
    founders = [
        Founder(
            i,
            page.title,
            day_of(page.published, None, "2026-01-01"),
            story_terms(page.text, page.language),
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


def main() -> None:
    print(f"stages, {date.today()}")
    print_table(stage_ms())


if __name__ == "__main__":
    main()
