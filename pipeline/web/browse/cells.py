"""Table cells as links and short forms: ids in query results lead to the browse pages, long
texts and hashes are cut so tables fit a screen (Datasette's ``render_cell`` hook)."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup, escape

TEXT_PREVIEW = 180
HASH_PREVIEW = 12
TERMS_SHOWN = 8
# Columns of query results (canned or typed) that hold an id, and the page each id opens.
ID_PAGES = {
    "cluster_id": "cluster",
    "story_id": "story",
    "article_id": "article",
    "other_id": "article",
    "canonical_article_id": "article",
}


# In the tables, the cell that opens the row's browse page.
OPENERS = {
    ("articles", "title"): "article",
    ("clusters", "size"): "cluster",
    ("stories", "title"): "story",
}


def render(row: Any, value: Any, column: str, table: str | None, path: Any) -> Markup | None:
    """The cell's HTML, or None to let Datasette render it as usual. ``path`` turns a path
    into a URL under Datasette's base URL."""
    if table is None:
        page = ID_PAGES.get(column)
        if page and isinstance(value, int):
            return _link(path(f"/-/{page}/{value}"), value)
        return None
    page = OPENERS.get((table, column))
    if page and value is not None and _row_id(row) is not None:
        return _link(path(f"/-/{page}/{_row_id(row)}"), value)
    if (
        table == "articles"
        and column == "text"
        and isinstance(value, str)
        and len(value) > TEXT_PREVIEW
    ):
        return Markup(f'<span class="wc-preview">{escape(value[:TEXT_PREVIEW])}…</span>')
    if table == "stories" and column == "terms" and isinstance(value, str):
        return _terms(value)
    if column in ("raw_hash", "content_hash", "line_hash") and isinstance(value, str):
        return _hash(value)
    return None


def _row_id(row: Any) -> int | None:
    try:
        value = row["id"]
    except (KeyError, IndexError, TypeError):
        return None
    return value if isinstance(value, int) else None


def _link(url: str, text: Any) -> Markup:
    return Markup(f'<a href="{escape(url)}">{escape(text)}</a>')


def _hash(value: str) -> Markup:
    return Markup(f'<code title="{escape(value)}">{escape(value[:HASH_PREVIEW])}…</code>')


def _terms(value: str) -> Markup | None:
    """A story's summed term shares as its heaviest words and names, two decimals."""
    try:
        terms = json.loads(value)
        merged = {**terms.get("words", {}), **terms.get("names", {})}
    except (ValueError, AttributeError):
        return None
    top = sorted(merged.items(), key=lambda item: (-item[1], item[0]))[:TERMS_SHOWN]
    shown = ", ".join(f"{escape(term.lstrip('@'))} {weight:.2f}" for term, weight in top)
    return Markup(
        f'<span class="wc-terms" title="the heaviest of {len(merged)} terms">{shown}</span>'
    )
