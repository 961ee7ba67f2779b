"""wirecopy: news ingestion and deduplication into one SQLite file."""

__version__ = "0.1.0"
