"""Story terms: what an article is about, as counts of content words and of names.

Stories group *different* write-ups of one event, which share few word sequences (the seeds'
most similar pair shares 13% of its 5-word shingles) but many of the same content words
("withdrawal", "airbase") and names ("Hmeimim", "Shoigu"). So an article is described by two
bags, compared separately later (``pipeline/stories.py``):

* ``words``: lower-cased words of three letters or more that are not stop words. The stop list
  is the one of the article's language, guessed as the language whose stop list (from jusText,
  which trafilatura already installs, 100 languages) covers most of the text; English stop
  words are always removed too, since news in any language quotes English names and phrases.
* ``names``: capitalised words that do not open a sentence (``Putin``, ``Hmeimim``), the
  cheapest proper-noun detector there is (Latin, Greek and Cyrillic capitals).

Names are stored with a leading ``@`` in the same dict, so one document-frequency table serves
both bags.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache

WORD = re.compile(r"[^\W\d_]{2,}")
# A token that starts with a capital (Latin, Greek or Cyrillic), with the characters names
# carry inside (O'Neill, Jean-Luc).
CAPITAL = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0391-\u03a9\u0410-\u042f"
CAPITALISED = re.compile(rf"(?<![\w'’-])([{CAPITAL}][\w'’-]*)")
# What may precede the first word of a sentence (so its capital says nothing); searched in
# the few characters before a word only.
SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”‘(\[\n–—-]\s*)$")
POSSESSIVE = re.compile(r"['’]s$")
NAME_PREFIX = "@"
# How much text decides the language: enough for a clear majority, cheap for long pages.
LANGUAGE_SAMPLE = 400


def load_stop_lists() -> None:
    """Read the stop lists now (the worker pool's fork server does, so workers start warm)."""
    _stop_lists()


@cache
def _stop_lists() -> dict[str, frozenset[str]]:
    """Each language's stop words."""
    import justext  # installed with trafilatura; imported late so only workers pay for it

    return {name: frozenset(justext.get_stoplist(name)) for name in justext.get_stoplists()}


@lru_cache(maxsize=200_000)
def _languages_of(token: str) -> tuple[str, ...]:
    """The languages that list ``token`` as a stop word (remembered: words recur)."""
    return tuple(name for name, words in _sorted_lists() if token in words)


@cache
def _sorted_lists() -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple(sorted(_stop_lists().items()))


def stop_words_for(tokens: list[str]) -> frozenset[str]:
    """The stop words of the language whose list covers most of ``tokens``, plus English.

    >>> stop = stop_words_for(["der", "die", "und", "das"])
    >>> "und" in stop, "the" in stop
    (True, True)
    """
    votes = Counter(name for token in tokens[:LANGUAGE_SAMPLE] for name in _languages_of(token))
    return _with_english(max(sorted(votes), key=votes.__getitem__, default="English"))


@cache
def _with_english(language: str) -> frozenset[str]:
    lists = _stop_lists()
    return lists[language] | lists["English"]


def story_terms(text: str) -> dict[str, int]:
    """Content words and (``@``-prefixed) names of an article, with their counts.

    >>> terms = story_terms("Mr Putin flew to the Hmeimim airbase. The visit to Hmeimim was short.")
    >>> terms["@hmeimim"], terms["airbase"], "@the" in terms, "the" in terms
    (2, 1, False, False)
    """
    tokens = WORD.findall(text.casefold())
    stop = stop_words_for(tokens)
    counts = Counter(token for token in tokens if len(token) > 2 and token not in stop)
    counts.update(NAME_PREFIX + name for name in _names(text, stop))
    return dict(counts)


def _names(text: str, stop: frozenset[str]) -> list[str]:
    names = []
    for match in CAPITALISED.finditer(text):
        token = match.group(1)
        start = match.start()
        if SENTENCE_START.search(text, max(0, start - 4), start):
            continue
        name = POSSESSIVE.sub("", token.casefold()).strip("'’-")
        if len(name) > 1 and name not in stop:
            names.append(name)
    return names
