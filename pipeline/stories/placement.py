"""Stories: different articles (clusters) about one event, within a time window.

A cluster holds copies of one article; a story holds the clusters that report the same event
in their own words. Shingles cannot see that (independent write-ups share about a tenth of
their 5-word shingles), so a story is decided on vocabulary (``pipeline/stories/terms.py``):

* a story keeps the summed term shares of its clusters' first articles: each article's
  ``1 + ln count`` per term, scaled to unit length, so a long article weighs no more than a
  short one (the ``KEEP`` heaviest terms of each bag: content words and names);
* a new cluster is compared with the stories that have a cluster within ``window_days`` of it
  and are filed under one of its three leading names (each story is filed under its
  ``POSTED`` heaviest names, in ``story_postings``), at most ``CANDIDATES`` of them, those
  sharing the most leading names first. Terms are weighted ``(1 + ln count) * ln((N + PRIOR) / (df +
  1))``, where ``df`` counts the clusters using the term so far and ``PRIOR`` pretends the
  corpus also holds that many unrelated articles, so the first articles of a small database
  do not all look alike. The new cluster's vector keeps only the terms some earlier cluster
  used (a word nobody else wrote cannot say two articles agree, it only dilutes the cosine);
  the story's keeps all of its terms, so that early on, when few terms are shared at all, two
  merely neighbouring topics do not look identical;
* the score is the geometric mean of the cosines of the two bags, so a story needs both the
  same names and the same vocabulary, and the two must share one of their three leading
  names (Europa is not Titan, though both are NASA moons). The cluster joins the best story
  when the score reaches ``StoryConfig.threshold``, else it starts its own. Comparing with
  the whole story rather than with single members stops chains (A like B like C) from
  merging related but different events;
* an excerpt or quoting post linked by a ``partial`` pair takes the story of what it quotes;
  two clusters that merge bring their stories together.

All state is written with each batch (``stories`` rows with their term shares, their
postings, ``story_terms`` document frequencies), so a resumed run places pages exactly as an
uninterrupted one would. Candidates come from the postings, one indexed query per new
cluster, and stories are read when they are candidates, into a bounded cache: a run's cost
and memory do not grow with the archive or with the number of stories of a busy day.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from pipeline.config import StoryConfig
from pipeline.stories.terms import NAME_PREFIX

PRIOR = 300
KEEP = 150
KEY_NAMES = 6
LEADING = 3
POSTED = 10  # names a story is filed under in story_postings
CANDIDATES = 8  # stories scored at most per new cluster
PER_NAME = 64  # the newest stories of the window read per leading name
Counts = dict[str, int]
Weights = dict[str, float]
Vector = dict[str, float]


@dataclass(slots=True)
class Story:
    """A story as the index keeps it (and the ``stories`` row it becomes; the store counts
    its clusters and articles)."""

    id: int
    title: str | None
    first_day: int
    last_day: int
    words: Weights = field(default_factory=dict)
    names: Weights = field(default_factory=dict)
    posted: list[tuple[int, int, int, int]] = field(default_factory=list)  # as stored
    _filed_under: frozenset[str] | None = None

    def posted_names(self) -> frozenset[str]:
        """The names this story is filed under: its ``POSTED`` heaviest."""
        if self._filed_under is None:
            self._filed_under = frozenset(name for name, _ in _heaviest(self.names, POSTED))
        return self._filed_under

    def postings(self) -> list[tuple[int, int, int, int]]:
        """``story_postings`` rows: (term key, last day, story, first day)."""
        return sorted(
            (term_key(name), self.last_day, self.id, self.first_day) for name in self.posted_names()
        )

    def row(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "key_names": ", ".join(name[1:] for name, _ in _heaviest(self.names, KEY_NAMES)),
            "first_day": date.fromordinal(self.first_day).isoformat(),
            "last_day": date.fromordinal(self.last_day).isoformat(),
            "terms": json.dumps({"words": self.words, "names": self.names}, ensure_ascii=False),
        }

    @classmethod
    def from_row(cls, row: dict) -> Story:
        """A stored story, with the postings the database holds for it."""
        terms = json.loads(row["terms"])
        story = cls(
            row["id"],
            row["title"],
            date.fromisoformat(row["first_day"]).toordinal(),
            date.fromisoformat(row["last_day"]).toordinal(),
            terms["words"],
            terms["names"],
        )
        story.posted = story.postings()
        return story

    def absorb(self, words: Weights, names: Weights, first_day: int, last_day: int) -> None:
        self.first_day = min(self.first_day, first_day)
        self.last_day = max(self.last_day, last_day)
        self.words = _top(self.words, words)
        self.names = _top(self.names, names)
        self._filed_under = None


@dataclass(slots=True)
class Founder:
    """The first article of a new cluster, as the story index needs it."""

    cluster_id: int
    title: str | None
    day: int
    terms: Counts


class StoredStories(Protocol):
    """What the index reads from the database (``pipeline/store.py`` provides it)."""

    def recent_postings(
        self, key: int, first_day: int, last_day: int, exclude: Iterable[int], limit: int
    ) -> list[tuple[int, int]]:
        """(last day, story) of the ``limit`` newest stored stories filed under this term key
        with a cluster between the two days (ordinals), leaving out ``exclude``."""

    def story(self, story_id: int) -> dict | None:
        """One stored ``stories`` row."""

    def term_frequencies(self, terms: list[str]) -> dict[str, int]:
        """Stored document frequencies of these terms (absent means 0); ``""`` is N."""


class NothingStored:
    """An empty database: for replaying placement in memory (benchmarks, tests)."""

    def recent_postings(
        self, key: int, first_day: int, last_day: int, exclude: Iterable[int], limit: int
    ) -> list[tuple[int, int]]:
        return []

    def story(self, story_id: int) -> dict | None:
        return None

    def term_frequencies(self, terms: list[str]) -> dict[str, int]:
        return {}


class StoryIndex:
    """Places new clusters into stories and hands each batch the rows that changed."""

    def __init__(
        self, config: StoryConfig, stored: StoredStories, cache_size: int | None = None
    ) -> None:
        """``cache_size`` bounds the stories kept in memory besides those changed since the
        last ``story_rows`` (None keeps all: for replays with nothing stored)."""
        self.config = config
        self.stored = stored
        self.cache_size = cache_size
        self.documents = stored.term_frequencies([""]).get("", 0)
        self._stored_any = self.documents > 0  # a new database has no frequencies to read
        self.df: dict[str, int] = {}
        self.stories: OrderedDict[int, Story] = OrderedDict()
        self.changed_terms: set[str] = set()
        self.changed: set[int] = set()
        # stories merged into another since the last write: their stored postings are
        # deleted only when the batch is written, and must not offer them meanwhile
        self.merged_away: set[int] = set()
        self.unposted: list[tuple[int, int, int, int]] = []

    def place(self, founder: Founder, linked_story: int | None = None) -> tuple[int, float]:
        """The story for a new cluster, and the score that chose it (1.0 when linked)."""
        self._count(founder.terms)
        words, names = _split(founder.terms)
        if linked_story is not None:
            story, score = self._ensure_story(linked_story), 1.0
        else:
            story, score = self._closest(words, names, founder.day)
        if story is None:
            story = Story(founder.cluster_id, founder.title, founder.day, founder.day)
            self.stories[story.id] = story
        story.absorb(_shares(words), _shares(names), founder.day, founder.day)
        self.changed.add(story.id)
        self._evict()
        return story.id, round(score, 4)

    def merge(self, source: int, target: int) -> None:
        """Fold story ``source`` into ``target`` (two of their clusters merged)."""
        self._ensure_story(source)
        new = self._ensure_story(target)
        old = self.stories.pop(source)
        new.absorb(old.words, old.names, old.first_day, old.last_day)
        self.unposted.extend(old.posted)
        self.changed.discard(source)
        self.changed.add(target)
        self.merged_away.add(source)

    def frequency_rows(self) -> list[dict[str, object]]:
        """``story_terms`` rows changed since the last call (the batch writes them)."""
        rows = [{"term": term, "df": self.df[term]} for term in sorted(self.changed_terms)]
        rows.append({"term": "", "df": self.documents})
        self.changed_terms = set()
        return rows

    def story_rows(self) -> list[dict[str, object]]:
        """``stories`` rows changed since the last call (then ``posting_changes``)."""
        return [self.stories[i].row() for i in sorted(self.changed) if i in self.stories]

    def posting_changes(self) -> tuple[list[tuple], list[tuple]]:
        """``story_postings`` rows to delete and to insert since the last call; the stories
        changed are then as stored, and may leave the cache."""
        gone, added = self.unposted, []
        for story_id in sorted(self.changed):
            story = self.stories.get(story_id)
            if story is not None and story.postings() != story.posted:
                gone.extend(story.posted)
                story.posted = story.postings()
                added.extend(story.posted)
        self.changed, self.unposted, self.merged_away = set(), [], set()
        self._stored_any = True  # what was placed so far is now read from the database
        self._evict()
        return gone, added

    def _count(self, terms: Counts) -> None:
        """Add one cluster to the document frequencies."""
        self._load_frequencies(terms)
        self.documents += 1
        for term in terms:
            self.df[term] += 1
        self.changed_terms.update(terms)

    def _load_frequencies(self, terms: Iterable[str]) -> None:
        missing = [term for term in terms if term not in self.df]
        if missing:
            stored = self.stored.term_frequencies(missing) if self._stored_any else {}
            self.df.update({term: stored.get(term, 0) for term in missing})

    def _closest(self, words: Counts, names: Counts, day: int) -> tuple[Story | None, float]:
        window, threshold = self.config.window_days, self.config.threshold
        idf: dict[str, float] = {}  # this placement's weights, shared by all candidates
        my_names = self._vector(names, idf, shared=True)
        leading = _leading(my_names)  # a story must share one of these leading names
        my_words: Vector | None = None
        best, best_score = None, 0.0
        for story_id in self._candidates(leading, day):
            story = self._ensure_story(story_id)
            if story.first_day - window > day or day > story.last_day + window:
                continue
            their_names = self._vector(story.names, idf)
            if not leading & _leading(their_names):
                continue
            names_cosine = _dot(my_names, their_names)
            if names_cosine < threshold * threshold:  # the words cosine is at most 1
                continue
            if my_words is None:
                my_words = self._vector(words, idf, shared=True)
            score = math.sqrt(_dot(my_words, self._vector(story.words, idf)) * names_cosine)
            if score > best_score:
                best, best_score = story, score
        if best_score < threshold:
            return None, best_score
        return best, best_score

    def _vector(self, weights: Weights, idf: dict[str, float], shared: bool = False) -> Vector:
        """Unit TF-IDF vector of a new cluster's counts (``shared``: only the terms another
        cluster used too) or of a story's summed term shares."""
        floor = 2 if shared else 1
        vector = {}
        for term, weight in weights.items():
            if self.df[term] >= floor:
                if term not in idf:
                    idf[term] = math.log((self.documents + PRIOR) / (self.df[term] + 1))
                tf = 1 + math.log(weight) if shared else weight
                vector[term] = tf * idf[term]
        norm = math.sqrt(sum(value * value for value in vector.values()))
        return {term: value / norm for term, value in vector.items()} if norm else {}

    def _candidates(self, leading: set[str], day: int) -> list[int]:
        """Stories of the window filed under a leading name, in id order: per name the
        ``PER_NAME`` newest (so a name in every story of a busy day costs a bounded read),
        then the ``CANDIDATES`` sharing the most leading names (then the newest). Stored
        stories come from their postings, stories changed since the last write from memory;
        both are cut alike, so the choice does not depend on when the batch was written."""
        lo, hi = day - self.config.window_days, day + self.config.window_days
        window = [
            story
            for story in (self.stories[story_id] for story_id in self.changed)
            if story.first_day <= hi and story.last_day >= lo
        ]
        shared: dict[int, int] = {}
        for name in sorted(leading):
            found = [(s.last_day, s.id) for s in window if name in s.posted_names()]
            if self._stored_any:
                key = term_key(name)
                skip = self.changed | self.merged_away
                found += self.stored.recent_postings(key, lo, hi, skip, PER_NAME)
            for _, story_id in sorted(found, reverse=True)[:PER_NAME]:
                shared[story_id] = shared.get(story_id, 0) + 1
        ranked = sorted(shared, key=lambda story_id: (-shared[story_id], -story_id))
        return sorted(ranked[:CANDIDATES])

    def _ensure_story(self, story_id: int) -> Story:
        story = self.stories.get(story_id)
        if story is None:
            row = self.stored.story(story_id)
            if row is None:
                raise KeyError(f"story {story_id} is neither stored nor in this run")
            story = self.stories[story_id] = Story.from_row(row)
            self._load_frequencies([*story.words, *story.names])
        self.stories.move_to_end(story_id)
        return story

    def _evict(self) -> None:
        """Forget the least recently used stories that are as stored, beyond the cache."""
        if self.cache_size is None:
            return
        while len(self.stories) > self.cache_size + len(self.changed):
            for story_id in self.stories:
                if story_id not in self.changed:
                    del self.stories[story_id]
                    break
            else:
                return


