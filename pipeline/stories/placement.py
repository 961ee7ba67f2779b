"""Stories: different articles (clusters) about one event, within a time window.

A cluster holds copies of one article; a story holds the clusters that report the same event
in their own words. Shingles cannot see that (independent write-ups share about a tenth of
their 5-word shingles), so a story is decided on vocabulary (``pipeline/stories/terms.py``),
read over the whole article in three bags: content words, names, and numbers (ages, tolls,
scores, years: an event's numbers recur in every report of it).

* **A new cluster against a story's members.** Each bag of a new cluster's first article is
  weighted ``(1 + ln count) * ln((N + PRIOR + 1) / (occurrences + 1))`` and scaled to unit
  length. ``occurrences`` counts the term in the first articles of the ``N`` clusters placed
  so far (kept in ``story_terms``, updated as clusters are placed, never computed by scanning
  the archive): counting occurrences rather than articles weighs down the names an article
  repeats, which are those a company's or a person's other news repeats too (at the default
  threshold, article counts gave ECB+ precision 0.80 at recall 0.80 and a wrong merge on
  the benchmark pages; occurrences 0.95 at 0.69 and none). ``PRIOR`` pretends the archive
  also holds that many unrelated articles, so a small one does not make every shared word
  look rare. A story keeps, per bag, the sum of its clusters' vectors (the ``KEEP`` heaviest
  terms) and how many clusters it has; the dot product of a new vector with that sum,
  divided by the count, is the new cluster's *average* cosine with the story's members
  (average link, as in agglomerative clustering): a story of twenty reports is judged by
  all twenty, not by what its first article said.
* **The score needs names and words to agree.** Two reports of one event name the same
  people and places *and* tell the same action; a company's other news of the same day
  shares the names but not the action, and the same kind of event elsewhere (another
  actress in rehab, another earthquake) shares the action but not the names. So the score
  is the geometric mean of the words and the names averages, raised by agreeing numbers:
  ``sqrt(words * names) * (1 + NUMBERS_BONUS * numbers)``. Below ``SURE``, an article's
  opening (its headline and the first ``LEDE_WORDS`` words of its text) must also share a
  word that is not a name with the openings of the story's articles (``opening_words``): a
  company's two news of one day share its name in every line, but each opens with its own
  action (on the benchmark pages this keeps two WeWork stories of one day apart).
* **Candidates come from an index.** A story is filed under its ``POSTED`` heaviest terms
  (any bag, in ``story_postings``); a new cluster looks up its ``QUERY`` heaviest terms, reads
  per term the ``PER_TERM`` newest stories of the window, and scores the ``CANDIDATES`` that
  share the most terms (then the newest): a bounded read, whatever the archive's size.
* **Stories merge.** The cluster joins the best story when its score reaches
  ``StoryConfig.threshold``, else it starts its own. Another candidate it also reaches is
  folded in when the two stories, the new cluster included, reach the threshold with each
  other (their average link): the new article showed they are one event. The older story's
  id survives; the merge is reported for the ``story_merges`` table. An excerpt or quoting
  post linked by a ``partial`` pair takes the story of what it quotes, and clusters that
  merge bring their stories together.

The threshold and the weights were chosen on the ECB+ event set and the hand-labelled
benchmark pages (``python -m benchmarks.stories`` prints both curves). All state is written
with each batch (stories with their sums, postings, document frequencies), so a resumed run
places pages exactly as an uninterrupted one. Stories are read when they are candidates, into
a bounded cache: a run's cost and memory do not grow with the archive.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple, Protocol

from pipeline.config import StoryConfig
from pipeline.stories.terms import NAME_PREFIX, NUMBER_PREFIX, english_stop_words

PRIOR = 300
KEEP = 300  # terms kept per bag of a story's sums
NUMBERS_BONUS = 0.5
LEDE_WORDS = 10  # words of an article's text that count as its opening, after the headline
OPENING_WORDS = 64  # opening words kept per story
SURE = 0.35  # a score this high needs no agreeing openings
KEY_NAMES = 6
POSTED = 20  # terms a story is filed under in story_postings
QUERY = 10  # a new cluster's terms looked up
CANDIDATES = 16  # stories scored at most per new cluster
PER_TERM = 64  # the newest stories of the window read per term
BAGS = ("words", "names", "numbers")
Counts = dict[str, int]
Weights = dict[str, float]
Vector = dict[str, float]
_OPENING_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(slots=True)
class Story:
    """A story as the index keeps it (and the ``stories`` row it becomes; the store counts
    its clusters and articles). ``sums`` holds, per bag, the sum of its clusters' unit
    vectors; ``members`` how many clusters were summed; ``openings`` the words its
    articles open with (``opening_words``)."""

    id: int
    title: str | None
    first_day: int
    last_day: int
    sums: dict[str, Weights] = field(default_factory=lambda: {bag: {} for bag in BAGS})
    members: int = 0
    openings: frozenset[str] = frozenset()
    posted: list[tuple[int, int, int, int]] = field(default_factory=list)  # as stored
    _filed_under: frozenset[str] | None = None

    def posted_terms(self) -> frozenset[str]:
        """The terms this story is filed under: its ``POSTED`` heaviest, of any bag."""
        if self._filed_under is None:
            every = {term: w for bag in BAGS for term, w in self.sums[bag].items()}
            self._filed_under = frozenset(term for term, _ in _heaviest(every, POSTED))
        return self._filed_under

    def postings(self) -> list[tuple[int, int, int, int]]:
        """``story_postings`` rows: (term key, last day, story, first day)."""
        return sorted(
            (term_key(term), self.last_day, self.id, self.first_day) for term in self.posted_terms()
        )

    def row(self) -> dict[str, object]:
        names = _heaviest(self.sums["names"], KEY_NAMES)
        terms = {"v": 2, "members": self.members, **self.sums, "openings": sorted(self.openings)}
        return {
            "id": self.id,
            "title": self.title,
            "key_names": ", ".join(name[1:] for name, _ in names),
            "first_day": date.fromordinal(self.first_day).isoformat(),
            "last_day": date.fromordinal(self.last_day).isoformat(),
            "terms": json.dumps(terms, ensure_ascii=False),
        }

    @classmethod
    def from_row(cls, row: dict) -> Story:
        """A stored story, with the postings the database holds for it. A story stored by
        an earlier version kept its members' term shares without weights: they stand in
        for the sums (with its cluster count), and its openings are unknown."""
        terms = json.loads(row["terms"])
        sums = {bag: dict(terms.get(bag, {})) for bag in BAGS}
        members = terms.get("members") or row.get("clusters") or 1
        story = cls(
            row["id"],
            row["title"],
            date.fromisoformat(row["first_day"]).toordinal(),
            date.fromisoformat(row["last_day"]).toordinal(),
            sums,
            members,
            frozenset(terms.get("openings", ())),
        )
        story.posted = story.postings()
        return story

    def absorb(self, other: Story | Member) -> None:
        """Add a member's vectors (or another story's sums) to this story."""
        self.first_day = min(self.first_day, other.first_day)
        self.last_day = max(self.last_day, other.last_day)
        for bag in BAGS:
            self.sums[bag] = _top(self.sums[bag], other.sums[bag])
        self.members += other.members
        self.openings = frozenset(sorted(self.openings | other.openings)[:OPENING_WORDS])
        self._filed_under = None


@dataclass(frozen=True, slots=True)
class Founder:
    """The first article of a new cluster, as the story index needs it."""

    cluster_id: int
    title: str | None
    day: int
    terms: Counts
    text: str = ""  # its opening is read (``opening_words``)


@dataclass(slots=True)
class Member:
    """A new cluster as one story member: its unit vector per bag."""

    first_day: int
    last_day: int
    sums: dict[str, Vector]
    openings: frozenset[str]
    members: int = 1


class Merge(NamedTuple):
    """Story ``gone`` folded into ``kept`` (the older) when a new cluster showed they are one
    event, with their average-link score."""

    kept: int
    gone: int
    score: float


class Placed(NamedTuple):
    """Where a new cluster went: its story, the score that chose it (1.0 when linked, 0 for
    a new story) and the stories merged on the way."""

    story: int
    score: float
    merges: tuple[Merge, ...] = ()


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
        """Stored occurrence counts of these terms (absent means 0); ``""`` is N."""


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
        self.occurrences: dict[str, int] = {}
        self.stories: OrderedDict[int, Story] = OrderedDict()
        self.changed_terms: set[str] = set()
        self.changed: set[int] = set()
        # stories merged into another since the last write: their stored postings are
        # deleted only when the batch is written, and must not offer them meanwhile
        self.merged_away: set[int] = set()
        self.unposted: list[tuple[int, int, int, int]] = []

    def place(self, founder: Founder, linked_story: int | None = None) -> Placed:
        """The story for a new cluster: a linked one, the closest, or its own."""
        self._count(founder.terms)
        member = self._member(founder)
        if linked_story is not None:
            story, score, others = self._ensure_story(linked_story), 1.0, []
        else:
            story, score, others = self._closest(member, founder.day)
        if story is None:
            title = founder.title  # none: the pages show the first headline among its articles
            story = Story(founder.cluster_id, title, founder.day, founder.day)
            self.stories[story.id] = story
        story.absorb(member)
        self.changed.add(story.id)
        merges = self._merge_bridged(story, others)
        self._evict()
        return Placed(merges[-1].kept if merges else story.id, round(score, 4), tuple(merges))

    def merge(self, source: int, target: int) -> None:
        """Fold story ``source`` into ``target`` (two of their clusters merged)."""
        self._ensure_story(source)
        new = self._ensure_story(target)
        old = self.stories.pop(source)
        new.absorb(old)
        self.unposted.extend(old.posted)
        self.changed.discard(source)
        self.changed.add(target)
        self.merged_away.add(source)

    def frequency_rows(self) -> list[dict[str, object]]:
        """``story_terms`` rows changed since the last call (the batch writes them)."""
        counts = self.occurrences
        rows = [{"term": t, "occurrences": counts[t]} for t in sorted(self.changed_terms)]
        rows.append({"term": "", "occurrences": self.documents})
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
                old, new = set(story.posted), set(story.postings())
                gone.extend(sorted(old - new))
                added.extend(sorted(new - old))
                story.posted = sorted(new)
        self.changed, self.unposted, self.merged_away = set(), [], set()
        self._stored_any = True  # what was placed so far is now read from the database
        self._evict()
        return gone, added

    def _count(self, terms: Counts) -> None:
        """Add one cluster's first article to the term counts."""
        self._load_counts(terms)
        self.documents += 1
        for term, count in terms.items():
            self.occurrences[term] += count
        self.changed_terms.update(terms)

    def _load_counts(self, terms: Iterable[str]) -> None:
        missing = [term for term in terms if term not in self.occurrences]
        if missing:
            stored = self.stored.term_frequencies(missing) if self._stored_any else {}
            self.occurrences.update({term: stored.get(term, 0) for term in missing})

    def _member(self, founder: Founder) -> Member:
        """The founder's unit TF-IDF vector per bag, and the words it opens with."""
        bags = _split(founder.terms)
        sums = {bag: self._vector(bags[bag]) for bag in BAGS}
        openings = opening_words(founder.title, founder.text, bags["names"])
        return Member(founder.day, founder.day, sums, openings)

    def _vector(self, counts: Counts) -> Vector:
        vector = {term: (1 + math.log(count)) * self._idf(term) for term, count in counts.items()}
        norm = math.sqrt(sum(value * value for value in vector.values()))
        return {term: round(value / norm, 6) for term, value in vector.items()} if norm else {}

    def _idf(self, term: str) -> float:
        return math.log((self.documents + PRIOR + 1) / (self.occurrences[term] + 1))

    def _closest(self, member: Member, day: int) -> tuple[Story | None, float, list[Story]]:
        """The best story of the window at the threshold or above (None below it), its
        score, and the other stories the new cluster also reaches, best first."""
        window, threshold = self.config.window_days, self.config.threshold
        reached = []
        for story_id in self._candidates(member, day):
            story = self._ensure_story(story_id)
            if story.first_day - window > day or day > story.last_day + window:
                continue
            score = _score(member, story)
            if score < SURE and not _openings_agree(member.openings, story.openings):
                continue
            if score >= threshold:
                reached.append((score, -story.id, story))
        if not reached:
            return None, 0.0, []
        reached.sort(reverse=True)
        (score, _, best), *others = reached
        return best, score, [story for _, _, story in others]

    def _merge_bridged(self, story: Story, others: list[Story]) -> list[Merge]:
        """Fold into one the stories the new cluster reached that also reach each other."""
        merges = []
        for other in others:
            if other.id not in self.stories:
                continue
            link = _score(story, other)
            if link >= self.config.threshold:
                kept, gone = sorted((story.id, other.id))
                self.merge(gone, kept)
                merges.append(Merge(kept, gone, round(link, 4)))
                story = self.stories[kept]
        return merges

    def _candidates(self, member: Member, day: int) -> list[int]:
        """Stories of the window filed under the new cluster's ``QUERY`` heaviest terms: per
        term the ``PER_TERM`` newest (so a term in every story of a busy day costs a bounded
        read), then the ``CANDIDATES`` sharing the most of those terms (then the newest).
        Stored stories come from their postings, stories changed since the last write from
        memory; both are cut alike, so the choice does not depend on when the batch was
        written."""
        lo, hi = day - self.config.window_days, day + self.config.window_days
        every = {term: w for bag in BAGS for term, w in member.sums[bag].items()}
        query = sorted(term for term, _ in _heaviest(every, QUERY))
        window = [
            story
            for story in (self.stories[story_id] for story_id in self.changed)
            if story.first_day <= hi and story.last_day >= lo
        ]
        shared: dict[int, int] = {}
        for term in query:
            found = [(s.last_day, s.id) for s in window if term in s.posted_terms()]
            if self._stored_any:
                skip = self.changed | self.merged_away
                found += self.stored.recent_postings(term_key(term), lo, hi, skip, PER_TERM)
            for _, story_id in sorted(found, reverse=True)[:PER_TERM]:
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


