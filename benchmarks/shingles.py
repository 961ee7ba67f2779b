"""How similar do *different* reports of one event look at each shingle size?

Runs the five seed articles (one event, five write-ups, no copies) through extract and clean,
then prints the highest pairwise Jaccard similarity for shingle sizes 2 to 6. The chosen size
must keep this well below the near-duplicate threshold.

    python -m benchmarks.shingles
"""

from __future__ import annotations

import itertools
from pathlib import Path

from pipeline.config import Config
from pipeline.dedup.fingerprint import normalise, shingle_hashes, words
from pipeline.records import Page
from pipeline.run.process import process_page
from pipeline.sources.common import raw_hash

SEEDS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "seeds"


def seed_texts() -> list[str]:
    texts = []
    for path in sorted(SEEDS.glob("*.txt")):
        body = path.read_bytes()
        page = process_page(Page(path.name, body, "text", raw_hash(body)), Config())
        texts.append(page.text)
    return texts


def max_jaccard(texts: list[str], size: int) -> float:
    sets = [set(shingle_hashes(words(normalise(text)), size).tolist()) for text in texts]
    return max(len(a & b) / len(a | b) for a, b in itertools.combinations(sets, 2))


def main() -> None:
    texts = seed_texts()
    threshold = Config().cluster.threshold
    print(f"highest Jaccard between two different seed reports (threshold {threshold}):")
    for size in range(2, 7):
        print(f"  {size}-word shingles: {max_jaccard(texts, size):.3f}")


if __name__ == "__main__":
    main()
