"""Fingerprint: normalised text, word shingles, a MinHash signature and an exact-content hash.

Pure functions. Normalisation decides what "the same text" means: two copies that differ only
in Unicode form, case, typographic quotes or dashes, or white space must hash the same, so
both the exact hash and the shingles are computed on the normalised text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from pipeline.config import FingerprintConfig
from pipeline.records import Page

_QUOTES = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        "…": "...",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
SCHEME = "affine32"


def normalise(text: str) -> str:
    """NFKC, case fold, one kind of quote and dash, single spaces.

    >>> normalise("“Putin’s  VISIT” — Hmeimim")
    '"putin\\'s visit" - hmeimim'
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    return _SPACE.sub(" ", text).strip()


def words(normalised: str) -> list[str]:
    """Word tokens of normalised text (punctuation dropped).

    >>> words("putin's visit - hmeimim")
    ['putin', 's', 'visit', 'hmeimim']
    """
    return _WORD.findall(normalised)


def shingles(tokens: list[str], size: int) -> list[bytes]:
    """Overlapping word ``size``-grams as bytes; a text shorter than ``size`` is one shingle.

    >>> shingles(["a", "b", "c"], 2)
    [b'a b', b'b c']
    """
    if len(tokens) <= size:
        return [" ".join(tokens).encode()] if tokens else []
    return [" ".join(tokens[i : i + size]).encode() for i in range(len(tokens) - size + 1)]


def content_hash(normalised: str) -> str:
    """Exact-duplicate key: a digest of the normalised text."""
    return hashlib.blake2b(normalised.encode(), digest_size=16).hexdigest()


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Permutation parameters are costly to draw; draw them once per process and config."""
    return MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations


def signature(items: list[bytes], config: FingerprintConfig) -> np.ndarray:
    """MinHash of the shingles with datasketch's batch update, as uint32 values."""
    perms = _permutations(config.num_perm, config.seed)
    minhash = MinHash(num_perm=config.num_perm, seed=config.seed, permutations=perms, scheme=SCHEME)
    minhash.update_batch(items)
    return minhash.hashvalues.astype(np.uint32)


def to_minhash(values: np.ndarray, config: FingerprintConfig) -> MinHash:
    """Rebuild a datasketch MinHash from stored signature values (for LSH queries)."""
    return MinHash(
        seed=config.seed,
        hashvalues=values.astype(np.uint64),
        permutations=_permutations(config.num_perm, config.seed),
        scheme=SCHEME,
    )


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of positions where two signatures agree."""
    return float(np.count_nonzero(a == b)) / len(a)


def fingerprint(page: Page, config: FingerprintConfig) -> Page:
    """Fill ``word_count``, ``content_hash`` and ``signature`` from the cleaned text."""
    normalised = normalise(page.text)
    tokens = words(normalised)
    page.word_count = len(tokens)
    page.content_hash = content_hash(normalised)
    page.signature = signature(shingles(tokens, config.shingle_size), config).tobytes()
    return page
