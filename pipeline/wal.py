"""WAL checkpoints on a thread of their own, so the single writer does not wait for them.

In WAL mode a commit appends the batch's pages to ``DB-wal``; a *checkpoint* copies them into
the database file and syncs it. SQLite runs one inside ``COMMIT`` once the WAL passes 1,000
pages, so the writer waits for it. In a large archive a batch of 200 articles changes some
14,000 pages (the band keys are random, so nearly each one lands on a page of its own), and
that wait was half the cost of a commit.

Here the writer's connection checkpoints only as a safety valve (``SAFETY_PAGES``), and a
thread with its own connection runs a ``PASSIVE`` checkpoint after every commit, while the
writer goes on with the next batch; SQLite releases Python's lock while it copies and syncs,
so the two overlap. A passive checkpoint never blocks the writer nor readers such as
Datasette. Nothing about durability changes: committed batches are in the WAL, which SQLite
replays after a kill at any point, checkpointed or not.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

# the writer's own checkpoints start only if the thread falls this far behind (1 GiB at
# 4 KiB pages): the WAL cannot grow without bound even if the thread stops
SAFETY_PAGES = 262_144


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on ``path`` each time it is nudged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.checkpoints = 0
        self.error: str | None = None
        self._pending = False
        self._stopping = False
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="wal-checkpoint", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the thread is still there (it ends at ``close`` or on an SQLite error)."""
        return self._thread.is_alive()

    def nudge(self) -> None:
        """A batch was committed: copy its pages into the database file when free."""
        self._pending = True
        self._wake.set()

    def close(self) -> None:
        """Run the checkpoint asked for (if any) and stop the thread."""
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _loop(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            self.error = str(exc)
            return
        try:
            conn.execute("pragma synchronous = normal")
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._pending:
                    self._pending = False
                    conn.execute("pragma wal_checkpoint(passive)").fetchall()
                    self.checkpoints += 1
                if self._stopping:
                    return
        except sqlite3.Error as exc:
            # the writer's safety valve takes over; the run itself is unaffected
            self.error = str(exc)
        finally:
            conn.close()
