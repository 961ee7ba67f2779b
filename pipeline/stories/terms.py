"""Story terms: what an article is about, as counts of content words and of names.

Stories group *different* write-ups of one event, which share few word sequences (the seeds'
most similar pair shares 13% of its 5-word shingles) but many of the same content words
("withdrawal", "airbase") and names ("Hmeimim", "Shoigu"). So an article is described by two
bags, compared separately later (``pipeline/stories/placement.py``):

* ``words``: lower-cased words of three letters or more that are not stop words. The stop list
  is the one of the article's language (jusText's lists, which trafilatura already installs,
  100 languages): the page's declared language when its list fits the text, else the one
  whose list covers most of it. English stop words are always removed too, since news in any
  language quotes English names and phrases.
* ``names``: capitalised words that do not open a sentence (``Putin``, ``Hmeimim``), the
  cheapest proper-noun detector there is (Latin, Greek and Cyrillic capitals).
* ``numbers``: the numbers the text gives (an age, a magnitude, a toll, a score, a year):
  every report of one event repeats its numbers, other events of the same kind have others.

Names are stored with a leading ``@`` and numbers with ``#`` in the same dict, so one
document-frequency table serves the three bags.
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
CONTRACTION = re.compile(r"['’](?:ve|ll|re|d|m|t)$", re.IGNORECASE)
# A line whose words of three letters or more are mostly capitalised is set in title case.
TITLE_CASE_SHARE, TITLE_CASE_MIN_WORDS = 0.75, 4
NAME_PREFIX = "@"
NUMBER_PREFIX = "#"
# A number as written: digits, with the separators inside it ("2,000", "5.6"; a full stop or
# comma after it is punctuation).
NUMBER = re.compile(r"\b\d[\d.,]*\b")
# How much text decides the language: enough for a clear majority, cheap for long pages.
LANGUAGE_SAMPLE = 400
# A declared language is believed when its stop words are this share of the first words
# (running text in a language is a third or more stop words; a wrong guess scores little).
DECLARED_COVERAGE = 0.2
# Language codes (ISO 639-1, as <html lang> gives them) of jusText's stop lists.
DECLARED = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "bs": "Bosnian",
    "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "eu": "Basque",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ka": "Georgian", "kk": "Kazakh",
    "ko": "Korean", "la": "Latin", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian",
    "mr": "Marathi", "ms": "Malay", "mt": "Maltese", "nb": "Norwegian_Bokmal",
    "nl": "Dutch", "nn": "Norwegian_Nynorsk", "no": "Norwegian_Bokmal", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian",
    "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "te": "Telugu", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "uz": "Uzbek", "vi": "Vietnamese",
}  # fmt: skip


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


def stop_words_for(tokens: list[str], declared: str | None = None) -> frozenset[str]:
    """The stop words of the text's language, plus English.

    The page's declared language (``<html lang>``) is taken when its stop list covers at
    least ``DECLARED_COVERAGE`` of the first words (pages declare a wrong language often
    enough, a CMS default); else the language whose list covers most of them.

    >>> stop = stop_words_for(["der", "die", "und", "das"])
    >>> "und" in stop, "the" in stop
    (True, True)
    >>> "und" in stop_words_for(["der", "die", "und", "das"], declared="en-US")
    True
    """
    sample = tokens[:LANGUAGE_SAMPLE]
    name = DECLARED.get((declared or "").split("-")[0].split("_")[0].lower())
    if name and sample:
        listed = _stop_lists()[name]
        if sum(token in listed for token in sample) >= DECLARED_COVERAGE * len(sample):
            return _with_english(name)
    votes = Counter(name for token in sample for name in _languages_of(token))
    return _with_english(max(sorted(votes), key=votes.__getitem__, default="English"))


def english_stop_words() -> frozenset[str]:
    """English stop words (jusText's list): what a headline's words are read against."""
    return _stop_lists()["English"]


@cache
def _with_english(language: str) -> frozenset[str]:
    lists = _stop_lists()
    return lists[language] | lists["English"]


def story_terms(text: str, language: str | None = None) -> dict[str, int]:
    """Content words, (``@``-prefixed) names and (``#``-prefixed) numbers of an article, with
    their counts.

    >>> terms = story_terms("Mr Putin flew to the Hmeimim airbase. The visit to Hmeimim was short.")
    >>> terms["@hmeimim"], terms["airbase"], "@the" in terms, "the" in terms
    (2, 1, False, False)
    >>> story_terms("The 5.6 magnitude quake hit 2,000 homes, 2,000 of them old.")["#2,000"]
    2
    """
    tokens = WORD.findall(text.casefold())
    stop = stop_words_for(tokens, language)
    counts = Counter(token for token in tokens if len(token) > 2 and token not in stop)
    counts.update(NAME_PREFIX + name for name in _names(text, stop))
    counts.update(NUMBER_PREFIX + number for number in NUMBER.findall(text))
    return dict(counts)


def _names(text: str, stop: frozenset[str]) -> list[str]:
    r"""Capitalised words that do not open a sentence, from lines that are not in title case.

    A headline, subhead or related-link line set in Title Case ("Kael Keeps Movies Coolest")
    capitalises every word, so its capitals say nothing about names; a contraction ("I've",
    "We'll") is a capitalised pronoun, not a name.

    >>> _names("Lunch With Kael Keeps The Movies Coolest\nI've met Pauline Kael.", frozenset())
    ['pauline', 'kael']
    """
    names = []
    for line in text.split("\n"):
        if _title_case(line):
            continue
        for match in CAPITALISED.finditer(line):
            token = match.group(1)
            start = match.start()
            if SENTENCE_START.search(line, max(0, start - 4), start) or CONTRACTION.search(token):
                continue
            name = POSSESSIVE.sub("", token.casefold()).strip("'’-")
            if len(name) > 1 and name not in stop:
                names.append(name)
    return names


def _title_case(line: str) -> bool:
    """Most words of three letters or more start with a capital, and the line does not end
    as a sentence does (a headline-style line; "I've met Pauline Kael." is a sentence)."""
    words = [word for word in line.split() if len(word) >= 3 and word[0].isalpha()]
    if len(words) < TITLE_CASE_MIN_WORDS or line.rstrip().endswith("."):
        return False
    capitals = sum(word[0].isupper() for word in words)
    return capitals >= TITLE_CASE_SHARE * len(words)
