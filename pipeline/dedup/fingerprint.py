"""Fingerprint: normalised text, word shingles, a MinHash signature and an exact-content hash.

Pure functions. Normalisation decides what "the same text" means: two copies that differ only
in Unicode form, case, typographic quotes or dashes, or white space must hash the same, so
both the exact hash and the shingles are computed on the normalised text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from functools import lru_cache

import numpy as np

from pipeline.config import FingerprintConfig
from pipeline.records import Page

# Typographic variants, mapped to one form. NFKC already turns "…" into "..." and the
# no-break space into a space; chained str.replace is several times faster than a dict-based
# str.translate here, and ASCII text (most of it) skips the loop.
_VARIANTS = (
    *((quote, "'") for quote in "‘’‚‛′`´"),
    *((quote, '"') for quote in "“”„‟″«»"),
    *((dash, "-") for dash in "‐‑‒–—―−"),
)
_WORD = re.compile(r"\w+")
_MIX = np.uint64(0x100000001B3)  # the 64-bit FNV prime: multiply-xor mixes word hashes
_LOW32 = np.uint64(0xFFFFFFFF)


def normalise(text: str) -> str:
    """NFKC, case fold, one kind of quote and dash, single spaces.

    >>> print(normalise("“Putin’s  VISIT” — Hmeimim…"))
    "putin's visit" - hmeimim...
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        for variant, plain in _VARIANTS:
            if variant in text:
                text = text.replace(variant, plain)
    return " ".join(text.split())


def words(normalised: str) -> list[str]:
    """Word tokens of normalised text (punctuation dropped).

    >>> words("putin's visit - hmeimim")
    ['putin', 's', 'visit', 'hmeimim']
    """
    return _WORD.findall(normalised)


def shingle_hashes(tokens: list[str], size: int) -> np.ndarray:
    """32-bit hashes of the overlapping word ``size``-grams; a short text is one shingle.

    Each word is hashed once (CRC-32), and each window of ``size`` word hashes is mixed
    with multiply-xor in numpy, so no shingle string is ever built: the shingles of an
    article cost a few vector operations instead of one SHA-1 call each.

    >>> len(shingle_hashes(["a", "b", "c"], 2)), len(shingle_hashes(["a"], 5))
    (2, 1)
    >>> bool(shingle_hashes(["a", "b"], 2)[0] != shingle_hashes(["b", "a"], 2)[0])
    True
    """
    if not tokens:
        return np.zeros(0, dtype=np.uint32)
    ids = np.fromiter((zlib.crc32(t.encode()) for t in tokens), dtype=np.uint64, count=len(tokens))
    width = min(size, len(ids))
    count = len(ids) - width + 1
    mixed = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        mixed = (mixed * _MIX) ^ ids[offset : offset + count]
    return ((mixed ^ (mixed >> np.uint64(32))) & _LOW32).astype(np.uint32)


def content_hash(normalised: str) -> str:
    """Exact-duplicate key: a digest of the normalised text."""
    return hashlib.blake2b(normalised.encode(), digest_size=16).hexdigest()


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations ``h -> a * h + b mod 2**32`` (``a`` odd, so each is a
    bijection), drawn from numpy's ``RandomState(seed)`` as datasketch 2.0 draws them for its
    affine32 scheme: signatures stored by versions that used datasketch stay comparable
    (``tests/test_fingerprint.py`` checks the values against it). Drawn here, a worker does
    not import datasketch (80 ms on its first page)."""
    draws = np.random.RandomState(seed)
    a = draws.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draws.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _premixed(shingles: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (Appleby's public-domain fmix32), applied to each hash
    before the permutations as datasketch's affine32 scheme does: a bijection that spreads
    every input bit over the output, so the affine maps below behave as random ones."""
    with np.errstate(over="ignore"):
        mixed = shingles.astype(np.uint32)
        mixed = mixed ^ (mixed >> np.uint32(16))
        mixed = mixed * np.uint32(0x85EBCA6B)
        mixed = mixed ^ (mixed >> np.uint32(13))
        mixed = mixed * np.uint32(0xC2B2AE35)
        return mixed ^ (mixed >> np.uint32(16))


def permuted(shingles: np.ndarray, config: FingerprintConfig) -> np.ndarray:
    """Each shingle under each of the ``num_perm`` permutations ``a * h + b mod 2**32``: a
    (shingles x num_perm) matrix whose column minima are the MinHash signature. One matrix
    serves the signature and every lede and window of an article, each a run of its rows."""
    a, b = _permutations(config.num_perm, config.seed)
    with np.errstate(over="ignore"):
        return _premixed(shingles)[:, None] * a[None, :] + b[None, :]


