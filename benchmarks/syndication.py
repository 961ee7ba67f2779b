"""Duplicate-grouping quality: a generated syndication corpus, scored against the truth.

Generator: real articles from the extraction benchmark are re-published into other real
pages' templates (sources and templates are pages plain trafilatura extracts with
F1 >= 0.9, so that extraction failures do not decide the grouping) the way syndication
looks: a wire dateline, the last paragraphs trimmed,
"Related: ..." lines inserted, quotes made typographic or plain, a few typos, an update
paragraph appended, credit lines and share/footer furniture added. Excerpts (the first
paragraphs plus "Continue reading at ...") are added, and the remaining articles are
distinct negatives. Everything is deterministic for ``--seed``.

Scorer: pair precision, recall and F1 over all pairs of pages (same truth group vs same
cluster; an excerpt is its own group), the adjusted Rand index, and the share of excerpts
linked to their source (a ``partial`` pair with the source or one of its copies). wirecopy
runs as the real ``ingest`` command; the baseline is a naive script: ``trafilatura.extract``,
5-word shingles, datasketch MinHash and ``MinHashLSH(threshold=0.5)`` with union-find.

    python -m benchmarks.syndication [--seed 1] [--sources 40]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from math import comb
from pathlib import Path

from benchmarks import corpus

WIRES = ("WASHINGTON (AP) — ", "LONDON (Reuters) - ", "NEW YORK (AP) — ", "PARIS (AFP) — ")
FURNITURE = (
    "Share this article",
    "Share on Facebook",
    "Leave a comment",
    "© 2019 {site}. All Rights Reserved.",
    "Sign up for our newsletter",
)
CREDITS = (
    "This article originally appeared on {site}.",
    "Source: {site}",
    "The post {title} appeared first on {site}.",
)


@dataclass(frozen=True)
class Item:
    """One generated page: its file name, its truth group, and whether it is an excerpt."""

    name: str
    group: str
    excerpt_of: str | None = None


def _typos(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(3):
        i = rng.randrange(len(words))
        if len(words[i]) > 4:
            w = words[i]
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _quotes(text: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return text.replace("“", '"').replace("”", '"').replace("’", "'")
    return text.replace(" '", " ‘").replace("' ", "’ ").replace("'", "’")


def republish(
    paragraphs: list[str],
    rng: random.Random,
    others: list[str],
    site: str,
    title: str,
    origin: str = "",
) -> list[str]:
    """Apply a random mix of syndication edits to an article's paragraphs; credit lines
    name ``origin`` (the original's site), furniture names ``site`` (the republisher)."""
    out = list(paragraphs)
    if rng.random() < 0.5:
        out[0] = rng.choice(WIRES) + out[0]
    if rng.random() < 0.5 and len(out) > 6:
        out = out[: -rng.randint(1, 2)]
    if rng.random() < 0.5:
        out.insert(rng.randrange(1, len(out)), f"Related: {rng.choice(others)}")
    out = [_quotes(p, rng) for p in out] if rng.random() < 0.5 else out
    if rng.random() < 0.5:
        index = rng.randrange(len(out))
        out[index] = _typos(out[index], rng)
    if rng.random() < 0.4:
        out.append(
            "Update: This story has been updated with additional reporting and a "
            "statement from a spokesperson, who said the company would respond later."
        )
    if rng.random() < 0.6:
        out.append(rng.choice(CREDITS).format(site=origin or site, title=title))
    if rng.random() < 0.6:
        out.extend(f.format(site=site) for f in rng.sample(FURNITURE, 2))
    return out


def generate(folder: Path, seed: int, sources: int) -> list[Item]:
    """Write the corpus as .html files into ``folder``; return the truth."""
    rng = random.Random(seed)
    pages = [p for p in corpus.pages() if len(p.paragraphs) >= 6 and _extracts_well(p)]
    rng.shuffle(pages)
    templates = pages[sources:]
    titles = [corpus.title_of(p) for p in pages]
    items: list[Item] = []
    for index, article in enumerate(pages[:sources]):
        group = f"g{index}"
        (folder / f"{group}-original.html").write_text(article.html, encoding="utf-8")
        items.append(Item(f"{group}-original.html", group))
        items += _copies(folder, article, group, templates, titles, rng)
        if index % 3 == 0:
            items.append(_excerpt(folder, article, group, templates, rng))
    for index, page in enumerate(pages[sources:]):
        name = f"distinct-{index}.html"
        (folder / name).write_text(page.html, encoding="utf-8")
        items.append(Item(name, f"d{index}"))
    return items


def _extracts_well(
    page: corpus.BenchPage,
    html: str | None = None,
    paragraphs: list[str] | None = None,
    minimum: float = 0.9,
) -> bool:
    """Whether plain trafilatura extracts a page (or a generated variant of it) with F1 of at
    least ``minimum`` against what it should contain. Sources, templates and generated pages
    must pass, so a page's grouping is never decided by an extraction failure."""
    import trafilatura

    from benchmarks.extraction import page_scores

    text = trafilatura.extract(html or page.html, include_comments=False, fast=True) or ""
    reference = "\n\n".join(paragraphs) if paragraphs else page.body
    precision, recall, _ = page_scores(text, reference)
    return precision + recall > 0 and 2 * precision * recall / (precision + recall) >= minimum


def _copies(
    folder: Path,
    article: corpus.BenchPage,
    group: str,
    templates: list,
    titles: list[str],
    rng: random.Random,
) -> list[Item]:
    items = []
    title = corpus.title_of(article)
    for copy in range(rng.randint(1, 4)):
        template = rng.choice(templates)
        site = template.url.split("/")[2]
        origin = article.url.split("/")[2]
        paragraphs = republish(article.paragraphs, rng, titles, site, title, origin)
        try:
            html = corpus.transplant(article, template, paragraphs)
        except ValueError:
            continue
        if not _extracts_well(article, html, paragraphs, minimum=0.8):
            continue
        name = f"{group}-copy{copy}.html"
        (folder / name).write_text(html, encoding="utf-8")
        items.append(Item(name, group))
    return items


def _excerpt(
    folder: Path, article: corpus.BenchPage, group: str, templates: list, rng: random.Random
) -> Item:
    site = article.url.split("/")[2]
    paragraphs = [*article.paragraphs[: rng.randint(2, 3)], f"Continue reading at {site}"]
    for template in rng.sample(templates, len(templates)):
        try:
            html = corpus.transplant(article, template, paragraphs)
        except ValueError:
            continue
        if _extracts_well(article, html, paragraphs, minimum=0.8):
            break
    name = f"{group}-excerpt.html"
    (folder / name).write_text(html, encoding="utf-8")
    return Item(name, f"{group}-excerpt", excerpt_of=f"{group}-original.html")


# -- scoring -------------------------------------------------------------------------------


def adjusted_rand(truth: list[str], predicted: list[object]) -> float:
    """Adjusted Rand index of two labelings of the same items."""
    n = len(truth)
    pairs = Counter(zip(truth, predicted, strict=True))
    index = sum(comb(c, 2) for c in pairs.values())
    a = sum(comb(c, 2) for c in Counter(truth).values())
    b = sum(comb(c, 2) for c in Counter(predicted).values())
    expected = a * b / comb(n, 2)
    maximum = (a + b) / 2
    return 1.0 if maximum == expected else (index - expected) / (maximum - expected)


def score(items: list[Item], clusters: dict[str, object], links: set[tuple[str, str]]) -> dict:
    """Pair precision/recall/F1, ARI, false pairs, and the share of excerpts linked."""
    names = [item.name for item in items if item.name in clusters]
    group = {item.name: item.group for item in items}
    tp = fp = fn = 0
    for a, b in itertools.combinations(names, 2):
        same_truth, same_cluster = group[a] == group[b], clusters[a] == clusters[b]
        tp += same_truth and same_cluster
        fp += same_cluster and not same_truth
        fn += same_truth and not same_cluster
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    excerpts = [item for item in items if item.excerpt_of]
    linked = sum(
        any(
            (item.name, other) in links for other in names if group[other] == group[item.excerpt_of]
        )
        for item in excerpts
    )
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "ari": adjusted_rand([group[n] for n in names], [clusters[n] for n in names]),
        "false_pairs": fp,
        "excerpts_linked": linked / len(excerpts) if excerpts else 1.0,
        "stored": len(names),
        "pages": len(items),
    }


