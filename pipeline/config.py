"""All tuning in one frozen object, with the maths that chose it.

Near-duplicate detection has three knobs that must agree: the shingle size, the MinHash length
and the LSH banding. A pair of articles with Jaccard similarity ``s`` (over word shingles)
becomes an LSH *candidate* with probability ``1 - (1 - s**r)**b`` for ``b`` bands of ``r``
rows. Candidates are then *verified*: the MinHash estimate of ``s`` must reach ``threshold``.

Defaults:

* ``shingle_size = 5`` words. Different reports of one event share quotes; among the five seed
  articles (tests/fixtures/seeds) the most similar pair reaches Jaccard 0.18 with 2-word
  shingles, 0.15 with 3 and 0.13 with 5 (``benchmarks/shingles.py`` prints these), so 5 keeps
  them far below the threshold while copies with small edits keep most of their shingles.
* ``num_perm = 128``, ``bands x rows = 32 x 4``: the S-curve's midpoint is
  ``(1/32)**(1/4) ≈ 0.42``. A true pair at s = 0.5 is a candidate with probability
  ``1 - (1 - 0.5**4)**32 = 0.873``, at s = 0.6 with 0.988, at s = 0.7 with 0.9998. An unrelated
  pair at s = 0.1 is a candidate with probability 0.003, and at s = 0.2 with 0.05; such
  candidates cost one vector comparison each and are then refused by verification.
* ``threshold = 0.5``: the estimate from 128 permutations has a standard error of
  ``sqrt(s(1-s)/128) ≈ 0.044`` at s = 0.5, so a pair at s = 0.3 is accepted with probability
  below 1e-5 (about 5 standard errors), which keeps false pairs out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FingerprintConfig:
    """Shingling and MinHash settings. Changing them invalidates stored signatures."""

    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1

    def __post_init__(self) -> None:
        if self.shingle_size < 1:
            raise ValueError("shingle_size must be at least 1 word; 5 is the tested default")
        if not 16 <= self.num_perm <= 1024:
            raise ValueError("num_perm must be between 16 and 1024; 128 is the tested default")


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """LSH banding and the verification threshold for near-duplicates."""

    threshold: float = 0.5
    bands: int = 32
    rows: int = 4
    # Partial copies: ledes (first 25 words) are indexed with 16 bands of 8 rows, so two
    # ledes with Jaccard 0.8 meet with probability 1 - (1 - 0.8**8)**16 = 0.95 and 0.9 with
    # 0.9999, while 0.5 meet with 0.06. A candidate is linked when at least
    # ``partial_containment`` of the smaller article's shingles are in the larger (exact);
    # a page that says it is an excerpt ("Continue reading at ...") needs only
    # ``excerpt_containment``, since the republisher's own lines dilute a short excerpt.
    lede_bands: int = 16
    lede_rows: int = 8
    partial_containment: float = 0.8
    excerpt_containment: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold is a Jaccard similarity: give a number in (0, 1]")
        if self.bands < 1 or self.rows < 1:
            raise ValueError("bands and rows must be positive; the default is 32 x 4")

    def candidate_probability(self, similarity: float) -> float:
        """Chance that a pair with this Jaccard similarity shares at least one LSH band.

        >>> round(ClusterConfig().candidate_probability(0.5), 3)
        0.873
        """
        return 1.0 - (1.0 - similarity**self.rows) ** self.bands


@dataclass(frozen=True, slots=True)
class StoryConfig:
    """When a new cluster joins a story (``pipeline/stories/placement.py`` explains the score).

    ``threshold = 0.27`` comes from ``benchmarks/stories.py``, precision first, on two sets:
    the ECB+ event set (772 articles, 66 events, two events of one kind in each topic) and
    the 181 benchmark pages with the five seeds, hand-labelled. From 0.27 up, no benchmark
    page joins a story of another event and the five seeds form one story (also among the
    demo's other pages, where the fifth seed scores 0.275); at 0.26 a review of Nissan's new
    Sentra joins the Los Angeles Auto Show's story, and from 0.29 the seeds split. At 0.27
    ECB+ scores precision 0.931 and recall 0.725 as ingested (replayed on the odd topics
    alone 0.951 / 0.730, on the even ones 0.948 / 0.692). The window lets a story run over
    a news cycle without swallowing a similar event weeks later.
    """

    threshold: float = 0.27
    window_days: int = 3

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("the story threshold is a similarity: give a number in (0, 1]")
        if self.window_days < 0:
            raise ValueError("window_days must be 0 or more")


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a run can tune. ``min_words`` rejects pages too short to be articles."""

    fingerprint: FingerprintConfig = FingerprintConfig()
    cluster: ClusterConfig = ClusterConfig()
    story: StoryConfig = StoryConfig()
    min_words: int = 25
    max_page_bytes: int = 20 * 1024 * 1024
    page_timeout: float = 30.0
    batch_size: int = 200
    follow_links: bool = False  # read files whose links lead outside the folder given

    def __post_init__(self) -> None:
        if self.cluster.bands * self.cluster.rows > self.fingerprint.num_perm:
            raise ValueError(
                f"bands x rows ({self.cluster.bands} x {self.cluster.rows}) needs at least "
                f"that many permutations, but num_perm is {self.fingerprint.num_perm}"
            )
        if self.page_timeout <= 0:
            raise ValueError("page_timeout is in seconds and must be positive")