def minima(rows: np.ndarray, config: FingerprintConfig) -> np.ndarray:
    """The MinHash signature of a run of ``permuted`` rows; an empty run gives the empty
    signature (every value at its maximum), as datasketch does."""
    if not len(rows):
        return np.full(config.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    return rows.min(axis=0)


def signature(shingles: np.ndarray, config: FingerprintConfig) -> np.ndarray:
    """MinHash of the shingle hashes, as uint32 values: datasketch's affine32 values
    (``tests/test_fingerprint.py`` checks them against datasketch), computed as one numpy
    matrix instead of a datasketch object per set.

    >>> sig = signature(np.arange(10, dtype=np.uint32), FingerprintConfig())
    >>> sig.dtype, len(sig)
    (dtype('uint32'), 128)
    """
    return minima(permuted(shingles, config), config)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of positions where two signatures agree."""
    return float(np.count_nonzero(a == b)) / len(a)


# Partial copies: an excerpt starts like its source, and an article quoted whole inside a
# post starts at one of the post's paragraphs. So the first LEDE_WORDS words of every article
# are indexed, and a new article also looks up the windows starting at its paragraphs. 25
# words, the shortest article we store: a longer lede would not match a short excerpt (their
# Jaccard falls with the size difference), and candidates are verified exactly anyway.
LEDE_WORDS = 25
MAX_WINDOWS = 48
MIN_PARAGRAPH_WORDS = 15


def fingerprint(page: Page, config: FingerprintConfig) -> Page:
    """Fill ``word_count``, ``content_hash``, ``signature`` and the lede signatures.

    The lede and each window are runs of the article's own shingles, so their signatures
    are minima over runs of rows of the article's one permuted matrix."""
    normalised = normalise(page.text)
    tokens = words(normalised)
    page.word_count = len(tokens)
    page.content_hash = content_hash(normalised)
    matrix = permuted(shingle_hashes(tokens, config.shingle_size), config)
    page.signature = minima(matrix, config).tobytes()
    starts = [0, *_window_starts(page.text)]
    lede, *windows = (_piece(matrix, tokens, start, config).tobytes() for start in starts)
    page.lede_signature, page.window_signatures = lede, windows
    return page


def _piece(
    matrix: np.ndarray, tokens: list[str], start: int, config: FingerprintConfig
) -> np.ndarray:
    """The signature of the ``LEDE_WORDS`` words from ``start``: the rows of the shingles
    that lie inside them, or, for fewer words than a shingle, their one short shingle."""
    end = min(start + LEDE_WORDS, len(tokens))
    if end - start >= config.shingle_size:
        return minima(matrix[start : end - config.shingle_size + 1], config)
    return signature(shingle_hashes(tokens[start:end], config.shingle_size), config)


def _window_starts(text: str) -> list[int]:
    """Where an article quoted inside this one (or this excerpt's real start) may begin: the
    start of every paragraph after the first that could open an article (15 words or more;
    list items and captions are shorter), at most ``MAX_WINDOWS`` of them, spread evenly.

    >>> long = " ".join(["word"] * 15)
    >>> _window_starts(chr(10).join(["One two.", "", long, "", "Six.", "", long]))
    [2, 18]
    """
    starts = _paragraph_starts(text)[1:]
    step = -(-len(starts) // MAX_WINDOWS)  # ceiling division
    return starts[::step] if starts else []


def _paragraph_starts(text: str) -> list[int]:
    """Token offsets at which the text's first and its long paragraphs start."""
    starts, offset = [], 0
    for paragraph in text.split("\n\n"):
        count = len(words(normalise(paragraph)))
        if count >= MIN_PARAGRAPH_WORDS or not starts:
            starts.append(offset)
        offset += count
    return starts


def containment(small: str, large: str, size: int) -> float:
    """Share of the smaller text's shingles found in the larger text (exact).

    >>> containment("the cat sat on the mat today", "yes the cat sat on the mat today ok", 3)
    1.0
    """
    inner = set(shingle_hashes(words(normalise(small)), size).tolist())
    outer = set(shingle_hashes(words(normalise(large)), size).tolist())
    return len(inner & outer) / len(inner) if inner else 0.0
