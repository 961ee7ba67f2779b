"""The browse pages' request handlers: read with ``queries``, add what is computed for show
(diffs, the timeline, search snippets), render a template of ours."""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from pipeline.web.browse import databases, queries
from pipeline.web.browse.diff import changed_words, folded, word_diff
from pipeline.web.browse.timeline import timeline_svg

COPIES_COMPARED = 60  # copies shown with their diff; a larger cluster lists the rest


def _database(datasette: Any, request: Any) -> Any:
    """The database a page reads: the one its address names, else the first of wirecopy's;
    a database wirecopy did not make has no such pages (404)."""
    named = request.url_vars.get("database")
    ours = databases.ours(datasette)
    if named is None and ours:
        return datasette.get_database(ours[0])
    for name in ours:
        if datasette.databases[name].route == named:
            return datasette.get_database(name)
    raise NotFound("wirecopy's pages are for the databases wirecopy made")


async def _read(datasette: Any, request: Any, function: Any, *args: Any) -> Any:
    database = _database(datasette, request)
    return await database.execute_fn(lambda conn: function(conn, *args))


async def _page(datasette: Any, request: Any, template: str, context: dict) -> Response:
    database = _database(datasette, request)
    links = _links(datasette, database.name)
    context = {"database": database.name, "wc": links, **context}
    html = await datasette.render_template(f"wirecopy/{template}", context, request=request)
    return Response.html(html)


def _links(datasette: Any, name: str) -> dict[str, str]:
    """URL prefixes for the templates, under Datasette's base URL: the short addresses for
    the first of wirecopy's databases, addresses under its name for another."""
    start = databases.prefix(datasette, name) or ""
    path = datasette.urls.path
    only = databases.only_ours(datasette) and not start
    return {
        "home": path("/" if only else f"{start or '/' + name}/-/wirecopy"),
        "cluster": path(f"{start}/-/cluster/"),
        "article": path(f"{start}/-/article/"),
        "story": path(f"{start}/-/story/"),
        "search": path(f"{start}/-/search"),
        "database": datasette.urls.database(name),
    }


def _id(request: Any) -> int:
    return int(request.url_vars["id"])


# The articles table with the columns a reader scans (the table has 26, hashes and all).
ARTICLE_LIST = (
    "title",
    "site",
    "published",
    "language",
    "word_count",
    "credit",
    "cluster_id",
    "story_id",
)


async def home(datasette: Any, request: Any) -> Response:
    data = await _read(datasette, request, queries.home)
    columns = "&".join(f"_col={name}" for name in ARTICLE_LIST)
    return await _page(datasette, request, "home.html", {"home": data, "articles_columns": columns})


async def cluster(datasette: Any, request: Any) -> Response:
    data = await _read(datasette, request, _cluster_with_diffs, _id(request))
    if data is None:
        raise NotFound(f"No cluster {_id(request)}")
    return await _page(
        datasette, request, "cluster.html", {"cluster": data, "compared": COPIES_COMPARED}
    )


def _cluster_with_diffs(conn: Any, cluster_id: int) -> dict | None:
    """The cluster and each copy's differences from the canonical copy, computed in
    Datasette's database thread with the read, not in the event loop that serves every
    request."""
    data = queries.cluster(conn, cluster_id)
    if data is None:
        return None
    canonical = data["copies"][0] if data["copies"] else None
    for number, copy in enumerate(data["copies"]):
        copy["diff"] = None
        if canonical and not copy["is_canonical"] and number < COPIES_COMPARED:
            pieces = word_diff(canonical["text"], copy["text"])
            copy["changes"] = changed_words(pieces) if pieces is not None else None
            copy["diff"] = folded(pieces) if pieces is not None else None
    return data


async def article(datasette: Any, request: Any) -> Response:
    data = await _read(datasette, request, queries.article, _id(request))
    if data is None:
        raise NotFound(f"No article {_id(request)}")
    return await _page(datasette, request, "article.html", {"article": data})


async def story(datasette: Any, request: Any) -> Response:
    data = await _read(datasette, request, queries.story, _id(request))
    if data is None:
        raise NotFound(f"No story {_id(request)}")
    link = _links(datasette, _database(datasette, request).name)["cluster"]
    chart = timeline_svg(data["writeups"], link=link)
    return await _page(datasette, request, "story.html", {"story": data, "chart": Markup(chart)})


async def search(datasette: Any, request: Any) -> Response:
    query = (request.args.get("q") or "").strip()
    results = await _read(datasette, request, queries.search, query) if query else []
    for result in results:
        result["snippet_html"] = _marked(result["snippet"] or "")
    return await _page(datasette, request, "search.html", {"q": query, "results": results})


def _marked(snippet: str) -> Markup:
    """A search snippet with the matched words marked (FTS5 wraps them in \\x02 ... \\x03)."""
    return Markup(str(escape(snippet)).replace("\x02", "<mark>").replace("\x03", "</mark>"))
