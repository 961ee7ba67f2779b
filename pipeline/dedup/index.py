"""Cluster: exact and near-duplicate grouping with MinHash LSH and union-find.

This is the reduce side and runs in the single writer process. Its state lives in the
database (``StoredIndex``, provided by ``pipeline/store.py``): LSH band keys in
``index_bands`` and ``index_ledes``, cluster membership in ``articles.cluster_id``. A page
asks for what it touches (one indexed query for all its bands), so a run's cost and memory
follow what it brings, not what is stored. The writer keeps one transaction open per batch,
so a page sees the pages before it in the same batch.

Rules, so that results are reproducible:

* same normalised-text hash → same cluster (``exact`` pair with the first such article);
* otherwise LSH candidates whose estimated Jaccard similarity reaches the threshold join, one
  ``near`` pair per joined cluster (its best-scoring member), so pairs grow linearly with the
  cluster, not quadratically;
* a cluster's id is its lowest article id; joining two clusters keeps the lower id;
* the canonical article is the one other copies point to with rel=canonical, else the one
  whose site another copy credits as its source, else the earliest published, else the most
  complete (most words), else the first seen (lowest id); the reason is stored with it;
* an excerpt (a page that says "Continue reading at ...") joins no near-duplicate cluster;
  it and any article largely contained in another are linked by a ``partial`` pair (exact
  containment of shingles, candidates from the lede bands), which merges nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from pipeline.config import Config
from pipeline.dedup.bands import band_keys
from pipeline.dedup.fingerprint import containment, similarity
from pipeline.urls import canonical


@dataclass(frozen=True, slots=True)
class Member:
    """What the canonical rule and the cluster summary need to know about one article."""

    id: int
    published: str | None
    word_count: int
    ingested_at: str
    url: str | None = None
    canonical_url: str | None = None
    site: str | None = None
    credit: str | None = None


@dataclass(frozen=True, slots=True)
class Keys:
    """An article's band keys: ``near`` (its signature's bands), ``ledes`` (what it is filed
    under for partial copies) and ``probes`` (what it looks up: its lede and windows).
    Computed in the workers (``keys_of``), so the single writer does not hash bands."""

    near: tuple[int, ...] = ()
    ledes: tuple[int, ...] = ()
    probes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Prints:
    """An article's fingerprints, as the index needs them."""

    content_hash: str
    signature: bytes
    lede: bytes = b""
    windows: tuple[bytes, ...] = ()
    excerpt: bool = False
    keys: Keys | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """What placing a page needs to know about a stored candidate."""

    cluster_id: int
    word_count: int
    excerpt: bool
    signature: bytes


@dataclass(slots=True)
class Placement:
    """The outcome of adding one article: its cluster, its pairs, and clusters it merged."""

    cluster_id: int
    pairs: list[tuple[int, int, str, float]] = field(default_factory=list)
    merged: list[tuple[int, int]] = field(default_factory=list)
    joined_existing: bool = False
    near_keys: list[int] = field(default_factory=list)
    lede_keys: list[int] = field(default_factory=list)


class StoredIndex(Protocol):
    """What the index reads from the database (``pipeline/store.py`` provides it)."""

    def first_with_hash(self, content_hash: str) -> int | None:
        """The lowest article id with this normalised-text hash."""

    def band_candidates(self, table: str, keys: list[int]) -> set[int]:
        """Articles filed under any of these keys in ``index_bands`` or ``index_ledes``."""

    def facts(self, ids: list[int]) -> dict[int, Facts]:
        """Cluster, length, excerpt flag and signature of stored articles."""

    def cluster_members(self, cluster_id: int) -> list[Member]:
        """Every article of a cluster."""

    def move_cluster(self, source: int, target: int) -> None:
        """Merge cluster ``source`` into ``target`` (in the open transaction)."""


