"""Extraction quality on both development sets, each with its own metric, side by side.

The house rule: an extraction or cleaning change lands only if it does no harm on both.

1. The article-extraction benchmark (181 pages, in the repository): plain
   ``trafilatura.extract`` and wirecopy's extract + clean stages on the same pages. The
   metric is the one the benchmark's README describes: ``\\w+`` tokens, multisets of 4-token
   shingles, per-page true/false positive and false negative counts normalised to sum to one,
   macro-averaged precision and recall, F1 of the two means, and accuracy as the share of
   exact token-sequence matches.
2. trafilatura's evaluation corpus (990 pages, ``benchmarks/trafilatura_eval.py``; read from
   the shared folder beside the checkout): plain trafilatura in fast mode with comments off
   (its settings closest to ours) and wirecopy, with that corpus's snippet metric.

    python -m benchmarks.extraction [--worst 5] [--modes] [--ablate]

After each set's table, our pages are split by the stored confidence (below 0.5 or not)
and by extraction method, with the F1 of each group: whether the confidence column tells
the good extractions from the doubtful ones.

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

from benchmarks import corpus, trafilatura_eval
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


# Each page's extraction method and confidence from the last wirecopy run, by page id.
JUDGED: dict[str, tuple[str, float]] = {}


def wirecopy(page: corpus.BenchPage) -> str:
    body = page.html.encode("utf-8")
    return _processed(Page(page.id, body, "html", raw_hash(body), url=page.url))


def _processed(page: Page) -> str:
    result = process_page(page, Config(min_words=1))
    if not isinstance(result, Page):
        JUDGED[page.source] = ("rejected", 0.0)
        return ""
    JUDGED[page.source] = (result.method, result.confidence or 0.0)
    return result.text


def plain_fast(page: trafilatura_eval.EvalPage) -> str:
    text = trafilatura.extract(
        page.html, url=page.url, fast=True, include_comments=False, deduplicate=False
    )
    return text or ""


def wirecopy_eval(page: trafilatura_eval.EvalPage) -> str:
    return _processed(Page(page.file, page.html, "html", raw_hash(page.html), url=page.url))


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


def ablate(with_second: bool = False) -> list[tuple[str, float, float]]:
    """F1 without each furniture rule in turn, on the first set and (when asked) the second
    (the rule table restored after)."""
    from pipeline.clean import rules as table

    rules = table.RULES
    rows = []
    try:
        for name in sorted({rule.name for rule in rules}):
            table.RULES = tuple(rule for rule in rules if rule.name != name)
            other = trafilatura_eval.score(wirecopy_eval)["f1"] if with_second else 0.0
            rows.append((name, score(wirecopy)["f1"], other))
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
    judged = dict(JUDGED)  # before the other modes run wirecopy again
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
    _print_judged_181(results["wirecopy extract + clean"]["pages"], judged)
    ours = sorted(results["wirecopy extract + clean"]["pages"], key=lambda row: row[1] + row[2])
    for page_id, precision, recall, _ in ours[: args.worst]:
        print(f"  {page_id[:12]}  precision {precision:.2f}  recall {recall:.2f}")
    second = _second_set(args.worst)
    if args.ablate:
        _print_ablation(results["wirecopy extract + clean"]["f1"], second)


def _second_set(worst: int) -> dict | None:
    """trafilatura's corpus: both extractors, then our pages that lose most against it."""
    if trafilatura_eval.folder() is None:
        print("\ntrafilatura's evaluation corpus not found: set WIRECOPY_TRAFILATURA_EVAL")
        return None
    plain, ours = trafilatura_eval.score(plain_fast), trafilatura_eval.score(wirecopy_eval)
    count = len(ours["pages"])
    print(f"\nextraction, {date.today()}, {count} pages of trafilatura's evaluation corpus")
    print("| extractor | F1 | precision | recall |")
    print("|---|---:|---:|---:|")
    for name, r in (("plain trafilatura (fast, comments off)", plain), ("wirecopy", ours)):
        print(f"| {name} | {r['f1']:.4f} | {r['precision']:.3f} | {r['recall']:.3f} |")
    _print_judged_second(ours["pages"], dict(JUDGED))
    theirs = {row[0]: row for row in plain["pages"]}
    losses = [
        (row[1] - theirs[row[0]][1] - (row[3] - theirs[row[0]][3]), row[0]) for row in ours["pages"]
    ]
    for loss, file in sorted(losses)[:worst]:
        print(f"  {file}  snippets kept minus boilerplate kept, against plain: {loss:+d}")
    return ours


def _split(pages: list[tuple], judged: dict[str, tuple[str, float]]) -> dict[str, list[tuple]]:
    """The pages by confidence (below 0.5 or not) and by extraction method."""
    groups: dict[str, list[tuple]] = {}
    for row in pages:
        method, confidence = judged.get(row[0], ("rejected", 0.0))
        band = "confidence < 0.5" if confidence < 0.5 else "confidence >= 0.5"
        groups.setdefault(band, []).append(row)
        groups.setdefault(f"method {method}", []).append(row)
    return dict(sorted(groups.items()))


def _print_judged_181(pages: list[tuple], judged: dict[str, tuple[str, float]]) -> None:
    """Does the stored confidence tell good extractions from doubtful ones? (macro F1)"""
    print("| wirecopy pages | count | F1 |")
    print("|---|---:|---:|")
    for name, rows in _split(pages, judged).items():
        precision = sum(row[1] for row in rows) / len(rows)
        recall = sum(row[2] for row in rows) / len(rows)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"| {name} | {len(rows)} | {f1:.3f} |")


def _print_judged_second(pages: list[tuple], judged: dict[str, tuple[str, float]]) -> None:
    """The same split on the second set, with its micro-averaged snippet F1."""
    print("| wirecopy pages | count | F1 |")
    print("|---|---:|---:|")
    for name, rows in _split(pages, judged).items():
        tp, fn, fp = (sum(row[i] for row in rows) for i in (1, 2, 3))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        print(f"| {name} | {len(rows)} | {f1:.3f} |")


def _print_ablation(full: float, second: dict | None) -> None:
    """Each furniture rule's worth on both sets (the second only when it is here)."""
    print("| without rule | F1 (181 pages) | change | F1 (trafilatura corpus) | change |")
    print("|---|---:|---:|---:|---:|")
    for name, f1, other in ablate(with_second=second is not None):
        rest = f"{other:.4f} | {other - second['f1']:+.4f}" if second else "- | -"
        print(f"| {name} | {f1:.4f} | {f1 - full:+.4f} | {rest} |")


if __name__ == "__main__":
    main()