def _score(one: Story | Member, other: Story | Member) -> float:
    """The average link of two groups, per bag, combined: the geometric mean of the words
    and names averages, raised by agreeing numbers.

    >>> a = Member(0, 0, {"words": {"rehab": 1.0}, "names": {"@reid": 1.0}, "numbers": {}},
    ...            frozenset())
    >>> b = Member(0, 0, {"words": {"rehab": 1.0}, "names": {"@lohan": 1.0}, "numbers": {}},
    ...            frozenset())
    >>> _score(a, a), _score(a, b)
    (1.0, 0.0)
    """
    pairs = one.members * other.members
    words, names, numbers = (_dot(one.sums[bag], other.sums[bag]) / pairs for bag in BAGS)
    return math.sqrt(max(words, 0.0) * max(names, 0.0)) * (1 + NUMBERS_BONUS * numbers)


def opening_words(title: str | None, text: str, names: Counts) -> frozenset[str]:
    """The content words an article opens with: its headline's, and the first ``LEDE_WORDS``
    of its text, names and stop words aside.

    >>> sorted(opening_words("WeWork to cut jobs", "WeWork's staff are told.", {"@wework": 2}))
    ['cut', 'jobs', 'staff', 'told']
    """
    stop = english_stop_words()

    def content(line: str) -> list[str]:
        words = _OPENING_WORD.findall(line.casefold())
        return [w for w in words if w not in stop and NAME_PREFIX + w not in names]

    return frozenset(content(title or "") + content(text[:600])[:LEDE_WORDS])


