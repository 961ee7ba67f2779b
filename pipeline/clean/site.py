"""Site-learned furniture: lines that recur on many different articles of one site.

A line (2 to 25 words) that appears in articles of ``THRESHOLD`` different clusters of the
same site is that site's furniture ("Follow our live coverage in the app", a staff blurb),
whatever words it uses. Counting clusters, not pages, keeps a site that republishes one
story several times from teaching itself that story's paragraphs. The state lives in
``site_lines``: the writer reads the rows of a page's own lines when the page arrives, keeps
the rows its batch changed, and saves them with the batch (so a resumed run learns exactly as
an uninterrupted one). Learned lines are removed from later pages of the site: each removed
line is kept in ``furniture`` with the rule ``site_furniture``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Protocol
from urllib.parse import urlsplit

from pipeline.dedup.fingerprint import normalise
from pipeline.records import Page, Removed

THRESHOLD = 3
MIN_WORDS, MAX_WORDS = 2, 25
RULE = "site_furniture"


def site_key(page: Page) -> str | None:
    """The site a page belongs to: its URL's host, else its site name."""
    host = urlsplit(page.url).hostname if page.url else None
    key = (host or page.site or "").lower().removeprefix("www.")
    return key or None


def line_key(line: str) -> str | None:
    """A short digest of a trackable line, or None for lines too short or too long."""
    normalised = normalise(line)
    if not MIN_WORDS <= len(normalised.split()) <= MAX_WORDS:
        return None
    return hashlib.blake2b(normalised.encode(), digest_size=8).hexdigest()


def line_keys(text: str) -> list[str | None]:
    """The key of every line of ``text`` (None for blank or untracked lines), in order.

    Computed in the workers, so that the single writer process does not normalise every
    line of every page twice (it strips, then learns).
    """
    return [line_key(line) if line.strip() else None for line in text.split("\n")]


class StoredLines(Protocol):
    """What site furniture reads from the database (``pipeline/store.py`` provides it)."""

    def site_lines(self, site: str, keys: list[str]) -> list[tuple]:
        """(line hash, clusters as JSON, learned) of these lines of a site."""


class SiteFurniture:
    """Learns and strips per-site furniture lines, reading the lines a page holds."""

    def __init__(self, stored: StoredLines) -> None:
        self.stored = stored
        self.clusters: dict[tuple[str, str], list[int]] = {}
        self.learned: set[tuple[str, str]] = set()

    def forget(self) -> None:
        """Drop what was read (the batch's changes are stored now)."""
        self.clusters, self.learned = {}, set()

    def _read(self, site: str, page: Page) -> None:
        missing = [key for key in _keys(page) if key and (site, key) not in self.clusters]
        for key, clusters, learned in self.stored.site_lines(site, missing):
            self.clusters[(site, key)] = json.loads(clusters)
            if learned:
                self.learned.add((site, key))

    def strip(self, page: Page, site: str | None) -> bool:
        """Remove the site's learned lines from ``page.text``; True when any was removed."""
        if site is None:
            return False
        self._read(site, page)
        kept, removed = [], []
        moved: list[int] = []  # each old paragraph's index once the site's lines are gone
        for line, key in zip(page.text.split("\n"), _keys(page), strict=True):
            if not line.strip():
                kept.append(line)
                continue
            moved.append(len(moved) - len(removed))
            if key and (site, key) in self.learned:
                removed.append(Removed(line.strip(), RULE, moved[-1]))
            else:
                kept.append(line)
        if not removed:
            return False
        moved.append(len(moved) - len(removed))  # after the last paragraph
        for item in page.removed:
            if item.paragraph is not None and item.paragraph < len(moved):
                item.paragraph = moved[item.paragraph]
        page.text = "\n".join(kept).strip()
        while "\n\n\n" in page.text:
            page.text = page.text.replace("\n\n\n", "\n\n")
        page.line_keys = line_keys(page.text)  # of the text as it now is, lines and all
        page.removed.extend(removed)
        return True

    def learn(self, site: str | None, page: Page, cluster_id: int) -> list[dict]:
        """Count this article's lines for its site; return the ``site_lines`` rows changed."""
        if site is None:
            return []
        self._read(site, page)
        rows = {}
        for line, key in zip(page.text.split("\n"), _keys(page), strict=True):
            seen = self.clusters.setdefault((site, key), []) if key else None
            if seen is None or cluster_id in seen or len(seen) >= THRESHOLD:
                continue
            seen.append(cluster_id)
            if len(seen) >= THRESHOLD:
                self.learned.add((site, key))
            rows[key] = {
                "site": site,
                "line_hash": key,
                "line": line.strip()[:500],
                "clusters": json.dumps(seen),
                "learned": int(len(seen) >= THRESHOLD),
            }
        return list(rows.values())


def _keys(page: Page) -> list[str | None]:
    """The page's line keys, from its worker (computed here for pages built otherwise)."""
    if len(page.line_keys) != page.text.count("\n") + 1:
        page.line_keys = line_keys(page.text)
    return page.line_keys