def run_wirecopy(folder: Path, db: Path) -> tuple[dict[str, object], set[tuple[str, str]]]:
    subprocess.run(
        [sys.executable, "-m", "pipeline", "ingest", str(folder), "--db", str(db), "--quiet"],
        check=True,
    )
    with sqlite3.connect(db) as conn:
        clusters = dict(conn.execute("select source, cluster_id from articles"))
        links = set(
            conn.execute(
                "select a.source, b.source from pairs p join articles a on a.id = p.article_id"
                " join articles b on b.id = p.other_id where p.kind = 'partial'"
            )
        )
    return clusters, links | {(b, a) for a, b in links}


def run_naive(folder: Path) -> tuple[dict[str, object], set[tuple[str, str]]]:
    """The script a user might write first: extract, shingle, MinHash, LSH, union-find."""
    import trafilatura
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for path in sorted(folder.glob("*.html")):
        text = trafilatura.extract(path.read_text(encoding="utf-8")) or ""
        tokens = text.lower().split()
        minhash = MinHash(num_perm=128)
        minhash.update_batch(
            [" ".join(tokens[i : i + 5]).encode() for i in range(max(len(tokens) - 4, 1))]
        )
        parent[path.name] = path.name
        for other in lsh.query(minhash):
            parent[root(path.name)] = root(other)
        lsh.insert(path.name, minhash)
    return {name: root(name) for name in parent}, set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sources", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wirecopy-syndication-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        items = generate(folder, args.seed, args.sources)
        results = {
            "naive trafilatura + MinHash LSH": score(items, *run_naive(folder)),
            "wirecopy ingest": score(items, *run_wirecopy(folder, Path(tmp) / "s.db")),
        }
    groups = len({item.group for item in items})
    print(
        f"syndication, {date.today()}, seed {args.seed}: {len(items)} pages in {groups} groups "
        f"({sum(1 for i in items if i.excerpt_of)} excerpts)"
    )
    print(
        "| grouping | pair precision | pair recall | pair F1 | ARI | false pairs "
        "| excerpts linked |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} "
            f"| {r['ari']:.3f} | {r['false_pairs']} | {r['excerpts_linked']:.0%} |"
        )


if __name__ == "__main__":
    main()
