"""One writer per database: an advisory lock next to the database file.

Cron starts a new run every hour whether or not the last one finished. The second run must
not interleave its writes with the first, so it exits at once with ``EXIT_LOCKED`` (or waits
with ``--wait``). The lock is ``flock`` on ``DB.lock``: the kernel releases it when the holder
dies, even by kill -9, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import StoreError

# EX_TEMPFAIL from sysexits.h: "try again later", which is what a cron overlap means.
EXIT_LOCKED = 75


class LockedError(Exception):
    """Another run holds the database."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def writer_lock(db_path: Path, wait: bool = False, poll: float = 0.5) -> Iterator[None]:
    """Hold the database's writer lock for the block; raise ``LockedError`` if it is taken."""
    path = lock_path(db_path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot create the lock file {path}: {exc.strerror}") from exc
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
                    raise LockedError(_message(db_path, holder)) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        yield
    finally:
        os.close(fd)


def _message(db_path: Path, holder: str) -> str:
    who = f" ({holder})" if holder else ""
    return (
        f"another wirecopy run is writing to {db_path}{who}; "
        "this run stops now (use --wait to queue behind it)"
    )
