"""Bytes to text: the declared charset first, then a byte-order mark, then detection.

Pages lie about their encoding often enough (cp1251 declared as UTF-8, UTF-16 without a BOM)
that a declared charset is only trusted when the bytes decode cleanly with it. Anything that
still does not decode is a ``decode_error`` rejection, never an exception from a codec.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from pipeline.records import Reason, Rejected

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def declared_charset(body: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag within its first 4 KiB.

    >>> declared_charset(b'<meta charset="windows-1251"><p>x')
    'windows-1251'
    """
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "replace").lower() if match else None


def _try(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None


def _looks_utf16(body: bytes) -> str | None:
    """UTF-16 without a BOM shows as a NUL in every other byte of ASCII-heavy text."""
    sample = body[:2000]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def decode(body: bytes, declared: str | None = None) -> str:
    """Decode page bytes to text, or raise ``Rejected(decode_error)``.

    >>> decode("café".encode("cp1252"), declared="utf-8")
    'café'
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = _try(body[len(bom) :], encoding)
            if text is not None:
                return text
    utf16 = _looks_utf16(body)
    if utf16 is None and _control_share(body[:4096]) > 0.1:
        raise Rejected(Reason.BINARY, "looks like a binary file, not text")
    for encoding in (declared, declared_charset(body), utf16, "utf-8"):
        text = _try(body, encoding)
        if text is not None:
            return _reject_if_binary(text)
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        text = _try(body, best.encoding)
        if text is not None:
            return _reject_if_binary(text)
    raise Rejected(Reason.DECODE_ERROR, "bytes match no known text encoding")


_CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13, 27}


def _control_share(sample: bytes) -> float:
    """Share of control bytes (not tab, newline, form feed, CR or ESC): high in binary files."""
    return sum(byte in _CONTROL_BYTES for byte in sample) / len(sample) if sample else 0.0


def _reject_if_binary(text: str) -> str:
    """Text full of control characters is a binary file that happened to decode."""
    sample = text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    if sample and controls / len(sample) > 0.05:
        raise Rejected(Reason.BINARY, "looks like a binary file, not text")
    return text.replace("\x00", "")
