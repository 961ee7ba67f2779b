"""LSH band keys: the integers under which a MinHash signature is filed in the database.

Locality-sensitive hashing cuts a signature into ``bands`` runs of ``rows`` values; two
signatures are candidates when one whole band is equal. Instead of an in-memory LSH index
(rebuilt at every start, 36 KB of RAM per article), each band becomes one integer key stored
in a ``WITHOUT ROWID`` table next to the article, so a page finds its candidates with one
indexed query and a run never loads the archive.

A key mixes the band's number with its values (multiply-add modulo 2**64, then 63 bits so
SQLite stores it as a positive integer). Two different bands may share a key with a chance of
about 2**-63; that only adds a candidate, which verification then refuses.
"""

from __future__ import annotations

import numpy as np

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd, from the golden ratio: mixes all bits
_BAND_SALT = np.uint64(0xC2B2AE3D27D4EB4F)


def band_keys(signature: bytes, bands: int, rows: int) -> list[int]:
    """One key per band of a signature (uint32 values), in band order.

    >>> sig = np.arange(128, dtype=np.uint32).tobytes()
    >>> keys = band_keys(sig, 32, 4)
    >>> len(keys), len(set(keys)), all(0 <= key < 2**63 for key in keys)
    (32, 32, True)
    >>> band_keys(sig, 32, 4) == keys
    True
    """
    values = np.frombuffer(signature, dtype=np.uint32)[: bands * rows]
    if len(values) < bands * rows:
        return []
    table = values.astype(np.uint64).reshape(bands, rows)
    with np.errstate(over="ignore"):
        keys = (np.arange(1, bands + 1, dtype=np.uint64) * _BAND_SALT) ^ np.uint64(rows)
        for column in range(rows):
            keys = (keys ^ table[:, column]) * _MULTIPLIER
        keys ^= keys >> np.uint64(29)
    return (keys >> np.uint64(1)).astype(np.int64).tolist()
