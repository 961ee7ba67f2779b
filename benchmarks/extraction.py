"""Extraction quality on the article-extraction benchmark, with the benchmark's own metric.

Scores plain ``trafilatura.extract`` and wirecopy's extract + clean stages on the same 181
pages, side by side. The metric is the one the benchmark's README describes: ``\\w+`` tokens,
multisets of 4-token shingles, per-page true/false positive and false negative counts
normalised to sum to one, macro-averaged precision and recall, F1 of the two means, and
accuracy as the share of exact token-sequence matches.

    python -m benchmarks.extraction [--worst 5] [--modes]

``--modes`` also scores wirecopy with trafilatura's other modes (default, favor_precision),
which is how the fast mode was chosen. ``--ablate`` scores wirecopy once without each named
furniture rule, to see what every rule is worth here.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Callable
from datetime import date

import trafilatura

from benchmarks import corpus
from pipeline.config import Config
from pipeline.extract import html as extract_module
from pipeline.records import Page
from pipeline.run.process import process_page
from pipeline.sources.common import raw_hash

_TOKEN = re.compile(r"\w+")


def shingle_counts(text: str, size: int = 4) -> tuple[Counter, list[str]]:
    tokens = _TOKEN.findall(text)
    if len(tokens) < size:
        return Counter([tuple(tokens)] if tokens else []), tokens
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)), tokens


def page_scores(predicted: str, expected: str) -> tuple[float, float, bool]:
    """Precision, recall and exact match for one page, as the benchmark defines them."""
    pred, pred_tokens = shingle_counts(predicted)
    true, true_tokens = shingle_counts(expected)
    if not pred and not true:
        return 1.0, 1.0, True
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, pred_tokens == true_tokens


def score(extract: Callable[[corpus.BenchPage], str]) -> dict:
    per_page = []
    for page in corpus.pages():
        per_page.append((page.id, *page_scores(extract(page), page.body)))
    precision = sum(p for _, p, _, _ in per_page) / len(per_page)
    recall = sum(r for _, _, r, _ in per_page) / len(per_page)
    f1 = 2 * precision * recall / (precision + recall)
    accuracy = sum(exact for *_, exact in per_page) / len(per_page)
    return {
        "f1": f1,
        "precision": precision,
        "recall": recall,
        "accuracy": accuracy,
        "pages": per_page,
    }


def plain_trafilatura(page: corpus.BenchPage) -> str:
    return trafilatura.extract(page.html, include_comments=False, deduplicate=False) or ""


def wirecopy(page: corpus.BenchPage) -> str:
    body = page.html.encode("utf-8")
    result = process_page(
        Page(page.id, body, "html", raw_hash(body), url=page.url), Config(min_words=1)
    )
    return result.text if isinstance(result, Page) else ""


def score_modes() -> dict[str, dict]:
    """wirecopy's scores with trafilatura's other modes, the shipped mode restored after."""
    chosen = dict(extract_module.EXTRACTION_MODE)
    results = {}
    try:
        for name, mode in (("default", {}), ("favor_precision", {"favor_precision": True})):
            extract_module.EXTRACTION_MODE.clear()
            extract_module.EXTRACTION_MODE.update(mode)
            results[f"wirecopy, trafilatura {name} mode"] = score(wirecopy)
    finally:
        extract_module.EXTRACTION_MODE.clear()
        extract_module.EXTRACTION_MODE.update(chosen)
    return results


def ablate() -> list[tuple[str, float]]:
    """F1 without each furniture rule in turn (the rule table restored after)."""
    from pipeline.clean import rules as table

    rules = table.RULES
    rows = []
    try:
        for name in sorted({rule.name for rule in rules}):
            table.RULES = tuple(rule for rule in rules if rule.name != name)
            rows.append((name, score(wirecopy)["f1"]))
    finally:
        table.RULES = rules
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worst", type=int, default=0, help="List the N worst pages for us.")
    parser.add_argument("--modes", action="store_true", help="Also try trafilatura's modes.")
    parser.add_argument("--ablate", action="store_true", help="F1 without each furniture rule.")
    args = parser.parse_args()
    results = {
        "plain trafilatura.extract": score(plain_trafilatura),
        "wirecopy extract + clean": score(wirecopy),
    }
    if args.modes:
        results.update(score_modes())
    print(f"extraction, {date.today()}, 181 pages of the article-extraction benchmark")
    print("| extractor | F1 | precision | recall | accuracy |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['f1']:.4f} | {r['precision']:.3f} | {r['recall']:.3f} "
            f"| {r['accuracy']:.3f} |"
        )
    ours = sorted(results["wirecopy extract + clean"]["pages"], key=lambda row: row[1] + row[2])
    for page_id, precision, recall, _ in ours[: args.worst]:
        print(f"  {page_id[:12]}  precision {precision:.2f}  recall {recall:.2f}")
    if args.ablate:
        full = results["wirecopy extract + clean"]["f1"]
        print("| without rule | F1 | change |")
        print("|---|---:|---:|")
        for name, f1 in ablate():
            print(f"| {name} | {f1:.4f} | {f1 - full:+.4f} |")


if __name__ == "__main__":
    main()