def day_of(published: str | None, fetched_at: str | None, ingested_at: str) -> int:
    """The day a cluster counts from: its publication date, else when it was fetched (the
    crawl, or the capture date of a WARC record: an archive of 2019 is about 2019), else when
    it was stored.

    >>> date.fromordinal(day_of("2017-12-11T10:00:00", None, "2026-11-22T06:00:00+00:00"))
    datetime.date(2017, 12, 11)
    >>> date.fromordinal(day_of(None, "2019-11-20T08:00:00Z", "2026-11-22T06:00:00+00:00"))
    datetime.date(2019, 11, 20)
    >>> date.fromordinal(day_of("Monday", None, "2026-11-22T06:00:00+00:00"))
    datetime.date(2026, 11, 22)
    """
    for stamp in (published, fetched_at, ingested_at):
        try:
            return date.fromisoformat((stamp or "")[:10]).toordinal()
        except ValueError:
            continue
    raise ValueError(f"no usable date in {published!r}, {fetched_at!r} or {ingested_at!r}")


def _split(terms: Counts) -> tuple[Counts, Counts]:
    words = {term: count for term, count in terms.items() if not term.startswith(NAME_PREFIX)}
    names = {term: count for term, count in terms.items() if term.startswith(NAME_PREFIX)}
    return words, names


