"""Helpers every reader shares: hashing raw bytes, reading files, bounded gunzip.

Single-page files are read as stored (compressed or not) and hashed in the parent, which
only needs the bytes to decide whether the page is new; decompression (``inflate``) runs in
the worker processes with the rest of the per-page work.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import zlib
from pathlib import Path
from typing import BinaryIO

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


def open_regular(path: Path) -> BinaryIO:
    """Open a file for reading without ever blocking: ``open()`` of a FIFO waits forever for
    a writer, so the file is opened non-blocking and refused unless it is a regular file
    (a link named ``page.html`` may lead to a pipe, a device or a socket)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _unreadable(exc) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Rejected(Reason.NOT_A_PAGE, "not a regular file (a pipe, device or socket)")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _unreadable(exc: OSError) -> Rejected:
    if isinstance(exc, PermissionError):
        return Rejected(Reason.UNREADABLE, f"permission denied: {exc.strerror}")
    if exc.errno == errno.ELOOP:
        return Rejected(Reason.SYMLINK_LOOP, "symbolic link points back at itself")
    return Rejected(Reason.UNREADABLE, f"cannot read file: {exc.strerror or exc}")


def read_raw(path: Path, limit: int) -> bytes:
    """Read a file's bytes as stored, refusing files over ``limit`` bytes."""
    with open_regular(path) as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:  # it vanished, or /proc/self/mem
            raise _unreadable(exc) from exc
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
            if not data.strip(b"\x00"):
                break  # NUL padding after the last member, which gzip itself accepts
    except zlib.error as exc:
        raise Rejected(Reason.BAD_GZIP, f"corrupt gzip data: {exc}") from exc
    return b"".join(out)


def _mib(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB"
