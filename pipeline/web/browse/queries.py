"""What each browse page shows, read from the database in one place.

Each function takes a read-only ``sqlite3`` connection (Datasette hands one to
``execute_fn``) and returns plain dicts, so the pages are templates over data and the data
can be tested without a server. Lookups go through the ids' indexes: a page costs the same on
a database of a thousand articles and of a million.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from typing import Any

import numpy as np

Row = dict[str, Any]

REASONS = {
    "canonical_link": "the other copies name it as the original (their rel=canonical link)",
    "credited_source": "the other copies credit its site as their source",
    "earliest_published": "it was published first",
    "most_complete": "it is the most complete copy (most words)",
    "first_seen": "it was stored first (no other rule told the copies apart)",
    "only_copy": "it is the only copy",
}
ARTICLE_COLUMNS = (
    "id, title, derived_title, source, url, site, author, published, language, credit,"
    " word_count,"
    " cluster_id, story_id, excerpt, replacement_chars, extraction, confidence, ingested_at,"
    " fetched_at, found_by"
)
# A story's title: its first article's, else the first title among its articles (a text file
# without a headline has none), else its first article's derived title.
STORY_TITLE = (
    "coalesce(s.title, (select t.title from articles t where t.story_id = s.id"
    " and t.title is not null order by t.id limit 1),"
    " (select coalesce(f.derived_title, f.source) from articles f where f.id = s.id)) as title"
)
SEARCH_HITS = 400  # matching pages read, best first, before grouping them by cluster
SEARCH_CLUSTERS = 50


def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[Row]:
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    return [dict(row) for row in cursor.execute(sql, params).fetchall()]


def _one(conn: sqlite3.Connection, sql: str, params: Any = ()) -> Row | None:
    found = _rows(conn, sql, params)
    return found[0] if found else None


def label(article: Row) -> str:
    """What to call an article: its title, else its derived title (its first sentence)."""
    found = article.get("title") or article.get("derived_title") or article.get("source")
    return found or f"article {article['id']}"


def similarity(one: bytes | None, other: bytes | None) -> float | None:
    """Estimated Jaccard similarity of two stored MinHash signatures (the share of equal
    slots), as the clustering compared them."""
    if not one or not other or len(one) != len(other):
        return None
    return float(np.mean(np.frombuffer(one, "<u4") == np.frombuffer(other, "<u4")))


def home(conn: sqlite3.Connection, limit: int = 10) -> Row:
    """The entry points: totals, the largest stories and clusters, the latest articles."""
    count = conn.execute
    return {
        "articles": count("select count(*) from articles").fetchone()[0],
        "clusters": count("select count(*) from clusters where size > 1").fetchone()[0],
        "stories": count("select count(*) from stories where clusters > 1").fetchone()[0],
        "rejected": count("select count(*) from rejected").fetchone()[0],
        "stories_list": _rows(
            conn,
            f"select s.id, {STORY_TITLE}, s.clusters, s.articles,"
            " s.first_day, s.last_day, s.key_names from stories s where s.clusters > 1"
            " order by s.clusters desc, s.articles desc, s.id limit ?",
            [limit],
        ),
        "clusters_list": _rows(
            conn,
            "select c.id, c.size, coalesce(a.title, a.derived_title, a.source) as title, a.site"
            " from clusters c join articles a on a.id = c.canonical_article_id"
            " where c.size > 1 order by c.size desc, c.id limit ?",
            [limit],
        ),
        "latest": _rows(
            conn,
            "select id, coalesce(title, derived_title, source) as title, site, published,"
            " cluster_id from articles order by id desc limit ?",
            [limit],
        ),
    }


def article(conn: sqlite3.Connection, article_id: int) -> Row | None:
    """One article, its text in paragraphs with the removed lines placed between them, and
    what it is linked to."""
    found = _one(conn, f"select {ARTICLE_COLUMNS}, text from articles where id = ?", [article_id])
    if found is None:
        return None
    found["label"] = label(found)
    paragraphs = [line for line in (found.pop("text") or "").split("\n") if line.strip()]
    furniture = _rows(
        conn,
        "select position, line, rule, paragraph from furniture where article_id = ?"
        " order by position",
        [article_id],
    )
    found["blocks"] = _with_furniture(paragraphs, furniture)
    found["unplaced"] = [item for item in furniture if item["paragraph"] is None]
    found["removed_count"] = len(furniture)
    found["cluster"] = _one(conn, "select * from clusters where id = ?", [found["cluster_id"]])
    found["story"] = _one(
        conn,
        f"select s.id, {STORY_TITLE}, s.clusters, s.articles from stories s where s.id = ?",
        [found["story_id"]],
    )
    found["partials"] = partial_relations(conn, [article_id])
    return found


def _with_furniture(paragraphs: list[str], furniture: list[Row]) -> list[Row]:
    """The text's paragraphs with each placed furniture line before the paragraph it stood
    before (lines recorded before places were kept have ``paragraph`` NULL: left out here)."""
    before: dict[int, list[Row]] = defaultdict(list)
    for item in furniture:
        if item["paragraph"] is not None:
            before[min(item["paragraph"], len(paragraphs))].append(item)
    blocks: list[Row] = []
    for index in range(len(paragraphs) + 1):
        blocks.extend({"kind": "furniture", **item} for item in before.get(index, []))
        if index < len(paragraphs):
            blocks.append({"kind": "text", "line": paragraphs[index]})
    return blocks


def partial_relations(conn: sqlite3.Connection, article_ids: list[int]) -> list[Row]:
    """The partial-copy pairs of these articles, each said with its direction: the smaller
    article (fewer words) is the one contained in the larger."""
    if not article_ids:
        return []
    marks = ", ".join("?" * len(article_ids))
    pairs = _rows(
        conn,
        f"select article_id, other_id, score from pairs where kind = 'partial'"
        f" and (article_id in ({marks}) or other_id in ({marks})) order by article_id, other_id",
        [*article_ids, *article_ids],
    )
    ids = {i for pair in pairs for i in (pair["article_id"], pair["other_id"])}
    known = _articles_by_id(conn, ids)
    relations = []
    for pair in pairs:
        one, other = known.get(pair["article_id"]), known.get(pair["other_id"])
        if one is None or other is None:
            continue
        small, large = sorted((one, other), key=lambda a: (a["word_count"] or 0, a["id"]))
        relations.append({"part": small, "whole": large, "share": pair["score"]})
    return relations


def _articles_by_id(conn: sqlite3.Connection, ids: set[int]) -> dict[int, Row]:
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    found = _rows(
        conn,
        f"select id, title, derived_title, source, site, word_count, cluster_id, excerpt"
        f" from articles"
        f" where id in ({marks})",
        sorted(ids),
    )
    for item in found:
        item["label"] = label(item)
    return {item["id"]: item for item in found}


def cluster(conn: sqlite3.Connection, cluster_id: int) -> Row | None:
    """A cluster with every copy (canonical first), each with its text, its similarity to the
    canonical copy, the pair that joined it and its removed furniture."""
    found = _one(conn, "select * from clusters where id = ?", [cluster_id])
    if found is None:
        return None
    copies = _rows(
        conn,
        f"select {ARTICLE_COLUMNS}, text, signature from articles where cluster_id = ?"
        " order by id = ? desc, coalesce(published, '9999'), id",
        [cluster_id, found["canonical_article_id"]],
    )
    reference = copies[0]["signature"] if copies else None
    furniture = _furniture_of(conn, [c["id"] for c in copies])
    joined = _joined_by(conn, [c["id"] for c in copies])
    for copy in copies:
        copy["label"] = label(copy)
        copy["is_canonical"] = copy["id"] == found["canonical_article_id"]
        copy["similarity"] = similarity(copy.pop("signature"), reference)
        copy["furniture"] = furniture.get(copy["id"], [])
        copy["joined"] = joined.get(copy["id"])
    found["copies"] = copies
    found["reason_words"] = REASONS.get(found["canonical_reason"], found["canonical_reason"])
    found["sites"] = sorted({c["site"] for c in copies if c["site"]})
    dates = sorted(c["published"] for c in copies if c["published"])
    found["published_range"] = (dates[0], dates[-1]) if dates else None
    found["partials"] = partial_relations(conn, [c["id"] for c in copies])
    found["story"] = _one(
        conn,
        f"select s.id, {STORY_TITLE}, s.clusters from stories s where s.id = ?",
        [found["story_id"]],
    )
    return found


def _furniture_of(conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[Row]]:
    marks = ", ".join("?" * len(ids))
    grouped: dict[int, list[Row]] = defaultdict(list)
    for item in _rows(
        conn,
        f"select article_id, line, rule from furniture where article_id in ({marks})"
        " order by article_id, position",
        ids,
    ):
        grouped[item["article_id"]].append(item)
    return grouped


def _joined_by(conn: sqlite3.Connection, ids: list[int]) -> dict[int, Row]:
    """For each copy, the exact or near pair that put it in the cluster."""
    marks = ", ".join("?" * len(ids))
    pairs = _rows(
        conn,
        f"select article_id, other_id, kind, score from pairs where kind in ('exact', 'near')"
        f" and article_id in ({marks})",
        ids,
    )
    return {pair["article_id"]: pair for pair in pairs}


def story(conn: sqlite3.Connection, story_id: int) -> Row | None:
    """A story: its write-ups (clusters), the sites that carried each, who was first, and
    every copy's day for the timeline."""
    found = _one(
        conn,
        f"select s.id, {STORY_TITLE}, s.key_names, s.clusters, s.articles, s.first_day,"
        " s.last_day from stories s where s.id = ?",
        [story_id],
    )
    if found is None:
        return None
    copies = _rows(
        conn,
        "select id, title, derived_title, source, site, published, credit, cluster_id,"
        " word_count,"
        " substr(coalesce(published, fetched_at, ingested_at), 1, 10) as day"
        " from articles where story_id = ? order by day, id",
        [story_id],
    )
    clusters = {
        row["id"]: row
        for row in _rows(conn, "select * from clusters where story_id = ?", [story_id])
    }
    writeups: dict[int, Row] = {}
    for copy in copies:
        copy["label"] = label(copy)
        entry = writeups.setdefault(copy["cluster_id"], {"copies": [], "id": copy["cluster_id"]})
        entry["copies"].append(copy)
    for entry in writeups.values():
        info = clusters.get(entry["id"], {})
        entry["canonical"] = next(
            (c for c in entry["copies"] if c["id"] == info.get("canonical_article_id")),
            entry["copies"][0],
        )
        entry["sites"] = sorted({c["site"] or "(no site)" for c in entry["copies"]})
        entry["first_day"] = entry["copies"][0]["day"]
        entry["credit"] = next((c["credit"] for c in entry["copies"] if c["credit"]), None)
    found["writeups"] = sorted(writeups.values(), key=lambda w: (w["first_day"] or "", w["id"]))
    found["copies"] = copies
    found["first"] = copies[0] if copies else None
    found["partials"] = partial_relations(conn, [c["id"] for c in copies])
    return found


def search(conn: sqlite3.Connection, query: str) -> list[Row]:
    """Articles matching every word of ``query``, best first, one entry per cluster (its best
    matching copy, with a snippet of the text and how many of its copies matched)."""
    words = re.findall(r"\w+", query)
    if not words:
        return []
    match = " ".join('"' + word.replace('"', "") + '"' for word in words)
    hits = _rows(
        conn,
        "select a.id, a.title, a.derived_title, a.source, a.site, a.published, a.cluster_id,"
        " a.story_id,"
        " snippet(articles_fts, 1, char(2), char(3), '…', 24) as snippet"
        " from articles_fts join articles a on a.id = articles_fts.rowid"
        " where articles_fts match ? order by rank limit ?",
        [match, SEARCH_HITS],
    )
    grouped: dict[int, Row] = {}
    for hit in hits:
        hit["label"] = label(hit)
        entry = grouped.setdefault(hit["cluster_id"], {**hit, "matched": 0, "sites": []})
        entry["matched"] += 1
        if hit["site"] and hit["site"] not in entry["sites"]:
            entry["sites"].append(hit["site"])
    return list(grouped.values())[:SEARCH_CLUSTERS]
