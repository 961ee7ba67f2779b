"""Story quality on two sets: whole events together, and nothing else.

1. **ECB+ (development topics)**: 772 real news articles in 33 topics, 66 events, each topic
   holding two different events of one kind (read from the shared folder beside the checkout,
   ``../shared/data/ecbplus-dev``, or where ``WIRECOPY_ECBPLUS`` points). Scored over pairs
   of articles, as its README does: precision, recall, F1 and the adjusted Rand index, an
   article that was not stored counting as a story of its own. Beside it, in the same run:
   plain TF-IDF (sublinear, English stop words) with average-link clustering at cosine
   distance 0.75, the baseline a textbook gives. Then the same scores on the odd and the even
   topics apart (tune on one, check on the other), and a precision/recall curve over the
   threshold.
2. **The 181 benchmark pages and the five seeds** (one event: Putin at the Hmeimim airbase),
   with hand labels (``benchmarks/story_labels.json``): groups of pages that report the same
   event ("same_event") and groups defensible either way ("related"). Recall is the share of
   same-event pairs in one story; a *wrong merge* is a pair in one story that no label allows
   (the number that must stay 0); and the five seeds must form one story.

wirecopy runs as the real ``ingest`` command on both. The curves replay story placement
(``pipeline.stories.placement.StoryIndex``, the code ingest runs) on the stored texts for
other thresholds; the row of the default threshold equals the ingest run unless copies merged
two clusters during the ingest (their stories then merge too, which the replay of the final
clusters does not see), and the script says for how many articles.

    python -m benchmarks.stories
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from pipeline.config import StoryConfig
from pipeline.stories.placement import Founder, NothingStored, StoryIndex, day_of
from pipeline.stories.terms import english_stop_words, story_terms

LABELS = Path(__file__).parent / "story_labels.json"
SEEDS = Path(__file__).parent.parent / "tests" / "fixtures" / "seeds"
BENCHMARK = Path(__file__).parent / "data" / "article-extraction-benchmark"
ECBPLUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "ecbplus-dev"
SWEEP = (0.2, 0.22, 0.24, 0.26, 0.27, 0.28, 0.29, 0.3, 0.32, 0.35, 0.4)
BASELINE_DISTANCE = 0.75
Row = tuple  # (key, id, cluster, story, published, ingested_at, text, title, language)


# -- the hand-labelled benchmark pages --------------------------------------------------


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


def corpus(folder: Path) -> None:
    for page in sorted((BENCHMARK / "html").glob("*.html.gz")):
        shutil.copy(page, folder / page.name)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)


# -- ECB+ --------------------------------------------------------------------------------


def ecbplus_folder() -> Path | None:
    """Where the ECB+ development set is, or None when this machine does not have it."""
    path = Path(os.environ.get("WIRECOPY_ECBPLUS", ECBPLUS))
    return path if (path / "truth.json").exists() else None


def pairwise(story_of: dict[str, object], events: dict[str, str]) -> dict[str, float]:
    """Pairwise precision, recall, F1 and adjusted Rand index of a clustering of the
    articles named in ``events`` (one missing from ``story_of`` is a story of its own)."""
    predicted = {key: story_of.get(key, ("alone", key)) for key in events}
    together = Counter((predicted[key], events[key]) for key in events)
    pairs = Counter(predicted.values()), Counter(events.values())
    hits = sum(_two(n) for n in together.values())
    found, true = (sum(_two(n) for n in counts.values()) for counts in pairs)
    precision, recall = hits / found if found else 1.0, hits / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    expected = found * true / _two(len(events))
    ari = (hits - expected) / ((found + true) / 2 - expected)
    return {"groups": len(pairs[0]), "P": precision, "R": recall, "F1": f1, "ARI": ari}


def _two(n: int) -> int:
    return n * (n - 1) // 2


def tfidf_average_link(texts: dict[str, str], distance: float) -> dict[str, int]:
    """The textbook baseline: TF-IDF (sublinear tf, smooth idf, English stop words, words of
    two characters or more) and average-link clustering cut at this cosine distance."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage

    stop = english_stop_words()
    keys = sorted(texts)
    tokens = [
        [w for w in re.findall(r"\b\w\w+\b", texts[k].casefold()) if w not in stop] for k in keys
    ]
    df = Counter(word for words in tokens for word in set(words))
    column = {word: i for i, word in enumerate(sorted(df))}
    matrix = np.zeros((len(keys), len(column)))
    for row, words in enumerate(tokens):
        for word, count in Counter(words).items():
            idf = math.log((1 + len(keys)) / (1 + df[word])) + 1
            matrix[row, column[word]] = (1 + math.log(count)) * idf
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-12
    found = fcluster(linkage(matrix, "average", metric="cosine"), distance, "distance")
    return {key: int(story) for key, story in zip(keys, found, strict=True)}


# -- running ingest and replaying placement ---------------------------------------------


def run_ingest(folder: Path, db: Path, key: str = "substr(source, 1, 8)") -> list[Row]:
    """Ingest the folder; return (key, id, cluster, story, published, ingested_at, text,
    title, language) per article, in the order they were stored."""
    subprocess.run(
        [sys.executable, "-m", "pipeline", "ingest", str(folder), "--db", str(db), "--quiet"],
        check=True,
    )
    with sqlite3.connect(db) as conn:
        return conn.execute(
            f"select {key}, id, cluster_id, story_id, published, ingested_at, text, title,"
            " language from articles order by id"
        ).fetchall()


