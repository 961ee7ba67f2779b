"""Bytes to text: a byte-order mark, then UTF-8 when the bytes are plainly UTF-8, then the
declared charset, then detection.

Pages lie about their encoding often enough (cp1251 declared as UTF-8, UTF-16 without a BOM,
a page re-saved as UTF-8 under its old ``<meta charset=windows-1252>``) that a label is only
trusted when the bytes agree with it:

* Bytes that are valid UTF-8 and hold multi-byte sequences are UTF-8, whatever a legacy
  label says: text in a single-byte encoding is almost never valid UTF-8 by accident (an
  accented letter would have to be followed by exactly the right continuation bytes every
  time), while a single-byte label decodes anything, so trusting it gave "Ã©cologique".
* A label is trusted when it is the only one and the bytes decode with it. When the labels
  disagree (two ``<meta>`` tags, or the HTTP header and a ``<meta>``), or the label is one of
  the Cyrillic single-byte encodings, which decode each other's bytes into plausible-looking
  letters (KOI8-R over windows-1251), the bytes decide between the candidates by letter
  statistics (charset-normalizer's measure of how chaotic and how coherent the text reads).

The last resort is windows-1252, the web's default for undeclared pages. Anything that still
does not decode is a ``decode_error`` rejection, never an exception from a codec.
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
    """The charset an HTML page declares in its first ``<meta>`` tag within its first 4 KiB.

    >>> declared_charset(b'<meta charset="windows-1251"><p>x')
    'windows-1251'
    """
    labels = declared_charsets(body)
    return labels[0] if labels else None


def declared_charsets(body: bytes) -> list[str]:
    """Every charset the page's ``<meta>`` tags declare within its first 4 KiB, in order.

    >>> declared_charsets(b'<meta charset="iso-8859-1"><meta http-equiv="Content-Type" '
    ...                   b'content="text/html; charset=UTF-8">')
    ['iso-8859-1', 'utf-8']
    """
    return [
        match.group(1).decode("ascii", "replace").lower()
        for match in _META_CHARSET.finditer(body[:4096])
    ]


def usable(label: str | None) -> str | None:
    """The text encoding a declared label names, or None for labels no browser would use:
    unknown ones ("undefined"), codecs that are not text encodings (punycode, idna, rot13,
    base64 ...), and UTF-16/32, which a document cannot declare in its own ASCII bytes (the
    WHATWG rule: ``<meta charset=utf-16>`` means UTF-8).

    >>> usable("UTF-16"), usable("undefined"), usable("punycode"), usable("Windows-1251")
    ('utf-8', None, None, 'cp1251')
    """
    if not label:
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError, UnicodeError):
        return None
    if info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_FOR_PAGES:
        return None
    return info.name


_NOT_FOR_PAGES = frozenset(
    {"punycode", "idna", "raw-unicode-escape", "unicode-escape", "undefined", "utf-7"}
    | {"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"}  # EBCDIC, not web
)


def _try(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return body.decode(encoding)
    except (LookupError, UnicodeError, ValueError):
        return None


def _looks_utf16(body: bytes) -> str | None:
    """UTF-16 without a BOM shows NULs on one side of the byte pairs far more than on the
    other: every other byte of ASCII text and of the markup around Chinese or Japanese text
    (whose own characters rarely hold a NUL byte). A binary file has them on both sides.

    >>> _looks_utf16("<p>东京电力公司今天宣布</p>".encode("utf-16-le"))
    'utf-16-le'
    """
    sample = body[:4000]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.05 and odd_nuls > 10 * even_nuls:
        return "utf-16-le"
    if even_nuls > 0.05 and even_nuls > 10 * odd_nuls:
        return "utf-16-be"
    return None


def decode(body: bytes, declared: str | None = None) -> str:
    """Decode page bytes to text, or raise ``Rejected(decode_error)``.

    >>> decode("Le café où Sébastien a déjeuné était fermé.".encode("cp1252"), declared="utf-8")
    'Le café où Sébastien a déjeuné était fermé.'
    >>> decode("Путин посетил базу Хмеймим в Сирии".encode("cp1251"), declared="utf-8")
    'Путин посетил базу Хмеймим в Сирии'
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = _try(body[len(bom) :], encoding)
            if text is not None:
                return text
    utf16 = _looks_utf16(body)
    if utf16 is None and _control_share(body[:4096]) > 0.1:
        raise Rejected(Reason.BINARY, "looks like a binary file, not text")
    # bytes that are plainly UTF-16 come first: their <meta charset=utf-16> is then true
    text = _try(body, utf16) if utf16 else _plain_utf8(body)
    if text is None:
        text = _by_labels(body, [declared, *declared_charsets(body)])
    if text is None:
        text = _try(body, "utf-8")
    if text is not None:
        return _reject_if_binary(text)
    text = _mostly_utf8(body)
    if text is not None:
        return _reject_if_binary(text)
    for encoding in (*_detected(body), "cp1252"):
        text = _try(body, encoding)
        if text is not None:
            return _reject_if_binary(text)
    raise Rejected(Reason.DECODE_ERROR, "bytes match no known text encoding")


