"""Errors a person can fix, shown by the CLI as one line (no traceback)."""


class StoreError(Exception):
    """The database cannot be opened for writing: path, permissions, disk, not SQLite."""


class ReportError(Exception):
    """The database cannot be read for a report."""


class MapError(Exception):
    """The map side cannot start: a Dask scheduler out of reach, a package missing."""
