"""The reduce side: place processed pages into clusters and stories, and store them.

One ``Writer`` per run, in the parent process. Every source (directory importer, Scrapy
bridge) hands its processed pages here, so a page gives the same row whatever its origin.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.clean.site import SiteFurniture, site_key
from pipeline.config import Config
from pipeline.dedup.fingerprint import fingerprint
from pipeline.dedup.index import ClusterIndex, Member, Placement, Prints
from pipeline.errors import StoreError
from pipeline.records import Page, Rejection, internal_error
from pipeline.store import BatchEnd, Extra, Store, article_row, now, rejection_row
from pipeline.stories.placement import Founder, Merge, StoryIndex, day_of
from pipeline.stories.terms import story_terms

STORY_CACHE = 5000  # stories kept in memory besides those changed in the batch
MEMBER_COLUMNS = (
    "id",
    "published",
    "word_count",
    "ingested_at",
    "url",
    "canonical_url",
    "site",
    "credit",
)


@dataclass(slots=True)
class Counts:
    """What a run did; written to its ``runs`` row and printed in the summary."""

    pages_seen: int = 0
    stored: int = 0
    skipped: int = 0
    rejected: Counter = field(default_factory=Counter)
    new_clusters: int = 0
    joined_clusters: int = 0
    writer_seconds: float = 0.0
    story_seconds: float = 0.0

    def as_row(self) -> dict[str, int | float]:
        return {
            "pages_seen": self.pages_seen,
            "stored": self.stored,
            "skipped": self.skipped,
            "rejected": sum(self.rejected.values()),
            "new_clusters": self.new_clusters,
            "joined_clusters": self.joined_clusters,
            "writer_seconds": round(self.writer_seconds, 3),
            "story_seconds": round(self.story_seconds, 3),
        }


class Writer:
    """Accept processed pages and rejections; write them as they come, inside the batch's
    transaction, and commit every ``batch_size`` items.

    Nothing of the archive is loaded at start: the cluster index, site lines and stories are
    read from the database when a page touches them, so a run's memory follows its batch
    (and the bounded story cache), whatever the size of the archive.
    """

    def __init__(self, store: Store, config: Config, run_id: int) -> None:
        self.store = store
        self.config = config
        self.run_id = run_id
        self.counts = Counts()
        self.index = ClusterIndex(config, store)
        self.sites = SiteFurniture(store)
        self.stories = StoryIndex(config.story, store, cache_size=STORY_CACHE)
        self.next_id = store.next_article_id()
        self.pending = 0
        self._touched: set[int] = set()
        self._touched_stories: set[int] = set()
        self._site_lines: list[dict] = []
        self._accepting = False
        self._backfill_stories()

    def _backfill_stories(self) -> None:
        """A database made before stories existed: place its clusters once, oldest first."""
        for row in self.store.iter_clusters_without_story():
            cluster, published, fetched_at, ingested_at, title, text, language = row
            terms = story_terms(text, language)
            day = day_of(published, fetched_at, ingested_at)
            placed = self.stories.place(Founder(cluster, title, day, terms, text))
            self._moved_stories(placed.merges, cluster)
            self.store.set_cluster_story(cluster, placed.story)
            self._touched_stories.add(placed.story)
            self._count_item()
        self.flush()

    def skip(self) -> None:
        """Count a page that was already stored (same source, same bytes)."""
        self.counts.pages_seen += 1
        self.counts.skipped += 1

    def accept(self, result: Page | Rejection, url_row: dict | None = None) -> int | None:
        """Take one processed page or rejection (and, for crawls, its ``urls`` row, written
        in the same transaction); return the new article's id; commit when the batch is full."""
        started, self._accepting = time.perf_counter(), True
        try:
            return self._accept(result, url_row)
        finally:
            self._accepting = False
            self.counts.writer_seconds += time.perf_counter() - started

    def _accept(self, result: Page | Rejection, url_row: dict | None) -> int | None:
        self.counts.pages_seen += 1
        article_id = None
        if isinstance(result, Rejection):
            self.counts.rejected[result.reason.value] += 1
            self.store.add_rejection(rejection_row(result, self.run_id))
            self._count_item()
        else:
            article_id = self._add_guarded(result)
        if url_row is not None:
            self.note_url({**url_row, "article_id": article_id})
        return article_id

    def note_url(self, row: dict) -> None:
        """Record a fetched URL (feed, sitemap or page state) with the current batch."""
        self.store.add_url(row)
        self._count_item()

    def _count_item(self) -> None:
        self.pending += 1
        if self.pending >= self.config.batch_size:
            self.flush()

    def _add_guarded(self, page: Page) -> int | None:
        """Store one page; a bug met while placing it becomes its ``internal_error``
        rejection (its rows undone, the batch kept) instead of ending the run."""
        article_id = None
        try:
            with self.store.savepoint():
                article_id = self._add_article(page)
        except StoreError:
            raise
        except Exception:
            rejection = internal_error(page.source, "storing")
            failed = Rejection(page.source, rejection.reason, rejection.detail, page.raw_hash)
            self.counts.rejected[failed.reason.value] += 1
            self.store.add_rejection(rejection_row(failed, self.run_id))
        self._count_item()  # may commit the batch: never inside the page's savepoint
        return article_id

    def _add_article(self, page: Page) -> int:
        article_id, stamp = self.next_id, now()
        self.next_id += 1
        site = site_key(page)
        if self.sites.strip(page, site):
            fingerprint(page, self.config.fingerprint)  # the text changed
            page.band_keys = None
        row = article_row(page, article_id, self.run_id, stamp)
        member = Member(*(row[c] for c in MEMBER_COLUMNS))
        prints = Prints(
            page.content_hash,
            page.signature,
            page.lede_signature,
            tuple(page.window_signatures),
            page.excerpt,
            page.band_keys,
        )
        placement = self.index.add(member, prints, page.text, self.store.article_text)
        story = self._place_story(page, placement, stamp)
        row.update(cluster_id=placement.cluster_id, story_id=story)
        extra = Extra(
            [(article_id, i, r.line, r.rule, r.paragraph) for i, r in enumerate(page.removed)],
            [(a, b, kind, score) for a, b, kind, score in placement.pairs],
        )
        self.store.add_article(row, placement.near_keys, placement.lede_keys, extra)
        self.counts.stored += 1
        if placement.joined_existing:
            self.counts.joined_clusters += 1
        else:
            self.counts.new_clusters += 1
        self._site_lines.extend(self.sites.learn(site, page, placement.cluster_id))
        self._touched.add(placement.cluster_id)
        self._touched_stories.add(story)
        return article_id

    def _place_story(self, page: Page, placement: Placement, stamp: str) -> int:
        """A new cluster joins or starts a story; merged clusters merge their stories.
        Returns the story of the page's cluster."""
        cluster = placement.cluster_id
        if not placement.joined_existing:
            linked = [
                self.store.story_of_article(other)
                for _, other, kind, _ in placement.pairs
                if kind == "partial"
            ]
            day = day_of(page.published, page.fetched_at, stamp)
            founder = Founder(cluster, page.title, day, page.terms, page.text)
            started = time.perf_counter()
            placed = self.stories.place(founder, min(linked) if linked else None)
            self.counts.story_seconds += time.perf_counter() - started
            self._moved_stories(placed.merges, cluster)
            self.store.add_cluster(cluster, placed.story, stamp)
            return placed.story
        for old, root in placement.merged:
            mine, theirs = self.store.story_of_cluster(old), self.store.story_of_cluster(root)
            self.store.drop_cluster(old)
            self._touched.discard(old)
            if mine != theirs:
                kept, gone = sorted((mine, theirs))
                self.stories.merge(gone, kept)
                self._moved_stories([Merge(kept, gone, 1.0)], cluster, "copies")
        return self.store.story_of_cluster(cluster)

    def _moved_stories(
        self, merges: Iterable[Merge], cluster: int, reason: str = "similar"
    ) -> None:
        """Stories merged (the index has folded them already): the database follows, and
        each merge is recorded with the cluster that caused it."""
        for merge in merges:
            row = {"cluster_id": cluster, "reason": reason, "score": merge.score}
            self.store.move_story(merge.gone, merge.kept, {**row, "run_id": self.run_id})
            self._touched_stories.discard(merge.gone)
            self._touched_stories.add(merge.kept)

    def flush(self) -> None:
        """Close the batch: summary rows, story state, counters, then commit."""
        if not self.pending:
            return
        started = time.perf_counter()
        self._flush()
        if not self._accepting:  # inside accept, accept's own clock counts it
            self.counts.writer_seconds += time.perf_counter() - started

    def _flush(self) -> None:
        stories = self.stories.story_rows()
        gone, added = self.stories.posting_changes()
        end = BatchEnd(
            clusters=[self.index.summary(cluster) for cluster in sorted(self._touched)],
            stories=stories,
            story_terms=self.stories.frequency_rows(),
            postings_gone=gone,
            postings_added=added,
            site_lines=self._site_lines,
            touched_stories=self._touched_stories,
            run_counts=self.counts.as_row(),
        )
        self.store.finish_batch(end, self.run_id)
        self.sites.forget()
        self.pending = 0
        self._touched, self._touched_stories, self._site_lines = set(), set(), []
