"""File names as stored sources, reversibly: a name that is not UTF-8 keeps its bytes.

A source is the key that makes re-ingesting a no-op (with the raw bytes' digest) and the way
back to the file. Python hands a name's undecodable bytes over as lone surrogates; writing
them as U+FFFD lost them, so ``bad-\\xff\\xfe-name.html`` and ``bad-\\xfe\\xff-name.html``
became one source, and the second file a "new version" of the first. Here such bytes are
percent-escaped as file URLs do (``bad-%FF%FE-name.html``), and a ``%`` that could be read
as an escape (followed by two hex digits) is escaped itself, so every stored name leads
back to exactly one file. Names that are UTF-8 and hold no such ``%`` are stored as they are.
"""

from __future__ import annotations

import os
import re

_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_ESCAPED = re.compile(rb"%([0-9A-Fa-f]{2})")


def source_of(name: str) -> str:
    """The stored source of a file name as ``os`` gives it (undecodable bytes as surrogates).

    >>> source_of("bad-\\udcff\\udcfe-name.html"), source_of("café 100%.html")
    ('bad-%FF%FE-name.html', 'café 100%.html')
    >>> source_of("a%41.html")
    'a%2541.html'
    """
    raw = os.fsencode(name)
    text = raw.decode("utf-8", "surrogateescape")
    text = _ESCAPE.sub(r"%25\1", text)
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    code = ord(char)
    return f"%{code - 0xDC00:02X}" if 0xDC80 <= code <= 0xDCFF else char


def name_bytes(source: str) -> bytes:
    """The file name's bytes again, from its stored source: ``source_of`` undone.

    >>> name_bytes("bad-%FF%FE-name.html"), name_bytes("a%2541.html")
    (b'bad-\\xff\\xfe-name.html', b'a%41.html')
    """
    return _ESCAPED.sub(lambda match: bytes([int(match.group(1), 16)]), source.encode("utf-8"))


def escape_literal_percent(source: str) -> str:
    """A source stored before names were escaped, in today's form (for migration ``m014``):
    those names were UTF-8 or lossy, so only their ``%`` needs escaping.

    >>> escape_literal_percent("2024/a%41.warc.gz#3")
    '2024/a%2541.warc.gz#3'
    """
    return _ESCAPE.sub(r"%25\1", source)
