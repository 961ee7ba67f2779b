"""Story quality: do different write-ups of one event share a story, and nothing else?

Corpus: the 181 pages of the extraction benchmark plus the five seed articles (one event: Putin
at the Hmeimim airbase). ``benchmarks/story_labels.json`` names, by hand, the groups of pages
that report the same event ("same_event") and groups that are defensible either way
("related": an ongoing story over several days, a digest leading with an event).

wirecopy runs as the real ``ingest`` command. The score is over pairs of pages:

* recall: the share of same-event pairs that ended in one story;
* wrong merges: pairs in one story that no label allows (the number that must stay 0);
* seeds: whether the five seeds form exactly one story.

The sweep replays story placement (``pipeline.stories.placement.StoryIndex``, the code
ingest runs) on the stored texts for other thresholds, which is how the default was chosen;
its row for the default threshold must equal the ingest run, and the script says so.

    python -m benchmarks.stories
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from benchmarks.corpus import BENCHMARK
from pipeline.config import StoryConfig
from pipeline.stories.placement import Founder, NothingStored, StoryIndex, day_of
from pipeline.stories.terms import story_terms

LABELS = Path(__file__).parent / "story_labels.json"
SEEDS = Path(__file__).parent.parent / "tests" / "fixtures" / "seeds"
SWEEP = (0.4, 0.45, 0.46, 0.47, 0.5, 0.52, 0.55, 0.6, 0.62, 0.64, 0.7)


def labels() -> tuple[set[tuple[str, str]], set[tuple[str, str]], list[str]]:
    """Same-event pairs, allowed pairs (same-event or related), and the seed keys."""
    data = json.loads(LABELS.read_text())
    same = _pairs(data["same_event"].values())
    allowed = same | _pairs(data["related"].values())
    seeds = next(group for name, group in data["same_event"].items() if name.startswith("seeds"))
    return same, allowed, seeds


def _pairs(groups: Iterable[list[str]]) -> set[tuple[str, str]]:
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


def split_groups(story_of: dict[str, int]) -> list[str]:
    """Same-event groups spread over more than one story, with how they were split."""
    data = json.loads(LABELS.read_text())
    split = []
    for name, group in data["same_event"].items():
        parts: dict[int, list[str]] = {}
        for key in group:
            parts.setdefault(story_of[key], []).append(key)
        if len(parts) > 1:
            split.append(f"{name}: {' | '.join(' '.join(part) for part in parts.values())}")
    return split


def score(story_of: dict[str, int]) -> dict[str, object]:
    """Recall, wrong merges and the seeds' story count for one page -> story mapping."""
    same, allowed, seeds = labels()
    together = {
        pair
        for pair in itertools.combinations(sorted(story_of), 2)
        if story_of[pair[0]] == story_of[pair[1]]
    }
    wrong = sorted(together - allowed)
    return {
        "stories": len(set(story_of.values())),
        "recall": len(together & same) / len(same),
        "wrong": wrong,
        "seed_stories": len({story_of[key] for key in seeds}),
    }


def run_ingest(folder: Path, db: Path) -> list[tuple]:
    """Ingest the corpus; return (key, id, cluster, story, published, ingested_at, text,
    title, language) per article."""
    subprocess.run(
        [sys.executable, "-m", "pipeline", "ingest", str(folder), "--db", str(db), "--quiet"],
        check=True,
    )
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select substr(source, 1, 8), id, cluster_id, story_id, published, ingested_at, text,"
            " title, language from articles order by id"
        ).fetchall()


def replay(rows: list[tuple], threshold: float) -> dict[str, int]:
    """Story placement with another threshold, on the stored texts, in ingest order."""
    index = StoryIndex(StoryConfig(threshold=threshold), NothingStored())
    story_of_cluster: dict[int, int] = {}
    for _, article_id, cluster, _, published, ingested_at, text, title, language in rows:
        if article_id == cluster:
            terms = story_terms(text, language)
            founder = Founder(cluster, title, day_of(published, None, ingested_at), terms)
            story_of_cluster[cluster] = index.place(founder)[0]
    return {row[0]: story_of_cluster[row[2]] for row in rows}


def corpus(folder: Path) -> None:
    for page in sorted((BENCHMARK / "html").glob("*.html.gz")):
        shutil.copy(page, folder / page.name)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    default = StoryConfig().threshold
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        corpus(folder)
        rows = run_ingest(folder, Path(tmp) / "stories.db")
    ingested = score({row[0]: row[3] for row in rows})
    print(f"{len(rows)} pages; threshold {default} (the default), as stored by ingest:")
    _report(ingested)
    print("  same-event groups left in several stories:")
    for line in split_groups({row[0]: row[3] for row in rows}):
        print(f"    {line}")
    print("\nsweep (replayed placement):")
    print(f"{'threshold':>9} {'stories':>7} {'recall':>7} {'wrong':>6} {'seed stories':>13}")
    for threshold in SWEEP:
        result = score(replay(rows, threshold))
        print(
            f"{threshold:>9} {result['stories']:>7} {result['recall']:>7.2f}"
            f" {len(result['wrong']):>6} {result['seed_stories']:>13}"
        )
        if result["wrong"]:
            print(f"{'':>9} wrong: {' '.join('+'.join(pair) for pair in result['wrong'])}")
        if threshold == default and result != ingested:
            print("  (differs from the ingest run: the replay is out of step with the writer)")


def _report(result: dict[str, object]) -> None:
    print(f"  stories: {result['stories']}")
    print(f"  same-event pairs in one story (recall): {result['recall']:.2f}")
    print(f"  wrong merges: {len(result['wrong'])} {result['wrong']}")
    print(f"  stories holding the five seeds: {result['seed_stories']}")


if __name__ == "__main__":
    main()
