"""Browse: a database -> pages an analyst reads (cluster, article, story, search, home).

A Datasette plugin, installed with wirecopy (the ``datasette`` entry point in
``pyproject.toml``), so plain ``datasette news.db`` shows what ``python -m pipeline serve``
shows: routes for the pages, templates and a stylesheet served from the package (no CDN: the
pages work offline), wirecopy's metadata (descriptions, canned queries, hidden index tables,
facets) through ``get_metadata``, ``render_cell`` to link ids and shorten long cells, and a
SQL function that finds an article by any spelling of its URL. It acts only on databases
wirecopy made (``databases.py``); Datasette stays read-only and the pages only read.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from datasette import hookimpl

from pipeline.urls import url_spellings
from pipeline.web.browse import cells, databases, views
from pipeline.web.reports import count

NAME = "wirecopy"
PLACEHOLDER = "wirecopy"  # the database's name in db/metadata.yml
_PAGES = r"(?P<database>[^/]+)/-/"


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    routes = [
        (r"^/-/cluster/(?P<id>\d+)$", views.cluster),
        (r"^/-/article/(?P<id>\d+)$", views.article),
        (r"^/-/story/(?P<id>\d+)$", views.story),
        (r"^/-/search$", views.search),
        (rf"^/{_PAGES}wirecopy$", views.home),
        (rf"^/{_PAGES}cluster/(?P<id>\d+)$", views.cluster),
        (rf"^/{_PAGES}article/(?P<id>\d+)$", views.article),
        (rf"^/{_PAGES}story/(?P<id>\d+)$", views.story),
        (rf"^/{_PAGES}search$", views.search),
    ]
    if databases.only_ours(datasette):  # else Datasette's own list of databases stays
        routes.insert(0, (r"^/$", views.home))
    return routes


@hookimpl
def get_metadata(datasette: Any, key: str, database: str, table: str) -> dict:
    """wirecopy's metadata for each of its databases, under the name Datasette gives it;
    the instance's title and description only when every database served is wirecopy's."""
    template = _template()
    found = {
        name: copy.deepcopy(template["databases"][PLACEHOLDER])
        for name in databases.ours(datasette)
    }
    if not found:
        return {}
    metadata: dict[str, Any] = {"databases": found}
    if databases.only_ours(datasette):
        metadata.update({k: v for k, v in template.items() if k != "databases"})
    return metadata


@lru_cache(maxsize=1)
def _template() -> dict:
    text = resources.files("db").joinpath("metadata.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    start = databases.prefix(datasette, database)
    if start is None:
        return None
    return cells.render(row, value, column, table, lambda path: datasette.urls.path(start + path))


@hookimpl
def extra_template_vars(datasette: Any, database: str | None) -> dict[str, Any]:
    """``wirecopy_pages``: where a wirecopy database's browse pages are (None for another),
    for the table and row templates' links."""
    start = databases.prefix(datasette, database) if database else None
    return {"wirecopy_pages": start}


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["wc_count"] = count


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("wirecopy_url_spellings", 1, _spellings_json, deterministic=True)


def _spellings_json(url: str | None) -> str:
    return json.dumps(url_spellings(url))


@hookimpl
def extra_css_urls(datasette: Any, database: str | None, view_name: str) -> list[str]:
    """Our stylesheet on our pages and on a wirecopy database's tables, nowhere else."""
    ours = database and databases.prefix(datasette, database) is not None
    if ours or view_name not in ("index", "database", "table", "row", "query"):
        return [datasette.urls.static_plugins(__name__, "wirecopy.css")]
    return []


def register() -> None:
    """Load this plugin into Datasette (once per process) when its entry point did not,
    as in an environment where wirecopy is not installed as a package."""
    import sys

    from datasette.plugins import pm

    if pm.get_plugin(NAME) is None and not any(
        getattr(plugin, "__name__", "") == __name__ for plugin in pm.get_plugins()
    ):
        pm.register(sys.modules[__name__], name=NAME)
