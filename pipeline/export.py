"""Export: the deduplicated corpus out of the database, as JSONL, CSV or Parquet.

People who build news corpora read JSONL (datatrove and news-please write it) or Parquet
(Hugging Face datasets, DuckDB). One record per article, or with ``canonical_only`` one per
cluster: its canonical copy, with the cluster's size and the URLs and sites of its copies.
Records stream from a read-only connection in pages of ``PAGE`` rows and are written as they
come (Parquet in row groups of that size), so memory does not grow with the archive. A file
is written under a temporary name beside it and renamed at the end: an export that was cut
short never looks complete.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMATS = ("jsonl", "csv", "parquet")
PAGE = 2000
FIELDS = (
    "id",
    "url",
    "canonical_url",
    "site",
    "title",
    "derived_title",
    "author",
    "published",
    "language",
    "text",
    "word_count",
    "cluster_id",
    "story_id",
    "extraction",
    "confidence",
)
CLUSTER_FIELDS = ("cluster_size", "copies")
PARQUET_EXTRA = "pip install 'wirecopy[parquet]'"


@dataclass(frozen=True)
class Selection:
    """Which articles: every one, or each cluster's canonical copy; and the filters."""

    canonical_only: bool = False
    since: str | None = None  # YYYY-MM-DD: published on or after (else stored on or after)
    site: str | None = None
    story: int | None = None

    def fields(self) -> tuple[str, ...]:
        return FIELDS + CLUSTER_FIELDS if self.canonical_only else FIELDS

    def sql(self, what: str) -> tuple[str, list[Any]]:
        """The query for ``what`` (the selected columns, or ``count(*)``) and its values."""
        conditions, values = [], []
        if self.since:
            conditions.append("coalesce(a.published, substr(a.ingested_at, 1, 10)) >= ?")
            values.append(self.since)
        if self.site:
            conditions.append("a.site = ?")
            values.append(self.site)
        if self.story is not None:
            conditions.append("a.story_id = ?")
            values.append(self.story)
        where = f" where {' and '.join(conditions)}" if conditions else ""
        if self.canonical_only:
            source = "clusters c join articles a on a.id = c.canonical_article_id"
            return f"select {what} from {source}{where} order by a.id", values
        return f"select {what} from articles a{where} order by a.id", values

    def columns(self) -> str:
        selected = ", ".join(f"a.{name}" for name in FIELDS)
        if not self.canonical_only:
            return selected
        copies = (
            "(select json_group_array(json_object('url', m.url, 'site', m.site))"
            " from articles m where m.cluster_id = c.id and m.id != a.id order by m.id)"
        )
        return f"{selected}, c.size as cluster_size, {copies} as copies"


def connect(path: Path) -> sqlite3.Connection:
    """A read-only connection (an export can run beside an ingest)."""
    conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    conn.execute("pragma busy_timeout = 10000")
    return conn


def count(conn: sqlite3.Connection, selection: Selection) -> int:
    """How many records the export will write (the progress bar's total)."""
    sql, values = selection.sql("count(*)")
    return conn.execute(sql, values).fetchone()[0]


def story_exists(conn: sqlite3.Connection, story: int) -> bool:
    return conn.execute("select 1 from stories where id = ?", [story]).fetchone() is not None


def records(conn: sqlite3.Connection, selection: Selection) -> Iterator[dict[str, Any]]:
    """The records, oldest article first, ``PAGE`` rows read at a time."""
    sql, values = selection.sql(selection.columns())
    cursor = conn.execute(sql, values)
    names = selection.fields()
    while rows := cursor.fetchmany(PAGE):
        for row in rows:
            record = dict(zip(names, row, strict=True))
            if selection.canonical_only:
                record["copies"] = json.loads(record["copies"] or "[]")
            yield record


def write(found: Iterable[dict[str, Any]], fmt: str, out: IO[Any], fields: tuple[str, ...]) -> int:
    """Write the records in this format to an open stream (text for JSONL and CSV, binary
    for Parquet); return how many were written."""
    writer = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}[fmt]
    return writer(found, out, fields)


def _jsonl(found: Iterable[dict[str, Any]], out: IO[str], fields: tuple[str, ...]) -> int:
    written = 0
    for record in found:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        written += 1
    return written


def _csv(found: Iterable[dict[str, Any]], out: IO[str], fields: tuple[str, ...]) -> int:
    """CSV with a header row; the copies of a cluster as a JSON list in their cell."""
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    written = 0
    for record in found:
        if "copies" in record:
            record = {**record, "copies": json.dumps(record["copies"], ensure_ascii=False)}
        writer.writerow(record)
        written += 1
    return written


def _parquet(found: Iterable[dict[str, Any]], out: IO[bytes], fields: tuple[str, ...]) -> int:
    """Parquet in row groups of ``PAGE`` records (pyarrow, the ``parquet`` extra)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(fields)
    written = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict[str, Any]] = []
        for record in found:
            batch.append(record)
            if len(batch) == PAGE:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                written, batch = written + len(batch), []
        if batch or not written:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            written += len(batch)
    return written


def parquet_schema(fields: tuple[str, ...]) -> Any:
    import pyarrow as pa

    types = {"id": pa.int64(), "word_count": pa.int64(), "cluster_id": pa.int64()}
    types |= {"story_id": pa.int64(), "cluster_size": pa.int64(), "confidence": pa.float64()}
    types["copies"] = pa.list_(pa.struct([("url", pa.string()), ("site", pa.string())]))
    return pa.schema([(name, types.get(name, pa.string())) for name in fields])


def parquet_available() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def atomic(path: Path, binary: bool) -> Iterator[IO[Any]]:
    """A stream to a temporary file beside ``path``, renamed to it when the block ends
    without an error, removed otherwise."""
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".partial", dir=path.parent
    )
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(temporary, 0o666 & ~mask)  # as open() would create it, not mkstemp's 0600
    try:
        mode = "wb" if binary else "w"
        with os.fdopen(
            handle, mode, **({} if binary else {"encoding": "utf-8", "newline": ""})
        ) as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
