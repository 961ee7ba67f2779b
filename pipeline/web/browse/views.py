"""The browse pages' request handlers: read with ``queries``, add what is computed for show
(diffs, the timeline, search snippets), render a template of ours."""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from pipeline.web.browse import queries
from pipeline.web.browse.diff import changed_words, folded, word_diff
from pipeline.web.browse.timeline import timeline_svg

COPIES_COMPARED = 60  # copies shown with their diff; a larger cluster lists the rest


async def _read(datasette: Any, function: Any, *args: Any) -> Any:
    database = datasette.get_database()
    return await database.execute_fn(lambda conn: function(conn, *args))


async def _page(datasette: Any, request: Any, template: str, context: dict) -> Response:
    database = datasette.get_database()
    context = {"database": database.name, "wc": _links(datasette), **context}
    html = await datasette.render_template(f"wirecopy/{template}", context, request=request)
    return Response.html(html)


def _links(datasette: Any) -> dict[str, str]:
    """URL prefixes for the templates, under Datasette's base URL."""
    path = datasette.urls.path
    return {
        "home": path("/"),
        "cluster": path("/-/cluster/"),
        "article": path("/-/article/"),
        "story": path("/-/story/"),
        "search": path("/-/search"),
        "database": datasette.urls.database(datasette.get_database().name),
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
    data = await _read(datasette, queries.home)
    columns = "&".join(f"_col={name}" for name in ARTICLE_LIST)
    return await _page(datasette, request, "home.html", {"home": data, "articles_columns": columns})


async def cluster(datasette: Any, request: Any) -> Response:
    data = await _read(datasette, _cluster_with_diffs, _id(request))
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
    data = await _read(datasette, queries.article, _id(request))
    if data is None:
        raise NotFound(f"No article {_id(request)}")
    return await _page(datasette, request, "article.html", {"article": data})


async def story(datasette: Any, request: Any) -> Response:
    data = await _read(datasette, queries.story, _id(request))
    if data is None:
        raise NotFound(f"No story {_id(request)}")
    chart = timeline_svg(data["writeups"], link=_links(datasette)["cluster"])
    return await _page(datasette, request, "story.html", {"story": data, "chart": Markup(chart)})


async def search(datasette: Any, request: Any) -> Response:
    query = (request.args.get("q") or "").strip()
    results = await _read(datasette, queries.search, query) if query else []
    for result in results:
        result["snippet_html"] = _marked(result["snippet"] or "")
    return await _page(datasette, request, "search.html", {"q": query, "results": results})


def _marked(snippet: str) -> Markup:
    """A search snippet with the matched words marked (FTS5 wraps them in \\x02 ... \\x03)."""
    return Markup(str(escape(snippet)).replace("\x02", "<mark>").replace("\x03", "</mark>"))
