"""Normalisation, shingles, MinHash and the exact-content hash."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from pipeline.config import FingerprintConfig
from pipeline.dedup.fingerprint import (
    _permutations,
    content_hash,
    normalise,
    shingle_hashes,
    signature,
    similarity,
    words,
)

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
    assert len(shingle_hashes(["a", "b"], 5)) == 1
    assert len(shingle_hashes([], 5)) == 0


def test_shingle_hashes_depend_on_words_and_order() -> None:
    tokens = ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"]
    hashes = shingle_hashes(tokens, 3)
    assert len(set(hashes.tolist())) == len(tokens) - 2
    assert shingle_hashes(tokens[:3], 3)[0] == hashes[0]
    assert shingle_hashes(tokens[:3][::-1], 3)[0] != hashes[0]


def test_signature_estimates_jaccard() -> None:
    base = words(normalise(" ".join(f"word{i}" for i in range(400))))
    edited = base[:300] + [f"other{i}" for i in range(100)]
    a = signature(shingle_hashes(base, 5), CONFIG)
    b = signature(shingle_hashes(edited, 5), CONFIG)
    set_a, set_b = set(shingle_hashes(base, 5).tolist()), set(shingle_hashes(edited, 5).tolist())
    true = len(set_a & set_b) / len(set_a | set_b)
    assert a.dtype == np.uint32 and len(a) == CONFIG.num_perm
    assert abs(similarity(a, b) - true) < 0.15
    assert similarity(a, a) == 1.0


def test_signatures_are_datasketchs_affine32_values() -> None:
    """The numpy MinHash gives datasketch's own values, so signatures stored by earlier
    versions (computed with datasketch) stay comparable with new ones."""
    from datasketch import MinHash

    rng = np.random.default_rng(7)
    for size in (0, 1, 5, 300):
        shingles = rng.integers(0, 2**32, size, dtype=np.uint64).astype(np.uint32)
        reference = MinHash(num_perm=128, seed=1, scheme="affine32", hashfunc=int)
        reference.update_batch(shingles.tolist())
        assert np.array_equal(signature(shingles, CONFIG), reference.hashvalues)
    for num_perm, seed in ((128, 1), (64, 7)):
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        ours = _permutations(num_perm, seed)
        assert np.array_equal(ours[0], a) and np.array_equal(ours[1], b)


def test_workers_do_not_import_datasketch() -> None:
    """The per-page stages draw their own permutations: datasketch (80 ms to import) is
    not loaded by a worker."""
    script = (
        "import sys\n"
        "import pipeline.run.process as p\n"
        "from pipeline.dedup.fingerprint import signature\n"
        "from pipeline.config import FingerprintConfig\n"
        "import numpy as np\n"
        "signature(np.arange(9, dtype=np.uint32), FingerprintConfig())\n"
        "print('datasketch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split() == ["False"], done.stderr


def test_a_lede_signature_is_that_of_its_own_shingles() -> None:
    """The lede and windows are read from runs of the article's permuted matrix: the same
    values as shingling those words alone."""
    from pipeline.dedup.fingerprint import LEDE_WORDS, fingerprint

    text = (
        " ".join(f"word{i}" for i in range(30)) + "\n\n" + " ".join(f"other{i}" for i in range(40))
    )
    page = fingerprint(_page(text), CONFIG)
    tokens = words(normalise(text))
    assert (
        page.lede_signature == signature(shingle_hashes(tokens[:LEDE_WORDS], 5), CONFIG).tobytes()
    )
    window = signature(shingle_hashes(tokens[30 : 30 + LEDE_WORDS], 5), CONFIG).tobytes()
    assert page.window_signatures == [window]
    short = fingerprint(_page("Three short words"), CONFIG)
    assert (
        short.lede_signature
        == signature(shingle_hashes(["three", "short", "words"], 5), CONFIG).tobytes()
    )


def _page(text: str):
    from pipeline.records import Page

    page = Page("x", b"", "text", "x")
    page.text = text
    return page
