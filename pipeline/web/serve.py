"""Browse: Datasette with our metadata and canned queries, read-only, on localhost.

Datasette names a database after its file (``news.db`` is ``news``), so the metadata in
``db/metadata.yml`` is written for a placeholder name and re-keyed here for the actual file.
"""

from __future__ import annotations

import copy
import json
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from datasette.app import Datasette

PLACEHOLDER = "wirecopy"
TIME_LIMIT_MS = 5000  # a canned query over a million articles (search, a URL lookup) fits


@lru_cache(maxsize=1)
def _template() -> dict:
    text = resources.files("db").joinpath("metadata.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def metadata_for(db_path: Path) -> dict:
    """Our Datasette metadata, keyed by the name Datasette gives this database file."""
    metadata = copy.deepcopy(_template())
    metadata["databases"] = {db_path.stem: metadata["databases"][PLACEHOLDER]}
    return metadata


def serve_arguments(db_path: Path, host: str, port: int, metadata_file: Path) -> list[str]:
    """Arguments for ``datasette serve``; the database opens read-only (``mode=ro``)."""
    return [
        "serve",
        str(db_path),
        "--metadata",
        str(metadata_file),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        str(TIME_LIMIT_MS),
    ]


def datasette_for(db_path: Path) -> Datasette:
    """A Datasette over one database with our metadata and browse pages (tests use it)."""
    from datasette.app import Datasette

    from pipeline.web import browse

    browse.register()
    return Datasette(
        [str(db_path)],
        metadata=metadata_for(db_path),
        settings={"sql_time_limit_ms": TIME_LIMIT_MS},
    )


def serve(db_path: Path, host: str, port: int) -> None:
    """Run Datasette in this process until interrupted, with our browse pages."""
    from datasette.cli import cli as datasette_cli

    from pipeline.web import browse

    browse.register()

    with tempfile.TemporaryDirectory(prefix="wirecopy-") as folder:
        metadata_file = Path(folder) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata_for(db_path)), encoding="utf-8")
        datasette_cli.main(
            serve_arguments(db_path, host, port, metadata_file), standalone_mode=True
        )
