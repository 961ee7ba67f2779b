"""Helpers every reader shares: hashing raw bytes and reading possibly-gzipped files safely."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

from pipeline.records import Reason, Rejected

GZIP_MAGIC = b"\x1f\x8b"


def raw_hash(*parts: bytes) -> str:
    """A short stable digest of a page's raw bytes: the re-ingest key with its source.

    >>> raw_hash(b"<p>hi</p>")
    'b8d4d8a1ac6d69da2beb8e0f0d8c0fd1'
    """
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def read_bytes(path: Path, limit: int) -> bytes:
    """Read a file, decompressing gzip, refusing more than ``limit`` bytes of content.

    The limit is applied after decompression, so a gzip bomb costs ``limit`` bytes at most.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(2)
            handle.seek(0)
            if head == GZIP_MAGIC:
                return _read_limited(gzip.GzipFile(fileobj=handle), limit, gzipped=True)
            return _read_limited(handle, limit, gzipped=False)
    except PermissionError as exc:
        raise Rejected(Reason.UNREADABLE, f"permission denied: {exc.strerror}") from exc
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise Rejected(Reason.SYMLINK_LOOP, "symbolic link points back at itself") from exc
        raise Rejected(Reason.UNREADABLE, f"cannot read file: {exc.strerror or exc}") from exc


def _read_limited(handle, limit: int, *, gzipped: bool) -> bytes:
    try:
        data = handle.read(limit + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise Rejected(Reason.BAD_GZIP, f"truncated or corrupt gzip data: {exc}") from exc
    except OSError as exc:
        if gzipped:
            raise Rejected(Reason.BAD_GZIP, f"truncated or corrupt gzip data: {exc}") from exc
        raise
    if len(data) > limit:
        raise Rejected(Reason.TOO_LARGE, f"larger than the {limit // (1024 * 1024)} MiB page limit")
    return data
