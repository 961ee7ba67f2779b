"""Sources: files on disk -> raw ``Page`` records, one streaming reader per format.

``iter_directory`` walks a folder and hands each file to the reader for its format. Readers
yield ``Page`` or ``Rejection`` records and never raise for bad input.
"""

from pipeline.sources.walk import iter_directory

__all__ = ["iter_directory"]
