"""Sources: files on disk -> raw ``Page`` records, one streaming reader per format.

``iter_directory`` walks a folder and hands each file to the reader for its format. Readers
yield ``Page`` or ``Rejection`` records and never raise for bad input.

The readers are imported on first use: a worker process needs only ``common.inflate``, and
the WARC reader's import (warcio, 25 ms) would otherwise delay every run's first page.
"""

from __future__ import annotations

from typing import Any

__all__ = ["iter_directory"]


def __getattr__(name: str) -> Any:
    if name == "iter_directory":
        from pipeline.sources.walk import iter_directory

        return iter_directory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