def index_entries(
    signature: bytes, ledes: bytes, excerpt: bool, config: Config
) -> tuple[list[int], list[int]]:
    """Band keys an article is filed under: near-duplicate bands of its signature (not for an
    excerpt, which joins no cluster), and lede bands of its lede and, for an excerpt, of each
    window (an excerpt may begin with the republisher's own lines, so a source that arrives
    later still finds it by its lede). ``ledes`` is the lede's signature then the windows'."""
    cfg = config.cluster
    near = [] if excerpt else band_keys(signature, cfg.bands, cfg.rows)
    size = len(signature)
    parts = [ledes[i : i + size] for i in range(0, len(ledes), size)][: None if excerpt else 1]
    lede = [key for part in parts for key in band_keys(part, cfg.lede_bands, cfg.lede_rows)]
    return near, lede


def keys_of(
    signature: bytes,
    lede: bytes,
    windows: tuple[bytes, ...] | list[bytes],
    excerpt: bool,
    config: Config,
) -> Keys:
    """The band keys of an article's fingerprints (see ``index_entries``)."""
    cfg = config.cluster
    near, ledes = index_entries(signature, lede + b"".join(windows), excerpt, config)
    probes = [
        key
        for part in (lede, *windows)
        if part
        for key in band_keys(part, cfg.lede_bands, cfg.lede_rows)
    ]
    return Keys(tuple(near), tuple(ledes), tuple(probes))


def page_keys(page, config: Config) -> Keys:
    """``keys_of`` a fingerprinted ``Page``."""
    return keys_of(
        page.signature, page.lede_signature, page.window_signatures, page.excerpt, config
    )


class ClusterIndex:
    """Grouping over the stored index; ``add`` places one new article and reports what
    changed (the writer then stores the article and its ``near_keys`` and ``lede_keys``)."""

    def __init__(self, config: Config, stored: StoredIndex) -> None:
        self.config = config
        self.stored = stored

    def add(
        self, member: Member, prints: Prints, text: str, text_of: Callable[[int], str]
    ) -> Placement:
        """Place a new article (ids must grow); return its cluster, pairs and merges.

        ``text_of`` gives a stored article's text, to verify partial copies exactly.
        """
        keys = prints.keys or keys_of(
            prints.signature, prints.lede, prints.windows, prints.excerpt, self.config
        )
        first = self.stored.first_with_hash(prints.content_hash)
        if first is not None:
            cluster = self.stored.facts([first])[first].cluster_id
            targets = {cluster: (first, "exact", 1.0)}
        elif prints.excerpt:
            targets = {}
        else:
            targets = self._near_targets(prints.signature, keys.near)
        placement = self._join(member, targets)
        if first is None:
            placement.near_keys, placement.lede_keys = list(keys.near), list(keys.ledes)
            placement.pairs += self._partials(
                member, prints, keys.probes, placement.cluster_id, text, text_of
            )
        return placement

    def _partials(
        self,
        member: Member,
        prints: Prints,
        probes: tuple[int, ...],
        cluster_id: int,
        text: str,
        text_of: Callable[[int], str],
    ) -> list[tuple[int, int, str, float]]:
        """Stored articles that contain this one, or that it contains, mostly (exactly)."""
        cfg = self.config.cluster
        candidates = sorted(self.stored.band_candidates("index_ledes", list(probes)))
        facts = self.stored.facts(candidates)
        pairs = []
        size = self.config.fingerprint.shingle_size
        for other in candidates:
            if facts[other].cluster_id == cluster_id:
                continue
            texts = (text, text_of(other))
            new_is_small = member.word_count <= facts[other].word_count
            small, large = texts if new_is_small else texts[::-1]
            excerpt = prints.excerpt if new_is_small else facts[other].excerpt
            needed = cfg.excerpt_containment if excerpt else cfg.partial_containment
            share = containment(small, large, size)
            if share >= needed:
                pairs.append((member.id, other, "partial", round(share, 4)))
        return pairs

    def _near_targets(
        self, signature: bytes, keys: tuple[int, ...]
    ) -> dict[int, tuple[int, str, float]]:
        """Best verified candidate per existing cluster, in a deterministic order."""
        cfg = self.config.cluster
        candidates = sorted(self.stored.band_candidates("index_bands", list(keys)))
        facts = self.stored.facts(candidates)
        values = np.frombuffer(signature, dtype=np.uint32)
        best: dict[int, tuple[int, str, float]] = {}
        for other in candidates:
            score = similarity(values, np.frombuffer(facts[other].signature, dtype=np.uint32))
            cluster = facts[other].cluster_id
            if score >= cfg.threshold and (cluster not in best or score > best[cluster][2]):
                best[cluster] = (other, "near", round(score, 4))
        return best

    def _join(self, member: Member, targets: dict[int, tuple[int, str, float]]) -> Placement:
        if not targets:
            return Placement(member.id)
        root = min(targets)
        placement = Placement(root, joined_existing=True)
        for cluster in sorted(targets):
            other, kind, score = targets[cluster]
            placement.pairs.append((member.id, other, kind, score))
            if cluster != root:
                self.stored.move_cluster(cluster, root)
                placement.merged.append((cluster, root))
        return placement

    def summary(self, cluster_id: int) -> dict[str, object]:
        """The ``clusters`` row for a cluster as it stands now."""
        members = self.stored.cluster_members(cluster_id)
        chosen, reason = choose_canonical(members)
        seen = [item.ingested_at for item in members]
        return {
            "id": cluster_id,
            "size": len(members),
            "canonical_article_id": chosen,
            "canonical_reason": reason,
            "first_seen": min(seen),
            "last_seen": max(seen),
        }


