"""Which of the databases Datasette serves wirecopy made, and where their pages are.

The plugin is installed into the environment (the ``datasette`` entry point), so it meets
every database a user serves: it acts only on those wirecopy made, recognised by their
migrations (sqlite-utils records wirecopy's in ``_sqlite_migrations`` under the set
``wirecopy``). Another database served beside them keeps Datasette's usual pages, and the
browse pages answer 404 for it.

The first of wirecopy's databases has the short addresses (``/-/cluster/7``), as with
``python -m pipeline serve``; every one of them also has addresses under its own name
(``/news/-/cluster/7``), so two archives served together each have their pages.
"""

from __future__ import annotations

import sqlite3
from typing import Any

MIGRATION_SET = "wirecopy"
_MADE: dict[str, bool] = {}


def made_by_wirecopy(path: str | None) -> bool:
    """Whether the SQLite file at ``path`` holds wirecopy's migrations (checked once per
    path and process; a file that is not SQLite, or not readable, is not ours)."""
    if not path:
        return False
    if path not in _MADE:
        _MADE[path] = _has_our_migrations(path)
    return _MADE[path]


def _has_our_migrations(path: str) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        sql = "select 1 from _sqlite_migrations where migration_set = ? limit 1"
        return conn.execute(sql, [MIGRATION_SET]).fetchone() is not None
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def ours(datasette: Any) -> list[str]:
    """The names of the served databases wirecopy made, in Datasette's order."""
    return [
        name
        for name, database in datasette.databases.items()
        if not database.is_memory and made_by_wirecopy(database.path)
    ]


def only_ours(datasette: Any) -> bool:
    """Whether every database served (Datasette's internal one aside) is wirecopy's: the
    instance's home page and title are then wirecopy's."""
    served = [db for db in datasette.databases.values() if not db.is_memory]
    return bool(served) and all(made_by_wirecopy(db.path) for db in served)


def prefix(datasette: Any, name: str) -> str | None:
    """The start of the browse pages' paths for a database: "" for the first of
    wirecopy's (the short addresses), ``/NAME`` for another of them, None for one that is
    not wirecopy's."""
    names = ours(datasette)
    if name not in names:
        return None
    return "" if name == names[0] else f"/{datasette.databases[name].route}"