def replay(rows: list[Row], threshold: float) -> dict[str, int]:
    """Story placement with another threshold, on the stored texts, in ingest order."""
    index = StoryIndex(StoryConfig(threshold=threshold), NothingStored())
    story_of_cluster: dict[int, int] = {}
    for _, article_id, cluster, _, published, ingested_at, text, title, language in rows:
        if article_id == cluster:
            terms = story_terms(text, language)
            founder = Founder(cluster, title, day_of(published, None, ingested_at), terms, text)
            placed = index.place(founder)
            story_of_cluster[cluster] = placed.story
            for merge in placed.merges:
                for known, story in story_of_cluster.items():
                    if story == merge.gone:
                        story_of_cluster[known] = merge.kept
    return {row[0]: story_of_cluster[row[2]] for row in rows}


# -- the report --------------------------------------------------------------------------


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    print(f"stories, {date.today()}, threshold {StoryConfig().threshold} (the default)")
    with tempfile.TemporaryDirectory() as tmp:
        if (folder := ecbplus_folder()) is None:
            print("\nECB+ not found: set WIRECOPY_ECBPLUS to its folder")
        else:
            _ecbplus(folder, Path(tmp))
        _benchmark_pages(Path(tmp))


def _ecbplus(folder: Path, tmp: Path) -> None:
    events = json.loads((folder / "truth.json").read_text())
    pages = tmp / "ecbplus"
    pages.mkdir()
    shutil.copy(folder / "pages" / "docs.jsonl", pages / "docs.jsonl")
    rows = run_ingest(pages, tmp / "ecbplus.db", key="url")
    raw = [json.loads(line) for line in (folder / "pages" / "docs.jsonl").open()]
    stored = {row[0]: row[3] for row in rows}
    baseline = tfidf_average_link({r["url"]: r["text"] for r in raw}, BASELINE_DISTANCE)
    print(f"\nECB+ development topics: {len(events)} articles, {len(set(events.values()))} events")
    print("| system | groups | precision | recall | F1 | ARI |")
    print("|---|---:|---:|---:|---:|---:|")
    print(_row("wirecopy stories (ingest)", pairwise(stored, events)))
    name = f"TF-IDF average-link, cosine distance < {BASELINE_DISTANCE}"
    print(_row(name, pairwise(baseline, events)))
    for label, parity in (("odd topics", 1), ("even topics", 0)):
        part = {k: e for k, e in events.items() if int(e.split("_")[0]) % 2 == parity}
        part_rows = [row for row in rows if row[0] in part]
        print(_row(f"wirecopy, {label} alone", pairwise(_ingested_alone(part_rows), part)))
    _curve(rows, lambda found: pairwise(found, events), stored)


def _ingested_alone(rows: list[Row]) -> dict[str, int]:
    """Placement replayed on a part of the set only, at the default threshold."""
    return replay(rows, StoryConfig().threshold)


def _curve(
    rows: list[Row], scored: Callable[[dict[str, int]], dict[str, float]], stored: dict
) -> None:
    default = StoryConfig().threshold
    print("\n| threshold | groups | precision | recall | F1 | ARI |")
    print("|---:|---:|---:|---:|---:|---:|")
    for threshold in SWEEP:
        found = replay(rows, threshold)
        print(_row(f"{threshold}", scored(found)))
        if threshold == default and found != stored:
            moved = sum(found[key] != stored[key] for key in stored)
            print(
                f"  (differs from the ingest run for {moved} articles: the replay places the"
                " final clusters, so it does not see two clusters whose copies joined them"
                " bring their stories together; see story_merges, reason 'copies')"
            )


def _row(name: str, result: dict[str, float]) -> str:
    values = " | ".join(f"{result[k]:.3f}" for k in ("P", "R", "F1", "ARI"))
    return f"| {name} | {result['groups']} | {values} |"


def _benchmark_pages(tmp: Path) -> None:
    folder = tmp / "pages"
    folder.mkdir()
    corpus(folder)
    rows = run_ingest(folder, tmp / "stories.db")
    ingested = score({row[0]: row[3] for row in rows})
    print(f"\nthe 181 benchmark pages and the five seeds ({len(rows)} stored), as ingest stored:")
    print(f"  stories: {ingested['stories']}")
    print(f"  same-event pairs in one story (recall): {ingested['recall']:.2f}")
    print(f"  wrong merges: {len(ingested['wrong'])} {ingested['wrong']}")
    print(f"  stories holding the five seeds: {ingested['seed_stories']}")
    print("  same-event groups left in several stories:")
    for line in split_groups({row[0]: row[3] for row in rows}):
        print(f"    {line}")
    print("\n| threshold | stories | recall | wrong merges | seed stories |")
    print("|---:|---:|---:|---:|---:|")
    default = StoryConfig().threshold
    for threshold in SWEEP:
        result = score(replay(rows, threshold))
        wrong = " ".join("+".join(pair) for pair in result["wrong"])
        print(
            f"| {threshold} | {result['stories']} | {result['recall']:.2f}"
            f" | {len(result['wrong'])} {wrong} | {result['seed_stories']} |"
        )
        if threshold == default and result != ingested:
            print("  (differs from the ingest run: the replay is out of step with the writer)")


if __name__ == "__main__":
    main()
