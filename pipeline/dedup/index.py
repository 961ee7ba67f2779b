"""Cluster: exact and near-duplicate grouping with MinHash LSH and union-find.

This is the reduce side and runs in the single writer process. State (LSH index, signatures,
cluster membership) lives in memory and is rebuilt from the database at start, so a cron run
clusters new pages against everything stored before.

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
  containment of shingles, candidates from an index of ledes), which merges nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from pipeline.config import Config
from pipeline.dedup.fingerprint import containment, similarity, to_minhash
from pipeline.dedup.sketch import MinHashLSH
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
class Prints:
    """An article's fingerprints, as the index needs them."""

    content_hash: str
    signature: bytes
    lede: bytes = b""
    windows: tuple[bytes, ...] = ()
    excerpt: bool = False

    @classmethod
    def from_stored(
        cls, content_hash: str, signature: bytes, ledes: bytes, excerpt: bool
    ) -> Prints:
        """``ledes`` is the lede's signature, then (for excerpts) each window's."""
        size = len(signature)
        parts = [ledes[i : i + size] for i in range(0, len(ledes), size)] or [b""]
        return cls(content_hash, signature, parts[0], tuple(parts[1:]), excerpt)


@dataclass(slots=True)
class Placement:
    """The outcome of adding one article: its cluster, its pairs, and clusters it merged."""

    cluster_id: int
    pairs: list[tuple[int, int, str, float]] = field(default_factory=list)
    merged: list[tuple[int, int]] = field(default_factory=list)
    joined_existing: bool = False


class ClusterIndex:
    """In-memory grouping state; ``add`` places one new article and reports what changed."""

    def __init__(self, config: Config) -> None:
        self.config = config
        cfg = config.cluster
        self.lsh = MinHashLSH(
            threshold=cfg.threshold,
            num_perm=config.fingerprint.num_perm,
            params=(cfg.bands, cfg.rows),
        )
        self.ledes = MinHashLSH(
            num_perm=config.fingerprint.num_perm, params=(cfg.lede_bands, cfg.lede_rows)
        )
        self.signatures: dict[int, np.ndarray] = {}
        self.by_hash: dict[str, int] = {}
        self.cluster_of: dict[int, int] = {}
        self.members: dict[int, list[Member]] = {}
        self.words: dict[int, int] = {}
        self.excerpts: set[int] = set()

    def load(self, member: Member, prints: Prints, cluster_id: int) -> None:
        """Restore one stored article without recomputing anything."""
        self.cluster_of[member.id] = cluster_id
        self.members.setdefault(cluster_id, []).append(member)
        self._remember(member, prints)

    def add(
        self, member: Member, prints: Prints, text: str, text_of: Callable[[int], str]
    ) -> Placement:
        """Place a new article (ids must grow); return its cluster, pairs and merges.

        ``text_of`` gives a stored article's text, to verify partial copies exactly.
        """
        first = self.by_hash.get(prints.content_hash)
        if first is not None:
            targets = {self.cluster_of[first]: (first, "exact", 1.0)}
        elif prints.excerpt:
            targets = {}
        else:
            targets = self._near_targets(np.frombuffer(prints.signature, dtype=np.uint32))
        placement = self._join(member, targets)
        if first is None:
            placement.pairs += self._partials(member, prints, text, text_of)
        self._remember(member, prints)
        return placement

    def _remember(self, member: Member, prints: Prints) -> None:
        self.words[member.id] = member.word_count
        if prints.excerpt:
            self.excerpts.add(member.id)
        if prints.content_hash in self.by_hash:
            return
        self.by_hash[prints.content_hash] = member.id
        # An excerpt may begin with the republisher's own lines, so its windows are indexed
        # too: a source that arrives later still finds it by its lede.
        keys = [prints.lede, *(prints.windows if prints.excerpt else ())]
        for number, lede in enumerate(key for key in keys if key):
            self.ledes.insert((member.id, number), self._minhash(lede))
        if not prints.excerpt:
            self._index(member.id, np.frombuffer(prints.signature, dtype=np.uint32))

    def _minhash(self, signature: bytes):
        return to_minhash(np.frombuffer(signature, dtype=np.uint32), self.config.fingerprint)

    def _partials(
        self, member: Member, prints: Prints, text: str, text_of: Callable[[int], str]
    ) -> list[tuple[int, int, str, float]]:
        """Stored articles that contain this one, or that it contains, mostly (exactly)."""
        candidates: set[int] = set()
        for signature in (prints.lede, *prints.windows):
            if signature:
                candidates.update(key[0] for key in self.ledes.query(self._minhash(signature)))
        pairs = []
        size = self.config.fingerprint.shingle_size
        cfg = self.config.cluster
        for other in sorted(candidates):
            if self.cluster_of[other] == self.cluster_of[member.id]:
                continue
            texts = (text, text_of(other))
            new_is_small = member.word_count <= self.words[other]
            small, large = texts if new_is_small else texts[::-1]
            excerpt = prints.excerpt if new_is_small else other in self.excerpts
            needed = cfg.excerpt_containment if excerpt else cfg.partial_containment
            share = containment(small, large, size)
            if share >= needed:
                pairs.append((member.id, other, "partial", round(share, 4)))
        return pairs

    def _index(self, article_id: int, values: np.ndarray) -> None:
        self.signatures[article_id] = values
        self.lsh.insert(article_id, to_minhash(values, self.config.fingerprint))

    def _near_targets(self, values: np.ndarray) -> dict[int, tuple[int, str, float]]:
        """Best verified candidate per existing cluster, in a deterministic order."""
        best: dict[int, tuple[int, str, float]] = {}
        threshold = self.config.cluster.threshold
        for other in sorted(self.lsh.query(to_minhash(values, self.config.fingerprint))):
            score = similarity(values, self.signatures[other])
            cluster = self.cluster_of[other]
            if score >= threshold and (cluster not in best or score > best[cluster][2]):
                best[cluster] = (other, "near", round(score, 4))
        return best

    def _join(self, member: Member, targets: dict[int, tuple[int, str, float]]) -> Placement:
        if not targets:
            self.cluster_of[member.id] = member.id
            self.members[member.id] = [member]
            return Placement(member.id)
        root = min(targets)
        placement = Placement(root, joined_existing=True)
        for cluster in sorted(targets):
            other, kind, score = targets[cluster]
            placement.pairs.append((member.id, other, kind, score))
            if cluster != root:
                self._merge(cluster, root)
                placement.merged.append((cluster, root))
        self.cluster_of[member.id] = root
        self.members[root].append(member)
        return placement

    def _merge(self, source: int, target: int) -> None:
        moved = self.members.pop(source)
        for item in moved:
            self.cluster_of[item.id] = target
        self.members[target].extend(moved)

    def summary(self, cluster_id: int) -> dict[str, object]:
        """The ``clusters`` row for a cluster as it stands now."""
        members = self.members[cluster_id]
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
