"""The reduce side: place processed pages into clusters and write them in batches.

One ``Writer`` per run, in the parent process. It owns the cluster index (rebuilt from the
database when it starts) and the batch being assembled. Every source (directory importer,
Scrapy bridge) hands its processed pages here, so a page gives the same row whatever its origin.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pipeline.clean.site import SiteFurniture, site_key
from pipeline.config import Config
from pipeline.dedup.fingerprint import fingerprint
from pipeline.dedup.index import ClusterIndex, Member, Placement, Prints
from pipeline.records import Page, Rejection
from pipeline.store import Batch, Store, article_row, now, rejection_row
from pipeline.stories.placement import Founder, StoryIndex, day_of
from pipeline.stories.terms import story_terms


@dataclass(slots=True)
class Counts:
    """What a run did; written to its ``runs`` row and printed in the summary."""

    pages_seen: int = 0
    stored: int = 0
    skipped: int = 0
    rejected: Counter = field(default_factory=Counter)
    new_clusters: int = 0
    joined_clusters: int = 0

    def as_row(self) -> dict[str, int]:
        return {
            "pages_seen": self.pages_seen,
            "stored": self.stored,
            "skipped": self.skipped,
            "rejected": sum(self.rejected.values()),
            "new_clusters": self.new_clusters,
            "joined_clusters": self.joined_clusters,
        }


class Writer:
    """Accept processed pages and rejections; flush them to the store in whole batches."""

    def __init__(self, store: Store, config: Config, run_id: int) -> None:
        self.store = store
        self.config = config
        self.run_id = run_id
        self.counts = Counts()
        self.index = ClusterIndex(config)
        for row in store.iter_index_rows():
            member = Member(*row[:8])
            chash, signature, cluster_id, excerpt, ledes = row[8:]
            prints = Prints.from_stored(chash, signature, ledes or b"", bool(excerpt))
            self.index.load(member, prints, cluster_id)
        self.sites = SiteFurniture()
        for row in store.iter_site_lines():
            self.sites.load(*row)
        self.stories = StoryIndex(config.story, store)
        self.story_of: dict[int, int] = dict(store.iter_cluster_stories())
        self.next_id = store.next_article_id()
        self.batch = Batch()
        self._touched: set[int] = set()
        self._backfill_stories()

    def _backfill_stories(self) -> None:
        """A database made before stories existed: place its clusters once, oldest first."""
        for row in self.store.iter_clusters_without_story():
            cluster, published, fetched_at, ingested_at, title, text, language = row
            terms = story_terms(text, language)
            day = day_of(published, fetched_at, ingested_at)
            founder = Founder(cluster, title, day, terms)
            self.story_of[cluster] = self.stories.place(founder)[0]
            self.batch.story_backfill.append((cluster, self.story_of[cluster]))
            if len(self.batch) >= self.config.batch_size:
                self.flush()
        self.flush()

    def skip(self) -> None:
        """Count a page that was already stored (same source, same bytes)."""
        self.counts.pages_seen += 1
        self.counts.skipped += 1

    def accept(self, result: Page | Rejection, url_row: dict | None = None) -> int | None:
        """Take one processed page or rejection (and, for crawls, its ``urls`` row, written
        in the same transaction); return the new article's id; flush when the batch is full."""
        self.counts.pages_seen += 1
        article_id = None
        if isinstance(result, Rejection):
            self.counts.rejected[result.reason.value] += 1
            self.batch.rejections.append(rejection_row(result, self.run_id))
        else:
            article_id = self._add_article(result)
        if url_row is not None:
            self.note_url({**url_row, "article_id": article_id})
        if len(self.batch) >= self.config.batch_size:
            self.flush()
        return article_id

    def note_url(self, row: dict) -> None:
        """Record a fetched URL (feed, sitemap or page state) with the next batch."""
        self.batch.urls.append(row)

    def _add_article(self, page: Page) -> int:
        article_id, stamp = self.next_id, now()
        self.next_id += 1
        site = site_key(page)
        if self.sites.strip(page, site):
            fingerprint(page, self.config.fingerprint)  # the text changed
        member = Member(
            article_id,
            page.published,
            page.word_count,
            stamp,
            page.url or page.canonical_url,
            page.canonical_url,
            page.site,
            page.credit,
        )
        prints = Prints(
            page.content_hash,
            page.signature,
            page.lede_signature,
            tuple(page.window_signatures),
            page.excerpt,
        )
        placement = self.index.add(member, prints, page.text, self._text_of)
        self.counts.stored += 1
        if placement.joined_existing:
            self.counts.joined_clusters += 1
        else:
            self.counts.new_clusters += 1
        self.batch.articles.append(article_row(page, article_id, self.run_id, stamp))
        self.batch.site_lines.extend(self.sites.learn(site, page, placement.cluster_id))
        self.batch.furniture.extend(
            {"article_id": article_id, "position": i, "line": r.line, "rule": r.rule}
            for i, r in enumerate(page.removed)
        )
        self.batch.pairs.extend(
            {"article_id": a, "other_id": b, "kind": kind, "score": score}
            for a, b, kind, score in placement.pairs
        )
        self.batch.merges.extend(placement.merged)
        self._place_story(page, placement, stamp)
        self._touched.add(placement.cluster_id)
        return article_id

    def _place_story(self, page: Page, placement: Placement, stamp: str) -> None:
        """A new cluster joins or starts a story; merged clusters merge their stories."""
        cluster = placement.cluster_id
        if not placement.joined_existing:
            linked = [
                self.story_of[self.index.cluster_of[other]]
                for _, other, kind, _ in placement.pairs
                if kind == "partial"
            ]
            day = day_of(page.published, page.fetched_at, stamp)
            founder = Founder(cluster, page.title, day, page.terms)
            story, _ = self.stories.place(founder, min(linked) if linked else None)
            self.story_of[cluster] = story
        for old, root in placement.merged:
            mine, theirs = self.story_of.pop(old), self.story_of[root]
            if mine != theirs:
                kept, gone = sorted((mine, theirs))
                self.stories.merge(gone, kept)
                self.story_of = {c: kept if s == gone else s for c, s in self.story_of.items()}
                self.batch.story_merges.append((gone, kept))

    def _text_of(self, article_id: int) -> str:
        """A stored article's text: from the batch in hand, else from the database."""
        for row in self.batch.articles:
            if row["id"] == article_id:
                return row["text"]
        return self.store.article_text(article_id)

    def flush(self) -> None:
        """Write the current batch in one transaction (no-op when empty)."""
        if not len(self.batch):
            return
        for row in self.batch.articles:
            row["cluster_id"] = self.index.cluster_of[row["id"]]
            row["story_id"] = self.story_of[row["cluster_id"]]
        live = {self.index.cluster_of[cluster] for cluster in self._touched}
        self.batch.clusters = [
            {**self.index.summary(cluster), "story_id": self.story_of[cluster]}
            for cluster in sorted(live)
        ]
        self.batch.stories = self.stories.story_rows()
        self.batch.story_terms = self.stories.frequency_rows()
        self.batch.run_counts = self.counts.as_row()
        self.store.write(self.batch, self.run_id)
        self.batch = Batch()
        self._touched = set()