def _shares(counts: Counts) -> Weights:
    """A cluster's terms as its share of the story: ``1 + ln count``, scaled to unit length,
    so that a long article weighs no more in its story than a short one.

    >>> _shares({"putin": 4, "airbase": 1})
    {'putin': 0.922291, 'airbase': 0.386495}
    """
    tf = {term: 1 + math.log(count) for term, count in counts.items()}
    norm = math.sqrt(sum(value * value for value in tf.values())) or 1.0
    return {term: round(value / norm, 6) for term, value in tf.items()}


def _top(total: Weights, more: Weights) -> Weights:
    """The two summed, cut to the ``KEEP`` heaviest terms (ties broken by the term)."""
    merged = dict(total)
    for term, weight in more.items():
        merged[term] = merged.get(term, 0) + weight
    if len(merged) <= KEEP:
        return merged
    return dict(_heaviest(merged, KEEP))


def _heaviest(weights: Weights, count: int) -> list[tuple[str, float]]:
    return heapq.nsmallest(count, weights.items(), key=lambda item: (-item[1], item[0]))


def _leading(names: Vector) -> set[str]:
    """The ``LEADING`` heaviest names: who or what the article is mainly about."""
    return {name for name, _ in _heaviest(names, LEADING)}


def _dot(vector: Vector, other: Vector) -> float:
    small, large = (vector, other) if len(vector) <= len(other) else (other, vector)
    return sum(value * large.get(term, 0.0) for term, value in small.items())


def term_key(term: str) -> int:
    """A story term as a 63-bit integer, the key of its postings.

    >>> term_key("@putin") == term_key("@putin") != term_key("@assad")
    True
    """
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "big") >> 1
