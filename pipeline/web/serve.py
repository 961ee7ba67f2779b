"""Browse: Datasette with our plugin (pages, metadata, canned queries), read-only, on
localhost: what ``datasette news.db`` shows once wirecopy is installed, with our settings.

Datasette opens a database file read-only for its queries (``mode=ro``) and runs no writable
canned query of ours; ``serve`` adds a time limit fit for a million articles and binds to
localhost unless told otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datasette.app import Datasette

TIME_LIMIT_MS = 5000  # a canned query over a million articles (search, a URL lookup) fits


def serve_arguments(db_path: Path, host: str, port: int) -> list[str]:
    """Arguments for ``datasette serve``."""
    return [
        "serve",
        str(db_path),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        str(TIME_LIMIT_MS),
    ]


def datasette_for(*db_paths: Path) -> Datasette:
    """A Datasette over these databases with our plugin (tests use it)."""
    from datasette.app import Datasette

    from pipeline.web import browse

    browse.register()
    return Datasette(
        [str(path) for path in db_paths], settings={"sql_time_limit_ms": TIME_LIMIT_MS}
    )


def serve(db_path: Path, host: str, port: int) -> None:
    """Run Datasette in this process until interrupted, with our browse pages."""
    from datasette.cli import cli as datasette_cli

    from pipeline.web import browse

    browse.register()
    datasette_cli.main(serve_arguments(db_path, host, port), standalone_mode=True)
