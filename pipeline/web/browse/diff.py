"""What a republisher changed: a copy's text against the canonical copy, word by word.

Copies differ by a credit line, a dropped sentence, a changed headline word; a word-level
diff (``difflib``) shows exactly that inline, with paragraph breaks kept, so a reader sees the
edit in its sentence. Long pairs are not compared (the cost grows with the product of the
lengths): the page says so instead.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

BREAK = "\u2029"  # a paragraph break, compared like a word so moved paragraphs show
MAX_WORDS = 6_000


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of words the copy shares with the canonical (``same``), has that the canonical
    has not (``added``), or lacks (``removed``)."""

    kind: str
    text: str


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for paragraph in (line for line in text.split("\n") if line.strip()):
        if tokens:
            tokens.append(BREAK)
        tokens.extend(paragraph.split())
    return tokens


def word_diff(canonical: str, copy: str) -> list[Piece] | None:
    """The copy as pieces against the canonical text; None when either is too long to compare.

    >>> pieces = word_diff("The army left Syria today.", "The army left today. (AP)")
    >>> [(p.kind, p.text) for p in pieces]
    [('same', 'The army left'), ('removed', 'Syria'), ('same', 'today.'), ('added', '(AP)')]
    """
    old, new = _tokens(canonical), _tokens(copy)
    if len(old) > MAX_WORDS or len(new) > MAX_WORDS:
        return None
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", _join(new[b1:b2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(Piece("removed", _join(old[a1:a2])))
        if tag in ("insert", "replace"):
            pieces.append(Piece("added", _join(new[b1:b2])))
    return pieces


def _join(tokens: list[str]) -> str:
    return " ".join(tokens).replace(f" {BREAK} ", "\n\n").replace(BREAK, "\n\n")


def changed_words(pieces: list[Piece]) -> tuple[int, int]:
    """(words added, words removed) of a diff."""
    added = sum(len(p.text.split()) for p in pieces if p.kind == "added")
    removed = sum(len(p.text.split()) for p in pieces if p.kind == "removed")
    return added, removed


def folded(pieces: list[Piece], keep: int = 25, longer_than: int = 80) -> list[Piece]:
    """Long unchanged runs cut to their first and last ``keep`` words, the middle as a
    ``fold`` piece (the page shows it on a click), so the edits are what the eye meets.

    >>> text = " ".join(str(n) for n in range(100))
    >>> [(p.kind, len(p.text.split(" "))) for p in folded([Piece("same", text)], 10, 50)]
    [('same', 10), ('fold', 80), ('same', 10)]
    """
    out: list[Piece] = []
    for piece in pieces:
        words = piece.text.split(" ")
        if piece.kind != "same" or len(words) <= longer_than:
            out.append(piece)
            continue
        out.append(Piece("same", " ".join(words[:keep])))
        out.append(Piece("fold", " ".join(words[keep:-keep])))
        out.append(Piece("same", " ".join(words[-keep:])))
    return out
