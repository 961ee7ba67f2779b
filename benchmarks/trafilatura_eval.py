"""trafilatura's evaluation corpus (990 pages), the second development set, and its metric.

The pages and their snippets live outside the repository (30 MB, Apache-2.0): in the
project's shared folder beside the checkout (``../shared/data/trafilatura-eval``), or where
``WIRECOPY_TRAFILATURA_EVAL`` points. Each page has a few snippets the main text must contain
(``with``) and a few it must not (``without``). As trafilatura's own evaluation computes it:
whitespace-normalised text and snippets; a ``with`` snippet found is a true positive, else a
false negative; a ``without`` snippet found is a false positive, else a true negative;
counts summed over all pages (micro average).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "trafilatura-eval"


@dataclass(frozen=True)
class EvalPage:
    file: str
    url: str
    html: bytes
    with_: tuple[str, ...]
    without: tuple[str, ...]


def folder() -> Path | None:
    """Where the corpus is, or None when this machine does not have it."""
    path = Path(os.environ.get("WIRECOPY_TRAFILATURA_EVAL", DEFAULT))
    return path if (path / "evaldata.json").exists() else None


def pages() -> Iterator[EvalPage]:
    root = folder()
    if root is None:
        return
    for url, item in json.loads((root / "evaldata.json").read_text(encoding="utf-8")).items():
        path = root / "html" / f"{item['file']}.gz"
        if path.exists():
            yield EvalPage(
                item["file"],
                url,
                gzip.decompress(path.read_bytes()),
                tuple(item.get("with", [])),
                tuple(item.get("without", [])),
            )


def _normal(text: str) -> str:
    return " ".join(text.split())


def page_counts(text: str, page: EvalPage) -> tuple[int, int, int, int]:
    """(true positives, false negatives, false positives, true negatives) of one page."""
    found = _normal(text)
    tp = sum(1 for snippet in page.with_ if _normal(snippet) in found)
    fp = sum(1 for snippet in page.without if _normal(snippet) in found)
    return tp, len(page.with_) - tp, fp, len(page.without) - fp


def score(extract: Callable[[EvalPage], str]) -> dict:
    """Micro-averaged precision, recall and F1 over the corpus, and the per-page counts."""
    per_page = [(page.file, *page_counts(extract(page), page)) for page in pages()]
    tp, fn, fp, _ = (sum(row[i] for row in per_page) for i in range(1, 5))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall, "pages": per_page}