def choose_canonical(members: list[Member]) -> tuple[int, str]:
    """Pick the canonical copy and say why (rules in order, each narrowing the pool).

    >>> choose_canonical([Member(3, "2017-12-11", 500, "t"), Member(5, "2017-12-10", 90, "t")])
    (5, 'earliest_published')
    >>> choose_canonical([Member(3, None, 500, "t"), Member(5, None, 90, "t")])
    (3, 'most_complete')
    >>> choose_canonical([Member(3, None, 500, "t", site="Daily"),
    ...                   Member(5, None, 90, "t", site="Wire Co", credit="Wire Co")])
    (5, 'credited_source')
    """
    if len(members) == 1:
        return members[0].id, "only_copy"
    pool = members
    for reason, keep in _RULES:
        narrowed = keep(pool, members)
        if narrowed:
            pool = narrowed
            if len(pool) == 1:
                return pool[0].id, reason
    return min(item.id for item in pool), "first_seen"


def _pointed_to(pool: list[Member], members: list[Member]) -> list[Member]:
    """Copies that another copy names as its rel=canonical URL (linear in the cluster)."""
    pointers: dict[str, set[int]] = {}
    for other in members:
        if other.canonical_url:
            pointers.setdefault(canonical(other.canonical_url), set()).add(other.id)
    return [m for m in pool if m.url and pointers.get(canonical(m.url), set()) - {m.id}]


def _credited(pool: list[Member], members: list[Member]) -> list[Member]:
    """Copies whose site another copy credits ("Source: BBC" names the BBC's copy)."""
    credits = {m.credit.casefold() for m in members if m.credit}
    return [
        m
        for m in pool
        if m.site and any(c in m.site.casefold() or m.site.casefold() in c for c in credits)
    ]


def _earliest(pool: list[Member], members: list[Member]) -> list[Member]:
    dated = [m for m in pool if m.published]
    if not dated:
        return []
    first = min(m.published for m in dated if m.published)
    return [m for m in dated if m.published == first]


def _longest(pool: list[Member], members: list[Member]) -> list[Member]:
    most = max(m.word_count for m in pool)
    return [m for m in pool if m.word_count == most]


_RULES = (
    ("canonical_link", _pointed_to),
    ("credited_source", _credited),
    ("earliest_published", _earliest),
    ("most_complete", _longest),
)
