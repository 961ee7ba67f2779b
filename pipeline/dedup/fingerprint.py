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
from pipeline.dedup.sketch import MinHash
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
SCHEME = "affine32"


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
    """Permutation parameters are costly to draw; draw them once per process and config."""
    return MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations


def signature(shingles: np.ndarray, config: FingerprintConfig) -> np.ndarray:
    """MinHash of the shingle hashes with datasketch's batch update, as uint32 values.

    The shingles are already 32-bit hashes, so datasketch is given the identity as its hash
    function (``hashfunc=int``) instead of its default SHA-1 per item, which cost about
    0.8 ms per article.
    """
    perms = _permutations(config.num_perm, config.seed)
    minhash = MinHash(
        num_perm=config.num_perm, seed=config.seed, permutations=perms, scheme=SCHEME, hashfunc=int
    )
    minhash.update_batch(shingles.tolist())
    return minhash.hashvalues.astype(np.uint32)


def to_minhash(values: np.ndarray, config: FingerprintConfig) -> MinHash:
    """Rebuild a datasketch MinHash from stored signature values (for LSH queries)."""
    return MinHash(
        seed=config.seed,
        hashvalues=values.astype(np.uint64),
        permutations=_permutations(config.num_perm, config.seed),
        scheme=SCHEME,
        hashfunc=int,
    )


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
    """Fill ``word_count``, ``content_hash``, ``signature`` and the lede signatures."""
    normalised = normalise(page.text)
    tokens = words(normalised)
    page.word_count = len(tokens)
    page.content_hash = content_hash(normalised)
    page.signature = signature(shingle_hashes(tokens, config.shingle_size), config).tobytes()
    starts = [0, *_window_starts(page.text)]
    pieces = [shingle_hashes(tokens[s : s + LEDE_WORDS], config.shingle_size) for s in starts]
    lede, *windows = _signatures(pieces, config)
    page.lede_signature, page.window_signatures = lede, windows
    return page


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


def _signatures(pieces: list[np.ndarray], config: FingerprintConfig) -> list[bytes]:
    """MinHash signatures of several shingle sets at once (datasketch's ``bulk``)."""
    minhashes = MinHash.bulk(
        [piece.tolist() for piece in pieces],
        num_perm=config.num_perm,
        seed=config.seed,
        permutations=_permutations(config.num_perm, config.seed),
        scheme=SCHEME,
        hashfunc=int,
    )
    return [m.hashvalues.astype(np.uint32).tobytes() for m in minhashes]


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
