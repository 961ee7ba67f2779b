"""Datasette with our metadata: every canned query runs against a real ingested database."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from benchmarks import corpus
from pipeline.web.serve import datasette_for, metadata_for, serve_arguments
from tests.conftest import ingest, rows, serving
from tests.test_ingest import syndication_dir  # noqa: F401 - shared fixture


@pytest.fixture(scope="module")
def news_db(syndication_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    db = tmp_path_factory.mktemp("browse") / "news.db"
    ingest(syndication_dir, db)
    return db


def _get(db: Path, path: str) -> tuple[int, object]:
    async def fetch() -> tuple[int, object]:
        datasette = datasette_for(db)
        response = await datasette.client.get(path)
        return response.status_code, response.json() if "json" in path else response.text

    return asyncio.run(fetch())


def test_largest_clusters(news_db: Path) -> None:
    status, data = _get(news_db, "/news/largest_clusters.json?_shape=array")
    assert status == 200
    assert [row["size"] for row in data] == [4]


def test_copies_of_article_by_id_and_by_url(news_db: Path) -> None:
    (article_id,) = rows(news_db, "select id from articles where source = 'original.html'")[0]
    status, data = _get(news_db, f"/news/copies_of_article.json?_shape=array&id={article_id}&url=")
    assert status == 200 and len(data) == 4
    assert sum(row["is_canonical"] for row in data) == 1
    url = "https://x.test/none"
    status, data = _get(news_db, f"/news/copies_of_article.json?_shape=array&id=&url={url}")
    assert status == 200 and data == []
    (stored,) = rows(news_db, "select url from articles where source = 'original.html'")[0]
    assert stored.startswith("https://venturebeat.com/") and stored.endswith("/")
    spelled = "http://www.venturebeat.com/" + stored[24:].rstrip("/") + "?utm_source=twitter"
    query = urllib.parse.urlencode({"id": "", "url": spelled})
    status, data = _get(news_db, f"/news/copies_of_article.json?_shape=array&{query}")
    assert status == 200 and len(data) == 4 and data[0]["is_canonical"] == 1


def test_partial_copies_query(tmp_path: Path) -> None:
    from tests.test_partial import SOURCE, _excerpt_html

    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "source.html").write_text(corpus.load(corpus.page_id(SOURCE)).html)
    (folder / "excerpt.html").write_text(_excerpt_html())
    db = tmp_path / "news.db"
    ingest(folder, db)
    status, data = _get(db, "/news/partial_copies.json?_shape=array")
    assert status == 200 and len(data) == 1
    (excerpt,) = rows(db, "select id from articles where source = 'excerpt.html'")[0]
    assert data[0]["article_id"] == excerpt and data[0]["relation"] == "is an excerpt of"


def test_republishing_sites_and_rejected(news_db: Path) -> None:
    status, data = _get(news_db, "/news/republishing_sites.json?_shape=array")
    assert status == 200 and sum(row["copies"] for row in data) == 3
    status, _ = _get(news_db, "/news/rejected_by_reason.json?_shape=array")
    assert status == 200


def test_full_text_search_groups_copies_and_quotes_the_text(news_db: Path) -> None:
    (text, cluster) = rows(
        news_db, "select text, cluster_id from articles where source = 'original.html'"
    )[0]
    word = max(re.findall(r"[a-z]+", text), key=len)
    status, data = _get(news_db, f"/news/search.json?_shape=array&q={word}")
    assert status == 200 and data, word
    (hit,) = [row for row in data if row["cluster_id"] == cluster]  # one row for 4 copies
    assert hit["matching"] == 4
    assert f"[{word}]" in hit["snippet"].lower()


def test_every_column_is_described(news_db: Path) -> None:
    tables = metadata_for(news_db)["databases"]["news"]["tables"]
    for table in (
        "articles",
        "clusters",
        "pairs",
        "furniture",
        "rejected",
        "runs",
        "urls",
        "site_lines",
    ):
        columns = [name for _, name, *_ in rows(news_db, f"pragma table_info({table})")]
        assert set(columns) <= set(tables[table]["columns"]), table


def test_no_writable_canned_queries(news_db: Path) -> None:
    queries = metadata_for(news_db)["databases"]["news"]["queries"]
    assert queries and not any(query.get("write") for query in queries.values())
    assert all(
        query["sql"].lstrip().lower().startswith(("select", "with")) for query in queries.values()
    )


def test_table_page_renders_with_descriptions(news_db: Path) -> None:
    status, html = _get(news_db, "/news/articles")
    assert status == 200 and "One row per stored page" in html


def test_serve_binds_localhost_by_default(news_db: Path) -> None:
    from pipeline.cli import cli

    host = next(p for p in cli.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"
    args = serve_arguments(news_db, host.default, 8001, Path("m.json"))
    assert args[args.index("--host") + 1] == "127.0.0.1"
    assert "-i" not in args and "--immutable" not in args


def test_search_with_empty_query_does_not_error(news_db: Path) -> None:
    """Regression: Datasette shows the form with q empty; it must not be an FTS syntax error."""
    status, data = _get(news_db, "/news/search.json?_shape=array&q=")
    assert status == 200 and data == []


def test_serve_command_answers_on_localhost(news_db: Path) -> None:
    """The real `serve` command: a Datasette server on 127.0.0.1 with our canned queries."""
    with serving(news_db) as base:
        url = f"{base}/news/largest_clusters.json?_shape=array"
        with urllib.request.urlopen(url, timeout=10) as response:
            data = json.loads(response.read())
    assert [row["size"] for row in data] == [4]


def test_datasette_refuses_writes(news_db: Path) -> None:
    before = rows(news_db, "select count(*) from articles")
    status, _ = _get(news_db, "/news/-/query.json?sql=delete+from+articles")
    assert status == 400
    assert rows(news_db, "select count(*) from articles") == before


def test_the_articles_search_box_points_to_the_ranked_search(news_db: Path) -> None:
    """Datasette's table search lists matches in id order; the page says so and links to the
    search ranked by relevance, copies grouped."""
    status, html = _get(news_db, "/news/articles?_search=WeWork")
    assert status == 200 and 'href="/-/search?q=WeWork"' in html
