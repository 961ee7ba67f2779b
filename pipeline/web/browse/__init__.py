"""Browse: a database -> pages an analyst reads (cluster, article, story, search, home).

A Datasette plugin inside our package, registered by ``python -m pipeline serve``: routes
for the pages, templates and a stylesheet served from the package (no CDN: the pages work
offline), ``render_cell`` to link ids and shorten long cells, and a SQL function that finds
an article by any spelling of its URL. Datasette stays read-only; the pages only read.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from datasette import hookimpl

from pipeline.urls import url_spellings
from pipeline.web.browse import cells, views

NAME = "wirecopy"


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/$", views.home),
        (r"^/-/cluster/(?P<id>\d+)$", views.cluster),
        (r"^/-/article/(?P<id>\d+)$", views.article),
        (r"^/-/story/(?P<id>\d+)$", views.story),
        (r"^/-/search$", views.search),
    ]


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, datasette: Any) -> Any:
    return cells.render(row, value, column, table, datasette.urls.path)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("wirecopy_url_spellings", 1, _spellings_json, deterministic=True)


def _spellings_json(url: str | None) -> str:
    return json.dumps(url_spellings(url))


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.static_plugins(__name__, "wirecopy.css")]


def register() -> None:
    """Load this plugin into Datasette (once per process)."""
    import sys

    from datasette.plugins import pm

    if pm.get_plugin(NAME) is None:
        pm.register(sys.modules[__name__], name=NAME)