def _openings_agree(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Openings, when both sides have some, share a word that is not a name."""
    return not mine or not theirs or not mine.isdisjoint(theirs)


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


def _split(terms: Counts) -> dict[str, Counts]:
    """The three bags of an article's terms, by their prefixes."""
    bags: dict[str, Counts] = {bag: {} for bag in BAGS}
    for term, count in terms.items():
        if term.startswith(NAME_PREFIX):
            bags["names"][term] = count
        elif term.startswith(NUMBER_PREFIX):
            bags["numbers"][term] = count
        else:
            bags["words"][term] = count
    return bags


def _top(total: Weights, more: Weights) -> Weights:
    """The two summed, cut to the ``KEEP`` heaviest terms (ties broken by the term)."""
    merged = dict(total)
    for term, weight in more.items():
        merged[term] = round(merged.get(term, 0) + weight, 6)
    if len(merged) <= KEEP:
        return merged
    return dict(_heaviest(merged, KEEP))


def _heaviest(weights: Weights, count: int) -> list[tuple[str, float]]:
    return heapq.nsmallest(count, weights.items(), key=lambda item: (-item[1], item[0]))


def _dot(vector: Vector, other: Vector) -> float:
    small, large = (vector, other) if len(vector) <= len(other) else (other, vector)
    return sum(value * large.get(term, 0.0) for term, value in small.items())


def term_key(term: str) -> int:
    """A story term as a 63-bit integer, the key of its postings.

    >>> term_key("@putin") == term_key("@putin") != term_key("@assad")
    True
    """
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "big") >> 1