def _plain_utf8(body: bytes) -> str | None:
    """The text, when the bytes are valid UTF-8 and not all ASCII (then no legacy label can
    be right: see the module's docstring).

    >>> _plain_utf8("écologique".encode()), _plain_utf8("écologique".encode("cp1252"))
    ('écologique', None)
    """
    if body.isascii():
        return None
    return _try(body, "utf-8")


# Single-byte Cyrillic encodings: each decodes the others' bytes into Cyrillic letters, so a
# label naming one of them is checked against the bytes.
_CYRILLIC = ("cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866", "mac_cyrillic")


def _by_labels(body: bytes, labels: list[str | None]) -> str | None:
    """The text decoded by what the labels say, or None when none of them decodes it.

    One usable label that is not a Cyrillic single-byte encoding is trusted when the bytes
    decode with it; otherwise the bytes choose among the labels (and, for a Cyrillic label,
    its sister encodings).

    >>> koi8 = "Городской совет обсудил новый мост через гавань".encode("koi8-r")
    >>> _by_labels(koi8, ["windows-1251"])
    'Городской совет обсудил новый мост через гавань'
    """
    candidates = list(dict.fromkeys(name for name in map(usable, labels) if name))
    if len(candidates) == 1 and _codec(candidates[0]) not in _CYRILLIC:
        return _try(body, candidates[0])
    if any(_codec(name) in _CYRILLIC for name in candidates):
        candidates += [name for name in _CYRILLIC if name not in map(_codec, candidates)]
    for encoding in _ranked(body, candidates):
        text = _try(body, encoding)
        if text is not None:
            return text
    return None


def _codec(name: str) -> str:
    """charset-normalizer's (and Python's module) name of a codec: "koi8-r" -> "koi8_r"."""
    return codecs.lookup(name).name.replace("-", "_")


def _ranked(body: bytes, candidates: list[str]) -> list[str]:
    """The candidate encodings, the one whose text reads best first (least chaotic, then
    most coherent letter frequencies); candidates that do not decode at all come last, in
    their given order. Detection only reads the first 200 KB."""
    if len(candidates) < 2:
        return candidates
    names = {_codec(name): name for name in candidates}
    matches = from_bytes(body[:200_000], cp_isolation=list(names))
    scored = sorted(matches, key=lambda m: (round(m.chaos, 3), -round(m.coherence, 3)))
    best = [names[m.encoding] for m in scored if m.encoding in names]
    return list(dict.fromkeys([*best, *candidates]))


def _mostly_utf8(body: bytes) -> str | None:
    """UTF-8 with a few stray bytes (a truncated download, one latin-1 "Café" pasted in), as
    text with U+FFFD in their place: losing the article, or reading all of it as windows-1252,
    would be worse. It must hold many valid multi-byte characters for each bad byte; text in
    a legacy encoding holds almost none.

    >>> _mostly_utf8("Путин посетил базу".encode() + b"\\xd0")
    'Путин посетил базу\\ufffd'
    >>> _mostly_utf8("Le café était fermé.".encode("cp1252")) is None
    True
    """
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    wide = sum(1 for char in text if char > "\x7f") - bad
    if bad and wide >= 8 * bad and bad <= 1 + len(text) // 50:
        return text
    return None


# Encodings web pages actually use (the WHATWG Encoding Standard's legacy set), in
# charset_normalizer's names. Its other guesses (mac_latin2, cp775 ...) win too often on short
# text. UTF-16/32 are left out: ``_looks_utf16`` has already ruled them out.
_WEB_ENCODINGS = frozenset(
    [f"cp125{i}" for i in range(9)]
    + [f"iso8859_{i}" for i in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)]
    + [
        "koi8_r",
        "koi8_u",
        "mac_cyrillic",
        "cp866",
        "cp874",
        "gb18030",
        "gb2312",
        "big5",
        "shift_jis",
        "cp932",
        "euc_jp",
        "iso2022_jp",
        "euc_kr",
        "cp949",
        "utf_8",
    ]
)


def _detected(body: bytes) -> list[str]:
    """Detector guesses for web encodings, least chaotic first, windows-1252 winning ties.

    Below a few dozen bytes detection is a coin toss, so short inputs get no guesses.
    """
    if len(body) < 32:
        return []
    matches = [m for m in from_bytes(body[:200_000]) if m.encoding in _WEB_ENCODINGS]
    matches.sort(key=lambda m: (round(m.chaos, 3), m.encoding != "cp1252"))
    return [match.encoding for match in matches]


_CONTROL_BYTES = bytes(sorted(set(range(32)) - {9, 10, 12, 13, 27}))
_CONTROL_CHARS = re.compile("[" + re.escape(_CONTROL_BYTES.decode("ascii")) + "]")


def _control_share(sample: bytes) -> float:
    """Share of control bytes (not tab, newline, form feed, CR or ESC): high in binary files."""
    if not sample:
        return 0.0
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample)


def _reject_if_binary(text: str) -> str:
    """Text full of control characters is a binary file that happened to decode."""
    sample = text[:4000]
    if sample and len(_CONTROL_CHARS.findall(sample)) / len(sample) > 0.05:
        raise Rejected(Reason.BINARY, "looks like a binary file, not text")
    return text.replace("\x00", "")
