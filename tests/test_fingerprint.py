"""Normalisation, shingles, MinHash and the exact-content hash."""

from __future__ import annotations

import numpy as np

from pipeline.config import FingerprintConfig
from pipeline.fingerprint import content_hash, normalise, shingles, signature, similarity, words

CONFIG = FingerprintConfig()


def test_typographic_variants_normalise_the_same() -> None:
    fancy = "“Putin’s visit” — Hmeimim…\u00a0 ＡＢＣ"
    plain = '"putin\'s visit" - hmeimim... abc'
    assert normalise(fancy) == plain
    assert content_hash(normalise(fancy)) == content_hash(normalise(plain))


def test_normalise_is_idempotent() -> None:
    text = "Ǆ ﬁ “A” — b\t\tC"
    assert normalise(normalise(text)) == normalise(text)


def test_shingles_short_text_is_one_shingle() -> None:
    assert shingles(["a", "b"], 5) == [b"a b"]
    assert shingles([], 5) == []


def test_signature_estimates_jaccard() -> None:
    base = words(normalise(" ".join(f"word{i}" for i in range(400))))
    edited = base[:300] + [f"other{i}" for i in range(100)]
    a = signature(shingles(base, 5), CONFIG)
    b = signature(shingles(edited, 5), CONFIG)
    true = len(set(shingles(base, 5)) & set(shingles(edited, 5))) / len(
        set(shingles(base, 5)) | set(shingles(edited, 5))
    )
    assert a.dtype == np.uint32 and len(a) == CONFIG.num_perm
    assert abs(similarity(a, b) - true) < 0.15
    assert similarity(a, a) == 1.0
