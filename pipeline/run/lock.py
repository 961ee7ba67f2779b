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
from collections.abc import Callable, Iterator
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
def writer_lock(
    db_path: Path,
    wait: bool = False,
    poll: float = 0.5,
    say: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the database's writer lock for the block; raise ``LockedError`` if it is taken.

    With ``wait``, ``say`` is told once who holds it, so a queued run does not look hung. A
    lock file this call created is removed again when the block fails with a ``StoreError``
    (a file that is not a database, a folder that cannot be written).
    """
    path = lock_path(db_path)
    folder = path.resolve().parent
    if not folder.is_dir():
        raise StoreError(f"cannot create database {db_path}: folder {folder} does not exist")
    created = not path.exists()
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot create the lock file {path}: {exc.strerror}") from exc
    try:
        _acquire(fd, db_path, wait, poll, say)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        yield
    except StoreError:
        if created:
            path.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)


def _acquire(
    fd: int, db_path: Path, wait: bool, poll: float, say: Callable[[str], None] | None
) -> None:
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
            if not wait:
                raise LockedError(_message(db_path, holder)) from None
            if say is not None and not told:
                say(f"waiting for the run holding {db_path} ({holder or 'another process'})")
                told = True
            time.sleep(poll)


def _message(db_path: Path, holder: str) -> str:
    who = f" ({holder})" if holder else ""
    return (
        f"another wirecopy run is writing to {db_path}{who}; "
        "this run stops now (use --wait to queue behind it)"
    )
