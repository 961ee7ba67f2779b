"""Helpers every reader shares: hashing raw bytes, reading files, bounded gunzip.

Single-page files are read as stored (compressed or not) and hashed in the parent, which
only needs the bytes to decide whether the page is new; decompression (``inflate``) runs in
the worker processes with the rest of the per-page work.
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

from pipeline.records import Reason, Rejected

GZIP_MAGIC = b"\x1f\x8b"
# Compressed files may not be more than this many times smaller than the page limit allows.
MAX_RATIO = 4


def raw_hash(*parts: bytes) -> str:
    """A short stable digest of a page's raw bytes: the re-ingest key with its source.

    >>> raw_hash(b"<p>hi</p>")
    '09f8746497e6dbb893b3d47a4374a86d'
    """
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def read_raw(path: Path, limit: int) -> bytes:
    """Read a file's bytes as stored, refusing files over ``limit`` bytes."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except PermissionError as exc:
        raise Rejected(Reason.UNREADABLE, f"permission denied: {exc.strerror}") from exc
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise Rejected(Reason.SYMLINK_LOOP, "symbolic link points back at itself") from exc
        raise Rejected(Reason.UNREADABLE, f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise Rejected(Reason.TOO_LARGE, f"larger than the {_mib(limit)} page limit")
    return data


def inflate(data: bytes, limit: int) -> bytes:
    """Gunzip ``data`` if it is gzip (all members), producing at most ``limit`` bytes.

    The limit applies to the output, so a gzip bomb costs ``limit`` bytes at most.

    >>> import gzip
    >>> inflate(gzip.compress(b"<p>hi</p>") * 2, 100)
    b'<p>hi</p><p>hi</p>'
    >>> inflate(b"plain", 100)
    b'plain'
    """
    if not data.startswith(GZIP_MAGIC):
        return data
    out: list[bytes] = []
    size = 0
    try:
        while data:
            stream = zlib.decompressobj(wbits=31)
            out.append(stream.decompress(data, limit + 1 - size))
            size += len(out[-1])
            if size > limit:
                raise Rejected(Reason.TOO_LARGE, f"larger than the {_mib(limit)} page limit")
            if not stream.eof:
                raise Rejected(Reason.BAD_GZIP, "truncated gzip data: the file ends early")
            data = stream.unused_data
    except zlib.error as exc:
        raise Rejected(Reason.BAD_GZIP, f"corrupt gzip data: {exc}") from exc
    return b"".join(out)


def _mib(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB"
